"""``torch.jit``: ember has no TorchScript compiler, so ``script`` and ``trace`` return what they
are given (a module or function that runs as before, with the same results; a module gains the
``save`` and ``code`` of a scripted one), the decorators return their function, and saving raises
an error that points to ONNX export."""
import warnings

_NO_SAVE = ("ember has no TorchScript format: export the model with ember.onnx.export(model, args, 'model.onnx') "
            "(pip install 'ember[onnx]'), or save its weights with ember.save(model.state_dict(), path)")


class _Scripted:
    """What a module gets from script/trace besides running as before: the calls torch's
    ScriptModule adds, answered for an eager module."""

    def save(self, f, _extra_files=None):
        save(self, f)

    @property
    def code(self):
        return f"# ember runs {type(self).__mro__[2].__name__} eagerly: there is no TorchScript code"

    graph = code


_scripted_classes = {}


def _as_scripted(obj):
    from ..nn import Module
    if isinstance(obj, Module) and not isinstance(obj, _Scripted):
        cls = type(obj)
        if cls not in _scripted_classes:  # the module's own class, with the ScriptModule calls added
            _scripted_classes[cls] = type(cls.__name__, (_Scripted, cls), {"__module__": cls.__module__})
        obj.__class__ = _scripted_classes[cls]
    return obj


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """The module or function itself: it runs eagerly, as torch's scripted one would."""
    warnings.warn("`torch.jit.script` is deprecated. Please switch to `torch.compile` or `torch.export`.",
                  DeprecationWarning, stacklevel=2)
    return _as_scripted(obj)


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None, check_tolerance=1e-5,
          strict=True, _force_outplace=False, _module_class=None, _compilation_unit=None,
          example_kwarg_inputs=None, _store_inputs=True):
    """`func` itself (ember runs it eagerly; data-dependent control flow is therefore kept, where
    torch's trace would freeze the path the example took)."""
    warnings.warn("`torch.jit.trace` is deprecated. Please switch to `torch.compile` or `torch.export`.",
                  DeprecationWarning, stacklevel=2)
    return _as_scripted(func)


def trace_module(mod, inputs, **kwargs):
    return _as_scripted(mod)


def ignore(drop=False, **kwargs):
    """``@torch.jit.ignore`` (with or without arguments): the function unchanged."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn):
    return fn


def export(fn):
    return fn


def interface(obj):
    return obj


def is_scripting():
    return False


def is_tracing():
    return False


def annotate(the_type, the_value):
    return the_value


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    return mod


def optimize_for_inference(mod, other_methods=None):
    return mod


def enable_onednn_fusion(enabled):
    pass


def save(m, f, _extra_files=None):
    raise NotImplementedError(f"torch.jit.save: {_NO_SAVE}")


def load(f, map_location=None, _extra_files=None, _restore_shapes=False):
    raise NotImplementedError(f"torch.jit.load: {_NO_SAVE}; ember.onnx can run an exported model")


class Final:
    """``torch.jit.Final[int]``: a type annotation, nothing at run time."""

    def __class_getitem__(cls, item):
        return item


def _script_if_tracing(fn):
    return fn


script_if_tracing = _script_if_tracing


def fork(func, *args, **kwargs):
    """Runs `func` now; ``wait`` gives its result."""
    return _Future(func(*args, **kwargs))


def wait(future):
    return future.value()


class _Future:
    def __init__(self, v):
        self._v = v

    def value(self):
        return self._v

    def wait(self):
        return self._v


def __getattr__(name):
    # torch.jit.ScriptModule (subclassed by old code, with @script_method): ember's nn.Module
    if name in ("ScriptModule", "RecursiveScriptModule", "TopLevelTracedModule"):
        from ..nn import Module
        return Module
    if name == "script_method":
        return export
    raise AttributeError(f"module 'ember.jit' has no attribute '{name}'")
