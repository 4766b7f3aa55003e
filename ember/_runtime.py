"""Process-wide settings programs touch at start-up: the default device (``torch.set_default_device``,
``with torch.device(...)``) and deterministic algorithms. Creation functions read `default_device`."""

default_device = None  # None: the CPU (the common case costs creation functions one attribute read)
_device_stack = []
_deterministic = False
_deterministic_warn_only = False


def set_default_device(device):
    """Where factory functions (zeros, randn, tensor, ...) put tensors that name no device."""
    global default_device
    from ._backend import device as _device
    if device is None:
        default_device = None
        return
    d = _device(device)
    default_device = None if d.type == "cpu" else d


def get_default_device():
    from ._backend import device as _device
    return default_device if default_device is not None else _device("cpu")


def enter_device(d):
    """``with torch.device(d):`` makes `d` the default device inside the block."""
    _device_stack.append(default_device)
    set_default_device(d)


def exit_device():
    global default_device
    default_device = _device_stack.pop()


def use_deterministic_algorithms(mode, *, warn_only=False):
    """ember's kernels are NumPy's, deterministic already: the flag is kept for programs that read it."""
    global _deterministic, _deterministic_warn_only
    if not isinstance(mode, bool):
        raise TypeError(f"_set_deterministic_algorithms(): argument 'mode' (position 1) must be bool, not "
                        f"{type(mode).__name__}")
    _deterministic, _deterministic_warn_only = mode, bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _deterministic


def is_deterministic_algorithms_warn_only_enabled():
    return _deterministic_warn_only


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode):
    """torch's 0/1/2 (or "default"/"warn"/"error"): off, warn-only, on."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                               f"{debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    return 0 if not _deterministic else 1 if _deterministic_warn_only else 2


def set_warn_always(b):
    global _warn_always
    _warn_always = bool(b)


_warn_always = False


def is_warn_always_enabled():
    return _warn_always




# torch.autocast: inside a region on the CPU, ops on torch's lower-precision list (matmul, linear,
# convolution) compute in `autocast_dtype` (bfloat16), losses in float32. The ops read this once.
autocast_dtype = None
autocast_device = "cpu"


def autocast_run(fn, *args, **kwargs):
    """A lower-precision op (matmul, linear, conv) in an autocast region, as torch's CPU kernels
    compute it: inputs rounded to the autocast dtype, products summed in float32, the result
    rounded once to the autocast dtype. (float64 inputs are left alone, as torch's.)"""
    global autocast_dtype
    import numpy as np
    from .ops.pointwise import cast
    dt, f32 = autocast_dtype, np.dtype(np.float32)
    if any(getattr(a, "_data", None) is not None and a._data.dtype == np.float64 for a in args):
        return fn(*args, **kwargs)
    rounded = [cast(x, f32) if x is not None and hasattr(x, "_data") and x._data.dtype != f32 else x
               for x in _cast_floats(args, dt)]
    autocast_dtype = None  # (the op itself, and what it calls, run plainly)
    try:
        out = fn(*rounded, **kwargs)
    finally:
        autocast_dtype = dt
    return cast(out, dt)


def autocast_fp32(*xs):
    """The inputs of a float32 op (a loss) in an autocast region: half-precision tensors to float32."""
    import numpy as np
    return _cast_floats(xs, np.dtype(np.float32), only_half=True)


def _cast_floats(xs, dt, only_half=False):
    import numpy as np
    from ._tensor import Tensor
    from .ops.pointwise import cast
    out = []
    for x in xs:
        if isinstance(x, Tensor):
            d = x._data.dtype
            # kind "V": ml_dtypes' bfloat16 (NumPy has no float kind for it)
            if (d.kind == "V" or d.kind == "f") and d != dt and d != np.float64 and (not only_half or d.itemsize == 2):
                x = cast(x, dt)
        out.append(x)
    return out


# ---------------------------------------------------------------------- threads and precision settings
_matmul_precision = ["highest"]


def get_float32_matmul_precision():
    return _matmul_precision[0]


def set_float32_matmul_precision(precision):
    """torch's TF32/bfloat16 shortcut for float32 matmuls; NumPy's are always full float32 ("highest")."""
    import warnings
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _matmul_precision[0] = precision


_interop_threads = [1]


def get_num_interop_threads():
    return _interop_threads[0]


def set_num_interop_threads(n):
    """Kept for programs that set it: ember runs independent ops one after another."""
    if not isinstance(n, int) or n < 1:
        raise RuntimeError("Expected positive number of threads")
    _interop_threads[0] = n


def init_num_threads():
    pass


def set_flush_denormal(mode):
    """False: NumPy offers no flush-to-zero switch, so ember cannot honour it (torch's answer where
    the CPU lacks it)."""
    return False


def typename(obj):
    """torch.typename: 'torch.FloatTensor' for a tensor, the qualified type name otherwise."""
    from ._tensor import Tensor
    if isinstance(obj, Tensor):
        from ._legacy import type_name
        return type_name(obj)
    t = obj if isinstance(obj, type) else type(obj)
    module = t.__module__
    return t.__qualname__ if module in ("builtins", None) else f"{module}.{t.__qualname__}"


def get_device_module(device=None):
    """ember.cuda or ember.cpu, for a device, its type name, or the current default."""
    import importlib
    from ._backend import device as _device
    d = get_default_device() if device is None else _device(device) if not isinstance(device, str) or ":" in device \
        or device in ("cpu", "cuda") else None
    if d is None:
        raise RuntimeError(f"Device '{device}' does not have a corresponding module registered as 'torch.{device}'.")
    return importlib.import_module(f"ember.{d.type}")


# what ember was built with: NumPy's LAPACK and FFT; neither MKL nor OpenMP of its own
has_lapack, has_spectral, has_mkl, has_openmp = True, True, False, False
