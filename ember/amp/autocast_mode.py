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
                self.fast_dtype = _dtype.bfloat16()
            elif dtype not in (_dtype.float16,) and dtype.name != "bfloat16":
                warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                              "CPU Autocast only supports dtype of torch.bfloat16, torch.float16 currently.")
                enabled = False
        elif device_type == "cuda":
            from .. import cuda
            if enabled and not cuda.is_available():
                warnings.warn("User provided device_type of 'cuda', but CUDA is not available. Disabling")
                enabled = False
            self.fast_dtype = dtype or _dtype.float16
        else:
            raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}'")
        self._enabled = enabled

    def __enter__(self):
        self.prev = _runtime.autocast_dtype
        _runtime.autocast_dtype = self.fast_dtype.np if self._enabled else None
        return self

    def __exit__(self, *exc):
        _runtime.autocast_dtype = self.prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapper


def is_autocast_enabled(device_type=None):
    """Whether an autocast region is open (torch without an argument asks about CUDA)."""
    return device_type is not None and _runtime.autocast_dtype is not None


def get_autocast_dtype(device_type):
    if _runtime.autocast_dtype is not None:
        return _dtype.from_np(_runtime.autocast_dtype)
    return _dtype.bfloat16() if device_type == "cpu" else _dtype.float16


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
