"""Data-parallel throughput: samples/s of one process against DistributedDataParallel on 2
ranks (one BLAS thread each, started with mpiexec), for the MLP and LeNet-5 training steps of
benchmarks/run.py; the share of a step spent waiting for gradient all-reduces after backward,
and how much of the communication overlapped backward.

    python benchmarks/ddp.py            # prints the table (starts mpiexec itself)
    python benchmarks/ddp.py --ranks 2 4 --seconds 5
    python benchmarks/ddp.py --plan     # the README's communication volumes past one machine

Each rank keeps run.py's batch (weak scaling: 2 ranks train on twice the samples per step), the
usual way data parallelism is measured; "strong" rows split one batch of that size instead,
and "no comm" rows run the ranks without DDP (each trains alone, nothing is exchanged): the
throughput the machine itself allows N processes at that moment, the ceiling for DDP.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from models import lenet5  # noqa: E402  (this folder)


def workloads(lib):
    """(name, batch per rank, model maker, optimizer maker, input maker): run.py's two models."""
    def mlp():
        return lib.nn.Sequential(lib.nn.Linear(784, 256), lib.nn.ReLU(), lib.nn.Linear(256, 256), lib.nn.ReLU(),
                                 lib.nn.Linear(256, 10))

    return [("MLP 784-256-256-10 Adam", 128, mlp, lambda p: lib.optim.Adam(p, lr=1e-3), (784,)),
            ("LeNet-5 SGD momentum", 64, lenet5(lib), lambda p: lib.optim.SGD(p, lr=0.01, momentum=0.9), (1, 28, 28))]


def worker(args):
    """One rank: time training steps of each workload; rank 0 prints one JSON line per case."""
    import ember
    import ember.distributed as dist
    from ember.nn.parallel import DistributedDataParallel as DDP
    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    ember.set_num_threads(1)
    for name, batch, make, opt, shape in workloads(ember):
        for scaling in (["weak", "strong", "no comm"] if world > 1 else ["weak"]):
            b = batch // world if scaling == "strong" else batch
            ember.manual_seed(0)
            model = make()
            ddp = world > 1 and scaling != "no comm"  # "no comm": the ranks train alone, the machine's ceiling
            net = DDP(model, bucket_cap_mb=args.bucket_cap_mb) if ddp else model
            o = opt(net.parameters())
            rng = np.random.default_rng(rank)
            x = ember.tensor(rng.standard_normal((b,) + shape).astype(np.float32))
            y = ember.tensor(rng.integers(0, 10, b))
            loss_fn = ember.nn.CrossEntropyLoss()

            def step():
                o.zero_grad()
                loss_fn(net(x), y).backward()
                o.step()

            for _ in range(3):
                step()
            # every rank must run the same number of steps (each one all-reduces): rank 0 times
            # five, and its count for the measurement is broadcast
            t0 = time.perf_counter()
            for _ in range(5):
                step()
            steps = [max(5, int(5 * args.seconds / (time.perf_counter() - t0)))]
            dist.broadcast_object_list(steps, src=0)
            if ddp:
                net.comm_wait_s, net.comm_buckets_early, net.comm_buckets = 0.0, 0, 0
            dist.barrier()
            t0 = time.perf_counter()
            for _ in range(steps[0]):
                step()
            dist.barrier()
            elapsed = time.perf_counter() - t0
            wait = net.comm_wait_s if ddp else 0.0
            comm = _blocking_allreduce_s(net, steps[0]) if ddp else 0.0
            waits = [None] * world
            dist.all_gather_object(waits, wait)
            if rank == 0:
                print(json.dumps({"case": name, "scaling": scaling, "ranks": world, "batch_per_rank": b,
                                  "step_s": elapsed / steps[0], "samples_per_s": world * b * steps[0] / elapsed,
                                  "wait_s": max(waits) / steps[0], "comm_s": comm,
                                  "buckets": len(net._buckets) if ddp else 0,
                                  "early": net.comm_buckets_early / max(1, net.comm_buckets) if ddp else None,
                                  "grad_mb": sum(p.numel() for p in model.parameters()) * 4 / 2**20}), flush=True)
    dist.destroy_process_group()


def _blocking_allreduce_s(net, steps):
    """Seconds per step that all-reducing the buckets takes when nothing else runs: what the
    communication would cost if none of it overlapped backward."""
    import ember.distributed as dist
    reps = max(5, min(steps, 200))
    dist.barrier()
    t0 = time.perf_counter()
    for _ in range(reps):
        for b in net._buckets:
            dist._waitall([dist._iallreduce_(b.flat)])
    return (time.perf_counter() - t0) / reps


def plan(ranks=(8, 64), links=((10, "10 GbE"), (25, "25 GbE"), (100, "100 Gb/s IB"))):
    """On paper: what one step's gradient all-reduce moves for resnet18 and the MiniLM encoder
    at several rank counts (ring all-reduce: each rank sends and receives 2 (N - 1) / N times
    the gradient bytes), in torch's buckets, and the time that takes at a link's bandwidth."""
    import ember
    from ember.models.bert import BertConfig, BertModel
    from ember.nn.parallel.distributed import compute_bucket_assignment
    from ember.vision.models import resnet18
    ember.manual_seed(0)
    models = [("resnet18", resnet18()),
              ("MiniLM-L6 encoder", BertModel(BertConfig(hidden_size=384, num_hidden_layers=6, num_attention_heads=12,
                                                          intermediate_size=1536), add_pooling_layer=False,
                                               init_weights=False))]
    print("Ring all-reduce of float32 gradients per training step (DDP buckets: torch's, 1 MiB then 25 MiB)\n")
    print(f"{'model':18s} {'params':>11s} {'grads':>9s} {'buckets (MiB)':24s} {'ranks':>5s} {'sent/rank':>10s} "
          + " ".join(f"{name:>12s}" for _, name in links))
    for name, model in models:
        params = [p for p in model.parameters() if p.requires_grad]
        n = sum(p.numel() for p in params)
        nbytes = 4 * n
        sizes = [sum(params[i].numel() * 4 for i in b) / 2**20 for b in compute_bucket_assignment(params)]
        for k in ranks:
            sent = 2 * (k - 1) / k * nbytes
            times = " ".join(f"{sent * 8 / (g * 1e9) * 1e3:10.1f}ms" for g, _ in links)
            print(f"{name:18s} {n:11,d} {nbytes / 2**20:7.1f}Mi {' '.join(f'{v:.1f}' for v in sizes):24s} "
                  f"{k:5d} {sent / 1e6:8.1f}MB {times}")
    print("\nsent/rank: bytes each rank sends (and receives) per step; the times are that volume at the link's"
          "\nbandwidth alone, before latency (2 (N - 1) message steps per bucket) and before overlap with backward.")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ranks", type=int, nargs="*", default=[2], help="rank counts to compare with 1 (default: 2)")
    ap.add_argument("--seconds", type=float, default=3.0, help="seconds per measurement (default: 3)")
    ap.add_argument("--bucket-cap-mb", type=float, default=None,
                    help="DDP bucket size in MiB (default: torch's, 25 with a first bucket of 1)")
    ap.add_argument("--plan", action="store_true",
                    help="print the communication volume per step of resnet18 and MiniLM at 8 and 64 ranks")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args)
    if args.plan:
        return plan()
    from ember.distributed.run import find_mpiexec
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    load0 = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows = []
    for n in [1] + args.ranks:
        cmd = [find_mpiexec(), "-n", str(n), sys.executable, os.path.abspath(__file__), "--worker",
               "--seconds", str(args.seconds)]
        if args.bucket_cap_mb is not None:
            cmd += ["--bucket-cap-mb", str(args.bucket_cap_mb)]
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
        if r.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{r.stdout}\n{r.stderr}")
        rows += [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"ember DistributedDataParallel on MPI, {os.cpu_count()} CPUs (load average {load0:.1f} before, "
          f"{load:.1f} after: other processes share them), one BLAS thread per rank\n")
    print(f"{'case':26s} {'ranks':>5s} {'batch/rank':>10s} {'step':>9s} {'samples/s':>10s} {'speed-up':>8s} "
          f"{'of ceiling':>10s} {'sync wait':>9s} {'comm alone':>10s} {'hidden':>7s} {'buckets':>7s}")
    base = {r["case"]: r["samples_per_s"] for r in rows if r["ranks"] == 1}
    ceiling = {(r["case"], r["ranks"]): r["samples_per_s"] for r in rows if r["scaling"] == "no comm"}
    for r in rows:
        speed = r["samples_per_s"] / base[r["case"]]
        share = r["wait_s"] / r["step_s"]
        overlap = "" if r.get("early") is None else f"{r['early']:7.0%}"
        label = r["case"].split(" ")[0] + ("" if r["ranks"] == 1 else f" ({r['scaling']})")
        top = ceiling.get((r["case"], r["ranks"]))
        of = f"{r['samples_per_s'] / top:10.0%}" if top and r["scaling"] == "weak" else ""
        print(f"{label:26.26s} {r['ranks']:5d} {r['batch_per_rank']:10d} {r['step_s'] * 1e3:7.2f}ms "
              f"{r['samples_per_s']:10.0f} {speed:7.2f}x {of:>10s} {share:9.1%} {r['comm_s'] * 1e3:8.2f}ms "
              f"{overlap:>7s} {r['buckets'] or '':>7}")
    print("\nMLP: 784-256-256-10 with Adam; LeNet-5: SGD with momentum (benchmarks/run.py's cases)."
          "\nof ceiling: samples/s against the same ranks training alone ('no comm'), what the machine allowed;"
          "\nsync wait: share of the step spent at backward's end waiting for the all-reduces, which includes"
          "\n  waiting for a slower rank (a rank the OS did not run) as well as communication not hidden;"
          "\ncomm alone: the step's all-reduces back to back, with nothing else running: the cost of communication;"
          "\nhidden: the share of bucket all-reduces already finished when backward ended (overlapped entirely).")


if __name__ == "__main__":
    main()
