"""The idioms of older PyTorch code: ``torch.FloatTensor(...)`` and its kin, ``torch.Tensor(...)``'s
legacy forms, ``x.type(...)`` names, ``set_default_tensor_type`` and the top-level linear-algebra
names torch keeps for old programs (``svd``, ``cholesky``, ``lu``). Each is composed from today's API.
"""
import warnings
from collections import namedtuple

import numpy as np

from . import _dtype
from ._backend import to_device


class _TensorType(type):
    """The metaclass of ``FloatTensor`` & co. (torch's ``tensortype``): calling one makes a tensor
    of its dtype; ``isinstance(x, FloatTensor)`` asks whether x is a float32 tensor on its device."""

    def __instancecheck__(cls, obj):
        from ._tensor import Tensor
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype.np and obj.is_cuda == cls.is_cuda

    def __call__(cls, *args, device=None):
        if cls.is_cuda:
            from . import cuda
            if not cuda.is_available():
                raise TypeError(f"type {cls.__module__}.{cls.__name__} not available. "
                                "Torch not compiled with CUDA enabled.")
            device = device or "cuda"
        from ._tensor import _wrap
        return _wrap(legacy_data(args, cls.dtype, device))

    def __repr__(cls):
        return f"<class '{cls.__module__}.{cls.__name__}'>"


def _tensor_type(name, d, is_cuda):
    return _TensorType(name, (), {"dtype": d, "is_cuda": is_cuda, "is_sparse": False,
                                  "__module__": "ember.cuda" if is_cuda else "ember"})


_NAMES = {"FloatTensor": _dtype.float32, "DoubleTensor": _dtype.float64, "HalfTensor": _dtype.float16,
          "LongTensor": _dtype.int64, "IntTensor": _dtype.int32, "ShortTensor": _dtype.int16,
          "CharTensor": _dtype.int8, "ByteTensor": _dtype.uint8, "BoolTensor": _dtype.bool}
CPU_TYPES = {name: _tensor_type(name, d, False) for name, d in _NAMES.items()}
CUDA_TYPES = {name: _tensor_type(name, d, True) for name, d in _NAMES.items()}
_BY_DTYPE = {(t.dtype.name, cuda): t for types, cuda in ((CPU_TYPES, False), (CUDA_TYPES, True))
             for t in types.values()}

FloatTensor, DoubleTensor, HalfTensor = CPU_TYPES["FloatTensor"], CPU_TYPES["DoubleTensor"], CPU_TYPES["HalfTensor"]
LongTensor, IntTensor, ShortTensor = CPU_TYPES["LongTensor"], CPU_TYPES["IntTensor"], CPU_TYPES["ShortTensor"]
CharTensor, ByteTensor, BoolTensor = CPU_TYPES["CharTensor"], CPU_TYPES["ByteTensor"], CPU_TYPES["BoolTensor"]


def legacy_data(args, dtype, device=None):
    """The array of a legacy constructor call: ``T(2, 3)`` or ``T(Size)`` is uninitialised memory,
    ``T(sequence)`` copies the data as `dtype`, ``T(tensor)`` shares the tensor's memory (its
    dtype must be `dtype`), ``T()`` is empty. `dtype` None is ``torch.Tensor``: the default dtype,
    and a tensor is shared whatever its dtype."""
    from ._tensor import Tensor, Size
    if len(args) == 1 and isinstance(args[0], Tensor):
        t = args[0]
        if dtype is not None and t._data.dtype != dtype.np:
            raise TypeError(f"expected {dtype} (got {t.dtype})")
        return t._data
    dtype = dtype or _dtype.get_default_dtype()
    if len(args) == 1 and not isinstance(args[0], (int, np.integer, Size)):
        from .ops.creation import tensor
        a = tensor(args[0], dtype=dtype)._data
    else:
        shape = tuple(args[0]) if len(args) == 1 and isinstance(args[0], Size) else args or (0,)
        for s in shape:
            if not isinstance(s, (int, np.integer)):
                raise TypeError(f"new(): argument 'size' must be tuple of ints, but found element of type "
                                f"{type(s).__name__}")
        a = np.empty(tuple(int(s) for s in shape), dtype=dtype.np)
    if device is None:
        from ._runtime import get_default_device
        device = get_default_device()
    return a if str(device) == "cpu" else to_device(a, device)


def type_name(t):
    """``x.type()``: torch's legacy type name, ``'torch.FloatTensor'`` (``'torch.cuda.FloatTensor'``)."""
    if t.dtype.name == "bfloat16":
        bfloat16_type()
    cls = _BY_DTYPE.get((t.dtype.name, t.is_cuda))
    if cls is None:
        return "torch.Tensor"
    return ("torch.cuda." if t.is_cuda else "torch.") + cls.__name__


def to_type(t, dtype, non_blocking=False):
    """``x.type(dtype)`` with a dtype, a legacy type (``torch.LongTensor``) or its name."""
    if dtype is None:
        return type_name(t)
    if isinstance(dtype, str):
        name = dtype.replace("ember.", "torch.")
        cuda = name.startswith("torch.cuda.")
        cls = (CUDA_TYPES if cuda else CPU_TYPES).get(name.rsplit(".", 1)[-1])
        if cls is None or not name.startswith("torch."):
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = cls
    if isinstance(dtype, _TensorType):
        t = t.to("cuda" if dtype.is_cuda else "cpu")
        dtype = dtype.dtype
    return t.to(dtype)


def set_default_tensor_type(t):
    """Deprecated: the default dtype (and device, for a ``torch.cuda.*`` type) of new tensors."""
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.", UserWarning,
                  stacklevel=2)
    if isinstance(t, str):
        name = t.replace("ember.", "torch.")
        t = (CUDA_TYPES if name.startswith("torch.cuda.") else CPU_TYPES).get(name.rsplit(".", 1)[-1])
        if t is None:
            raise TypeError(f"invalid type: '{name}'")
    if not isinstance(t, _TensorType):
        raise TypeError("invalid type object")
    if not t.dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    from ._runtime import set_default_device
    _dtype.set_default_dtype(t.dtype)
    set_default_device("cuda" if t.is_cuda else "cpu")


# ---------------------------------------------------------------------- top-level linear algebra
def _linalg(name):
    from . import linalg
    return getattr(linalg, name)


_svd = namedtuple("svd", ["U", "S", "V"])


def svd(input, some=True, compute_uv=True):
    """Deprecated ``torch.svd``: ``(U, S, V)`` with ``input = U diag(S) V^H`` (V, not V^H)."""
    from .ops.creation import zeros
    if not compute_uv:
        s = _linalg("svdvals")(input)
        m, n = input.shape[-2], input.shape[-1]
        batch = tuple(input.shape[:-2])
        # (zero-filled U and V, square whatever `some` says, as torch's)
        return _svd(zeros(*batch, m, m, dtype=input.dtype), s, zeros(*batch, n, n, dtype=input.dtype))
    u, s, vh = _linalg("svd")(input, full_matrices=not some)
    return _svd(u, s, vh.mH)


_CHOLESKY_WARNING = ("torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a future "
                     "PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\nL = torch.linalg.cholesky(A)\n"
                     "and\nU = torch.cholesky(A, upper=True)\nshould be replaced with\nU = torch.linalg.cholesky(A).mH\n"
                     "This transform will produce equivalent results for all valid (symmetric positive definite) "
                     "inputs.")


def cholesky(input, upper=False):
    """Deprecated ``torch.cholesky``: the lower (or upper) Cholesky factor."""
    warnings.warn(_CHOLESKY_WARNING, UserWarning, stacklevel=2)
    L = _linalg("cholesky")(input)
    return L.mH if upper else L


def lu(A, pivot=True, get_infos=False):
    """Deprecated ``torch.lu``: ``(LU, pivots)`` (and ``infos``) as ``torch.linalg.lu_factor(_ex)``."""
    warnings.warn("torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and will "
                  "be removed in a future PyTorch release.", UserWarning, stacklevel=2)
    if get_infos:
        return tuple(_linalg("lu_factor_ex")(A, pivot=pivot))
    return tuple(_linalg("lu_factor")(A, pivot=pivot))


def alpha_first(name, alpha, rest):
    """The deprecated ``x.add(alpha, other)`` (also sub, add_, sub_): torch warns, then computes
    ``x + alpha * other``."""
    from ._tensor import Tensor
    if len(rest) != 1 or isinstance(alpha, Tensor) or not isinstance(rest[0], Tensor):
        raise TypeError(f"{name}() takes from 1 to 2 positional arguments but {len(rest) + 1} were given")
    warnings.warn(f"This overload of {name} is deprecated:\n\t{name}(Number alpha, Tensor other)\n"
                  f"Consider using one of the following signatures instead:\n\t"
                  f"{name}(Tensor other, *, Number alpha = 1)", UserWarning, stacklevel=3)
    return rest[0], alpha


def bfloat16_type():
    """``torch.BFloat16Tensor`` (made with ember.bfloat16, on first use)."""
    if "BFloat16Tensor" not in CPU_TYPES:
        d = _dtype.bfloat16()
        CPU_TYPES["BFloat16Tensor"] = t = _tensor_type("BFloat16Tensor", d, False)
        _BY_DTYPE[(d.name, False)] = t
    return CPU_TYPES["BFloat16Tensor"]
