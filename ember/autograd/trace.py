"""The one tracing seam: the list of ops a forward pass (or a whole step) actually executed.

ONNX export, ``ember.compile`` and TensorBoard's ``add_graph`` read the same record.
While nothing traces, ``active`` is None and the op layer pays one global lookup per op.
While a :class:`trace` is open, ``Op.apply`` (and each direct path that bypasses it,
which falls back to ``apply`` while tracing) calls ``active(op, inputs, options, outputs)``
after the forward, so the op instance still holds what its forward kept.

Some entries are not Op instances: an in-place write records ``("inplace", (x, value), {}, (x,))``
(x now holds value's data); work done outside ops records under a name: creation ("full",
"arange"), comparisons and logic (NumPy's function name: "greater", "logical_not", ...), the
indices of max/sort/topk ("argmax", "argmin", "argsort"), and steps wrapped with ``opaque``
("triu", "tril"); a *leaf module* (one of the types passed as ``leaves``) records as a whole,
``(module, args, kwargs, outputs)``, with nothing recorded inside it.
"""

active = None  # None, or the callable that records one executed op (read on every op's hot path)


class Record:
    """One executed op: the op instance (after forward), a name for in-place writes, or a
    leaf module; its inputs as called (tensors and other values), its keyword options, its
    output tensors (a tuple), and the qualified name of the nn.Module that called it."""
    __slots__ = ("op", "inputs", "options", "outputs", "module")

    def __init__(self, op, inputs, options, outputs, module):
        self.op, self.inputs, self.options, self.outputs, self.module = op, inputs, options, outputs, module

    @property
    def name(self):
        op = self.op
        return op if isinstance(op, str) else type(op).__name__

    def __repr__(self):
        return f"Record({self.name}, module={self.module!r})"


class trace:
    """Record the ops run inside the block into ``self.records`` (a list of :class:`Record`).

    Args:
        module: optional root nn.Module; while tracing, each record names the submodule
            (by its qualified name, "" for the root) whose forward called the op.
        leaves: nn.Module types recorded as one entry each, without the ops inside.
    """

    def __init__(self, module=None, leaves=()):
        self.records = []
        self.root, self.leaves = module, tuple(leaves)
        self._stack, self._handles = [], []

    def __enter__(self):
        global active
        if self.root is not None:
            for name, m in self.root.named_modules():
                self._handles.append(m.register_forward_pre_hook(self._pre(name, m), with_kwargs=True))
                self._handles.append(m.register_forward_hook(self._post(m), with_kwargs=True, always_call=True))
        self._prev, active = active, self.record
        return self

    def __exit__(self, *exc):
        global active
        active = self._prev
        for h in self._handles:
            h.remove()
        self._handles.clear()

    def record(self, op, inputs, options, outputs):
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        self.records.append(Record(op, inputs, options, outputs, self._stack[-1][0] if self._stack else ""))

    # module context: a stack of (qualified name, module, whether recording was suspended)
    def _pre(self, name, m):
        def hook(module, args, kwargs):
            global active
            leaf = isinstance(m, self.leaves) and active == self.record
            self._stack.append((name, m, leaf, args, kwargs))
            if leaf:
                active = None  # nothing inside a leaf module is recorded
        return hook

    def _post(self, m):
        def hook(module, args, kwargs, result):
            global active
            if not self._stack or self._stack[-1][1] is not m:
                return
            name, _, leaf, args0, kwargs0 = self._stack.pop()
            if leaf:
                active = self.record
                if result is not None:
                    self.records.append(Record(m, args0, kwargs0, result if isinstance(result, tuple) else (result,),
                                               name))
        return hook


def opaque(name, inputs, options, fn):
    """``fn()`` recorded as one step `name` (of `inputs`, `options`), with nothing inside recorded:
    for functions whose work is not made of recorded ops (a mask built in NumPy, say)."""
    global active
    record, active = active, None
    try:
        out = fn()
    finally:
        active = record
    record(name, inputs, options, out)
    return out


def current_module():
    """The qualified name of the module whose forward is running in the open trace ("" if none)."""
    rec = getattr(active, "__self__", None)
    return rec._stack[-1][0] if rec is not None and rec._stack else ""


# ---------------------------------------------------------------- what ember.compile's capture also reads
# Four more channels, each None unless a capture is open (one global check when off). A capture
# replays array work, so besides the ops it must see the backward pass node by node, any read
# of a value on the host (which it cannot replay), and the few functions that change arrays
# directly or draw random numbers, which it records as one step each and calls again.
backward = None  # backward(run, *args): run the engine's run_backward(*args) while recording it
node = None      # node(f, gys, gxs): the engine ran node f's backward on gradients gys, giving gxs
host = None      # host(tensor): a tensor's value was read on the host (.item(), bool(t), printing)
call = None      # call(fn, args, kwargs): a function marked @replayed was called; returns its result


def replayed(fn):
    """Mark a function whose effects are not ops: it writes arrays directly (an optimizer's step,
    a running-statistics update) or draws random numbers (dropout's noise). A capture records each
    outermost call as one step, with its tensor arguments, and calls it again on replay."""
    def wrapper(*args, **kwargs):
        if call is None:
            return fn(*args, **kwargs)
        return call(fn, args, kwargs)
    wrapper.__name__, wrapper.__qualname__, wrapper.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
    wrapper.__wrapped__ = fn
    return wrapper
