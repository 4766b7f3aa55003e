"""``ember.compile``: torch.compile's API, by capture and replay (torch's namespace for this
is ``torch.compiler``, hence ``ember.compiler``).

The first call with a given signature (the shapes, dtypes and requires_grad of the tensor
arguments, the other arguments' values, grad mode) runs the function eagerly while
recording the array work it does (capture.py), forward, backward and optimizer steps
included. Later calls with that signature replay the recorded program (program.py) on the
new inputs, skipping Tensor construction, dispatch, promotion, checks and the engine's
bookkeeping. Guards: the modules' ``training`` flags and the shapes, dtypes and
requires_grad of the parameters and buffers the program reads. A new signature records
again, up to ``recompile_limit`` programs per function; after that, new signatures run
eagerly. A function whose capture meets something it cannot replay exactly (a value read on
the host, random numbers drawn outside dropout, hooks, autograd.grad) runs eagerly for that
signature (``fullgraph=True`` makes a host read an error instead).

What a capture cannot see: Python side effects other than tensor work (a counter in a
closure, a list appended to, ``p.grad = None`` by hand) happen on the first call only, as in
``jax.jit``; optimizer and scheduler steps, ``zero_grad``, gradient clipping, batch norm's
running statistics and dropout are replayed, as they are recorded as calls.
"""
import warnings

from .._tensor import Tensor
from ..autograd import grad_mode, trace
from ..nn.module import Module

recompile_limit = 8  # torch._dynamo.config.recompile_limit
_compiling = False
_all = []  # every compiled function, for reset()


def is_compiling():
    """True while a function is being captured (torch.compiler.is_compiling)."""
    return _compiling


def reset():
    """Forget every captured program (torch.compiler.reset)."""
    for c in _all:
        c._cache.clear()
        c._count = 0


def disable(fn=None, recursive=True):
    """torch.compiler.disable: the function runs as it is (ember has nothing to turn off)."""
    return (lambda f: f) if fn is None else fn


_EAGER = object()  # a signature that runs eagerly (capture failed)
_SCALARS = (int, float, bool, str, type(None))


def _walk(a, tensors):
    if a.__class__ is Tensor or isinstance(a, Tensor):
        tensors.append(a)
        d = a._data
        return (d.shape, d.dtype.str, a._rg)
    if a.__class__ in _SCALARS:
        return (a.__class__, a)
    if isinstance(a, (tuple, list)):
        return (a.__class__,) + tuple([_walk(x, tensors) for x in a])
    if isinstance(a, dict):
        return (dict,) + tuple([(k, _walk(v, tensors)) for k, v in a.items()])
    return ("id", id(a))  # a module, an optimizer, anything else: by identity


def _key(args, kwargs, tensors):
    """The signature of a call (hashable), collecting its tensor arguments into `tensors`."""
    key = [grad_mode.state.enabled]
    for a in args:
        key.append(_walk(a, tensors))
    for k, v in kwargs.items():
        key.append((k, _walk(v, tensors)))
    return tuple(key)


class CompiledFunction:
    """A function (or a module's call) with its captured programs, one per signature."""

    def __init__(self, fn, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None):
        self.fn, self.fullgraph = fn, fullgraph
        self.dynamic, self.backend, self.mode, self.options = dynamic, backend, mode, options
        self._cache = {}  # signature -> programs (or _EAGER), newest first
        self._count = 0   # captures so far, against recompile_limit
        self._warned = False
        self.__wrapped__ = fn
        self.__name__ = getattr(fn, "__name__", type(fn).__name__)
        self.__doc__ = getattr(fn, "__doc__", None)
        _all.append(self)

    def __call__(self, *args, **kwargs):
        global _compiling
        if trace.active is not None or trace.call is not None:  # inside another trace or capture: eager
            return self.fn(*args, **kwargs)
        tensors = []
        key = _key(args, kwargs, tensors)
        try:
            progs = self._cache.get(key)
        except TypeError:  # an unhashable argument: no signature
            return self.fn(*args, **kwargs)
        if progs is not None:
            for prog in progs:  # one per state of the guards (training flags, parameters) seen
                if prog is _EAGER:
                    return self.fn(*args, **kwargs)
                if prog.check():
                    return prog.run(tensors)
        if self._count >= recompile_limit:
            if not self._warned:
                warnings.warn(f"ember.compile: {self.__name__} hit recompile_limit ({recompile_limit}); "
                              "new signatures run eagerly", stacklevel=2)
                self._warned = True
            return self.fn(*args, **kwargs)
        from .capture import capture
        _compiling = True
        try:
            result, prog, why = capture(self.fn, args, kwargs, tensors, self.fullgraph)
        finally:
            _compiling = False
        if prog is None:  # this signature runs eagerly from now on
            self._cache[key] = [_EAGER]
        else:
            self._cache.setdefault(key, []).insert(0, prog)
        self._count += 1
        self.why_eager = why
        return result

    def __get__(self, obj, objtype=None):  # as a decorator on a method
        if obj is None:
            return self
        import functools
        return functools.partial(self, obj)


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,
            disable=False):
    """torch.compile: `model` (a function or an nn.Module) captured on its first call with each
    signature and replayed after; as a decorator with or without arguments.

    Args:
        fullgraph: a value read on the host during capture raises instead of running eagerly.
        dynamic, backend, mode, options: accepted for compatibility; ember has one way to compile.
    """
    if model is None:
        return lambda m: compile(m, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                                 options=options, disable=disable)
    if disable:
        return model
    if isinstance(model, Module):
        return OptimizedModule(model, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                               options=options)
    if not callable(model):
        raise RuntimeError("compile() expects a callable or an nn.Module")
    return CompiledFunction(model, fullgraph, dynamic, backend, mode, options)


class OptimizedModule(Module):
    """torch's OptimizedModule: the original module (``_orig_mod``) with its call compiled; its
    parameters, buffers and state_dict are the original's (keys prefixed ``_orig_mod.``)."""

    def __init__(self, mod, **kwargs):
        super().__init__()
        self._orig_mod = mod
        self.__dict__["_compiled"] = CompiledFunction(mod.__call__, **kwargs)

    def forward(self, *args, **kwargs):
        return self._compiled(*args, **kwargs)

    __call__ = forward

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self.__dict__["_modules"]["_orig_mod"], name)
