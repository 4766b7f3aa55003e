"""Capture: run a function once eagerly, recording the array work it does, into a `Program`.

The recorder listens on the tracing seam (ember/autograd/trace.py): each executed op (its
class, inputs, options and output), the backward pass node by node, in-place writes, host
reads, and calls of functions marked ``@replayed`` (optimizer and scheduler steps, dropout's
noise, running statistics, gradient clipping). Every array it meets gets a slot: an op's
output, an argument's data, a parameter's or buffer's data read live at replay (a *load*),
or a constant kept by reference. Whatever it cannot replay exactly (a value read on the
host, random numbers drawn outside a replayed function, a hook, autograd.grad, a constant
written in place, a custom Function) makes the capture fail, and that signature runs eagerly.
"""
import numpy as np

from .._tensor import Tensor
from ..autograd import grad_mode, trace
from ..autograd.function import Function, Op, saved_hooks
from .program import Program

_mode = grad_mode.state


class Unsupported(Exception):
    """The function did something a program cannot replay exactly (the reason is the message)."""


def _containers(obj, depth=0):
    """Tensors, modules and optimizers in `obj` (and lists, tuples, dict values of them)."""
    from ..nn.module import Module
    from ..optim.optimizer import Optimizer
    if isinstance(obj, (Tensor, Module, Optimizer)):
        yield obj
    elif depth < 2 and isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _containers(v, depth + 1)
    elif depth < 2 and isinstance(obj, dict):
        for v in obj.values():
            yield from _containers(v, depth + 1)


def discover(fn, args, kwargs):
    """The objects a function can reach besides its tensor arguments: the module it is a method
    of, and the tensors, modules and optimizers in its closure and in the globals it names.
    Returns (tensors by id of their array, modules, the Python scalars in its closure and globals,
    which become guards: a program bakes them in)."""
    from ..nn.module import Module
    from ..optim.optimizer import Optimizer
    found, values = [], []  # values: (dict or cell, name, Python scalar) the program bakes in
    owner = getattr(fn, "__self__", None)
    if owner is not None:
        found.append(owner)
    code = getattr(fn, "__code__", None)
    if code is not None:
        g = getattr(fn, "__globals__", {})
        for name in code.co_names:
            if name in g:
                v = g[name]
                if v.__class__ in _SCALARS:
                    values.append((g, name, v))
                found.extend(_containers(v))
        for cell in getattr(fn, "__closure__", None) or ():
            try:
                v = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if v.__class__ in _SCALARS:
                values.append((cell, None, v))
            found.extend(_containers(v))
    for a in list(args) + list(kwargs.values()):
        found.extend(o for o in _containers(a) if not isinstance(o, Tensor))
    tensors, modules = {}, {}
    for o in found:
        if isinstance(o, Module):
            for m in o.modules():
                modules[id(m)] = m
            for t in list(o.parameters()) + list(o.buffers()):
                tensors[id(t._data)] = t
        elif isinstance(o, Optimizer):
            for group in o.param_groups:
                for p in group["params"]:
                    tensors[id(p._data)] = p
        elif isinstance(o, Tensor):
            tensors[id(o._data)] = o
    return tensors, list(modules.values()), values


_SCALARS = (int, float, bool, str)


class Recorder:
    """Listens on the tracing seam while the function runs once; then builds the Program."""

    def __init__(self, arg_tensors, externals, fullgraph):
        self.fullgraph = fullgraph
        self.slot = {}        # id(array) -> slot number
        self.keep = []        # every array met, so that ids stay unique while recording
        self.init = []        # per slot at the start: ("arg", k), ("load", tensor), ("const", array) or None
        self.meta = []        # per slot: the captured array's (shape, dtype, is an ndarray)
        self.instrs = []      # the program
        self.op_index = {}    # id(op instance) -> index of its instruction
        self.externals = externals
        self.arg_index = {id(t): k for k, t in enumerate(arg_tensors)}
        self.arg_arrays = {id(t._data): k for k, t in enumerate(arg_tensors)}
        self.loaded = {}      # id(tensor) -> tensor, for the program's guards
        self.error = None
        self.did_backward = False
        self.ran = set()      # ids of the nodes backward ran
        self.connected = False  # an op recorded a graph node
        self.graph_unsafe = False  # an in-place write recorded history (a graph replay would not)

    # ------------------------------------------------------------------ slots
    def new_slot(self, array):
        s = len(self.init)
        self.init.append(None)
        self.meta.append((array.shape, array.dtype, array.__class__ is np.ndarray))
        self.slot[id(array)] = s
        self.keep.append(array)
        return s

    def ref(self, a):
        """The slot of array `a`, making one for an argument, a load or a constant if it is new."""
        s = self.slot.get(id(a))
        if s is not None:
            return s
        k = self.arg_arrays.get(id(a))
        if k is not None:
            init = ("arg", k)
        else:
            t = self.externals.get(id(a))
            if t is not None and t._data is a:
                init = ("load", t)
                self.loaded[id(t)] = t
            else:
                # made inside the function from constants, or reached another way; but a view of an
                # argument or of an op's result (made outside ember's ops) would be stale at replay
                b = getattr(a, "base", None)
                while b is not None:
                    k = self.slot.get(id(b))
                    if id(b) in self.arg_arrays or k is not None and (self.init[k] or ("arg",))[0] == "arg":
                        raise Unsupported("a view of an input or of a result, made outside ember's ops")
                    b = getattr(b, "base", None)
                init = ("const", a)
        s = self.new_slot(a)
        self.init[s] = init
        return s

    def spec(self, v):
        """How an op or a replayed call gets argument `v` at replay."""
        if isinstance(v, Tensor):
            if v._rg and v.grad_fn is None and id(v) not in self.arg_index and id(v._data) not in self.externals:
                raise Unsupported("a tensor that requires grad was made inside the function")
            return ("t", self.ref(v._data))
        if isinstance(v, np.ndarray):
            return ("a", self.ref(v))
        if isinstance(v, list) and v and all(isinstance(x, Tensor) for x in v):
            return ("list", [self.spec(x) for x in v])
        if isinstance(v, tuple) and any(isinstance(x, (Tensor, np.ndarray)) for x in v):
            return ("tuple", [self.spec(x) for x in v])
        return ("c", v)

    # ------------------------------------------------------------------ channels
    def op(self, op, inputs, options, outputs):
        if self.error is not None:
            return
        try:
            self._op(op, inputs, options, outputs)
        except Unsupported as e:
            self.fail(str(e))

    def _op(self, op, inputs, options, outputs):
        if op == "inplace":
            x, v = inputs
            sx, sv = self.ref(x._data), self.ref(v._data)
            root = x._data
            while isinstance(root.base, np.ndarray):
                root = root.base
            s = self.slot.get(id(root))
            if any(k is not None and (self.init[k] or ("",))[0] == "const" for k in (s, sx)):
                raise Unsupported("a tensor made inside the function is changed in place")
            self.graph_unsafe |= bool(x._rg or v._rg)
            self.instrs.append(("copy", sx, sv))
            return
        if saved_hooks:
            raise Unsupported("saved_tensors_hooks are in force")
        if isinstance(op, str):  # recorded by name: a constant tensor
            op, inputs, options = _named(op, inputs, options, outputs)
        elif isinstance(op, Function) or not isinstance(op, Op):
            raise Unsupported(f"{type(op).__name__} is not an ember primitive")
        if type(op).__name__ in _INDEXING and _has_mask(inputs):
            raise Unsupported("indexing with a boolean mask: the result's size depends on the values")
        specs, outlists = [], []
        for x in inputs:
            if isinstance(x, list) and all(isinstance(a, np.ndarray) for a in x) and x:
                # an out-parameter the forward filled (batch norm's statistics): a fresh list at replay
                specs.append(("out", len(outlists)))
                outlists.append([self.new_slot(a) for a in x])
            else:
                specs.append(self.spec(x))
        out = outputs[0] if isinstance(outputs, tuple) else outputs
        fresh = id(out._data) not in self.slot and out._data.base is None  # its own memory, not a view
        y = self.new_slot(out._data)
        connect = out.grad_fn is op
        self.connected |= connect
        self.op_index[id(op)] = len(self.instrs)
        self.keep.append(op)  # alive while recording, so that no other op gets its id
        x0 = inputs[0] if inputs else None
        same0 = isinstance(x0, Tensor) and x0._data.shape == out._data.shape and x0._data.dtype == out._data.dtype
        self.instrs.append(["op", type(op), specs, dict(options), y, outlists, connect, None, same0, fresh])

    def host(self, t):
        if self.fullgraph:
            raise RuntimeError("ember.compile(fullgraph=True): the function reads a tensor's value on the host "
                               "(.item(), bool(), printing), which a captured program cannot replay")
        self.fail("a tensor's value is read on the host")

    def call(self, fn, args, kwargs):
        """A @replayed function: run it with the seam closed, record one call instruction."""
        name = getattr(fn, "__qualname__", "")
        args = tuple(list(a) if type(a).__name__ == "generator" else a for a in args)  # e.g. model.parameters()
        if self.error is None and name.startswith("Generator."):
            self.fail("random numbers drawn outside a replayed function")
        saved = _close()
        try:
            result = fn(*args, **kwargs)
        finally:
            _open(saved)
        if self.error is None:
            try:
                a_specs = [self.spec(a) for a in args]
                k_specs = {k: self.spec(v) for k, v in kwargs.items()}
                self.instrs.append(("call", fn, a_specs, k_specs, self.result_spec(result)))
            except Unsupported as e:
                self.fail(str(e))
        return result

    def result_spec(self, r):
        if isinstance(r, Tensor):
            if id(r._data) in self.slot or id(r._data) in self.externals:
                return ("c", r)  # a tensor that already exists (the same object again)
            return ("t", self.new_slot(r._data))
        if isinstance(r, np.ndarray):
            return ("a", self.new_slot(r))
        if isinstance(r, tuple) and any(isinstance(x, (Tensor, np.ndarray)) for x in r):
            return ("tuple", [self.result_spec(x) for x in r])
        return ("c", r)

    def backward(self, run, roots, grad_roots, retain_graph, create_graph, inputs, accumulate):
        if self.error is None and (create_graph or inputs is not None or not accumulate):
            self.fail("autograd.grad, backward(inputs=...) and create_graph are run eagerly")
        if self.error is not None:
            saved = _close()
            try:
                return run(roots, grad_roots, retain_graph, create_graph, inputs, accumulate)
            finally:
                _open(saved)
        seeds = []
        try:
            for t, g in zip(roots, grad_roots):
                f = t.grad_fn
                if f is None or id(f) not in self.op_index:
                    raise Unsupported("backward from a tensor made outside the function")
                seeds.append((self.op_index[id(f)], t._out_nr, self.ref(g._data if isinstance(g, Tensor) else g)))
        except Unsupported as e:
            self.fail(str(e))
        self.calls, self.leaves = [], {}
        saved = _close()
        trace.node = self.node
        try:
            run(roots, grad_roots, retain_graph, create_graph, inputs, accumulate)
        finally:
            _open(saved)
        if self.error is None:
            self.did_backward = True
            self.instrs.append(("backward", seeds, self.calls))
            for p, spec in self.leaves.values():  # their .grad arrays, for ops that read them later
                self.instrs.append(("grad", spec, self.new_slot(p.grad._data)))

    def node(self, f, gys, gxs):
        if self.error is not None:
            return
        k = self.op_index.get(id(f))
        if k is None or f.hooks is not None or f.retained is not None:
            return self.fail("backward through a node not recorded here, or with hooks")
        dests, fits = [], []
        for e, gx, x in zip(f.next, gxs, f.inputs):
            if e is None or gx is None:
                dests.append(None)
                fits.append(False)
                continue
            like = x._data
            # a gradient to fit to its input: the shape it came in, for a reduction fixed at generation
            fits.append((tuple(gx.shape), gx.dtype.str) if gx.shape != like.shape or gx.dtype != like.dtype
                        else False)
            like = np.broadcast_to(np.zeros((), like.dtype), like.shape)  # its shape and dtype, no memory
            p, i = e
            if i is None:
                if p._hooks is not None:
                    return self.fail("a leaf with hooks")
                if id(p) in self.arg_index:
                    spec = ("arg", self.arg_index[id(p)])
                elif id(p._data) in self.externals:
                    spec = ("load", p)
                    self.loaded[id(p)] = p
                else:
                    return self.fail("a leaf made inside the function")
                self.leaves[id(p)] = (p, spec)
                dests.append((("leaf", spec), like))
            else:
                j = self.op_index.get(id(p))
                if j is None:
                    return self.fail("backward through a node not recorded here")
                dests.append((("node", j, i), like))
        instr = self.instrs[k]
        instr[7] = tuple(e is not None for e in f.next)  # the replayed op keeps its inputs for backward
        self.calls.append((k, f.n_out, f.arrays, dests, fits))
        self.ran.add(id(f))

    def fail(self, why):
        if self.error is None:
            self.error = why

    # ------------------------------------------------------------------ the result
    def program(self, result, arg_tensors, modules, values, grad_enabled):
        """The Program for the function's `result`, or raise Unsupported."""
        if self.error is not None:
            raise Unsupported(self.error)
        outputs = self.output_spec(result, arg_tensors)
        graph = self.connected and not self.did_backward
        if graph and self.graph_unsafe:
            raise Unsupported("an in-place write under autograd")
        return Program(self.init, self.instrs, outputs, graph, modules, list(self.loaded.values()), values,
                       grad_enabled, self.meta)

    def output_spec(self, r, arg_tensors):
        if isinstance(r, Tensor):
            if id(r) in self.arg_index:
                return ("arg", self.arg_index[id(r)])
            if id(r._data) in self.externals and self.externals[id(r._data)] is r:
                return ("c", r)
            s = self.slot.get(id(r._data))
            if s is None:
                raise Unsupported("a returned tensor was not made by ops")
            fn = r.grad_fn
            if fn is not None and self.did_backward and id(fn) not in self.ran:
                raise Unsupported("a returned tensor still has a graph after backward")
            return ("t", s, r._rg)
        if isinstance(r, (tuple, list)):
            return (type(r).__name__, [self.output_spec(x, arg_tensors) for x in r])
        if isinstance(r, dict):
            return ("dict", {k: self.output_spec(v, arg_tensors) for k, v in r.items()})
        if isinstance(r, (int, float, str, bool, type(None))):
            return ("c", r)
        raise Unsupported(f"the function returns a {type(r).__name__}")


_INDEXING = ("AdvancedIndex", "IndexGrad", "IndexPut")


def _has_mask(v):
    if isinstance(v, Tensor):
        v = v._data
    if isinstance(v, np.ndarray):
        return v.dtype == np.bool_
    return isinstance(v, (tuple, list)) and any(_has_mask(x) for x in v)


class _Call(Op):
    """A NumPy function with no gradient, replayed as it is (the first input is the function)."""
    save = False

    def forward(self, fn, *xs, **options):
        return fn(*xs, **options)


def _named(name, inputs, options, out):
    """An op recorded by name (for export) as a _Call: zeros/ones/full and arange made again from
    their arguments (checked against the result eager made). Others (comparisons, argmax) make
    the capture fail."""
    if name == "full":
        fn, args = np.full, list(inputs)
    elif name == "arange":
        fn, args = np.arange, list(inputs)
    else:  # (comparisons: raw NumPy code reading a mask, nonzero's or a count's, would be baked in)
        raise Unsupported(f"{name} has no replay")
    y = out._data
    if y.__class__ is not np.ndarray or any(isinstance(a, Tensor) and a._data.__class__ is not np.ndarray for a in args):
        raise Unsupported(f"{name} on another device has no replay")
    try:
        again = fn(*[a._data if isinstance(a, Tensor) else a for a in args], **options)
    except Exception as e:
        raise Unsupported(f"{name}: {e}") from None
    if np.asarray(again).dtype != y.dtype or not np.array_equal(again, y, equal_nan=y.dtype.kind in "fc"):
        raise Unsupported(f"{name} is not its NumPy function")
    return _Call(), [fn] + args, options


def _close():
    """Close every channel of the seam (a replayed call runs unrecorded); returns what was open."""
    saved = (trace.active, trace.backward, trace.node, trace.host, trace.call)
    trace.active = trace.backward = trace.node = trace.host = trace.call = None
    return saved


def _open(saved):
    trace.active, trace.backward, trace.node, trace.host, trace.call = saved


def capture(fn, args, kwargs, arg_tensors, fullgraph):
    """Run fn(*args, **kwargs) once, eagerly, recording it. Returns (result, Program or None, why not)."""
    externals, modules, values = discover(fn, args, kwargs)
    rec = Recorder(arg_tensors, externals, fullgraph)
    grad_enabled = _mode.enabled
    saved = _close()
    trace.active, trace.backward, trace.host, trace.call = rec.op, rec.backward, rec.host, rec.call
    try:
        result = fn(*args, **kwargs)
    finally:
        _open(saved)
    try:
        return result, rec.program(result, arg_tensors, modules, values, grad_enabled), None
    except Unsupported as e:
        return result, None, str(e)

