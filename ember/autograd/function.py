"""Graph nodes: `Op`, the base of ember's differentiable primitives, and `Function`, torch's
user-facing way to write one (forward and backward as static methods with a ctx)."""
import itertools

import numpy as np

from .._tensor import Tensor, _wrap, _view
from . import grad_mode, trace as _trace

_new, _ndarray, _generic, _asarray = object.__new__, np.ndarray, np.generic, np.asarray

_mode = grad_mode.state
_counter = itertools.count()
# torch.autograd.graph.saved_tensors_hooks in force: (pack, unpack) pairs, innermost last
saved_hooks = []


class Node:
    """One recorded step of the graph (a tensor's ``grad_fn``).

    ``next`` holds one edge per input: ``(node, output_index)`` for an input made by
    another op, ``(tensor, None)`` for a leaf that requires grad, ``None`` otherwise.
    ``seq`` numbers nodes in the order they were made, which the engine runs backwards.
    """
    save = True           # backward reads the saved inputs (so they must not change)
    arrays = False        # backward also runs on raw arrays (see Op); otherwise it gets tensors
    saves_output = False  # backward reads the output, kept as ``self.y``
    n_out = 1
    _freed = False
    hooks = None          # {output_index: [hook, ...]} from Tensor.register_hook on non-leaves
    grads = None          # the engine's buffer of gradients arriving for each output
    frees = True          # release() has something to free (Op: saves something or overrides it)
    check = True          # the engine calls check_saved() first (saves something, or was freed)
    retained = None       # {output_index: weakref to a tensor that called retain_grad()}
    packed = None         # (unpack, the saved inputs then the output, packed) under saved_tensors_hooks

    def connect(self, inputs, out=None, xs=None):
        """Record the edges to `inputs` and, if backward reads them, their versions (to detect
        in-place changes). With `out` (an op's one output, made from the arrays `xs`) this
        node becomes its grad_fn; otherwise the caller wires the outputs. One plain loop:
        it runs for every recorded op, and comprehensions cost a call each."""
        edges = []
        versions = self.versions = [] if self.save else None
        for x in inputs:
            if x.__class__ is Tensor or isinstance(x, Tensor):
                if x._rg:
                    f = x.grad_fn
                    edges.append((x, None) if f is None else (f, x._out_nr))
                else:
                    edges.append(None)
                if versions is not None:
                    versions.append((x, x._version[0]))
            else:
                edges.append(None)
        self.next = edges
        self.seq = next(_counter)
        self.inputs = inputs
        if out is not None:
            self.xs = xs
            if self.saves_output:
                self.y, self.vout = out._data, (out._version, out._version[0])
            out.grad_fn, out._rg = self, True
        if saved_hooks and (self.save or self.saves_output):
            self.pack(out)

    def pack(self, out):
        """saved_tensors_hooks: pass what backward will read (the inputs, the output) through the
        innermost pack hook; unpack() gives back the tensors backward then uses."""
        kept = (list(self.inputs) if self.save else []) + ([out] if self.saves_output and out is not None else [])
        self.packed = _pack(kept)

    def unpack(self):
        unpack, packed = self.packed
        self.packed = None
        if self.save:
            n = len(self.inputs)
            self.inputs = [unpack(p) if isinstance(x, Tensor) else x for x, p in zip(self.inputs, packed)]
            if getattr(self, "xs", None) is not None:
                self.xs = [t._data if isinstance(t, Tensor) else a for t, a in zip(self.inputs, self.xs)]
            packed = packed[n:]
        if packed:  # the output
            self.y = unpack(packed[0])._data

    def name(self):
        return type(self).__name__ + "Backward0"

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    @property
    def next_functions(self):
        from .engine import AccumulateGrad
        return tuple((None, 0) if e is None else
                     ((AccumulateGrad(e[0]), 0) if isinstance(e[0], Tensor) else e)
                     for e in self.next)

    def out(self):
        """The saved output as a tensor whose grad_fn is this node (so double backward sees it)."""
        t = _wrap(self.y)
        t.grad_fn, t._rg = self, True
        return t

    def check_saved(self):
        """Raise as torch does when a saved tensor was changed in place after it was saved."""
        if self._freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or "
                "if you need to access saved tensors after calling backward.")
        if self.save:
            for x, v in self.versions:
                if x._version[0] != v:
                    _raise_modified(x, v, self)
        if self.saves_output and self.vout[0][0] != self.vout[1]:
            _raise_modified(self.out(), self.vout[1], self)

    def release(self):
        """Free what backward needed (torch frees saved tensors after a backward)."""
        if self.save or self.saves_output:
            self._freed = self.check = True
            self.inputs = self.y = self.xs = self.versions = None


def _pack(values):
    """(unpack, each value through the innermost saved_tensors_hooks' pack if it is a tensor), the
    hooks run under no_grad, as torch's, with none in force (their own ops save nothing through them)."""
    pack, unpack = saved_hooks[-1]
    held = saved_hooks[:]
    saved_hooks.clear()
    try:
        with grad_mode.no_grad():
            return unpack, [pack(v) if isinstance(v, Tensor) else v for v in values]
    finally:
        saved_hooks[:] = held


def _raise_modified(x, expected, node):
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{x.dtype} {list(x.shape)}] is at version {x._version[0]}; expected version "
        f"{expected} instead (saved by {node.name()}).")


class Op(Node):
    """A differentiable primitive: ``forward`` on raw arrays, ``backward`` on tensors.

    ``forward(*arrays, **options)`` returns one array; it may keep on ``self`` what
    backward needs. ``backward(gy)`` returns the gradient for each input (``None`` for
    inputs that get none) as tensors, so that with ``create_graph=True`` the gradient
    computation is itself recorded. The engine un-broadcasts and casts the results.

    An op with ``arrays = True`` writes its backward so that it runs on tensors and on
    raw arrays alike: operators, methods both share, ``Op.on`` instead of ``Op.apply``,
    ``self.saved(gy)`` and ``self.output(gy)`` for what forward kept. Unless
    ``create_graph``, the engine then hands it arrays and skips the tensor wrapping,
    which is most of the cost of a small backward pass. Each gradient it returns is gy,
    a view, or a new array of its own (never one new array for two inputs): the engine
    gives a new array to a leaf's ``.grad`` without copying it.
    """
    view = False  # forward returns a view of input 0 (shares its memory and version counter)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.check = cls.save or cls.saves_output
        cls.frees = cls.check or cls.release is not Op.release

    @classmethod
    def apply(cls, *inputs, **options):
        # the hot path of every op: kept flat (no helper calls) because its cost is paid per op
        f = _new(cls)
        xs = [x._data if x.__class__ is Tensor or isinstance(x, Tensor) else x for x in inputs]
        try:
            y = f.forward(*xs, **options)
        except ValueError as e:  # NumPy's shape errors become torch's
            raise _shape_error(inputs, e) from None
        if y.__class__ is not _ndarray and isinstance(y, _generic):  # NumPy returns scalars from 0-d ops
            y = _asarray(y)
        if cls.view:  # shares x's memory
            out = _view(inputs[0], y, cls, inputs[1:], options)
        else:
            out = _new(Tensor)
            out._data, out._rg, out._out_nr = y, False, 0
            out.grad = out.grad_fn = out._hooks = out._base = out._view = None
            out._version = [0]
        if _mode.enabled:
            for x in inputs:
                if (x.__class__ is Tensor or isinstance(x, Tensor)) and x._rg:
                    f.connect(inputs, out, xs)
                    break
        if _trace.active is not None:
            _trace.active(f, inputs, options, out)
        return out

    @classmethod
    def apply1(cls, x):
        """``apply(x)`` for the commonest call, one tensor and no options, of an op that is not
        a view: without the generic dispatch, which costs more than a small op."""
        f = _new(cls)
        a = x._data
        out = _wrap(f.forward(a))
        if x._rg and _mode.enabled:
            f.connect((x,), out, [a])
        if _trace.active is not None:
            _trace.active(f, (x,), {}, out)
        return out

    @property
    def needs_input_grad(self):
        """Per input, truthy where it needs a gradient (its edge; None where not)."""
        return self.next

    def run_backward(self, gys):
        gx = self.backward(gys[0])
        return gx if isinstance(gx, tuple) else (gx,)

    @classmethod
    def on(cls, *inputs, **options):
        """``apply`` when an input is a tensor; else the bare forward on arrays (for a backward
        that runs on either)."""
        for x in inputs:
            if isinstance(x, Tensor):
                return cls.apply(*inputs, **options)
        y = cls.forward(_new(cls), *inputs, **options)
        return _asarray(y) if isinstance(y, _generic) else y

    def saved(self, gy):
        """The inputs, as tensors when `gy` is a tensor (backward is recorded), else as arrays."""
        return self.inputs if isinstance(gy, Tensor) else self.xs

    def output(self, gy):
        """The saved output (``saves_output``), as a tensor or an array like `gy`."""
        return self.out() if isinstance(gy, Tensor) else self.y


class ViewScatter(Op):
    """``base`` with the region that the view ops in `chain` select replaced by ``v``: the
    history of a base whose view was changed in place (torch's CopySlices)."""
    save = False

    def forward(self, base, v, chain):
        out = base.copy()
        region = out
        for cls, args, options in chain:
            region = cls.__new__(cls).forward(region, *args, **options)
        region[...] = v
        return out

    def backward(self, gy):
        from .._tensor import _replay_view
        chain = self.inputs[2]
        return ViewScatter.apply(gy, 0, chain), _replay_view(gy, chain), None


def _shape_error(inputs, err):
    """torch's RuntimeError for operands that do not broadcast, naming the dimension."""
    shapes = [x._data.shape for x in inputs if isinstance(x, Tensor)]
    if "broadcast" in str(err):
        for i, a in enumerate(shapes):
            for b in shapes[i + 1:]:
                n = max(len(a), len(b))
                a2, b2 = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
                for d in range(n - 1, -1, -1):
                    if a2[d] != b2[d] and a2[d] != 1 and b2[d] != 1:
                        return RuntimeError(f"The size of tensor a ({a2[d]}) must match the size of tensor b "
                                            f"({b2[d]}) at non-singleton dimension {d}")
    return RuntimeError(str(err))


class FunctionCtx:
    """The ``ctx`` methods torch gives a custom Function."""

    def save_for_backward(self, *tensors):
        self.to_save = tensors
        self.saved_versions = [t._version[0] if isinstance(t, Tensor) else 0 for t in tensors]
        if saved_hooks:  # torch.autograd.graph.saved_tensors_hooks: packed now, unpacked at each read
            self.saved_packed = _pack(tensors)

    @property
    def saved_tensors(self):
        if self._freed:
            self.check_saved()
        for t, v in zip(self.to_save, self.saved_versions):
            if isinstance(t, Tensor) and t._version[0] != v:
                _raise_modified(t, v, self)
        if self.saved_packed is not None:
            unpack, packed = self.saved_packed
            return tuple(unpack(p) if isinstance(t, Tensor) else p for t, p in zip(self.to_save, packed))
        return self.to_save

    def mark_non_differentiable(self, *tensors):
        self.non_differentiable = {id(t) for t in tensors}

    def mark_dirty(self, *tensors):
        self.dirty = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = value


class Function(FunctionCtx, Node):
    """Base class for custom differentiable operations, as torch.autograd.Function:
    ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)`` are static methods."""
    save = check = False
    to_save = ()
    saved_packed = None  # (unpack, packed to_save) under saved_tensors_hooks
    saved_versions = ()
    non_differentiable = ()
    materialize_grads = True

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls.__new__(cls)
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._rg for a in args)
        with grad_mode.no_grad():
            result = cls.forward(ctx, *args, **kwargs)
        outs = result if isinstance(result, tuple) else (result,)
        # an output that is an input returned as-is must get its own tensor to carry the grad_fn
        outs = tuple(o.view_as(o) if isinstance(o, Tensor) and any(o is a for a in args) else o
                     for o in outs)
        tensors = [o for o in outs if isinstance(o, Tensor)]
        if _mode.enabled and any(ctx.needs_input_grad):
            ctx.n_out = len(outs)
            ctx.out_meta = [(o.shape, o.dtype) if isinstance(o, Tensor) else None for o in outs]
            ctx.connect(args)
            for o in tensors:
                o.grad_fn, o._rg = ctx, True
            for i, o in enumerate(outs):
                if isinstance(o, Tensor):
                    o._out_nr = i
                    if id(o) in ctx.non_differentiable:
                        o.grad_fn, o._rg = None, False
        if _trace.active is not None:
            _trace.active(ctx, args, kwargs, outs)
        return outs if isinstance(result, tuple) else outs[0]

    def run_backward(self, gys):
        if self.materialize_grads:
            from .. import zeros
            gys = [zeros(m[0], dtype=m[1]) if g is None and m is not None else g
                   for g, m in zip(gys, self.out_meta)]
        gx = type(self).backward(self, *gys)
        gx = gx if isinstance(gx, tuple) else (gx,)
        if len(gx) != len(self.next):
            raise RuntimeError(f"function {type(self).__name__}Backward returned an incorrect number "
                               f"of gradients (expected {len(self.next)}, got {len(gx)})")
        return gx

    def name(self):
        return type(self).__name__ + "Backward"

    def release(self):
        if self.to_save:
            self._freed = self.check = True
            self.to_save = ()


def once_differentiable(fn):
    """torch.autograd.function.once_differentiable: run backward without recording."""
    import functools

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            return fn(ctx, *args)
    return wrapper
