"""A PyTorch data-parallel training script of the usual shape: init_process_group, a
DistributedSampler, the DDP wrapper, a checkpoint saved by rank 0 and loaded by every rank.
It runs on torch (two processes, gloo) and, with `import ember as torch`, on ember under
``mpiexec -n 2``; both print the same numbers. Argument: where to write the checkpoint."""
import sys

import numpy as np
import torch


def make_model():
    return torch.nn.Sequential(torch.nn.Linear(10, 32), torch.nn.ReLU(), torch.nn.Linear(32, 32),
                               torch.nn.Tanh(), torch.nn.Linear(32, 3))


def main(path):
    torch.distributed.init_process_group(backend="gloo", init_method="env://")
    rank, world = torch.distributed.get_rank(), torch.distributed.get_world_size()
    torch.manual_seed(0)

    rng = np.random.default_rng(0)
    x = rng.standard_normal((240, 10)).astype(np.float32)
    y = (x @ rng.standard_normal((10, 3))).argmax(1)
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    sampler = torch.utils.data.distributed.DistributedSampler(dataset, shuffle=True, seed=42)
    loader = torch.utils.data.DataLoader(dataset, batch_size=12, sampler=sampler)

    model = make_model()
    ddp = torch.nn.parallel.DistributedDataParallel(model)
    optimizer = torch.optim.SGD(ddp.parameters(), lr=0.05, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()

    for epoch in range(4):
        sampler.set_epoch(epoch)
        total = torch.zeros(2, dtype=torch.float64)
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(ddp(xb), yb)
            loss.backward()
            optimizer.step()
            total += torch.tensor([loss.item() * len(yb), len(yb)], dtype=torch.float64)
        torch.distributed.all_reduce(total, op=torch.distributed.ReduceOp.SUM)
        if rank == 0:
            print(f"epoch {epoch} train loss {(total[0] / total[1]).item():.6f}")

    if rank == 0:
        torch.save({"model": ddp.module.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 4}, path)
    torch.distributed.barrier()

    checkpoint = torch.load(path)
    restored = make_model()
    restored.load_state_dict(checkpoint["model"])
    restored.eval()
    with torch.no_grad():
        accuracy = (restored(torch.from_numpy(x)).argmax(1) == torch.from_numpy(y)).float().mean().item()
        weights = [p.sum().item() for p in restored.parameters()]
    everyone = [None] * world
    torch.distributed.all_gather_object(everyone, (rank, accuracy))
    if rank == 0:
        print("accuracy per rank", " ".join(f"{a:.6f}" for _, a in sorted(everyone)))
        print("parameter sums", " ".join(f"{w:.6f}" for w in weights))
        print("checkpoint epoch", checkpoint["epoch"], "momentum buffers",
              len(checkpoint["optimizer"]["state"]))
    torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1])
