"""ember: PyTorch's components on NumPy. ``import ember as torch`` runs PyTorch code."""
import numpy as _np

# torch computes 1/0 = inf and log(-1) = nan without a word; so does ember
_np.seterr(divide="ignore", invalid="ignore", over="ignore", under="ignore")

from . import _dtype  # noqa: E402
from ._dtype import (dtype, float16, half, float32, float, float64, double, complex64, cfloat,  # noqa: E402,F401
                     complex128, cdouble, int8, int16, short, int32, int, int64, long, uint8, bool,
                     uint16, uint32, uint64,
                     get_default_dtype, set_default_dtype, promote_types as _promote_np)
from ._backend import device  # noqa: E402,F401
from ._tensor import Tensor, Size  # noqa: E402,F401
from ._tensor import (layout, strided, memory_format, contiguous_format, channels_last,  # noqa: E402,F401
                      channels_last_3d, preserve_format, legacy_contiguous_format, UntypedStorage, TypedStorage)
from ._tensor_str import set_printoptions  # noqa: E402,F401
from . import autograd  # noqa: E402,F401
from .autograd import no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled  # noqa: E402,F401
from . import random  # noqa: E402,F401
from .random import manual_seed, seed, initial_seed, get_rng_state, set_rng_state, Generator  # noqa: E402,F401
from .random import default_generator  # noqa: E402,F401
from .ops import (pointwise as _pointwise, reduction as _reduction, shape as _shape,  # noqa: E402
                  indexing as _indexing, linalg as _linalg_ops, creation as _creation, lapack as _lapack,
                  nn_functions as _nn_functions)

# helpers of the ops modules that torch has no top-level name for (Tensor methods, ember.linalg)
_NOT_TORCH = {"cast", "promote", "to_device", "getitem", "setitem", "expand", "expand_as", "repeat", "reshape_as",
              "sum_to_size", "view", "view_as", "inv", "linalg_cross", "linalg_norm", "matrix_norm", "svdvals",
              "vector_norm"}


def _export(module):
    # the ops modules' public functions become ember.<name>, as torch.<name>
    g = globals()
    for name, obj in vars(module).items():
        if not name.startswith("_") and name not in _NOT_TORCH and callable(obj) and not isinstance(obj, type) \
                and getattr(obj, "__module__", None) == module.__name__:
            g[name] = obj


for _m in (_pointwise, _reduction, _shape, _indexing, _linalg_ops, _creation, _lapack, _nn_functions):
    _export(_m)
del _m
from .ops.creation import finfo, iinfo  # noqa: E402,F401
__version__ = "0.1.0"
# torch's constants (torch.pi in tutorials, torch.inf in masks, x[torch.newaxis])
pi, e, inf, nan, newaxis = _np.pi, _np.e, _np.inf, _np.nan, None


def softmax(input, dim=None, dtype=None):
    from .nn.functional import softmax
    return softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, dtype=None):
    from .nn.functional import log_softmax
    return log_softmax(input, dim, dtype=dtype)


def dropout(input, p=0.5, train=True):
    from .nn.functional import dropout
    return dropout(input, p, train)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def result_type(tensor1, tensor2):
    return _dtype.from_np(_dtype.result_type(tensor1, tensor2))


def promote_types(type1, type2):
    return _dtype.from_np(_np.dtype(_promote_np(type1.np, type2.np)))


def can_cast(from_, to):
    return _dtype._CATEGORY[from_.np.kind] <= _dtype._CATEGORY[to.np.kind]


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def get_num_threads():
    from . import _threads
    return _threads.get_num_threads()


def set_num_threads(n):
    from . import _threads
    _threads.set_num_threads(n)


def compile(model=None, **kwargs):
    """torch.compile: capture on the first call with each signature, replay after (ember.compiler)."""
    from .compiler import compile as _compile
    return _compile(model, **kwargs)


from .serialization import save, load  # noqa: E402,F401
# the idioms of older programs (FloatTensor & co., torch.svd) and process-wide settings
from . import _legacy  # noqa: E402
from ._legacy import (FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor,  # noqa: E402,F401
                      CharTensor, ByteTensor, BoolTensor, set_default_tensor_type, svd, cholesky, lu)
from ._runtime import (set_default_device, get_default_device, use_deterministic_algorithms,  # noqa: E402,F401
                       are_deterministic_algorithms_enabled, is_deterministic_algorithms_warn_only_enabled,
                       set_deterministic_debug_mode, get_deterministic_debug_mode, set_warn_always,
                       is_warn_always_enabled, get_float32_matmul_precision, set_float32_matmul_precision,
                       get_num_interop_threads, set_num_interop_threads, init_num_threads, set_flush_denormal,
                       typename, get_device_module, has_lapack, has_spectral, has_mkl, has_openmp)
from .autograd import is_inference_mode_enabled  # noqa: E402,F401
from . import _out  # noqa: E402
_out.add_out(globals())  # out= on every function torch takes it on (last: after all names above exist)

_LAZY = {"linalg", "nn", "optim", "utils", "vision", "models", "onnx", "distributed", "cuda", "backends", "jit", "amp",
         "profiler", "functional", "cpu", "accelerator", "distributions", "func", "compiler", "fft", "special",
         "signal", "masked", "quasirandom"}
# top-level names whose code lives in a lazy module (torch.stft and the windows in fft, torch.lgamma in special)
_LAZY_NAMES = dict.fromkeys(("view_as_real", "view_as_complex", "stft", "istft", "hann_window", "hamming_window",
                             "blackman_window", "bartlett_window", "kaiser_window"), "fft")
_LAZY_NAMES.update(dict.fromkeys(("lgamma", "digamma", "polygamma", "mvlgamma", "i0", "igamma", "igammac"), "special"))
_LAZY_NAMES.update(dict.fromkeys(("norm_except_dim", "lu_unpack", "gradient", "binomial", "embedding_renorm_",
                                  "from_file", "svd_lowrank", "pca_lowrank", "lobpcg",
                                  "histogramdd"), "_composites"))

_AUTOCAST_NAMES = {"autocast", "is_autocast_enabled", "get_autocast_dtype", "set_autocast_enabled", "set_autocast_dtype",
                   "is_autocast_cpu_enabled", "set_autocast_cpu_enabled", "get_autocast_cpu_dtype",
                   "get_autocast_gpu_dtype", "set_autocast_cpu_dtype", "set_autocast_gpu_dtype",
                   "is_autocast_cache_enabled", "set_autocast_cache_enabled", "clear_autocast_cache"}


def __getattr__(name):
    # submodules load on first use, so `import ember` stays fast (torch.nn works as ember.nn)
    if name in _LAZY:
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY_NAMES:
        import importlib
        fn = getattr(importlib.import_module(f"{__name__}.{_LAZY_NAMES[name]}"), name)
        if name in _out.NAMES and not getattr(fn, "_takes_out", False):  # (torch.lgamma(x, out=y))
            fn = globals()[name] = _out.with_out(fn, name)
        return fn
    if name in ("bfloat16", "BFloat16Tensor"):  # NumPy has none: ml_dtypes adds it (the `amp` extra), on first use
        return _dtype.bfloat16() if name == "bfloat16" else _legacy.bfloat16_type()
    if name in _AUTOCAST_NAMES:  # torch.autocast is torch.amp.autocast
        from .amp import autocast_mode
        return getattr(autocast_mode, name)
    if name == "GradScaler":
        from .amp import GradScaler
        return GradScaler
    if name in ("OutOfMemoryError", "AcceleratorError"):
        from . import cuda
        return getattr(cuda, name)
    if name in ("is_anomaly_enabled", "is_anomaly_check_nan_enabled", "set_anomaly_enabled"):
        from .autograd import anomaly_mode
        return getattr(anomaly_mode, name)
    raise AttributeError(f"module 'ember' has no attribute '{name}'")
