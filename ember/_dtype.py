"""ember's dtypes and torch's type-promotion rules, on top of NumPy dtypes."""
import numpy as np


class dtype:
    """A tensor element type, printed and compared like ``torch.float32``."""
    __slots__ = ("name", "np", "is_floating_point", "is_complex", "is_signed", "itemsize")

    def __init__(self, name, np_dtype):
        self.name, self.np = name, np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_complex = self.np.kind == "c"
        self.is_signed = self.np.kind in "fic"
        self.itemsize = self.np.itemsize

    def __repr__(self):
        return "ember." + self.name

    def to_real(self):
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    def __reduce__(self):  # pickles as the module-level singleton
        return (_by_name, (self.name,))


float16 = half = dtype("float16", np.float16)
float32 = float = dtype("float32", np.float32)
float64 = double = dtype("float64", np.float64)
complex64 = cfloat = dtype("complex64", np.complex64)
complex128 = cdouble = dtype("complex128", np.complex128)
int8 = dtype("int8", np.int8)
int16 = short = dtype("int16", np.int16)
int32 = int = dtype("int32", np.int32)
int64 = long = dtype("int64", np.int64)
uint8 = dtype("uint8", np.uint8)
bool = dtype("bool", np.bool_)
# torch's "shell" unsigned types: storage, conversion and a few ops, and no promotion with other integers
uint16 = dtype("uint16", np.uint16)
uint32 = dtype("uint32", np.uint32)
uint64 = dtype("uint64", np.uint64)

ALL = (float16, float32, float64, complex64, complex128, int8, int16, int32, int64, uint8, bool, uint16, uint32, uint64)
_SHELL_UINTS = (np.dtype(np.uint16), np.dtype(np.uint32), np.dtype(np.uint64))
_SCALAR_TYPE = {"int8": "Char", "uint8": "Byte", "int16": "Short", "int32": "Int", "int64": "Long", "bool": "Bool",
                "uint16": "UInt16", "uint32": "UInt32", "uint64": "UInt64"}
_from_np = {d.np: d for d in ALL}
_names = {d.name: d for d in ALL}


def _by_name(name):
    if name == "bfloat16":
        return bfloat16()
    return _names[name]


_bfloat16 = []


def bfloat16():
    """``ember.bfloat16``: NumPy has no bfloat16, the ml_dtypes package adds it (the `amp` extra).
    Made on first use, so `import ember` does not import ml_dtypes."""
    if not _bfloat16:
        try:
            import ml_dtypes
        except ImportError:
            raise ImportError("ember.bfloat16 needs the ml_dtypes package: pip install 'ember[amp]'") from None
        d = dtype("bfloat16", ml_dtypes.bfloat16)
        d.is_floating_point = d.is_signed = True  # (NumPy files it under kind "V", not "f")
        _from_np[d.np] = _names["bfloat16"] = d
        _CATEGORY["V"] = 2  # a floating-point type in torch's promotion (bfloat16 with float16 gives float32)
        _bfloat16.append(d)
    return _bfloat16[0]


def from_np(np_dtype):
    """The ember dtype of a NumPy dtype."""
    try:
        return _from_np[np_dtype]
    except KeyError:
        raise TypeError(f"ember has no dtype for NumPy's {np_dtype}") from None


_pyfloat, _pyint, _pybool, _pycomplex = type(1.0), type(1), type(True), type(1j)


def to_np(d):
    """The NumPy dtype for an ember dtype, a NumPy dtype, a Python type or a name."""
    if d is None or d.__class__ is dtype:
        return None if d is None else d.np
    if d is _pyfloat:
        return _default.np
    if d is _pyint:
        return np.dtype(np.int64)
    if d is _pybool:
        return np.dtype(np.bool_)
    if isinstance(d, str):
        return _names[d.replace("torch.", "").replace("ember.", "")].np
    return np.dtype(d)


_default = float32


def get_default_dtype():
    return _default


def set_default_dtype(d):
    global _default
    if d not in (float32, float64, float16):
        raise TypeError("only floating-point types are supported as the default type")
    _default = d


# torch orders kinds bool < integer < floating < complex; NumPy's kind letters map onto that.
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def promote_types(a, b):
    """torch.promote_types on NumPy dtypes: the higher category wins outright,
    within a category the wider type (int8 with uint8 gives int16)."""
    if a == b:
        return a
    ca, cb = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if (a in _SHELL_UINTS or b in _SHELL_UINTS) and ca < 2 and cb < 2:
        raise RuntimeError(f"Promotion for uint16, uint32, uint64 types is not supported, attempted to promote "
                           f"{_SCALAR_TYPE[a.name]} and {_SCALAR_TYPE[b.name]}")
    if ca != cb:
        hi, lo = (a, b) if ca > cb else (b, a)
        if hi.kind == "c" and lo.kind == "f":  # complex64 with float64 gives complex128
            return np.promote_types(hi, lo)
        return hi
    return np.promote_types(a, b)


def scalar_dtype(x):
    """The dtype torch gives a Python number when it stands alone: default float, int64, bool."""
    t = type(x)
    if t is _pybool or t is np.bool_:
        return np.dtype(np.bool_)
    if t is _pyint or isinstance(x, np.integer):
        return np.dtype(np.int64)
    if t is _pycomplex or isinstance(x, np.complexfloating):
        return np.dtype(np.complex128 if _default is float64 else np.complex64)
    return _default.np


def result_type(*args):
    """torch.result_type over tensors and Python numbers.

    torch ranks three groups: tensors with dimensions, 0-d tensors, Python numbers.
    A lower group only changes the result when its category (bool < int < float <
    complex) is higher than everything before it.
    """
    from ._tensor import Tensor
    groups = [None, None, None]
    for x in args:
        if isinstance(x, Tensor):
            g, d = (0 if x._data.ndim else 1), x._data.dtype
        elif isinstance(x, np.ndarray):
            g, d = (0 if x.ndim else 1), x.dtype
        else:
            # a Python number only tells its category; its width comes from the defaults
            g, d = 2, scalar_dtype(x)
        groups[g] = d if groups[g] is None else promote_types(groups[g], d)
    out = None
    for d in groups:
        if d is None:
            continue
        if out is None:
            out = d
        elif _CATEGORY[d.kind] > _CATEGORY[out.kind]:
            out = np.promote_types(out, d) if d.kind == "c" else d
    return out
