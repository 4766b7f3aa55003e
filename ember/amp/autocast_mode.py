"""``torch.autocast``: a region where torch's lower-precision ops compute in a narrower float.

ember follows torch's CPU lists for the ops it has: matmul, mm, bmm, addmm, baddbmm, addbmm,
linear and the convolutions in the autocast dtype; the losses (cross_entropy, nll_loss,
mse_loss, l1_loss, binary_cross_entropy(_with_logits), smooth_l1/huber, kl_div, ...) in
float32; every other op in the dtype its inputs have. The default dtype on the CPU is
bfloat16, which NumPy lacks: ember takes it from ml_dtypes (``pip install 'ember[amp]'``).
float16 is accepted too. A "cuda" region needs a GPU; ember's CuPy arrays have no bfloat16,
so there the default is float16."""
import functools
import warnings

from .. import _runtime, _dtype


def is_autocast_available(device_type):
    return device_type in ("cpu", "cuda")


class autocast:
    """``with torch.autocast("cpu"):`` (or as a decorator)."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = device_type
        self.fast_dtype = dtype
        if device_type == "cpu":
            if dtype is None:
                self.fast_dtype = get_autocast_dtype("cpu")
            elif dtype not in (_dtype.float16,) and dtype.name != "bfloat16":
                warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                              "CPU Autocast only supports dtype of torch.bfloat16, torch.float16 currently.")
                enabled = False
        elif device_type == "cuda":
            from .. import cuda
            if enabled and not cuda.is_available():
                warnings.warn("User provided device_type of 'cuda', but CUDA is not available. Disabling")
                enabled = False
            self.fast_dtype = dtype or get_autocast_dtype("cuda")
        else:
            raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}'")
        self._enabled = enabled

    def __enter__(self):
        self.prev = _runtime.autocast_dtype, _runtime.autocast_device
        _runtime.autocast_dtype = self.fast_dtype.np if self._enabled else None
        _runtime.autocast_device = self.device
        return self

    def __exit__(self, *exc):
        _runtime.autocast_dtype, _runtime.autocast_device = self.prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapper


# the dtype a region on each device type uses when it names none (torch.set_autocast_dtype)
_defaults = {}


def is_autocast_enabled(device_type=None):
    """Whether an autocast region is open on `device_type` (torch without an argument asks about CUDA)."""
    return _runtime.autocast_dtype is not None and _runtime.autocast_device == (device_type or "cuda")


def get_autocast_dtype(device_type):
    if _runtime.autocast_dtype is not None and _runtime.autocast_device == device_type:
        return _dtype.from_np(_runtime.autocast_dtype)
    return _defaults.get(device_type) or (_dtype.bfloat16() if device_type == "cpu" else _dtype.float16)


def set_autocast_dtype(device_type, dtype):
    _defaults[device_type] = dtype


def set_autocast_enabled(device_type, enabled=None):
    """Turn autocast on or off for `device_type` without a ``with`` block (``set_autocast_enabled(True)``,
    torch's older form, means CUDA)."""
    if enabled is None:
        device_type, enabled = "cuda", device_type
    if enabled:
        _runtime.autocast_dtype, _runtime.autocast_device = get_autocast_dtype(device_type).np, device_type
    elif _runtime.autocast_device == device_type:
        _runtime.autocast_dtype = None


def _deprecated(old, new):
    warnings.warn(f"torch.{old}() is deprecated. Please use torch.{new} instead.", DeprecationWarning, stacklevel=3)


def is_autocast_cpu_enabled():
    _deprecated("is_autocast_cpu_enabled", "is_autocast_enabled('cpu')")
    return is_autocast_enabled("cpu")


def set_autocast_cpu_enabled(enabled):
    _deprecated("set_autocast_cpu_enabled", "set_autocast_enabled('cpu', enabled)")
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype():
    _deprecated("get_autocast_cpu_dtype", "get_autocast_dtype('cpu')")
    return get_autocast_dtype("cpu")


def get_autocast_gpu_dtype():
    _deprecated("get_autocast_gpu_dtype", "get_autocast_dtype('cuda')")
    return get_autocast_dtype("cuda")


def set_autocast_cpu_dtype(dtype):
    _deprecated("set_autocast_cpu_dtype", "set_autocast_dtype('cpu', dtype)")
    set_autocast_dtype("cpu", dtype)


def set_autocast_gpu_dtype(dtype):
    _deprecated("set_autocast_gpu_dtype", "set_autocast_dtype('cuda', dtype)")
    set_autocast_dtype("cuda", dtype)


# torch caches the casts of weights within a region; ember casts each time, so there is nothing to clear
_cache = [True]


def is_autocast_cache_enabled():
    return _cache[0]


def set_autocast_cache_enabled(enabled):
    _cache[0] = bool(enabled)


def clear_autocast_cache():
    pass


def custom_fwd(fwd=None, *, device_type=None, cast_inputs=None):
    """Decorate a custom Function's forward: with `cast_inputs`, it runs outside autocast with its
    floating inputs cast to that dtype."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def wrapper(*args, **kwargs):
        if cast_inputs is None or _runtime.autocast_dtype is None:
            return fwd(*args, **kwargs)
        args = _runtime._cast_floats(args, cast_inputs.np)
        with autocast(device_type or "cpu", enabled=False):
            return fwd(*args, **kwargs)
    return wrapper


def custom_bwd(bwd=None, *, device_type=None):
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd
