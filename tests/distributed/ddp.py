"""Run under ``mpiexec -n 2`` with a scratch folder as argument: DistributedDataParallel and
SyncBatchNorm against single-process training on the same global batches, which every rank
also computes itself. Prints "ddp ok N" on rank 0; any failure aborts every rank."""
import copy
import os
import sys

import numpy as np

import ember
import ember.distributed as dist
import ember.nn as nn
import ember.nn.functional as F
from ember.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()
scratch = sys.argv[1]
checks = 0


def close(a, b, what, rtol=1e-5, atol=1e-6):
    global checks
    a = a.detach().numpy() if isinstance(a, ember.Tensor) else np.asarray(a)
    b = b.detach().numpy() if isinstance(b, ember.Tensor) else np.asarray(b)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"rank {rank}: {what}")
    checks += 1


def same_params(m1, m2, what, **tol):
    for (n, p), (_, q) in zip(m1.named_parameters(), m2.named_parameters()):
        close(p, q, f"{what}: {n}", **tol)


def batches(steps, n, shape, classes, seed):
    """The global batches, the same on every rank."""
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((n,) + shape).astype(np.float32), rng.integers(0, classes, n))
            for _ in range(steps)]


def local(a):
    k = len(a) // world
    return a[rank * k:(rank + 1) * k]


def mlp():
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3))


def cnn(bn=False):
    norm = [nn.BatchNorm2d(4)] if bn else []
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), *norm, nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 6, 3), nn.ReLU(), nn.Flatten(), nn.Linear(6 * 2 * 2, 3))


def train_pair(make, data, steps_opt=lambda ps: ember.optim.SGD(ps, lr=0.1, momentum=0.9), what="",
               convert=None, ddp_kwargs=None, per_rank_reference=False):
    """Train DDP (each rank on its half of each global batch) and a single process (on the
    whole batch) from rank 0's initial weights; compare the parameters after every step."""
    ember.manual_seed(0)
    ref = make()
    ember.manual_seed(0 if rank == 0 else 100 + rank)  # rank 1 starts elsewhere: DDP broadcasts rank 0's
    model = make()
    if convert:
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    ddp = DDP(model, **(ddp_kwargs or {}))
    same_params(ddp.module, ref, f"{what} broadcast at construction", rtol=0, atol=0)
    opt, ref_opt = steps_opt(ddp.parameters()), steps_opt(ref.parameters())
    for x, y in data:
        opt.zero_grad()
        F.cross_entropy(ddp(ember.from_numpy(local(x))), ember.from_numpy(local(y))).backward()
        opt.step()
        ref_opt.zero_grad()
        if per_rank_reference:  # plain BatchNorm: each rank normalizes its own half
            k = len(x) // world
            halves = [(x[r * k:(r + 1) * k], y[r * k:(r + 1) * k]) for r in range(world)]
            loss = sum(F.cross_entropy(ref(ember.from_numpy(a)), ember.from_numpy(b)) for a, b in halves) / world
        else:
            loss = F.cross_entropy(ref(ember.from_numpy(x)), ember.from_numpy(y))
        loss.backward()
        ref_opt.step()
        same_params(ddp.module, ref, what)
    return ddp, ref


# ---- MLP and CNN (without BatchNorm, with SyncBatchNorm, with plain BatchNorm)
data = batches(4, 8, (6,), 3, seed=1)
ddp, _ = train_pair(mlp, data, what="MLP")
assert list(ddp.state_dict()) == ["module." + k for k in ddp.module.state_dict()]
train_pair(mlp, data, steps_opt=lambda ps: ember.optim.Adam(ps, lr=0.01), what="MLP Adam")
train_pair(mlp, data, what="MLP small buckets", ddp_kwargs={"bucket_cap_mb": 0.0002})
assert len(DDP(mlp(), bucket_cap_mb=0.0002)._buckets) > 2
img = batches(3, 8, (1, 8, 8), 3, seed=2)
train_pair(cnn, img, what="CNN")
ddp, ref = train_pair(lambda: cnn(bn=True), img, what="CNN SyncBatchNorm", convert=True)
assert isinstance(ddp.module[1], nn.SyncBatchNorm)
close(ddp.module[1].running_mean, ref[1].running_mean, "SyncBatchNorm running_mean")
close(ddp.module[1].running_var, ref[1].running_var, "SyncBatchNorm running_var")
ddp, _ = train_pair(lambda: cnn(bn=True), img, what="CNN BatchNorm", per_rank_reference=True)
# broadcast_buffers: each forward starts from rank 0's running statistics (eval: no update after)
def buffers_everywhere():
    return dist._allgather_object([b.numpy().copy() for b in ddp.module.buffers()])


assert not all(np.allclose(a, b) for a, b in zip(*buffers_everywhere())), "ranks' statistics should differ"
ddp.eval()
ddp(ember.from_numpy(local(img[0][0])))
for a, b in zip(*buffers_everywhere()):
    close(a, b, "broadcast_buffers", rtol=0, atol=0)
ddp.train()

# ---- SyncBatchNorm alone: outputs, input gradients, running statistics of the global batch
rng = np.random.default_rng(5)
x = rng.standard_normal((6, 3, 4, 4)).astype(np.float32) * 3 + 1
gy = rng.standard_normal((6, 3, 4, 4)).astype(np.float32)
for affine in (True, False):
    bn = nn.BatchNorm2d(3, affine=affine)
    sbn = nn.SyncBatchNorm(3, affine=affine)
    if affine:
        with ember.no_grad():
            for m in (bn, sbn):
                m.weight.copy_(ember.tensor([0.5, 1.5, -1.0]))
                m.bias.copy_(ember.tensor([0.1, -0.2, 0.3]))
    xg, xl = ember.tensor(x, requires_grad=True), ember.tensor(local(x), requires_grad=True)
    yg, yl = bn(xg), sbn(xl)
    close(yl, local(yg.detach().numpy()), "SyncBatchNorm output", atol=1e-5)
    (yg * ember.from_numpy(gy)).sum().backward()
    (yl * ember.from_numpy(local(gy))).sum().backward()
    close(xl.grad, local(xg.grad.numpy()), "SyncBatchNorm input grad", atol=1e-5)
    close(sbn.running_mean, bn.running_mean, "running_mean")
    close(sbn.running_var, bn.running_var, "running_var")
    if affine:  # weight/bias grads stay per rank: their sum over ranks is the global one
        for p, q in ((sbn.weight, bn.weight), (sbn.bias, bn.bias)):
            s = p.grad.clone()
            dist.all_reduce(s)
            close(s, q.grad, "SyncBatchNorm weight/bias grad", atol=1e-4)
    sbn.eval()
    bn.eval()
    close(sbn(ember.from_numpy(x)), bn(ember.from_numpy(x)), "SyncBatchNorm eval")

# ---- a parameter used twice in one forward (ember delivers its gradient twice)
class Twice(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(6, 6)
        self.out = nn.Linear(6, 3)

    def forward(self, x):
        return self.out(self.lin(F.relu(self.lin(x))))


train_pair(Twice, batches(4, 8, (6,), 3, seed=3), what="shared weight")

# ---- no_sync: micro-batches accumulated locally, then one averaged step == one big batch
ember.manual_seed(0)
ref = mlp()
ddp = DDP(copy.deepcopy(ref))
micro = batches(3, 8, (6,), 3, seed=4)  # 3 micro-batches of 8 (4 per rank)
with ddp.no_sync():
    for x, y in micro[:-1]:
        (F.cross_entropy(ddp(ember.from_numpy(local(x))), ember.from_numpy(local(y))) / len(micro)).backward()
    mine = [p.grad.clone() for p in ddp.parameters()]
    other = [p.grad.clone() for p in ddp.parameters()]
    for t in other:
        dist.all_reduce(t)
    assert any(not np.allclose(a.numpy(), b.numpy() / 2) for a, b in zip(mine, other)), "no_sync synchronised"
x, y = micro[-1]
(F.cross_entropy(ddp(ember.from_numpy(local(x))), ember.from_numpy(local(y))) / len(micro)).backward()
bx = np.concatenate([m[0] for m in micro])
by = np.concatenate([m[1] for m in micro])
F.cross_entropy(ref(ember.from_numpy(bx)), ember.from_numpy(by)).backward()
for p, q in zip(ddp.parameters(), ref.parameters()):
    close(p.grad, q.grad, "no_sync accumulation vs one big batch")


# ---- find_unused_parameters
class Branches(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 2)
        self.b = nn.Linear(4, 2)   # used on rank 0 only
        self.c = nn.Linear(4, 2)   # used nowhere

    def forward(self, x, use_b):
        return self.a(x) + (self.b(x) if use_b else 0)


ember.manual_seed(0)
ref = Branches()
ddp = DDP(copy.deepcopy(ref), find_unused_parameters=True)
xs = np.random.default_rng(6).standard_normal((2, 3, 4)).astype(np.float32)
ddp(ember.from_numpy(xs[rank]), rank == 0).sum().backward()
grads = {}
for r in range(world):
    ref.zero_grad()
    ref(ember.from_numpy(xs[r]), r == 0).sum().backward()
    for n, p in ref.named_parameters():
        if p.grad is not None:
            grads[n] = grads.get(n, 0) + p.grad.numpy() / world
for n, p in ddp.module.named_parameters():
    if n.startswith("c."):
        assert p.grad is None, n
    else:
        close(p.grad, grads[n], f"find_unused_parameters {n}")
# the same without find_unused_parameters: torch's error at the next forward
ddp = DDP(Branches())
ddp(ember.from_numpy(xs[rank]), True).sum().backward()
try:
    ddp(ember.from_numpy(xs[rank]), True)
    raise AssertionError("unused parameters without find_unused_parameters did not raise")
except RuntimeError as e:
    assert "find_unused_parameters=True" in str(e) and "c.weight" in str(e), e
checks += 1

# ---- a model that differs between ranks: a clear error on every rank, no hang
try:
    DDP(nn.Linear(4, 3 + rank))
    raise AssertionError("a shape mismatch did not raise")
except RuntimeError as e:
    assert "appears not to match sizes" in str(e), e
try:
    DDP(nn.Sequential(*[nn.Linear(4, 4) for _ in range(1 + rank)]))
    raise AssertionError("a parameter-count mismatch did not raise")
except RuntimeError as e:
    assert "DDP expects same model across all ranks" in str(e), e
checks += 2

# ---- checkpoint on rank 0, resumed on 2 ranks and on 1
data = batches(6, 8, (6,), 3, seed=7)
ember.manual_seed(0)
model = mlp()
ddp = DDP(model)
opt = ember.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)


def step(m, o, x, y, whole=False):
    o.zero_grad()
    xs, ys = (x, y) if whole else (local(x), local(y))
    F.cross_entropy(m(ember.from_numpy(xs)), ember.from_numpy(ys)).backward()
    o.step()


for x, y in data[:3]:
    step(ddp, opt, x, y)
path = os.path.join(scratch, "ckpt.pt")
if rank == 0:
    ember.save({"model": ddp.module.state_dict(), "optimizer": opt.state_dict()}, path)
dist.barrier()
for x, y in data[3:]:
    step(ddp, opt, x, y)
ckpt = ember.load(path)
ember.manual_seed(50 + rank)
resumed = DDP(mlp())
resumed.module.load_state_dict(ckpt["model"])
ropt = ember.optim.SGD(resumed.parameters(), lr=0.1, momentum=0.9)
ropt.load_state_dict(ckpt["optimizer"])
for x, y in data[3:]:
    step(resumed, ropt, x, y)
same_params(resumed.module, ddp.module, "checkpoint resumed on 2 ranks")
ckpt = ember.load(path)  # afresh: load_state_dict shares the momentum buffers, as torch's does
single = mlp()
single.load_state_dict(ckpt["model"])
sopt = ember.optim.SGD(single.parameters(), lr=0.1, momentum=0.9)
sopt.load_state_dict(ckpt["optimizer"])
for x, y in data[3:]:
    step(single, sopt, x, y, whole=True)
same_params(single, ddp.module, "checkpoint resumed on 1 process")

dist.barrier()
if rank == 0:
    print("ddp ok", checks, flush=True)
