"""Elementwise operations: each primitive's forward (on arrays) sits above its backward
(on tensors); composites are built from primitives and need no backward of their own.

Forwards call NumPy functions; CuPy arrays implement NumPy's dispatch protocols, so the
same code runs on the GPU (see ``ember/_backend.py``).
"""
import builtins
import cmath
import collections
import math

import numpy as np

from .._tensor import Tensor, _wrap
from .. import _dtype
from .._backend import special as _special, to_device as _to_device_array
from ..autograd.function import Op, _shape_error
from ..autograd import trace as _trace

_CAT = _dtype._CATEGORY
_SCALAR_CAT = {bool: 0, int: 1, float: 2, complex: 3}

# the names torch uses for dtypes in its error messages
_TORCH_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
                "int64": "Long", "float16": "Half", "float32": "Float", "float64": "Double",
                "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def _tname(np_dtype):
    """torch's name for a dtype in error messages ('Float', 'Long', ...)."""
    return _TORCH_NAMES.get(np.dtype(np_dtype).name, str(np_dtype))


# ---------------------------------------------------------------- type promotion
def _as_tensor(x):
    """Turn a non-tensor operand that is not a Python number into a tensor."""
    from .creation import tensor
    return tensor(x)


def _scalar(x):
    """A Python number from a Python or NumPy scalar (torch treats NumPy scalars as Python numbers)."""
    if isinstance(x, np.generic):
        return x.item()
    return x


def _wrap_int(s, dt):
    """A Python int wrapped into integer dtype `dt`, as torch does (uint8 tensor + 300 wraps)."""
    info = np.iinfo(dt)
    if info.min <= s <= info.max:
        return s
    return (s - info.min) % (1 << info.bits) + info.min


def promote(a, b):
    """Cast two operands to torch's result dtype. Tensors are cast; Python numbers stay
    Python numbers, which NumPy (>= 2) then treats as weakly typed, as torch does."""
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if ta and tb:
        da, db = a._data.dtype, b._data.dtype
        if da == db:
            return a, b
        dt = _dtype.result_type(a, b)
        return (a if da == dt else cast(a, dt)), (b if db == dt else cast(b, dt))
    if not ta and not tb:
        a = _as_tensor(a)
        return promote(a, b)
    t, s = (a, b) if ta else (b, a)
    s = _scalar(s)
    sc = _SCALAR_CAT.get(type(s))
    if sc is None:
        s = _as_tensor(s)
        return promote(a if ta else s, s if ta else b)
    kind = t._data.dtype.kind
    if sc > _CAT[kind]:
        t = cast(t, _dtype.result_type(t, s))
    elif sc == 1 and kind in "iu":
        s = _wrap_int(s, t._data.dtype)  # NumPy refuses out-of-range Python ints; torch wraps them
    return (t, s) if ta else (s, t)


def _float_operands(a, b):
    """promote(a, b), where integers and bools go to the default float dtype (true division, atan2...)."""
    x, y = promote(a, b)
    t = x if isinstance(x, Tensor) else y
    if t._data.dtype.kind in "biu":
        return promote(_to_default_float(a), b)
    return x, y


def _to_default_float(x):
    return cast(x, _dtype.get_default_dtype().np) if isinstance(x, Tensor) else float(x)


def _is_float(a, b):
    return any(isinstance(v, float) or (isinstance(v, Tensor) and v._data.dtype.kind in "fc") for v in (a, b))


def _not_implemented(name, dt):
    # torch's message when a kernel has no version for a dtype (NotImplementedError is a RuntimeError)
    return NotImplementedError(f"\"{name}\" not implemented for '{_tname(dt)}'")


# Complex gradients follow torch's convention grad_in = grad_out * conj(d out / d in), so each
# backward below conjugates its derivative when the gradient is complex. The check is one dtype
# test; real gradients never pay for a conjugation.
def _cx(g):
    """Whether gradient g (an array or, under create_graph, a tensor) is complex."""
    try:
        return g.dtype.kind == "c"  # an array: the common case, one attribute read
    except AttributeError:  # a tensor (its dtype is ember's)
        return g._data.dtype.kind == "c"


def _conj(v):
    """The conjugate of an array, a tensor or a Python number (only called on the complex path)."""
    return v.conjugate() if v.__class__ in (int, float, complex, bool) else v.conj()


# ---------------------------------------------------------------- dtype and device
class Cast(Op):
    save, arrays = False, True

    def forward(self, x, dtype):
        self.src = x.dtype
        return x.astype(dtype)

    def backward(self, gy):
        if self.src.kind not in "fcV":  # (V: bfloat16)
            return None
        if self.src.kind != "c" and _cx(gy):  # a real input cast to complex gets the real part
            gy = gy.real
        return Cast.on(gy, self.src)


def cast(x, dtype):
    """x converted to NumPy dtype `dtype` (differentiable to float types; integers leave the graph)."""
    dtype = np.dtype(dtype)
    if dtype.kind not in "fcV" and _trace.active is None:  # (V: ml_dtypes' bfloat16, a float)
        return _wrap(x._data.astype(dtype))
    return Cast.apply(x, dtype)


class ToDevice(Op):
    save = False

    def forward(self, x, device):
        from .._backend import device_of
        self.src = device_of(x)
        return _to_device_array(x, device)

    def backward(self, gy):
        return to_device(gy, self.src)


def to_device(x, device):
    return ToDevice.apply(x, device)


class Clone(Op):
    save, arrays = False, True

    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return gy


def clone(input, memory_format=None):
    return Clone.apply(input)


# ---------------------------------------------------------------- arithmetic
class Add(Op):
    save, arrays = False, True

    def forward(self, x, y):
        return x + y

    def backward(self, gy):
        return gy, gy


class Sub(Op):
    save, arrays = False, True

    def forward(self, x, y):
        return x - y

    def backward(self, gy):
        return gy, (-gy if self.needs_input_grad[1] else None)


class Mul(Op):
    arrays = True

    def forward(self, x, y):
        return x * y

    def backward(self, gy):
        x, y = self.saved(gy)
        if _cx(gy):
            x, y = _conj(x), _conj(y)
        n = self.needs_input_grad
        return (gy * y if n[0] else None), (gy * x if n[1] else None)


class Div(Op):
    arrays = True

    def forward(self, x, y):
        return x / y

    def backward(self, gy):
        x, y = self.saved(gy)
        if _cx(gy):
            x, y = _conj(x), _conj(y)
        n = self.needs_input_grad
        gx = gy / y
        # d(x/y)/dy = -x / y^2, computed as torch does: -(gy / y) * x / y
        return (gx if n[0] else None), (-gx * x / y if n[1] else None)


class Neg(Op):
    save, arrays = False, True

    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Pow(Op):
    arrays = True

    def forward(self, x, y):
        if y.__class__ is np.ndarray and y.dtype.kind == "i" and (y < 0).any():
            return _int_pow(x, y)
        if y.__class__ is float and y == -0.5:  # torch computes this power as rsqrt (-0 gives -inf)
            return 1 / np.sqrt(x)
        return x ** y

    def backward(self, gy):
        x, y = self.saved(gy)
        if y.__class__ is int and y == 2 and gy.__class__ is x.__class__ is np.ndarray and gy.dtype.kind == "f":
            g = x * 2.0  # the square in every MSE: 2x, times gy in place (same bits as gy * (x * 2.0))
            g *= gy
            return g, None
        n = self.needs_input_grad
        c = _cx(gy)  # complex: each derivative d enters as conj(d)
        gx = gyy = None
        if n[0]:
            # y x^(y-1); torch defines it as 0 where y == 0 (even at x == 0, where it would be nan)
            if not _is_number(y):
                d = y * Pow.on(x, y - 1)
                gx = Where.on(y == 0, 0.0, gy * (_conj(d) if c else d))
            elif y == 2:  # the square in every MSE: two ops instead of three
                gx = gy * ((_conj(x) if c else x) * 2.0)
            elif y != 0:
                d = y * Pow.on(x, y - 1)
                gx = gy * (_conj(d) if c else d)
            else:
                gx = gy * 0
        if n[1]:
            # x^y log x; torch defines it as 0 where x == 0 and y >= 0 (the real part of y, if complex)
            p = Pow.on(x, y)
            yr = y.real if c and (y.__class__ is complex or not _is_number(y) and _cx(y)) else y
            if not _is_number(x):
                d = Where.on((x == 0) & (yr >= 0), 0.0, p * Log.on(x))
                gyy = gy * (_conj(d) if c else d)
            elif x == 0:
                gyy = gy * Where.on(yr >= 0, 0.0, p * -math.inf)
            else:
                d = p * (math.log(x) if x > 0 else cmath.log(x) if c else math.nan)
                gyy = gy * (_conj(d) if c else d)
        return gx, gyy


def _is_number(v):
    return v.__class__ in (float, int, bool)


def _int_pow(x, y):
    """torch's integer power with negative exponents: 0, except for the bases 1 and -1."""
    r = np.power(x, np.maximum(y, 0))
    odd = np.where(y % 2 == 0, 1, -1)
    neg = np.where(np.equal(x, 1), 1, np.where(np.equal(x, -1), odd, 0))
    return np.where(y < 0, neg, r).astype(r.dtype, copy=False)


def add(input, other, *, alpha=1):
    if alpha != 1:
        other = mul(other, _alpha(input, other, alpha))
    a, b = promote(input, other)
    return Add.apply(a, b)


def _alpha(x, y, alpha):
    if isinstance(alpha, float) and not _is_float(x, y):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    return alpha


def sub(input, other, *, alpha=1):
    # torch refuses to subtract bools, even from a float tensor (checked inline: sub is on the hot path)
    if (input.__class__ is bool or other.__class__ is bool
            or (isinstance(input, Tensor) and input._data.dtype.kind == "b")
            or (isinstance(other, Tensor) and other._data.dtype.kind == "b")):
        if _is_bool(input) and _is_bool(other):
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                               "Use the `^` or `logical_xor()` operator instead.")
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    if alpha != 1:
        other = mul(other, _alpha(input, other, alpha))
    a, b = promote(input, other)
    return Sub.apply(a, b)


def _is_bool(x):
    return x.__class__ is bool or (isinstance(x, Tensor) and x._data.dtype.kind == "b")


subtract = sub


def rsub(input, other, *, alpha=1):
    return sub(other, input, alpha=alpha)


def mul(input, other):
    a, b = promote(input, other)
    return Mul.apply(a, b)


multiply = mul


def div(input, other, *, rounding_mode=None):
    if rounding_mode is not None:
        return _div_rounded(input, other, rounding_mode)
    a, b = promote(input, other)
    t = a if isinstance(a, Tensor) else b
    if t._data.dtype.kind in "biu":  # true division of integers gives the default float dtype
        a, b = promote(_to_default_float(input), other)
    return Div.apply(a, b)


divide = true_divide = div


def _div_rounded(input, other, mode):
    if mode not in ("trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{mode}'")
    a, b = promote(input, other)
    t = a if isinstance(a, Tensor) else b
    if t._data.dtype.kind in "fc":
        # rounded division has a zero gradient in torch (not none)
        return _ZeroGrad.apply(np.floor_divide if mode == "floor" else _trunc_div, a, b)
    _check_int_divisor(b)
    return _nograd(np.floor_divide if mode == "floor" else _trunc_div, a, b)


def _trunc_div(x, y):
    if np.result_type(x, y).kind in "fc":
        return np.trunc(x / y)
    # integer division rounding toward zero: floor division, corrected where the signs differ
    q, r = np.divmod(x, y)
    return q + ((r != 0) & (np.less(x, 0) != np.less(y, 0)))


def _check_int_divisor(y):
    """Integer division by zero is an error in torch (NumPy would give 0 and a warning)."""
    a = y._data if isinstance(y, Tensor) else y
    if not isinstance(a, float) and np.any(np.equal(a, 0)):
        raise RuntimeError("ZeroDivisionError")


def neg(input):
    if not isinstance(input, Tensor):
        return Neg.apply(input)
    if input._data.dtype.kind == "b":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    return Neg.apply1(input)


negative = neg


def pow(input, exponent):
    if type(exponent) is int and exponent < 0 and isinstance(input, Tensor) and input._data.dtype.kind in "biu":
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    a, b = promote(input, exponent)
    if (a if isinstance(a, Tensor) else b)._data.dtype.kind == "b":  # both bools
        if isinstance(b, Tensor):
            raise _not_implemented("pow", np.bool_)
        return a.clone() if b else a | True  # x ** True is x, x ** False is all True
    return Pow.apply(a, b)


def float_power(input, exponent):
    a = cast(input, np.float64) if isinstance(input, Tensor) else float(input)
    b = cast(exponent, np.float64) if isinstance(exponent, Tensor) else exponent
    return Pow.apply(a, b)


def square(input):
    if input._data.dtype.kind == "b":  # torch squares bools as int64
        input = cast(input, np.int64)
    return mul(input, input)


def reciprocal(input):
    return div(1.0, input) if input._data.dtype.kind in "fc" else div(1.0, _to_default_float(input))


def rsqrt(input):
    return reciprocal(sqrt(input))


class Fmod(Op):
    def forward(self, x, y):
        return np.fmod(x, y)

    def backward(self, gy):
        x, y = self.inputs
        n = self.needs_input_grad
        return (gy if n[0] else None), (-gy * div(x, y, rounding_mode="trunc") if n[1] else None)


class Remainder(Op):
    def forward(self, x, y):
        return np.remainder(x, y)

    def backward(self, gy):
        x, y = self.inputs
        n = self.needs_input_grad
        return (gy if n[0] else None), (-gy * div(x, y, rounding_mode="floor") if n[1] else None)


def _int_operands(input, other, kernel):
    """promote, then torch's checks for integer kernels: no bools, no division by zero."""
    a, b = promote(input, other)
    if not _is_float(a, b):
        if _is_bool(a) and _is_bool(b):
            raise _not_implemented(kernel, np.bool_)
        _check_int_divisor(b)
    return a, b


def fmod(input, other):
    """C's fmod: the remainder has the sign of the dividend."""
    return Fmod.apply(*_int_operands(input, other, "fmod_cpu"))


def remainder(input, other):
    """Python's modulo: the remainder has the sign of the divisor."""
    return Remainder.apply(*_int_operands(input, other, "remainder_cpu"))


class FloorDivide(Op):
    save = False

    def forward(self, x, y):
        return np.floor_divide(x, y)

    def backward(self, gy):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


def floor_divide(input, other):
    a, b = _int_operands(input, other, "div_floor_cpu")
    if not _is_float(a, b):
        return _nograd(np.floor_divide, a, b)
    return FloorDivide.apply(a, b)


# ---------------------------------------------------------------- unary maths
class Exp(Op):
    save, saves_output, arrays = False, True, True

    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        y = self.output(gy)
        return gy * (y.conj() if _cx(gy) else y)


class Log(Op):
    arrays = True

    def forward(self, x):
        return np.log(x)

    def backward(self, gy):
        x = self.saved(gy)[0]
        return gy / (x.conj() if _cx(gy) else x)


class Log2(Op):
    arrays = True

    def forward(self, x):
        return np.log2(x)  # exact at powers of two, unlike log(x) / log(2)

    def backward(self, gy):
        x = self.saved(gy)[0]
        return gy / ((x.conj() if _cx(gy) else x) * math.log(2))


class Log10(Op):
    arrays = True

    def forward(self, x):
        return np.log10(x)

    def backward(self, gy):
        x = self.saved(gy)[0]
        return gy / ((x.conj() if _cx(gy) else x) * math.log(10))


class Log1p(Op):
    arrays = True

    def forward(self, x):
        return np.log1p(x)

    def backward(self, gy):
        x = self.saved(gy)[0]
        return gy / ((x.conj() if _cx(gy) else x) + 1)


class Expm1(Op):
    save, saves_output, arrays = False, True, True

    def forward(self, x):
        return np.expm1(x)

    def backward(self, gy):
        y = self.output(gy)
        return gy * ((y.conj() if _cx(gy) else y) + 1)


class Sqrt(Op):
    save, saves_output, arrays = False, True, True

    def forward(self, x):
        return np.sqrt(x)

    def backward(self, gy):
        y = self.output(gy)
        return gy / (2 * (y.conj() if _cx(gy) else y))  # inf at 0, as in torch


class Sin(Op):
    def forward(self, x):
        return np.sin(x)

    def backward(self, gy):
        d = cos(self.inputs[0])
        return gy * (d.conj() if _cx(gy) else d)


class Cos(Op):
    def forward(self, x):
        return np.cos(x)

    def backward(self, gy):
        d = -sin(self.inputs[0])
        return gy * (d.conj() if _cx(gy) else d)


class Tan(Op):
    save, saves_output = False, True

    def forward(self, x):
        return np.tan(x)

    def backward(self, gy):
        y = self.output(gy)
        y = y.conj() if _cx(gy) else y
        return gy * (1 + y * y)


class Asin(Op):
    def forward(self, x):
        return np.arcsin(x)

    def backward(self, gy):
        x = self.inputs[0]
        d = rsqrt(1 - x * x)
        return gy * (d.conj() if _cx(gy) else d)


class Acos(Op):
    def forward(self, x):
        return np.arccos(x)

    def backward(self, gy):
        x = self.inputs[0]
        d = -rsqrt(1 - x * x)
        return gy * (d.conj() if _cx(gy) else d)


class Atan(Op):
    def forward(self, x):
        return np.arctan(x)

    def backward(self, gy):
        x = self.inputs[0]
        x = x.conj() if _cx(gy) else x
        return gy / (x * x + 1)


class Sinh(Op):
    def forward(self, x):
        return np.sinh(x)

    def backward(self, gy):
        d = cosh(self.inputs[0])
        return gy * (d.conj() if _cx(gy) else d)


class Cosh(Op):
    def forward(self, x):
        return np.cosh(x)

    def backward(self, gy):
        d = sinh(self.inputs[0])
        return gy * (d.conj() if _cx(gy) else d)


class Tanh(Op):
    save, saves_output, arrays = False, True, True

    def forward(self, x):
        return np.tanh(x)

    def backward(self, gy):
        y = self.output(gy)
        y = y.conj() if _cx(gy) else y
        return gy * (1 - y * y)


class Asinh(Op):
    def forward(self, x):
        return np.arcsinh(x)

    def backward(self, gy):
        x = self.inputs[0]
        d = rsqrt(x * x + 1)
        return gy * (d.conj() if _cx(gy) else d)


class Acosh(Op):
    def forward(self, x):
        return np.arccosh(x)

    def backward(self, gy):
        x = self.inputs[0]
        d = rsqrt(x * x - 1)
        return gy * (d.conj() if _cx(gy) else d)


class Atanh(Op):
    arrays = True

    def forward(self, x):
        return np.arctanh(x)

    def backward(self, gy):
        x = self.saved(gy)[0]
        x = x.conj() if _cx(gy) else x
        return gy / (1 - x * x)


class Sigmoid(Op):
    save, saves_output, arrays = False, True, True

    def forward(self, x):
        if x.dtype.kind == "c":  # (no ordering to split on: the plain formula)
            return 1 / (1 + np.exp(-x))
        # exp of a negative argument only: no overflow for large |x|
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)

    def backward(self, gy):
        y = self.output(gy)
        y = y.conj() if _cx(gy) else y
        return gy * (1 - y) * y


class Erf(Op):
    def forward(self, x):
        return _erf(x)

    def backward(self, gy):
        x = self.inputs[0]
        return gy * (2 / math.sqrt(math.pi)) * exp(-(x * x))


class Erfc(Op):
    def forward(self, x):
        return _erfc(x)  # not 1 - erf(x), which is 0 in float32 from x = 4 on

    def backward(self, gy):
        x = self.inputs[0]
        return gy * (-2 / math.sqrt(math.pi)) * exp(-(x * x))


class Erfinv(Op):
    save, saves_output = False, True

    def forward(self, x):
        return _erfinv(x)

    def backward(self, gy):
        y = self.output(gy)
        return gy * (math.sqrt(math.pi) / 2) * exp(y * y)


class Abs(Op):
    def forward(self, x):
        return np.abs(x)

    def backward(self, gy):
        return gy * sign(self.inputs[0])  # sign(0) = 0: the gradient of abs at 0 is 0


class Relu(Op):
    save, saves_output, arrays = False, True, True

    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, gy):
        y = self.output(gy)
        return relu_grad(gy, y) if type(gy) is np.ndarray else gy * (y != 0)


def relu_grad(gy, y):
    """Relu's input gradient from its output, on arrays (ember.compile's lowering calls it too).
    A multiply by the mask is ~15x faster than where(); torch passes the gradient where not
    y <= 0, which for relu's output (>= 0 or NaN) is y != 0: one comparison, not two. The mask
    as 1.0 and 0.0 in the result's own buffer is ~1.4x faster than a bool mask."""
    if gy.shape != y.shape or gy.dtype != y.dtype:
        return gy * (y != 0)
    mask = np.not_equal(y, 0, out=np.empty_like(gy))
    return np.multiply(mask, gy, out=mask)


def _unary(cls):
    def fn(input):
        if not isinstance(input, Tensor):
            input = _as_tensor(input)
        if input._data.dtype.kind in "biu":  # torch computes float functions of integers in the default dtype
            input = cast(input, _dtype.get_default_dtype().np)
        return cls.apply1(input)
    fn.__name__ = fn.__qualname__ = cls.__name__.lower()
    return fn


exp, expm1, log, log2, log10, log1p = map(_unary, (Exp, Expm1, Log, Log2, Log10, Log1p))
sqrt, sigmoid, erf, erfc, erfinv = map(_unary, (Sqrt, Sigmoid, Erf, Erfc, Erfinv))
sin, cos, tan, asin, acos, atan = map(_unary, (Sin, Cos, Tan, Asin, Acos, Atan))
sinh, cosh, tanh, asinh, acosh, atanh = map(_unary, (Sinh, Cosh, Tanh, Asinh, Acosh, Atanh))
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh


def exp2(input):
    return pow(2.0, input) if input._data.dtype.kind in "fc" else pow(2.0, _to_default_float(input))


def abs(input):
    if input._data.dtype.kind == "b":
        raise _not_implemented("abs_cpu", np.bool_)
    return Abs.apply(input)


absolute = abs


def relu(input):
    if not isinstance(input, Tensor):
        raise TypeError(f"relu(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return Relu.apply1(input)


class Atan2(Op):
    def forward(self, y, x):
        return np.arctan2(y, x)

    def backward(self, g):
        y, x = self.inputs
        d = x * x + y * y
        r = where(d == 0, 0.0, 1 / d)  # torch gives 0 where x = y = 0 (or x^2 + y^2 underflows)
        n = self.needs_input_grad
        return (g * x * r if n[0] else None), (g * -y * r if n[1] else None)


def atan2(input, other):
    return Atan2.apply(*_float_operands(input, other))


arctan2 = atan2


# ---------------------------------------------------------------- selection: maximum, clamp, where
class Maximum(Op):
    def forward(self, x, y):
        return np.maximum(x, y)

    def backward(self, gy):
        return _pick_backward(gy, *self.inputs, self.needs_input_grad, gt)


class Minimum(Op):
    def forward(self, x, y):
        return np.minimum(x, y)

    def backward(self, gy):
        return _pick_backward(gy, *self.inputs, self.needs_input_grad, lt)


def _pick_backward(gy, x, y, n, wins):
    # as torch: ties split the gradient evenly; where a NaN is compared, both inputs get it
    g = where(x == y, gy * 0.5, gy)
    return (where(wins(y, x), 0.0, g) if n[0] else None), (where(wins(x, y), 0.0, g) if n[1] else None)


def maximum(input, other):
    a, b = promote(input, other)
    return Maximum.apply(a, b)


def minimum(input, other):
    a, b = promote(input, other)
    return Minimum.apply(a, b)


def fmax(input, other):
    """maximum that ignores NaN (the other value wins)."""
    a, b = promote(input, other)
    return where((a >= b) | isnan(b), a, b)


def fmin(input, other):
    """minimum that ignores NaN (the other value wins)."""
    a, b = promote(input, other)
    return where((a <= b) | isnan(b), a, b)


class Clamp(Op):
    def forward(self, x, lo, hi):
        return np.clip(x, lo, hi)

    def backward(self, gy):
        x, lo, hi = self.inputs
        n = self.needs_input_grad
        # x passes its gradient inside the bounds, boundaries included
        inside = (x >= lo) if hi is None else (x <= hi) if lo is None else (x >= lo) & (x <= hi)
        gx = where(inside, gy, 0.0) if n[0] else None
        # a tensor bound gets the gradient where it is the result (max wins when min > max)
        glo = ghi = None
        if n[1]:
            glo = where((x < lo) if hi is None else (x < lo) & (lo < hi), gy, 0.0)
        if n[2]:
            ghi = where((x > hi) if lo is None else (x > hi) | (hi < lo), gy, 0.0)
        return gx, glo, ghi


def clamp(input, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    lo, hi = _scalar(min), _scalar(max)
    if input._data.dtype.kind == "f" and not isinstance(lo, Tensor) and not isinstance(hi, Tensor):
        return Clamp.apply(input, lo, hi)  # Python bounds never change a float tensor's dtype
    # the result dtype comes from all three operands
    dt = _dtype.result_type(input, *(v for v in (lo, hi) if v is not None))
    t = input if input._data.dtype == dt else cast(input, dt)
    if isinstance(lo, Tensor) and lo._data.dtype != dt:
        lo = cast(lo, dt)
    if isinstance(hi, Tensor) and hi._data.dtype != dt:
        hi = cast(hi, dt)
    return Clamp.apply(t, lo, hi)


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


class Where(Op):
    arrays = True

    def forward(self, cond, x, y):
        return np.where(cond, x, y)

    def backward(self, gy):
        cond = self.saved(gy)[0]
        n = self.needs_input_grad
        return (None, Where.on(cond, gy, 0.0) if n[1] else None, Where.on(cond, 0.0, gy) if n[2] else None)


def where(condition, input=None, other=None):
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        condition = _as_tensor(condition)
    if condition._data.dtype.kind not in "bu":
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor with dtype "
                           + _tname(condition._data.dtype))
    a, b = promote(input, other)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a, b = promote(_as_tensor(a), b)
    return Where.apply(condition, a, b)


# ---------------------------------------------------------------- rounding and other steps (zero gradient)
class _ZeroGrad(Op):
    """A step function of its inputs (floor, round, sign...): torch gives it a zero gradient."""
    save = False

    def forward(self, fn, *xs):
        return fn(*xs)

    def backward(self, gy):
        z = _wrap(np.zeros_like(gy._data))
        return (None,) + (z,) * (len(self.next) - 1)


def _nograd(fn, *args):
    """Apply an array function that has no gradient (comparisons, logic, integer maths)."""
    arrays = [a._data if isinstance(a, Tensor) else a for a in args]
    try:
        out = _wrap(fn(*arrays))
    except ValueError as e:  # NumPy's shape errors become torch's
        raise _shape_error(args, e) from None
    if _trace.active is not None:  # recorded by name: "greater", "logical_not", ...
        _trace.active(fn.__name__, args, {}, out)
    return out


def _nograd_like(fn, input, name):
    """A step function of a float tensor, with a zero gradient; integers are returned as a copy."""
    kind = input._data.dtype.kind
    if kind in "iu":
        return input.clone()
    if kind == "b":
        raise _not_implemented(name, np.bool_)
    return _ZeroGrad.apply(fn, input)


def _sign(x):
    return np.sign(np.nan_to_num(x, nan=0.0)) if x.dtype.kind == "f" else np.sign(x)  # torch: sign(nan) = 0


def sign(input):
    if input._data.dtype.kind == "b":
        return input.clone()
    return _ZeroGrad.apply(_sign, input)


def sgn(input):
    """sign of a real input; z / |z| (0 at 0) of a complex one, differentiable as torch's sgn."""
    if input._data.dtype.kind != "c":
        return sign(input)
    a = abs(input)
    zero = a == 0
    return where(zero, 0.0, input / where(zero, 1.0, a))  # (the safe divisor keeps 0 * nan out of the gradient)


def signbit(input):
    return _nograd(np.signbit, input)


def floor(input):
    return _nograd_like(np.floor, input, "floor_vml_cpu")


def ceil(input):
    return _nograd_like(np.ceil, input, "ceil_vml_cpu")


def trunc(input):
    return _nograd_like(np.trunc, input, "trunc_vml_cpu")


fix = trunc


def round(input, *, decimals=0):
    # NumPy and torch both round half to even, and both scale by 10**decimals first
    if decimals == 0:
        return _nograd_like(np.round, input, "round_cpu")
    if input._data.dtype.kind != "f":
        raise _not_implemented("round_cpu", input._data.dtype)
    return _ZeroGrad.apply(np.round, input, decimals)


def frac(input):
    if input._data.dtype.kind != "f":
        raise _not_implemented("frac_cpu", input._data.dtype)
    return input - trunc(input)


def real(input):
    return Real.apply(input) if input._data.dtype.kind == "c" else input


def imag(input):
    if input._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return Imag.apply(input)


def conj(input):
    return Conj.apply(input) if input._data.dtype.kind == "c" else input


class Real(Op):
    view, save = True, False

    def forward(self, x):
        return x.real

    def backward(self, gy):
        return gy


class Imag(Op):
    view, save = True, False

    def forward(self, x):
        return x.imag

    def backward(self, gy):
        return gy * 1j


class Conj(Op):
    save = False

    def forward(self, x):
        return np.conj(x)

    def backward(self, gy):
        return conj(gy)


# ---------------------------------------------------------------- composites and special cases
def lerp(input, end, weight):
    if input._data.dtype.kind not in "fc":
        raise _not_implemented("lerp_kernel_scalar", input._data.dtype)
    if isinstance(end, Tensor) and end._data.dtype != input._data.dtype:
        raise RuntimeError(f"expected dtype {_tname(input._data.dtype).lower()} for `end` but got dtype "
                           f"{_tname(end._data.dtype).lower()}")
    # torch's formula: from the nearer end, so that lerp(a, b, 1) is exactly b
    d = end - input
    if isinstance(weight, Tensor):
        return where(abs(weight) < 0.5, input + weight * d, end - d * (1 - weight))
    return input + weight * d if builtins.abs(weight) < 0.5 else end - d * (1 - weight)


class Logit(Op):
    def forward(self, x, eps):
        z = x if eps is None else np.clip(x, eps, 1 - eps)
        return np.log(z / (1 - z))

    def backward(self, gy):
        x, eps = self.inputs
        g = gy / (x * (1 - x))
        # torch: NaN outside [0, 1] without eps, gy * inf at 0 and 1 (whatever the sign of zero);
        # 0 outside [eps, 1 - eps] with eps (the bounds pass)
        if eps is None:
            g = where((x == 0) | (x == 1), gy * math.inf, g)
            return where((x < 0) | (x > 1), math.nan, g), None
        return where((x < eps) | (x > 1 - eps), 0.0, g), None


def logit(input, eps=None):
    if input._data.dtype.kind in "biu":
        input = cast(input, _dtype.get_default_dtype().np)
    return Logit.apply(input, eps)


class Xlogy(Op):
    def forward(self, x, y):
        # 0 * log(0) is defined as 0, but a NaN in y still propagates
        return np.where(np.equal(x, 0) & ~np.isnan(y), 0, x * np.log(y)).astype(np.result_type(x, y), copy=False)

    def backward(self, gy):
        x, y = self.inputs
        n = self.needs_input_grad
        # torch: xlogy(gy, y), set to 0 where x == 0 and y <= 0
        gx = where((x == 0) & (y <= 0), 0.0, xlogy(gy, y)) if n[0] else None
        return gx, (gy * x / y if n[1] else None)


def xlogy(input, other):
    x, y = _float_operands(input, other)
    if not isinstance(y, Tensor):
        y = _as_tensor(y).to(x.dtype)
    return Xlogy.apply(x, y)


class NanToNum(Op):
    def forward(self, x, nan, posinf, neginf):
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, gy):
        return gy * isfinite(self.inputs[0]), None, None, None


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    return NanToNum.apply(input, nan, posinf, neginf)


def addcmul(input, tensor1, tensor2, *, value=1):
    p = tensor1 * tensor2
    if isinstance(value, float) and not _is_float(input, p):  # torch truncates value for integers
        value = int(value)
    return input + value * p


def addcdiv(input, tensor1, tensor2, *, value=1):
    if tensor1._data.dtype.kind in "biu" and tensor2._data.dtype.kind in "biu":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will "
            "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
            "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
            "inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior "
            "is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.")
    return input + value * (tensor1 / tensor2)


# ---------------------------------------------------------------- comparison and logic (no gradient)
def _cmp(np_fn):
    def fn(input, other):
        a, b = promote(input, other)
        return _nograd(np_fn, a, b)
    return fn


eq, ne, lt, le, gt, ge = (_cmp(np.equal), _cmp(np.not_equal), _cmp(np.less), _cmp(np.less_equal),
                          _cmp(np.greater), _cmp(np.greater_equal))
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _bitwise(np_fn, kernel, refused="fc"):
    def fn(input, other):
        a, b = promote(input, other)
        dt = (a if isinstance(a, Tensor) else b)._data.dtype
        if dt.kind in refused:
            raise _not_implemented(kernel, dt)
        return _nograd(np_fn, a, b)
    return fn


bitwise_and, bitwise_or = _bitwise(np.bitwise_and, "bitwise_and_cpu"), _bitwise(np.bitwise_or, "bitwise_or_cpu")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor_cpu")
bitwise_left_shift = _bitwise(np.left_shift, "lshift_cpu", "fcb")  # torch does not shift bools
bitwise_right_shift = _bitwise(np.right_shift, "rshift_cpu", "fcb")


def bitwise_not(input):
    if input._data.dtype.kind in "fc":
        raise _not_implemented("bitwise_not_cpu", input._data.dtype)
    return _nograd(np.invert, input)


def logical_and(input, other):
    return _nograd(np.logical_and, input, other)


def logical_or(input, other):
    return _nograd(np.logical_or, input, other)


def logical_xor(input, other):
    return _nograd(np.logical_xor, input, other)


def logical_not(input):
    return _nograd(np.logical_not, input)


def isnan(input):
    return _nograd(np.isnan, input)


def isinf(input):
    return _nograd(np.isinf, input)


def isposinf(input):
    return _nograd(np.isposinf, input)


def isneginf(input):
    return _nograd(np.isneginf, input)


def isfinite(input):
    return _nograd(np.isfinite, input)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{_tname(other._data.dtype)} did not match {_tname(input._data.dtype)}")
    if input._data.dtype.kind == "b":
        return eq(input, other)
    return _nograd(lambda x, y: np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan), input, other)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    return input.shape == other.shape and bool((input._data == other._data).all())


# ---------------------------------------------------------------- erf, erfc and erfinv in NumPy
# NumPy has no erf. These are W. J. Cody's rational Chebyshev approximations (as in
# SPECFUN's CALERF), accurate to double precision; computed in float64, returned in x's dtype.
_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
          3.20937758913846947e03, 1.85777706184603153e-1)
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
          2.84423683343917062e03)
_ERF_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
          2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
          2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_ERF_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
          1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
          3.43936767414372164e03, 1.23033935480374942e03)
_ERF_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
          1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_ERF_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
          6.05183413124413191e-2, 2.33520497626869185e-3)


def _erf(x):
    return _erf_or_erfc(x, False)


def _erfc(x):
    return _erf_or_erfc(x, True)


def _erf_or_erfc(x, complement):
    """erf(x), or erfc(x) without the cancellation of 1 - erf(x) for large x."""
    y = _special("erfc" if complement else "erf", x)
    if y is not None:
        return y
    dtype = x.dtype
    x = np.asarray(x, dtype=np.float64)
    ax = np.abs(x)
    out = np.empty_like(x)
    small = ax <= 0.46875
    if small.any():
        e = _erf_small(x[small])
        out[small] = 1 - e if complement else e
    large = ~small
    if large.any():
        c = _erfc_large(ax[large])  # erfc(|x|); erfc(-y) = 2 - erfc(y)
        neg = x[large] < 0
        out[large] = np.where(neg, 2 - c, c) if complement else np.where(neg, c - 1, 1 - c)
    out[np.isnan(x)] = np.nan
    return out.astype(dtype, copy=False)


def _erf_small(x):
    z = x * x
    num, den = _ERF_A[4] * z, z
    for i in range(3):
        num, den = (num + _ERF_A[i]) * z, (den + _ERF_B[i]) * z
    return x * (num + _ERF_A[3]) / (den + _ERF_B[3])


def _erfc_large(y):
    """erfc(y) for y > 0.46875 (NaN included, fixed by the caller)."""
    y = np.minimum(y, 30.0)  # erfc(30) underflows to 0 even in float64; keeps inf out of _exp_sq
    out = np.empty_like(y)
    mid = y <= 4.0
    if mid.any():
        v = y[mid]
        num, den = _ERF_C[8] * v, v
        for i in range(7):
            num, den = (num + _ERF_C[i]) * v, (den + _ERF_D[i]) * v
        out[mid] = _exp_sq(v) * (num + _ERF_C[7]) / (den + _ERF_D[7])
    big = ~mid
    if big.any():
        v = y[big]
        z = 1 / (v * v)
        num, den = _ERF_P[5] * z, z
        for i in range(4):
            num, den = (num + _ERF_P[i]) * z, (den + _ERF_Q[i]) * z
        r = z * (num + _ERF_P[4]) / (den + _ERF_Q[4])
        out[big] = _exp_sq(v) * (1 / math.sqrt(math.pi) - r) / v
    return out


def _exp_sq(y):
    # exp(-y*y) computed as exp(-ysq*ysq) * exp(-del) with ysq = y rounded to 1/16, so that
    # the large product y*y loses no precision (Cody's trick)
    ysq = np.trunc(y * 16) / 16
    d = (y - ysq) * (y + ysq)
    return np.exp(-ysq * ysq) * np.exp(-d)


def _erfinv(x):
    """Inverse erf: Giles' single-precision-start approximation refined by two Newton steps."""
    y = _special("erfinv", x)
    if y is not None:
        return y
    dtype = x.dtype
    x = np.asarray(x, dtype=np.float64)
    w = -np.log((1.0 - x) * (1.0 + x))
    y = np.where(w < 5.0, _poly_small(w - 2.5), _poly_big(np.sqrt(np.maximum(w, 5.0)) - 3.0)) * x
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(2):  # Newton: y -= (erf(y) - x) / erf'(y)
            y = y - (_erf(y) - x) / (2 / math.sqrt(math.pi) * np.exp(-y * y))
    y = np.where(x == 1, np.inf, np.where(x == -1, -np.inf, y))
    y = np.where(np.abs(x) > 1, np.nan, y)
    return y.astype(dtype, copy=False)


def _poly_small(w):
    p = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):
        p = c + p * w
    return p


def _poly_big(w):
    p = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):
        p = c + p * w
    return p


# ---------------------------------------------------------------- more composites
def logaddexp(input, other):
    # log(e^a + e^b) = max + log1p(e^-(|a-b|)): never overflows
    m = maximum(input, other)
    return m + log1p(exp(-abs(input - other)))


def hypot(input, other):
    return sqrt(input * input + other * other)


def deg2rad(input):
    return input * (math.pi / 180)


def rad2deg(input):
    return input * (180 / math.pi)


def heaviside(input, values):
    return where(input == 0, values, where(input > 0, 1, 0).to(input.dtype))


def sinc(input):
    # sin(pi x) / (pi x), with its limit 1 at x = 0
    px = input * math.pi
    safe = where(input == 0, 1.0, px)
    return where(input == 0, 1.0, sin(safe) / safe)


# ---------------------------------------------------------------- more of torch's elementwise API (composites)
def copysign(input, other):
    # |x| with the sign bit of other (-0.0 counts as negative, as in torch); float result
    x, y = promote(_to_default_float(input) if input._data.dtype.kind in "biu" else input, other)
    y = y if isinstance(y, Tensor) else _as_tensor(y)
    # the sign as a step function of other, so that other gets torch's zero gradient
    return abs(x) * _ZeroGrad.apply(_sign_of, y).to(x.dtype)


def _sign_of(a):
    return np.where(np.signbit(a), -1, 1).astype(a.dtype if a.dtype.kind == "f" else np.float32)


def angle(input):
    if input._data.dtype.kind == "c":
        return atan2(imag(input), real(input))
    x = _to_default_float(input) if input._data.dtype.kind in "biu" else input
    # pi for negative numbers, 0 otherwise, NaN kept; torch gives it a zero gradient
    return where(isnan(x), x, where(x < 0, math.pi, 0.0).to(x.dtype))


def _integer_op(np_fn, kernel):
    def fn(input, other):
        a, b = promote(input, other)
        dt = (a if isinstance(a, Tensor) else b)._data.dtype
        if dt.kind not in "iu":
            raise _not_implemented(kernel, dt)
        return _nograd(np_fn, a, b)
    return fn


gcd, lcm = _integer_op(np.gcd, "gcd_cpu"), _integer_op(np.lcm, "lcm_cpu")


def ldexp(input, other):
    # input * 2**other, computed in a float dtype
    x = _to_default_float(input) if input._data.dtype.kind in "biu" else input
    return x * pow(2.0, other if other._data.dtype.kind in "fc" else _to_default_float(other))


def frexp(input):
    if input._data.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    e = np.frexp(input._data)[1]
    # the mantissa as input / 2**exponent, so that it carries torch's gradient
    return _frexp_t(input * _wrap(np.ldexp(np.ones((), input._data.dtype), -e)), _wrap(e.astype(np.int32)))


_frexp_t = collections.namedtuple("frexp", ["mantissa", "exponent"])


def logaddexp2(input, other):
    # log2(2^a + 2^b) = max + log2(1 + 2^-|a-b|): never overflows
    m = maximum(input, other)
    return m + log1p(exp2(-abs(input - other))) / math.log(2)


class NextAfter(Op):
    """The next float after x towards y: torch passes x's gradient through unchanged, y gets none."""
    save = False

    def forward(self, x, y):
        return np.nextafter(x, y)

    def backward(self, gy):
        return gy, None


def nextafter(input, other):
    a, b = promote(input, other)
    return NextAfter.apply(a, b)


def positive(input):
    if input._data.dtype.kind == "b":
        raise TypeError("The `+` operator, on a bool tensor is not supported.")
    return input


def conj_physical(input):
    return conj(input)


def resolve_conj(input):
    return input  # ember's conj is computed at once: there is no lazy conjugate bit to resolve


def resolve_neg(input):
    return input


def is_conj(input):
    return False


def is_neg(input):
    return False


def isreal(input):
    if input._data.dtype.kind != "c":
        return _wrap(np.ones_like(input._data, dtype=bool))
    return _nograd(lambda a: a.imag == 0, input)


def is_nonzero(input):
    if input._data.size != 1:
        if input._data.size == 0:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()))


def is_same_size(input, other):
    return input._data.shape == other._data.shape


def is_signed(input):
    return input._data.dtype.kind in "ifc"


# torch.<name>_(input, ...): the in-place methods as functions
def _method_fn(name):
    def fn(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    return fn


for _name in ("abs_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_",
              "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_", "clamp_min_", "clip_", "cos_",
              "cosh_", "deg2rad_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_",
              "gcd_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_",
              "negative_", "rad2deg_", "reciprocal_", "relu_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_",
              "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_", "zero_", "addmv_", "detach_",
              "index_put_", "resize_as_", "as_strided_", "detach", "conj_physical_", "i0_"):
    globals()[_name] = _method_fn(_name)
del _name


def fill(input, value):
    return input.clone().fill_(value)


def is_inference(input):
    return False  # (ember's inference_mode makes ordinary tensors that record nothing)


def get_device(input):
    return input.get_device()


def is_distributed(input):
    return False


def is_storage(obj):
    from .._tensor import UntypedStorage
    return isinstance(obj, UntypedStorage)
