"""torch.nn.parallel.DistributedDataParallel on MPI.

Each rank runs the same model on its own share of the batch. At construction rank 0's
parameters and buffers are broadcast, so all ranks start equal. During ``backward`` each
parameter's gradient, once accumulated, is copied into its bucket (a flat array of about
`bucket_cap_mb`); a full bucket starts a non-blocking MPI all-reduce at once, so sending the
gradients of the last layers overlaps computing those of the first. When the backward pass
ends, DDP waits for the reductions and writes the averaged gradients back into ``.grad``:
every rank then steps its optimizer with the same gradients and stays equal to the others.
"""
import time
from contextlib import contextmanager

import numpy as np

from ... import distributed as dist
from ..._backend import device_of, to_device
from ..._tensor import Tensor, _wrap
from ...autograd import engine, grad_mode
from ..module import Module

_FIRST_BUCKET_BYTES = 1024 * 1024


class _Bucket:
    """A flat host array for the gradients of some parameters of one dtype."""

    def __init__(self, dtype, members):
        self.members = members  # [(param index, offset, numel)]
        self.flat = np.zeros(sum(n for _, _, n in members), dtype)
        self.pending = len(members)


class DistributedDataParallel(Module):
    """Data parallelism over the ranks of a process group (see the module docstring).

    Args:
        module: the model; it is kept as ``self.module`` (state_dict keys start with ``module.``).
        broadcast_buffers: before each forward, copy rank 0's buffers (BatchNorm's running
            statistics) to all ranks, as torch does.
        bucket_cap_mb: bucket size in MiB (torch's 25; the first bucket is 1 MiB).
        find_unused_parameters: parameters the forward's output does not reach count as ready
            with zero gradient (and keep ``.grad`` unchanged where no rank used them).
        device_ids, output_device, gradient_as_bucket_view, static_graph: accepted, no effect.
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 init_sync=True, process_group=None, bucket_cap_mb=None, find_unused_parameters=False,
                 check_reduction=False, gradient_as_bucket_view=False, static_graph=False, **kwargs):
        super().__init__()
        self.module = module
        self.device_ids, self.output_device, self.dim = device_ids, output_device, dim
        self.process_group = dist._group(process_group)
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view, self.static_graph = gradient_as_bucket_view, static_graph
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
        # torch's first bucket is small (the last gradients wait least), unless a size is given
        self._first_bucket_bytes = _FIRST_BUCKET_BYTES if bucket_cap_mb is None else self.bucket_bytes_cap
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        if not named:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have any parameter "
                               "that requires a gradient.")
        self._names = [n for n, _ in named]
        self._params = [p for _, p in named]
        self._world = self.process_group.size()
        self._verify_same_model()
        if init_sync:
            self._broadcast([t for _, t in module.state_dict(keep_vars=True).items() if isinstance(t, Tensor)])
        self._build_buckets()
        self._grad_hooks = [engine.register_post_accumulate_grad_hook(p, self._hook(i))
                       for i, p in enumerate(self._params)]
        self._expected = [1] * len(self._params)  # gradient deliveries per backward (learned)
        self._prepared = False   # the last forward will be followed by a synchronised backward
        self._unfinished = None  # names of parameters that got no gradient in the last backward
        # for benchmarks: seconds backward's end spent waiting for the reductions (the part of
        # communication not hidden, plus waiting for slower ranks), and how many bucket
        # reductions had already finished by then (hidden entirely) out of how many
        self.comm_wait_s, self.comm_buckets_early, self.comm_buckets = 0.0, 0, 0

    # ------------------------------------------------------------------ construction
    def _verify_same_model(self):
        mine = [(n, tuple(p.shape), str(p.dtype)) for n, p in zip(self._names, self._params)]
        everyone = dist._allgather_object(mine, self.process_group)
        rank = self.process_group.rank()
        for r, theirs in enumerate(everyone):
            if len(theirs) != len(mine):
                raise RuntimeError(f"DDP expects same model across all ranks, but Rank {rank} has {len(mine)} "
                                   f"params, while rank {r} has inconsistent {len(theirs)} params.")
            for i, (a, b) in enumerate(zip(mine, theirs)):
                if a[1:] != b[1:]:
                    raise RuntimeError(f"[Rank {rank}]: params[{i}] ({a[0]}) in this process with sizes "
                                       f"{list(a[1])} ({a[2]}) appears not to match sizes of the same param in "
                                       f"process {r}: {list(b[1])} ({b[2]}).")

    def _broadcast(self, tensors):
        """Make `tensors` equal to rank 0's: one broadcast per dtype of all of them, packed."""
        by_dtype = {}
        for t in tensors:
            by_dtype.setdefault(t._data.dtype, []).append(t)
        for dtype, ts in by_dtype.items():
            flat = np.concatenate([_host(t._data).reshape(-1) for t in ts]) if ts else np.empty(0, dtype)
            dist._bcast_(flat, self.process_group.ranks[0], self.process_group)
            off = 0
            for t in ts:
                n = t._data.size
                _put(t._data, flat[off:off + n])
                t._version[0] += 1
                off += n

    def _build_buckets(self):
        order = compute_bucket_assignment(self._params, self._first_bucket_bytes, self.bucket_bytes_cap)
        self._buckets, self._where = [], [None] * len(self._params)
        for members in order:
            b, off, spec = len(self._buckets), 0, []
            for i in members:
                n = self._params[i]._data.size
                spec.append((i, off, n))
                self._where[i] = (b, off, n)
                off += n
            self._buckets.append(_Bucket(self._params[members[0]]._data.dtype, spec))

    # ------------------------------------------------------------------ forward
    def forward(self, *inputs, **kwargs):
        if self._unfinished is not None:
            names = self._unfinished
            self._unfinished = None
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a new one. This error "
                "indicates that your module has parameters that were not used in producing loss. You can enable "
                "unused parameter detection by passing the keyword argument `find_unused_parameters=True` to "
                "`torch.nn.parallel.DistributedDataParallel`. Parameters which did not receive grad: "
                + ", ".join(names))
        if self.broadcast_buffers and self.require_forward_param_sync:
            bufs = [b for b in self.module.buffers()]
            if bufs:
                self._broadcast(bufs)
        out = self.module(*inputs, **kwargs)
        if grad_mode.is_grad_enabled() and self.require_backward_grad_sync:
            self.require_forward_param_sync = True
            self._prepare_for_backward(out)
        else:
            self.require_forward_param_sync = False
            self._prepared = False
        return out

    @contextmanager
    def no_sync(self):
        """Forward/backward passes inside only accumulate gradients locally; the first
        synchronised backward after them averages the accumulated sums."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def _prepare_for_backward(self, out):
        self._prepared, self._active = True, False
        self._seen = [0] * len(self._params)
        self._used = np.zeros(len(self._params), np.int32)
        self._late = False
        self._next_bucket, self._requests = 0, []
        for b in self._buckets:
            b.pending = len(b.members)
        if self.find_unused_parameters:
            reached = _reachable_leaves(out)
            for i, p in enumerate(self._params):
                if id(p) not in reached:  # unused here: ready now, with a zero gradient
                    b, off, n = self._where[i]
                    self._buckets[b].flat[off:off + n] = 0
                    self._seen[i] = -1
                    self._mark_ready(b)

    # ------------------------------------------------------------------ backward
    def _hook(self, i):
        def hook(p):
            if self._prepared:
                self._on_grad(i, p)
        return hook

    def _on_grad(self, i, p):
        """Parameter i's gradient has been accumulated into ``p.grad``."""
        if not self._active:
            self._active = True
            engine.queue_callback(self._finalize)
        seen = self._seen[i] = self._seen[i] + 1
        if seen == self._expected[i]:  # its last gradient of this backward: into the bucket
            b, off, n = self._where[i]
            np.divide(_host(p.grad._data).reshape(-1), self._world, out=self._buckets[b].flat[off:off + n])
            self._mark_ready(b)
        elif seen > self._expected[i]:
            self._late = True  # used more often than last time: its bucket is reduced again at the end
        dist._progress(self._requests)

    def _mark_ready(self, b):
        self._buckets[b].pending -= 1
        # buckets start in index order on every rank: MPI matches collectives by their order
        while self._next_bucket < len(self._buckets) and self._buckets[self._next_bucket].pending == 0:
            self._requests.append(dist._iallreduce_(self._buckets[self._next_bucket].flat, self.process_group))
            self._next_bucket += 1

    def _finalize(self):
        """End of backward: wait for the reductions, write the averages into ``.grad``."""
        self._prepared = self._active = False
        for i, p in enumerate(self._params):  # used fewer times than last time: ready now
            if 0 < self._seen[i] < self._expected[i]:
                b, off, n = self._where[i]
                np.divide(_host(p.grad._data).reshape(-1), self._world, out=self._buckets[b].flat[off:off + n])
                self._mark_ready(b)
        requests = [r for r in self._requests if r is not None]
        self.comm_buckets += len(requests)
        self.comm_buckets_early += dist._completed(requests)
        t = time.perf_counter()
        dist._waitall(requests)
        self.comm_wait_s += time.perf_counter() - t
        missing = [self._names[i] for i, s in enumerate(self._seen) if s == 0]
        if missing:  # without find_unused_parameters: torch's error at the next forward
            self._unfinished = missing
            return
        if self._late:
            for b, bucket in enumerate(self._buckets):
                if any(self._seen[i] > self._expected[i] for i, _, _ in bucket.members):
                    for i, off, n in bucket.members:
                        if self._seen[i] > 0:
                            np.divide(_host(self._params[i].grad._data).reshape(-1), self._world,
                                      out=bucket.flat[off:off + n])
                    dist._waitall([dist._iallreduce_(bucket.flat, self.process_group)])
        used = None
        if self.find_unused_parameters:  # which parameters some rank used
            used = np.array([s > 0 for s in self._seen], np.int32)
            dist._waitall([dist._iallreduce_(used, self.process_group)])
        for bucket in self._buckets:
            for i, off, n in bucket.members:
                if used is not None and not used[i]:
                    continue  # no rank used it: its .grad stays as it was
                p = self._params[i]
                g = bucket.flat[off:off + n].reshape(p._data.shape)
                if p.grad is None:
                    p.grad = _wrap(to_device(g.copy(), device_of(p._data)))
                else:
                    _put(p.grad._data, g)
                    p.grad._version[0] += 1
        for i, s in enumerate(self._seen):
            if s > 0:
                self._expected[i] = s


def compute_bucket_assignment(params, first_bucket_bytes=_FIRST_BUCKET_BYTES, bucket_bytes_cap=25 * 1024 * 1024):
    """torch's assignment of parameters to buckets, as lists of indices in reduction order:
    parameters in order fill buckets per dtype (the first up to `first_bucket_bytes`, the
    others up to `bucket_bytes_cap`); the list is reversed, since backward makes the last
    layers' gradients first."""
    open_, done, limit = {}, [], {}
    for i, p in enumerate(params):
        d = p._data.dtype
        members = open_.setdefault(d, [])
        members.append(i)
        if sum(params[j]._data.nbytes for j in members) >= limit.get(d, first_bucket_bytes):
            done.append(members)
            open_[d] = []
            limit[d] = bucket_bytes_cap
    done += [m for m in open_.values() if m]
    return done[::-1]


def _host(a):
    return a if a.__class__ is np.ndarray else to_device(a, "cpu")


def _put(dst, src):
    """dst[...] = src, with src a host array and dst a NumPy or CuPy array."""
    dst[...] = (src if dst.__class__ is np.ndarray else to_device(src, device_of(dst))).reshape(dst.shape)


def _reachable_leaves(out):
    """ids of the leaf tensors the autograd graph of `out` (tensors, nested in lists, tuples
    and dicts) reaches: what torch's find_unused_parameters walks."""
    stack, seen, leaves = [], set(), set()
    todo = [out]
    while todo:
        o = todo.pop()
        if isinstance(o, Tensor):
            if o.grad_fn is not None:
                stack.append(o.grad_fn)
            elif o._rg:
                leaves.add(id(o))
        elif isinstance(o, (list, tuple)):
            todo.extend(o)
        elif isinstance(o, dict):
            todo.extend(o.values())
    while stack:
        f = stack.pop()
        if id(f) in seen:
            continue
        seen.add(id(f))
        for e in f.next or ():
            if e is None:
                continue
            node, k = e
            if k is None:
                leaves.add(id(node))
            elif id(node) not in seen:
                stack.append(node)
    return leaves
