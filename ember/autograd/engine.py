"""The backward engine: walks the graph in dependency order (iteratively, so deep graphs
never meet Python's recursion limit), un-broadcasts and casts gradients to the shapes
and dtypes of the inputs, accumulates them into leaves' ``.grad`` and frees the graph."""
from heapq import heappush, heappop

import numpy as np

from .._tensor import Tensor, _wrap
from . import grad_mode, trace as _trace
from .anomaly_mode import state as _anomaly, check as _anomaly_check

_mode = grad_mode.state
_add_reduce = np.add.reduce


class AccumulateGrad:
    """What torch shows in ``next_functions`` for a leaf; ember keeps the leaf tensor itself."""

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "AccumulateGrad"

    next_functions = ()


def _fit(g, like):
    """Sum a broadcast gradient back to the shape of `like` and give it `like`'s dtype."""
    if g._data.shape != like._data.shape:
        g = g.sum_to_size(like._data.shape)
    if g._data.dtype != like._data.dtype:
        g = g.to(like.dtype)
    return g


def sum_axes(xshape, shape):
    """The un-broadcasting rule: the axes to sum an array of `xshape` over to get `shape` (the
    leading ones and the size-1 ones), whether to keep dims, and whether a reshape follows."""
    lead = len(xshape) - len(shape)
    ones = tuple([lead + i for i, s in enumerate(shape) if s == 1 and xshape[lead + i] != 1])
    return tuple(range(lead)) + ones, bool(ones), bool(ones) and lead > 0


def sum_to(x, shape):
    """Array `x` summed over its broadcast axes to `shape` (sum_axes). The result is a new
    array, not a view of one."""
    axes, keep, reshape = sum_axes(x.shape, shape)
    if not axes:
        return x
    # NumPy's ufunc itself: x.sum() adds a Python layer
    y = _add_reduce(x, axes, keepdims=keep) if x.__class__ is np.ndarray else x.sum(axes, keepdims=keep)
    return y.reshape(shape) if reshape else y


def _fit_array(g, like):
    """_fit on raw arrays (the engine's fast path when nothing records the backward pass)."""
    if g.shape != like.shape:
        g = sum_to(g, like.shape)
    if g.dtype != like.dtype:
        g = g.astype(like.dtype)
    return g


def _apply_hooks(hooks, g):
    for h in hooks:
        r = h(g)
        if r is not None:
            g = r
    return g


def _accumulate(leaf, g, create_graph):
    """Add `g` (a tensor when recording, else an array) into ``leaf.grad``, in place when
    nothing records (torch keeps the same grad tensor across steps)."""
    if leaf._hooks:
        g = _apply_hooks(leaf._hooks, g if create_graph else _wrap(g))
        g = g if create_graph else g._data
    if leaf.grad is None:
        # a copy (recorded when create_graph), as torch's: the same gradient may flow to several
        # leaves, or be a read-only broadcast that a later step accumulates into
        leaf.grad = g.clone() if create_graph else _wrap(g.copy())
    elif create_graph or leaf.grad._rg:
        leaf.grad = leaf.grad + (g if create_graph else _wrap(g))
    else:
        acc = leaf.grad._data
        acc += g
        leaf.grad._version[0] += 1
    if leaf._hooks is not None:  # register_post_accumulate_grad_hook leaves at least []
        for h in leaf.__dict__.get("_post_accumulate_grad_hooks", ()):
            h(leaf)


def register_post_accumulate_grad_hook(t, hook):
    """Tensor.register_post_accumulate_grad_hook: `hook(t)` after each gradient is added into
    ``t.grad``. ember delivers a leaf's gradients one by one, so a leaf used twice in a graph
    calls it twice (torch sums first and calls it once)."""
    if not t._rg:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if t.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    if t._hooks is None:
        t._hooks = []  # takes the leaf off the engine's no-hook fast path, onto _accumulate
    hooks = t.__dict__.setdefault("_post_accumulate_grad_hooks", [])
    hooks.append(hook)
    return _HookHandle(hooks, hook)


class _HookHandle:
    def __init__(self, hooks, hook):
        self.hooks, self.hook = hooks, hook

    def remove(self):
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)


_final_callbacks = []


def queue_callback(callback):
    """torch's ``Variable._execution_engine.queue_callback``: from a hook during backward, run
    `callback()` once the current backward pass has finished (DistributedDataParallel waits
    for its last gradient reductions there)."""
    _final_callbacks.append(callback)


def run_backward(roots, grad_roots, retain_graph=False, create_graph=False, inputs=None,
                 accumulate=True):
    """Backpropagate from `roots`, seeded with `grad_roots` (tensors or arrays; with
    `create_graph` a given tensor's own history is kept). With ``accumulate=False``
    (autograd.grad) nothing is written to ``.grad``; instead the gradients of `inputs` are
    returned in order.

    Unless `create_graph`, gradients flow as raw arrays: ops whose backward is written for
    arrays and tensors alike (``Op.arrays``) get arrays, the others get them wrapped."""
    if _trace.backward is not None:  # ember.compile is capturing: it runs this call and records it
        return _trace.backward(run_backward, roots, grad_roots, retain_graph, create_graph, inputs, accumulate)
    raw = not create_graph
    sink = None if inputs is None and accumulate else _Sink(inputs, accumulate, create_graph)
    # nodes run from the newest to the oldest: a node's consumers were all made after it, so
    # by the time it runs every gradient for it has arrived (no dependency count needed).
    # A node's incoming gradients wait in its ``grads`` list until it runs.
    heap = []
    for t, g in zip(roots, grad_roots):
        if isinstance(g, Tensor) is raw:
            g = g._data if raw else _wrap(g)
        f = t.grad_fn
        if f is None:
            if not t._rg:
                raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
            _deliver(sink, t, g, create_graph)
            continue
        buf = f.grads
        if buf is None:
            buf = f.grads = [None] * f.n_out
            heappush(heap, (-f.seq, f))
        i = t._out_nr
        buf[i] = g if buf[i] is None else buf[i] + g

    prev_mode = _mode.enabled
    _mode.enabled = create_graph
    try:
        while heap:
            f = heappop(heap)[1]
            gys = f.grads
            f.grads = None
            if f.check:
                f.check_saved()
            if f.packed is not None:  # torch.autograd.graph.saved_tensors_hooks
                f.unpack()
            if f.hooks is not None or f.retained is not None:
                gys = _output_hooks(f, gys, raw)
            if sink is not None and sink.nodes:
                sink.capture(f, gys)
            gy0 = None
            if not raw:
                gxs = f.run_backward(gys)
            elif f.arrays:
                gy0 = gys[0]
                gxs = f.backward(gy0)
                if gxs.__class__ is not tuple:
                    gxs = (gxs,)
            else:  # a backward written for tensors only: wrap, then unwrap
                gxs = f.run_backward([None if g is None else _wrap(g) for g in gys])
                gxs = [None if g is None else g._data for g in gxs]
            if _anomaly.enabled:  # torch.autograd.detect_anomaly: stop at the first NaN gradient
                _anomaly_check(f, gxs)
            if _trace.node is not None:
                _trace.node(f, gys, gxs)
            for e, gx, x in zip(f.next, gxs, f.inputs):
                if e is None or gx is None:
                    continue
                if raw:
                    like = x._data
                    if gx.shape != like.shape or gx.dtype != like.dtype:
                        gx = _fit_array(gx, like)
                else:
                    d, like = gx._data, x._data
                    if d.shape != like.shape or d.dtype != like.dtype:
                        gx = _fit(gx, x)
                p, i = e
                if i is None:  # a leaf
                    if sink is not None:
                        _deliver(sink, p, gx, create_graph)
                    elif gy0 is not None and p.grad is None and p._hooks is None and gx is not gy0 \
                            and gx.base is None:
                        p.grad = _wrap(gx)  # an arrays-op's own new array (not gy, not a view): no copy
                    else:
                        _accumulate(p, gx, create_graph)
                    continue
                buf = p.grads
                if buf is None:
                    buf = p.grads = [None] * p.n_out
                    heappush(heap, (-p.seq, p))
                buf[i] = gx if buf[i] is None else buf[i] + gx
            if f.frees and not retain_graph:
                f.release()
        while _final_callbacks:
            _final_callbacks.pop(0)()
    finally:
        _final_callbacks.clear()
        _mode.enabled = prev_mode
        for _, f in heap:  # after an error: no gradient may wait for a later backward
            f.grads = None
    if sink is not None and not accumulate:
        return [sink.captured.get(id(t)) for t in inputs]


class _Sink:
    """Where gradients go when backward has `inputs` (only those leaves get them) or when
    autograd.grad collects them instead of accumulating into ``.grad``."""

    def __init__(self, inputs, accumulate, create_graph):
        self.accumulate, self.raw = accumulate, not create_graph
        self.captured = {}  # id(input) -> gradient
        self.leaves = None if inputs is None else {id(t) for t in inputs}
        self.nodes = {}
        for t in inputs or ():
            if t.grad_fn is not None:
                self.nodes.setdefault((t.grad_fn, t._out_nr), []).append(t)

    def capture(self, f, gys):
        """Keep the gradients arriving at node `f` that belong to wanted non-leaf inputs."""
        for i, g in enumerate(gys):
            for t in self.nodes.get((f, i), ()):
                self.captured[id(t)] = _wrap(g) if self.raw else g


def _deliver(sink, t, g, create_graph):
    """A leaf's gradient: accumulated into ``.grad``, or kept by the sink."""
    if sink is None:
        return _accumulate(t, g, create_graph)
    if sink.leaves is not None and id(t) not in sink.leaves:
        return
    if sink.accumulate:
        return _accumulate(t, g, create_graph)
    if sink.raw:
        g = _wrap(g)
    if t._hooks:
        g = _apply_hooks(t._hooks, g)
    prev = sink.captured.get(id(t))
    sink.captured[id(t)] = g if prev is None else prev + g


def _output_hooks(f, gys, raw):
    gys = list(gys)
    for i, g in enumerate(gys):
        if g is None:
            continue
        if raw:
            g = _wrap(g)
        if f.hooks and i in f.hooks:
            g = _apply_hooks(f.hooks[i], g)
        if f.retained and i in f.retained:
            t = f.retained[i]()
            if t is not None:
                t.grad = g if t.grad is None else t.grad + g
        gys[i] = g._data if raw else g
    return gys
