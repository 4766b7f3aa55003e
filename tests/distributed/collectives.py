"""Run under ``mpiexec -n 2``: every collective of ember.distributed against NumPy's reduction of
the ranks' inputs. Each rank makes every rank's inputs (seeded by rank), so each can compute the
expected result itself. Prints "collectives ok N" on rank 0; any failure aborts every rank."""
import numpy as np

import ember
import ember.distributed as dist

dist.init_process_group(backend="gloo", init_method="env://")
rank, world = dist.get_rank(), dist.get_world_size()
assert dist.is_initialized() and dist.get_backend() == "gloo" and world == 2, (rank, world)
checks = 0

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool", "complex64"]
try:  # bfloat16 comes from ml_dtypes (the amp extra), as ember.bfloat16 does
    import ml_dtypes  # noqa: F401
    DTYPES.append("bfloat16")
    ember.bfloat16  # first use loads it (from_numpy knows the dtype after that)
except ImportError:
    pass


def data(r, dtype, shape=(3, 4), salt=0):
    """Rank r's input: small values, so no integer sum overflows."""
    rng = np.random.default_rng(1000 * r + salt)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype.startswith("complex"):
        return (rng.integers(-3, 4, shape) + 1j * rng.integers(-3, 4, shape)).astype(dtype)
    lo = 0 if dtype == "uint8" else -3
    if dtype.startswith("float") or dtype == "bfloat16":
        return rng.uniform(-2, 2, shape).astype(dtype)
    return rng.integers(lo, 4, shape).astype(dtype)


def expected(op, stack):
    """NumPy's reduction over the ranks' inputs (axis 0); torch reduces bools as or / and."""
    dt = stack.dtype
    if dt == np.bool_:
        return {"SUM": stack.any(0), "MAX": stack.any(0), "PRODUCT": stack.all(0), "MIN": stack.all(0)}[op]
    r = {"SUM": lambda: stack.sum(0), "AVG": lambda: stack.mean(0), "PRODUCT": lambda: stack.prod(0),
         "MIN": lambda: stack.min(0), "MAX": lambda: stack.max(0)}[op]()
    return np.asarray(r).astype(dt)


def same(got, want, what):
    global checks
    got = got.numpy() if isinstance(got, ember.Tensor) else got
    assert got.dtype == want.dtype, (what, got.dtype, want.dtype)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    tol = {"float16": 1e-2, "bfloat16": 5e-2}.get(want.dtype.name, 1e-6)
    if want.dtype.name == "bfloat16":
        got, want = got.astype(np.float32), want.astype(np.float32)
    if want.dtype.kind in "fc":
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=what)
    else:
        np.testing.assert_array_equal(got, want, err_msg=what)
    checks += 1


def t(a):
    return ember.from_numpy(np.array(a))


# ---- all_reduce: every dtype and op, blocking and async
for dt in DTYPES:
    ops = ["SUM", "PRODUCT", "MIN", "MAX"] + (["AVG"] if dt.startswith(("float", "bfloat")) else [])
    if dt == "complex64":
        ops = ["SUM", "PRODUCT"]
    stack = np.stack([data(r, dt) for r in range(world)])
    for op in ops:
        x = t(data(rank, dt))
        dist.all_reduce(x, op=getattr(dist.ReduceOp, op))
        same(x, expected(op, stack), f"all_reduce {op} {dt}")
        y = t(data(rank, dt))
        work = dist.all_reduce(y, op=getattr(dist.ReduceOp, op), async_op=True)
        assert work.wait() and work.is_completed()
        same(y, expected(op, stack), f"async all_reduce {op} {dt}")

# all_reduce into a non-contiguous view writes through to its base
base = t(data(rank, "float32", (4, 6)))
view = base.t()
dist.all_reduce(view)
same(base, np.stack([data(r, "float32", (4, 6)) for r in range(world)]).sum(0), "all_reduce of a view")

# ---- broadcast / reduce for every dtype
for dt in DTYPES:
    x = t(data(rank, dt, (5,)))
    dist.broadcast(x, src=1)
    same(x, data(1, dt, (5,)), f"broadcast {dt}")
    x = t(data(rank, dt, (5,)))
    w = dist.broadcast(x, src=0, async_op=True)
    w.wait()
    same(x, data(0, dt, (5,)), f"async broadcast {dt}")
    if dt != "complex64":
        x = t(data(rank, dt, (5,)))
        dist.reduce(x, dst=1, op=dist.ReduceOp.MAX)
        stack = np.stack([data(r, dt, (5,)) for r in range(world)])
        want = expected("MAX", stack) if rank == 1 else data(rank, dt, (5,))
        same(x, want, f"reduce {dt}")

x = t(data(rank, "float64", (2, 3)))
dist.reduce(x, dst=0)
total = np.stack([data(r, "float64", (2, 3)) for r in range(world)]).sum(0)
same(x, total if rank == 0 else data(rank, "float64", (2, 3)), "reduce sum")

# ---- gathers and scatters
for dt in ("float32", "int64", "bool", "float16") + (("bfloat16",) if "bfloat16" in DTYPES else ()):
    inputs = [data(r, dt, (2, 3)) for r in range(world)]
    out = [ember.zeros(2, 3, dtype=getattr(ember, dt)) for _ in range(world)]
    dist.all_gather(out, t(inputs[rank]))
    for r in range(world):
        same(out[r], inputs[r], f"all_gather {dt}")
    big = ember.zeros(world * 2, 3, dtype=getattr(ember, dt))
    dist.all_gather_into_tensor(big, t(inputs[rank]))
    same(big, np.concatenate(inputs), f"all_gather_into_tensor {dt}")
    stacked = ember.zeros(world, 2, 3, dtype=getattr(ember, dt))
    dist.all_gather_into_tensor(stacked, t(inputs[rank]), async_op=True).wait()
    same(stacked, np.stack(inputs), f"all_gather_into_tensor stacked {dt}")

    glist = [ember.zeros(2, 3, dtype=getattr(ember, dt)) for _ in range(world)] if rank == 0 else None
    dist.gather(t(inputs[rank]), glist, dst=0)
    if rank == 0:
        for r in range(world):
            same(glist[r], inputs[r], f"gather {dt}")

    # scatter: rank 1 sends piece r to rank r
    pieces = [data(100 + r, dt, (4,)) for r in range(world)]
    out1 = ember.zeros(4, dtype=getattr(ember, dt))
    dist.scatter(out1, [t(p) for p in pieces] if rank == 1 else None, src=1)
    same(out1, pieces[rank], f"scatter {dt}")

for dt in ("float32", "int32", "float16", "bool"):
    ops = ["SUM", "MAX"] + (["AVG"] if dt.startswith("float") else [])
    for op in ops:
        lists = [[data(10 * r + i, dt, (3,)) for i in range(world)] for r in range(world)]
        out = ember.zeros(3, dtype=getattr(ember, dt))
        dist.reduce_scatter(out, [t(a) for a in lists[rank]], op=getattr(dist.ReduceOp, op))
        same(out, expected(op, np.stack([lists[r][rank] for r in range(world)])), f"reduce_scatter {op} {dt}")
        full = [np.concatenate(lists[r]) for r in range(world)]
        out2 = ember.zeros(3, dtype=getattr(ember, dt))
        dist.reduce_scatter_tensor(out2, t(full[rank]), op=getattr(dist.ReduceOp, op), async_op=True).wait()
        same(out2, expected(op, np.stack([lists[r][rank] for r in range(world)])), f"reduce_scatter_tensor {op} {dt}")

# all_to_all with pieces of different sizes: rank i sends i + j + 1 values to rank j
send = [data(10 * rank + j, "float32", (rank + j + 1,)) for j in range(world)]
recv = [ember.zeros(j + rank + 1) for j in range(world)]
dist.all_to_all(recv, [t(s) for s in send])
for j in range(world):
    same(recv[j], data(10 * j + rank, "float32", (j + rank + 1,)), "all_to_all")
inp = [data(7 + r, "int64", (world * 2,)) for r in range(world)]
out = ember.zeros(world * 2, dtype=ember.int64)
dist.all_to_all_single(out, t(inp[rank]))
same(out, np.concatenate([inp[r][2 * rank:2 * rank + 2] for r in range(world)]), "all_to_all_single")

# ---- point to point
other = 1 - rank
for dt in ("float64", "int8", "bool"):
    if rank == 0:
        dist.send(t(data(0, dt, (6,))), dst=1, tag=3)
        got = ember.zeros(6, dtype=getattr(ember, dt))
        sender = dist.recv(got, src=None)
        assert sender == 1
        same(got, data(1, dt, (6,)), f"recv {dt}")
    else:
        got = ember.zeros(6, dtype=getattr(ember, dt))
        dist.recv(got, src=0, tag=3)
        same(got, data(0, dt, (6,)), f"recv {dt}")
        dist.send(t(data(1, dt, (6,))), dst=0)
box = ember.zeros(3, 2)
rw = dist.irecv(box, src=other)
sw = dist.isend(t(data(rank, "float32", (3, 2))), dst=other)
sw.wait()
rw.wait()
assert rw.is_completed()
same(box, data(other, "float32", (3, 2)), "isend/irecv")

# ---- object collectives
objs = [{"rank": rank, "msg": "hi" * rank}, rank * 10] if rank == 1 else [None, None]
dist.broadcast_object_list(objs, src=1)
assert objs == [{"rank": 1, "msg": "hi"}, 10], objs
gathered = [None] * world
dist.all_gather_object(gathered, ("r", rank, [rank] * rank))
assert gathered == [("r", r, [r] * r) for r in range(world)], gathered
glist = [None] * world if rank == 0 else None
dist.gather_object({"x": rank}, glist, dst=0)
assert rank != 0 or glist == [{"x": r} for r in range(world)], glist
out = [None]
dist.scatter_object_list(out, [f"to {r}" for r in range(world)] if rank == 0 else None, src=0)
assert out == [f"to {rank}"], out
checks += 4

# ---- groups, barrier, async completion
g = dist.new_group([0, 1])
x = t(data(rank, "float32", (3,)))
dist.all_reduce(x, group=g)
same(x, np.stack([data(r, "float32", (3,)) for r in range(world)]).sum(0), "all_reduce on a new group")
solo = dist.new_group([1])
if rank == 1:
    assert dist.get_world_size(solo) == 1 and dist.get_rank(solo) == 0
    x = t(data(rank, "float32", (3,)))
    dist.all_reduce(x, group=solo)
    same(x, data(1, "float32", (3,)), "all_reduce on a one-rank group")
else:
    assert solo is dist.GroupMember.NON_GROUP_MEMBER
    assert dist.all_reduce(t(data(0, "float32", (3,))), group=solo) is None
w = dist.barrier(async_op=True)
w.wait()
dist.barrier()
x = t(data(rank, "float64", (1000,)))
w = dist.all_reduce(x, async_op=True)
while not w.is_completed():
    pass
same(x, np.stack([data(r, "float64", (1000,)) for r in range(world)]).sum(0), "is_completed polling")

# ---- errors: ranks must agree with MPI's; a second init is refused
try:
    dist.init_process_group("mpi")
    raise AssertionError("second init_process_group did not raise")
except RuntimeError:
    pass
dist.destroy_process_group()
assert not dist.is_initialized()
try:
    dist.init_process_group("mpi", rank=rank + 5, world_size=world)
    raise AssertionError("a wrong rank did not raise")
except ValueError:
    pass
dist.init_process_group("mpi", rank=rank, world_size=world)
assert dist.get_backend() == "mpi"
dist.barrier()
if rank == 0:
    print("collectives ok", checks, flush=True)
dist.destroy_process_group()
