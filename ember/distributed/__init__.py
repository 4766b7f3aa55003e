"""torch.distributed on MPI: process groups, collectives, point-to-point and object collectives.

Run a script on N processes with ``mpiexec -n N python train.py`` (or ``ember run --nproc N
train.py``); ``init_process_group()`` takes the rank and world size from MPI. This is the one
module of ember that imports mpi4py (``pip install 'ember[distributed]'``, whose mpich wheel
brings ``mpiexec``).

Tensors of every dtype travel as raw bytes; reductions use MPI's own operations where MPI has
them for the dtype and otherwise NumPy's reduction of the gathered inputs (float16, bfloat16,
bool). CuPy (GPU) arrays go through host memory: ember does not assume a CUDA-aware MPI.
"""
import os
import sys

import numpy as np

from .. import _backend
from .._tensor import Tensor


def _mpi():
    """mpi4py's MPI module (importing it initialises MPI), or an error naming the extra."""
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise RuntimeError("ember.distributed needs MPI: pip install 'ember[distributed]' "
                           "(mpi4py and the mpich wheel, which brings mpiexec)") from e
    return MPI


def is_available():
    """True when mpi4py can be imported (MPI carries every backend name)."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def is_mpi_available():
    return is_available()


def is_gloo_available():
    return is_available()  # backend="gloo" runs on MPI here


def is_nccl_available():
    return False


def is_torchelastic_launched():
    return False


# ---------------------------------------------------------------------------- reduce ops
class ReduceOp:
    """``dist.ReduceOp.SUM`` and friends."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<RedOpType.{self.name}: {self.name}>"


for _name in ("SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND", "BOR", "BXOR"):
    setattr(ReduceOp, _name, ReduceOp(_name))
del _name

# NumPy's reduction for each op: what every collective is tested against, and the fallback for
# dtypes MPI cannot reduce (float16, bfloat16, bool)
_NP_REDUCE = {"SUM": np.add, "AVG": np.add, "PRODUCT": np.multiply, "MIN": np.minimum,
              "MAX": np.maximum, "BAND": np.bitwise_and, "BOR": np.bitwise_or, "BXOR": np.bitwise_xor}
_MPI_NATIVE = set("bhilqBHILQfdFD")  # dtype chars MPI reduces itself (ints, float32/64, complex)


def _mpi_op(op):
    MPI = _mpi()
    return {"SUM": MPI.SUM, "AVG": MPI.SUM, "PRODUCT": MPI.PROD, "MIN": MPI.MIN, "MAX": MPI.MAX,
            "BAND": MPI.BAND, "BOR": MPI.BOR, "BXOR": MPI.BXOR}[op.name]


class Backend(str):
    """Backend names as torch spells them (all of them run on MPI here)."""
    GLOO, MPI, NCCL, UNDEFINED = "gloo", "mpi", "nccl", "undefined"

    def __new__(cls, name):
        return str.__new__(cls, name.lower())


# ---------------------------------------------------------------------------- process groups
class ProcessGroup:
    """A set of ranks and the MPI communicator that joins them."""

    def __init__(self, comm, ranks, backend):
        self.comm, self.ranks, self.backend = comm, list(ranks), backend

    def rank(self):
        return self.comm.Get_rank()

    def size(self):
        return self.comm.Get_size()

    def group_rank(self, global_rank):
        try:
            return self.ranks.index(global_rank)
        except ValueError:
            raise ValueError(f"Global rank {global_rank} is not part of group {self}") from None

    def __repr__(self):
        return f"ProcessGroup(ranks={self.ranks}, backend={self.backend!r})"


class GroupMember:
    WORLD = None
    NON_GROUP_MEMBER = object()


class group:  # noqa: N801 (torch's name: dist.group.WORLD)
    WORLD = None


_world = None


def is_initialized():
    return _world is not None


def _group(g):
    if _world is None:
        raise ValueError("Default process group has not been initialized, please make sure to call "
                         "init_process_group.")
    return _world if g is None else g


def _excepthook(kind, value, tb):
    """An exception on one rank ends every rank (never a hang): print it, then MPI_Abort."""
    MPI = _mpi()
    rank = MPI.COMM_WORLD.Get_rank()
    sys.stderr.write(f"[rank {rank}] ")
    sys.__excepthook__(kind, value, tb)
    sys.stderr.flush()
    sys.stdout.flush()
    MPI.COMM_WORLD.Abort(1)


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name="", pg_options=None, device_id=None):
    """Join the processes mpiexec started. The rank and world size come from MPI.

    Args:
        backend: "mpi"; "gloo" (and "cpu:gloo") are accepted and carried by MPI too.
        init_method, world_size, rank: accepted as torch's; given ranks and sizes must agree
            with MPI's (the launcher decides them).
        timeout: accepted; MPI has no collective timeout (a failing rank aborts all instead).
    """
    global _world
    if _world is not None:
        raise RuntimeError("trying to initialize the default process group twice!")
    name = str(backend or "mpi").lower()
    if name not in ("mpi", "gloo", "cpu:gloo", "cpu:mpi"):
        raise RuntimeError(f"ember.distributed runs on MPI: backend {backend!r} is not available "
                           f"(use 'mpi', or 'gloo', which MPI carries)")
    MPI = _mpi()
    comm = MPI.COMM_WORLD
    r, n = comm.Get_rank(), comm.Get_size()
    if rank is not None and rank >= 0 and rank != r:
        raise ValueError(f"rank={rank} disagrees with MPI's rank {r}: launch with mpiexec, which sets ranks")
    if world_size is not None and world_size >= 0 and world_size != n:
        raise ValueError(f"world_size={world_size} disagrees with MPI's {n} processes "
                         f"(start them with mpiexec -n {world_size})")
    _world = ProcessGroup(comm, range(n), name.split(":")[-1])
    from .run import torchrun_env
    for k, v in torchrun_env().items():  # for code that reads torchrun's RANK, LOCAL_RANK, ...
        os.environ.setdefault(k, v)
    GroupMember.WORLD = group.WORLD = _world
    if n > 1:
        sys.excepthook = _excepthook


def destroy_process_group(group=None):
    global _world
    if group is None or group is _world:
        _world = GroupMember.WORLD = globals()["group"].WORLD = None
        if sys.excepthook is _excepthook:
            sys.excepthook = sys.__excepthook__
    elif group is not GroupMember.NON_GROUP_MEMBER:
        group.comm.Free()


def get_rank(group=None):
    g = _group(group)
    if g is GroupMember.NON_GROUP_MEMBER:
        return -1
    return g.rank()


def get_world_size(group=None):
    g = _group(group)
    if g is GroupMember.NON_GROUP_MEMBER:
        return -1
    return g.size()


def get_backend(group=None):
    return _group(group).backend


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, use_local_synchronization=False):
    """A group of some ranks (every rank must call it); non-members get NON_GROUP_MEMBER."""
    world = _group(None)
    ranks = sorted(ranks) if ranks else list(world.ranks)
    comm = world.comm.Create(world.comm.Get_group().Incl(ranks))
    if comm == _mpi().COMM_NULL:
        return GroupMember.NON_GROUP_MEMBER
    return ProcessGroup(comm, ranks, backend or world.backend)


def get_process_group_ranks(group):
    return list(_group(group).ranks)


def get_global_rank(group, group_rank):
    return _group(group).ranks[group_rank]


def get_group_rank(group, global_rank):
    return _group(group).group_rank(global_rank)


# ---------------------------------------------------------------------------- work handles
class Work:
    """What ``async_op=True`` returns: ``wait()`` blocks until the operation is done and its
    result is in the tensors; ``is_completed()`` asks without blocking."""

    def __init__(self, requests=(), finish=None, result=None):
        self._requests, self._finish, self._result = list(requests), finish, result
        self._done = not self._requests

        if self._done and finish is not None:
            finish()
            self._finish = None

    def is_completed(self):
        if not self._done and _mpi().Request.Testall(self._requests):
            self._complete()
        return self._done

    def wait(self, timeout=None):
        if not self._done:
            _mpi().Request.Waitall(self._requests)
            self._complete()
        return True

    def _complete(self):
        self._done = True
        if self._finish is not None:
            self._finish()
            self._finish = None

    def is_success(self):
        return self._done

    def result(self):
        return self._result or []


def _done(work, async_op):
    if async_op:
        return work
    work.wait()
    return None


# ---------------------------------------------------------------------------- tensor memory
def _host(t):
    """A contiguous NumPy array with tensor `t`'s values: its own memory when it can be."""
    a = t._data
    if a.__class__ is not np.ndarray:
        a = _backend.to_device(a, "cpu")  # CuPy: through the host (no CUDA-aware MPI assumed)
    return np.ascontiguousarray(a)


def _store(t, buf):
    """Put `buf`'s values into tensor `t` (in place, as torch's collectives do)."""
    if buf is not t._data:
        d = t._data
        d[...] = buf if d.__class__ is np.ndarray else _backend.to_device(buf, _backend.device_of(d))
    t._version[0] += 1


def _bytes(a):
    return [a.reshape(-1).view(np.uint8), _mpi().BYTE]


def _native(a, op):
    return a.dtype.char in _MPI_NATIVE and not (a.dtype.kind == "c" and op.name not in ("SUM", "AVG", "PRODUCT"))


def _check(t, what="tensor"):
    if not isinstance(t, Tensor):
        raise TypeError(f"Invalid function argument. Expected parameter `{what}` of type ember.Tensor "
                        f"but got {type(t)} instead.")


def _finish_avg(buf, n, op):
    if op.name == "AVG":
        if buf.dtype.kind in "fc":
            buf /= n
        else:
            buf[...] = (buf / n).astype(buf.dtype)


def _reduce_gathered(stack, op, dtype):
    """NumPy's reduction over the ranks' inputs (axis 0): the fallback and the tests' oracle."""
    if stack.dtype == np.bool_ and op.name in ("SUM", "AVG"):
        r = np.logical_or.reduce(stack, axis=0)  # torch reduces bools as logical or / and
    elif stack.dtype == np.bool_ and op.name == "PRODUCT":
        r = np.logical_and.reduce(stack, axis=0)
    else:
        r = _NP_REDUCE[op.name].reduce(stack, axis=0)
    r = np.asarray(r)
    if op.name == "AVG" and stack.dtype != np.bool_:
        r = r / len(stack)
    return r.astype(dtype, copy=False)


def _allreduce_array(buf, op, g):
    """Reduce `buf` in place over group `g`; returns the MPI requests (empty if done)."""
    MPI = _mpi()
    if _native(buf, op):
        req = g.comm.Iallreduce(MPI.IN_PLACE, buf, _mpi_op(op))
        return [req]
    n = g.size()
    stack = np.empty((n,) + buf.shape, buf.dtype)
    g.comm.Allgather(_bytes(buf), _bytes(stack))
    buf[...] = _reduce_gathered(stack, op, buf.dtype)
    return []


# ---------------------------------------------------------------------------- collectives
def barrier(group=None, async_op=False, device_ids=None):
    g = _group(group)
    if g is GroupMember.NON_GROUP_MEMBER:
        return None
    return _done(Work([g.comm.Ibarrier()]), async_op)


def broadcast(tensor, src, group=None, async_op=False, group_src=None):
    """Every rank's `tensor` becomes rank `src`'s."""
    _check(tensor)
    g = _group(group)
    if g is GroupMember.NON_GROUP_MEMBER:
        return None
    root = group_src if group_src is not None else g.group_rank(src)
    buf = _host(tensor)
    req = g.comm.Ibcast(_bytes(buf), root=root)
    return _done(Work([req], lambda: _store(tensor, buf), [tensor]), async_op)


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """`tensor` becomes the reduction (`op`) of every rank's `tensor`."""
    _check(tensor)
    g = _group(group)
    if g is GroupMember.NON_GROUP_MEMBER:
        return None
    buf = _host(tensor)
    reqs = _allreduce_array(buf, op, g)

    def finish():
        if reqs:
            _finish_avg(buf, g.size(), op)
        _store(tensor, buf)
    return _done(Work(reqs, finish, [tensor]), async_op)


def reduce(tensor, dst, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Rank `dst`'s `tensor` becomes the reduction of every rank's (the others keep theirs)."""
    _check(tensor)
    g = _group(group)
    if g is GroupMember.NON_GROUP_MEMBER:
        return None
    root = group_dst if group_dst is not None else g.group_rank(dst)
    buf = _host(tensor)
    me = g.rank() == root
    if _native(buf, op):
        recv = np.empty_like(buf) if me else None
        req = g.comm.Ireduce(buf, recv, _mpi_op(op), root=root)

        def finish():
            if me:
                _finish_avg(recv, g.size(), op)
                _store(tensor, recv)
        return _done(Work([req], finish, [tensor]), async_op)
    stack = np.empty((g.size(),) + buf.shape, buf.dtype) if me else None
    g.comm.Gather(_bytes(buf), _bytes(stack) if me else None, root=root)
    if me:
        _store(tensor, _reduce_gathered(stack, op, buf.dtype))
    return _done(Work(), async_op)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """``tensor_list[i]`` becomes rank i's `tensor`."""
    _check(tensor)
    g = _group(group)
    if g is GroupMember.NON_GROUP_MEMBER:
        return None
    if len(tensor_list) != g.size():
        raise ValueError(f"all_gather expects a list of {g.size()} tensors, got {len(tensor_list)}")
    buf = _host(tensor)
    stack = np.empty((g.size(),) + buf.shape, buf.dtype)
    req = g.comm.Iallgather(_bytes(buf), _bytes(stack))

    def finish():
        for t, part in zip(tensor_list, stack):
            _store(t, part.reshape(t._data.shape).astype(t._data.dtype, copy=False))
    return _done(Work([req], finish, tensor_list), async_op)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """`output_tensor` (world_size times the input along dim 0, or stacked) holds every rank's input."""
    _check(input_tensor, "input_tensor")
    g = _group(group)
    if g is GroupMember.NON_GROUP_MEMBER:
        return None
    buf = _host(input_tensor)
    if output_tensor.numel() != buf.size * g.size():
        raise ValueError("output tensor size must be equal to world_size times input tensor size")
    out = np.empty(output_tensor._data.shape, buf.dtype)
    req = g.comm.Iallgather(_bytes(buf), _bytes(out))
    return _done(Work([req], lambda: _store(output_tensor, out), [output_tensor]), async_op)


def _root(g, rank, group_rank, tensors, name, role):
    """(root's rank in `g`, whether this rank is it) for gather/scatter; only the root passes the
    list of tensors, one per rank, as torch checks."""
    root = group_rank if group_rank is not None else g.group_rank(rank)
    me = g.rank() == root
    if me and (tensors is None or len(tensors) != g.size()):
        raise ValueError(f"Argument ``{name}`` must be specified on {role} rank.")
    if not me and tensors:
        raise ValueError(f"Argument ``{name}`` must NOT be specified on non-{role} ranks.")
    return root, me


def gather(tensor, gather_list=None, dst=0, group=None, async_op=False, group_dst=None):
    """On rank `dst`, ``gather_list[i]`` becomes rank i's `tensor`."""
    _check(tensor)
    g = _group(group)
    if g is GroupMember.NON_GROUP_MEMBER:
        return None
    root, me = _root(g, dst, group_dst, gather_list, "gather_list", "destination")
    buf = _host(tensor)
    stack = np.empty((g.size(),) + buf.shape, buf.dtype) if me else None
    req = g.comm.Igather(_bytes(buf), _bytes(stack) if me else None, root=root)

    def finish():
        if me:
            for t, part in zip(gather_list, stack):
                _store(t, part)
    return _done(Work([req], finish, gather_list or []), async_op)


def scatter(tensor, scatter_list=None, src=0, group=None, async_op=False, group_src=None):
    """Each rank's `tensor` becomes ``scatter_list[rank]`` of rank `src`."""
    _check(tensor)
    g = _group(group)
    if g is GroupMember.NON_GROUP_MEMBER:
        return None
    root, me = _root(g, src, group_src, scatter_list, "scatter_list", "source")
    out = np.empty(tensor._data.shape, tensor._data.dtype)
    send = np.stack([_host(t).astype(out.dtype, copy=False) for t in scatter_list]) if me else None
    req = g.comm.Iscatter(_bytes(send) if me else None, _bytes(out), root=root)
    return _done(Work([req], lambda: _store(tensor, out), [tensor]), async_op)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """`output` on rank i becomes the reduction of every rank's ``input_list[i]``."""
    _check(output, "output")
    g = _group(group)
    if g is GroupMember.NON_GROUP_MEMBER:
        return None
    if len(input_list) != g.size():
        raise ValueError(f"reduce_scatter expects a list of {g.size()} tensors, got {len(input_list)}")
    buf = np.stack([_host(t) for t in input_list])
    return _reduce_scatter_array(output, buf, op, g, async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """`output` on rank i becomes the reduction of every rank's i-th chunk of `input` (dim 0)."""
    _check(output, "output")
    g = _group(group)
    if g is GroupMember.NON_GROUP_MEMBER:
        return None
    if input.numel() != output.numel() * g.size():
        raise ValueError("input tensor must be the same size as output size times world size")
    buf = _host(input).reshape((g.size(),) + output._data.shape)
    return _reduce_scatter_array(output, buf, op, g, async_op)


def _reduce_scatter_array(output, buf, op, g, async_op):
    out = np.empty(output._data.shape, buf.dtype)
    if _native(buf, op):
        req = g.comm.Ireduce_scatter_block(np.ascontiguousarray(buf), out, _mpi_op(op))

        def finish():
            _finish_avg(out, g.size(), op)
            _store(output, out)
        return _done(Work([req], finish, [output]), async_op)
    # MPI cannot reduce this dtype: each rank gathers its own chunk from all, then NumPy reduces
    chunks = np.empty_like(buf)
    g.comm.Alltoall(_bytes(np.ascontiguousarray(buf)), _bytes(chunks))
    _store(output, _reduce_gathered(chunks, op, buf.dtype))
    return _done(Work(), async_op)


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """``output_tensor_list[j]`` on rank i becomes rank j's ``input_tensor_list[i]`` (any sizes)."""
    g = _group(group)
    if g is GroupMember.NON_GROUP_MEMBER:
        return None
    n = g.size()
    if len(input_tensor_list) != n or len(output_tensor_list) != n:
        raise ValueError(f"all_to_all expects lists of {n} tensors")
    send = [_host(t).reshape(-1).view(np.uint8) for t in input_tensor_list]
    recv = [np.empty(t._data.shape, t._data.dtype) for t in output_tensor_list]
    rb = [r.reshape(-1).view(np.uint8) for r in recv]
    sc = [s.size for s in send]
    rc = [r.size for r in rb]
    sbuf = np.concatenate(send) if send else np.empty(0, np.uint8)
    rbuf = np.empty(sum(rc), np.uint8)
    MPI = _mpi()
    req = g.comm.Ialltoallv([sbuf, (sc, list(np.cumsum([0] + sc[:-1]))), MPI.BYTE],
                            [rbuf, (rc, list(np.cumsum([0] + rc[:-1]))), MPI.BYTE])

    def finish():
        off = 0
        for t, r, b in zip(output_tensor_list, recv, rb):
            b[...] = rbuf[off:off + b.size]
            off += b.size
            _store(t, r)
    return _done(Work([req], finish, output_tensor_list), async_op)


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None, group=None,
                      async_op=False):
    """all_to_all on one tensor each, split along dim 0 (equal chunks unless sizes are given)."""
    g = _group(group)
    n = g.size()
    ins = list(input.split(input_split_sizes or input.shape[0] // n))
    outs = list(output.split(output_split_sizes or output.shape[0] // n))
    return all_to_all(outs, ins, group, async_op)


# ---------------------------------------------------------------------------- point to point
def send(tensor, dst, group=None, tag=0):
    _check(tensor)
    g = _group(group)
    g.comm.Send(_bytes(_host(tensor)), dest=g.group_rank(dst), tag=tag)


def recv(tensor, src=None, group=None, tag=0):
    """Receive into `tensor` from `src` (any rank when None); returns the sender's rank."""
    _check(tensor)
    g = _group(group)
    MPI = _mpi()
    buf = np.empty(tensor._data.shape, tensor._data.dtype)
    status = MPI.Status()
    g.comm.Recv(_bytes(buf), source=MPI.ANY_SOURCE if src is None else g.group_rank(src),
                tag=tag, status=status)
    _store(tensor, buf)
    return g.ranks[status.Get_source()]


def isend(tensor, dst, group=None, tag=0):
    _check(tensor)
    g = _group(group)
    buf = _host(tensor)
    w = Work([g.comm.Isend(_bytes(buf), dest=g.group_rank(dst), tag=tag)])
    w._buf = buf  # the send buffer lives until the send completes
    return w


def irecv(tensor, src=None, group=None, tag=0):
    _check(tensor)
    g = _group(group)
    MPI = _mpi()
    buf = np.empty(tensor._data.shape, tensor._data.dtype)
    req = g.comm.Irecv(_bytes(buf), source=MPI.ANY_SOURCE if src is None else g.group_rank(src), tag=tag)
    return Work([req], lambda: _store(tensor, buf), [tensor])


# ---------------------------------------------------------------------------- object collectives
# Python objects travel pickled (mpi4py's lowercase methods), as torch pickles them.
def broadcast_object_list(object_list, src=0, group=None, device=None, group_src=None):
    """Every rank's `object_list` becomes rank `src`'s (in place)."""
    g = _group(group)
    root = group_src if group_src is not None else g.group_rank(src)
    got = g.comm.bcast(list(object_list) if g.rank() == root else None, root=root)
    object_list[:] = got


def all_gather_object(object_list, obj, group=None):
    """``object_list[i]`` becomes rank i's `obj`."""
    g = _group(group)
    object_list[:] = g.comm.allgather(obj)


def gather_object(obj, object_gather_list=None, dst=0, group=None, group_dst=None):
    g = _group(group)
    root = group_dst if group_dst is not None else g.group_rank(dst)
    got = g.comm.gather(obj, root=root)
    if g.rank() == root:
        object_gather_list[:] = got


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=0, group=None,
                        group_src=None):
    g = _group(group)
    root = group_src if group_src is not None else g.group_rank(src)
    got = g.comm.scatter(list(scatter_object_input_list) if g.rank() == root else None, root=root)
    scatter_object_output_list[0] = got


# ---------------------------------------------------------------------------- for DDP / SyncBatchNorm
def _iallreduce_(buf, group=None):
    """Start summing NumPy array `buf` in place over the group; returns the MPI request, or
    None after a blocking fallback (a dtype MPI cannot add)."""
    reqs = _allreduce_array(buf, ReduceOp.SUM, _group(group))
    return reqs[0] if reqs else None


def _progress(requests):
    """Let MPI move pending non-blocking operations along (MPICH progresses inside MPI calls)."""
    if requests:
        _mpi().Request.Testall(requests)


def _completed(requests):
    """How many of the MPI requests have finished (without waiting)."""
    return sum(1 for r in requests if r.Test())


def _waitall(requests):
    if requests:
        _mpi().Request.Waitall(requests)


def _bcast_(buf, src=0, group=None):
    g = _group(group)
    g.comm.Bcast(_bytes(buf), root=g.group_rank(src))


def _allgather_object(obj, group=None):
    return _group(group).comm.allgather(obj)
