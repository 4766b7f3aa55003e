"""Elementwise operations: each primitive's forward (on arrays) sits above its backward
(on tensors); composites are built from primitives and need no backward of their own.

Forwards call NumPy functions; CuPy arrays implement NumPy's dispatch protocols, so the
same code runs on the GPU (see ``ember/_backend.py``).
"""
import math

import numpy as np

from .._tensor import Tensor, _wrap
from .. import _dtype
from .._backend import to_device as _to_device_array
from ..autograd.function import Op

_CAT = _dtype._CATEGORY
_SCALAR_CAT = {bool: 0, int: 1, float: 2, complex: 3}


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
    if sc > _CAT[t._data.dtype.kind]:
        t = cast(t, _dtype.result_type(t, s))
    return (t, s) if ta else (s, t)


# ---------------------------------------------------------------- dtype and device
class Cast(Op):
    save = False

    def forward(self, x, dtype):
        self.src = x.dtype
        return x.astype(dtype)

    def backward(self, gy):
        return cast(gy, self.src) if self.src.kind in "fc" else None


def cast(x, dtype):
    """x converted to NumPy dtype `dtype` (differentiable)."""
    return Cast.apply(x, np.dtype(dtype))


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
    save = False

    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return gy


def clone(input, memory_format=None):
    return Clone.apply(input)


# ---------------------------------------------------------------- arithmetic
class Add(Op):
    save = False

    def forward(self, x, y):
        return x + y

    def backward(self, gy):
        return gy, gy


class Sub(Op):
    save = False

    def forward(self, x, y):
        return x - y

    def backward(self, gy):
        return gy, -gy


class Mul(Op):
    def forward(self, x, y):
        return x * y

    def backward(self, gy):
        x, y = self.inputs
        n = self.needs_input_grad
        return (gy * y if n[0] else None), (gy * x if n[1] else None)


class Div(Op):
    def forward(self, x, y):
        return x / y

    def backward(self, gy):
        x, y = self.inputs
        n = self.needs_input_grad
        gx = gy / y if n[0] else None
        return gx, (-gy * x / (y * y) if n[1] else None)


class Neg(Op):
    save = False

    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Pow(Op):
    def forward(self, x, y):
        return x ** y

    def backward(self, gy):
        x, y = self.inputs
        n = self.needs_input_grad
        gx = gy * y * x ** (y - 1) if n[0] else None
        if n[1]:
            # d(x^y)/dy = x^y log x; torch defines it as 0 where x == 0 and y >= 0
            gyy = gy * where(x == 0, 0.0, pow(x, y) * log(where(x == 0, 1.0, x)))
            return gx, gyy
        return gx, None


def add(input, other, *, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    a, b = promote(input, other)
    return Add.apply(a, b)


def sub(input, other, *, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    a, b = promote(input, other)
    if a.__class__ is bool or (isinstance(a, Tensor) and a._data.dtype == np.bool_):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    return Sub.apply(a, b)


subtract = sub


def mul(input, other):
    a, b = promote(input, other)
    return Mul.apply(a, b)


multiply = mul


def div(input, other, *, rounding_mode=None):
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        return trunc(div(input, other)) if _is_float(input, other) else _int_div_trunc(input, other)
    a, b = promote(input, other)
    t = a if isinstance(a, Tensor) else b
    if t._data.dtype.kind in "biu":  # true division of integers gives the default float dtype
        a, b = promote(_to_default_float(a), b)
    return Div.apply(a, b)


divide = true_divide = div


def _is_float(a, b):
    return any(isinstance(v, float) or (isinstance(v, Tensor) and v._data.dtype.kind in "fc") for v in (a, b))


def _to_default_float(x):
    return cast(x, _dtype.get_default_dtype().np) if isinstance(x, Tensor) else float(x)


def _int_div_trunc(a, b):
    a, b = promote(a, b)
    return _nograd(lambda x, y: np.trunc(np.true_divide(x, y)).astype(np.result_type(x, y)), a, b)


def neg(input):
    if isinstance(input, Tensor) and input._data.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    return Neg.apply(input)


negative = neg


def pow(input, exponent):
    a, b = promote(input, exponent)
    if isinstance(a, Tensor) and isinstance(b, int) and b < 0 and a._data.dtype.kind in "iu":
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return Pow.apply(a, b)


def float_power(input, exponent):
    a = cast(input, np.float64) if isinstance(input, Tensor) else float(input)
    b = cast(exponent, np.float64) if isinstance(exponent, Tensor) else exponent
    return Pow.apply(a, b)


def square(input):
    return mul(input, input)


def reciprocal(input):
    return div(1.0, input) if input._data.dtype.kind in "fc" else div(1.0, _to_default_float(input))


def rsqrt(input):
    return reciprocal(sqrt(input))


# ---------------------------------------------------------------- unary maths
class Exp(Op):
    save, saves_output = False, True

    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        return gy * self.out()


class Log(Op):
    def forward(self, x):
        return np.log(x)

    def backward(self, gy):
        return gy / self.inputs[0]


class Sqrt(Op):
    save, saves_output = False, True

    def forward(self, x):
        return np.sqrt(x)

    def backward(self, gy):
        return gy / (2 * self.out())


class Sin(Op):
    def forward(self, x):
        return np.sin(x)

    def backward(self, gy):
        return gy * cos(self.inputs[0])


class Cos(Op):
    def forward(self, x):
        return np.cos(x)

    def backward(self, gy):
        return -gy * sin(self.inputs[0])


class Tanh(Op):
    save, saves_output = False, True

    def forward(self, x):
        return np.tanh(x)

    def backward(self, gy):
        y = self.out()
        return gy * (1 - y * y)


class Sigmoid(Op):
    save, saves_output = False, True

    def forward(self, x):
        # exp of a negative argument only: no overflow for large |x|
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)

    def backward(self, gy):
        y = self.out()
        return gy * y * (1 - y)


class Abs(Op):
    def forward(self, x):
        return np.abs(x)

    def backward(self, gy):
        return gy * sign(self.inputs[0])


class Atan(Op):
    def forward(self, x):
        return np.arctan(x)

    def backward(self, gy):
        x = self.inputs[0]
        return gy / (1 + x * x)


class Asin(Op):
    def forward(self, x):
        return np.arcsin(x)

    def backward(self, gy):
        x = self.inputs[0]
        return gy * rsqrt(1 - x * x)


class Acos(Op):
    def forward(self, x):
        return np.arccos(x)

    def backward(self, gy):
        x = self.inputs[0]
        return -gy * rsqrt(1 - x * x)


class Sinh(Op):
    def forward(self, x):
        return np.sinh(x)

    def backward(self, gy):
        return gy * cosh(self.inputs[0])


class Cosh(Op):
    def forward(self, x):
        return np.cosh(x)

    def backward(self, gy):
        return gy * sinh(self.inputs[0])


class Asinh(Op):
    def forward(self, x):
        return np.arcsinh(x)

    def backward(self, gy):
        x = self.inputs[0]
        return gy * rsqrt(x * x + 1)


class Acosh(Op):
    def forward(self, x):
        return np.arccosh(x)

    def backward(self, gy):
        x = self.inputs[0]
        return gy * rsqrt(x * x - 1)


class Atanh(Op):
    def forward(self, x):
        return np.arctanh(x)

    def backward(self, gy):
        x = self.inputs[0]
        return gy / (1 - x * x)


class Log1p(Op):
    def forward(self, x):
        return np.log1p(x)

    def backward(self, gy):
        return gy / (1 + self.inputs[0])


class Expm1(Op):
    save, saves_output = False, True

    def forward(self, x):
        return np.expm1(x)

    def backward(self, gy):
        return gy * (self.out() + 1)


class Erf(Op):
    def forward(self, x):
        return _erf(x)

    def backward(self, gy):
        x = self.inputs[0]
        return gy * (2 / math.sqrt(math.pi)) * exp(-x * x)


class Erfinv(Op):
    save, saves_output = False, True

    def forward(self, x):
        return _erfinv(x)

    def backward(self, gy):
        y = self.out()
        return gy * (math.sqrt(math.pi) / 2) * exp(y * y)


class Atan2(Op):
    def forward(self, y, x):
        return np.arctan2(y, x)

    def backward(self, g):
        y, x = self.inputs
        d = x * x + y * y
        return g * x / d, -g * y / d


class Maximum(Op):
    def forward(self, x, y):
        return np.maximum(x, y)

    def backward(self, gy):
        x, y = self.inputs
        # ties split the gradient evenly, as torch does
        half = (x == y) * 0.5
        wx = (x > y) + half
        return gy * wx, gy * (1 - wx)


class Minimum(Op):
    def forward(self, x, y):
        return np.minimum(x, y)

    def backward(self, gy):
        x, y = self.inputs
        half = (x == y) * 0.5
        wx = (x < y) + half
        return gy * wx, gy * (1 - wx)


class Clamp(Op):
    def forward(self, x, lo, hi):
        return np.clip(x, lo, hi)

    def backward(self, gy):
        x, lo, hi = self.inputs
        keep = _ones_like_bool(x)
        if lo is not None:
            keep = keep & (x >= lo)
        if hi is not None:
            keep = keep & (x <= hi)
        gx = gy * keep
        glo = gy * (x < lo) if isinstance(lo, Tensor) else None
        ghi = gy * (x > hi) if isinstance(hi, Tensor) else None
        return gx, glo, ghi


def _ones_like_bool(x):
    return _wrap(np.ones(x._data.shape, dtype=bool))


class Where(Op):
    def forward(self, cond, x, y):
        return np.where(cond, x, y)

    def backward(self, gy):
        cond = self.inputs[0]
        n = self.needs_input_grad
        return (None, where(cond, gy, 0.0) if n[1] else None, where(cond, 0.0, gy) if n[2] else None)


class Relu(Op):
    save, saves_output = False, True

    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, gy):
        return gy * (self.out() > 0)


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


class NanToNum(Op):
    def forward(self, x, nan, posinf, neginf):
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, gy):
        return gy * isfinite(self.inputs[0])


def _unary(cls):
    def fn(input):
        if not isinstance(input, Tensor):
            input = _as_tensor(input)
        if input._data.dtype.kind in "biu":  # torch computes float functions of integers in the default dtype
            input = cast(input, _dtype.get_default_dtype().np)
        return cls.apply(input)
    return fn


exp, log, sqrt, tanh, sigmoid = _unary(Exp), _unary(Log), _unary(Sqrt), _unary(Tanh), _unary(Sigmoid)
sin, cos, atan, asin, acos = _unary(Sin), _unary(Cos), _unary(Atan), _unary(Asin), _unary(Acos)
sinh, cosh, asinh, acosh, atanh = _unary(Sinh), _unary(Cosh), _unary(Asinh), _unary(Acosh), _unary(Atanh)
log1p, expm1, erf, erfinv = _unary(Log1p), _unary(Expm1), _unary(Erf), _unary(Erfinv)
arctan, arcsin, arccos, arcsinh, arccosh, arctanh = atan, asin, acos, asinh, acosh, atanh


def tan(input):
    return sin(input) / cos(input)


def log2(input):
    return log(input) / math.log(2)


def log10(input):
    return log(input) / math.log(10)


def exp2(input):
    return pow(2.0, input) if input._data.dtype.kind in "fc" else pow(2.0, _to_default_float(input))


def erfc(input):
    return 1 - erf(input)


def abs(input):
    return Abs.apply(input)


absolute = abs


def relu(input):
    return Relu.apply(input)


def atan2(input, other):
    a, b = promote(input, other)
    if a._data.dtype.kind in "biu":
        a, b = cast(a, _dtype.get_default_dtype().np), cast(b, _dtype.get_default_dtype().np)
    return Atan2.apply(a, b)


arctan2 = atan2


def maximum(input, other):
    a, b = promote(input, other)
    return Maximum.apply(a, b)


def minimum(input, other):
    a, b = promote(input, other)
    return Minimum.apply(a, b)


fmax, fmin = maximum, minimum


def clamp(input, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    lo, hi = _scalar(min), _scalar(max)
    t = input
    for v in (lo, hi):
        if v is not None:
            t, _ = promote(t, v)
    if isinstance(lo, Tensor):
        lo = cast(lo, t._data.dtype)
    if isinstance(hi, Tensor):
        hi = cast(hi, t._data.dtype)
    return Clamp.apply(t, lo, hi)


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


def where(condition, input=None, other=None):
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        condition = _as_tensor(condition)
    a, b = promote(input, other)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = _as_tensor(a)
        a, b = promote(a, b)
    return Where.apply(condition, a, b)


def sign(input):
    return _nograd(np.sign, input)


sgn = sign


def signbit(input):
    return _nograd(np.signbit, input)


def floor(input):
    return _nograd_like(np.floor, input)


def ceil(input):
    return _nograd_like(np.ceil, input)


def trunc(input):
    return _nograd_like(np.trunc, input)


fix = trunc


def round(input, *, decimals=0):
    # NumPy and torch both round half to even
    return _nograd_like(lambda x: np.round(x, decimals), input)


def frac(input):
    return input - trunc(input)


def real(input):
    return Real.apply(input) if input._data.dtype.kind == "c" else input


def imag(input):
    if input._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return Imag.apply(input)


def conj(input):
    return Conj.apply(input) if input._data.dtype.kind == "c" else input


def lerp(input, end, weight):
    return input + weight * (end - input)


def logit(input, eps=None):
    x = input if eps is None else clamp(input, eps, 1 - eps)
    return log(x / (1 - x))


def xlogy(input, other):
    x, y = promote(input, other)
    if not isinstance(x, Tensor):
        x = _as_tensor(x)
        x, y = promote(x, y)
    if x._data.dtype.kind in "biu":
        x = cast(x, _dtype.get_default_dtype().np)
        x, y = promote(x, y)
    # 0 * log(0) is defined as 0, but NaN in y still propagates
    safe_y = where(x == 0, 1.0, y)
    return where((x == 0) & ~isnan(y if isinstance(y, Tensor) else _as_tensor(y)), 0.0, x * log(safe_y))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    return NanToNum.apply(input, nan, posinf, neginf)


def addcmul(input, tensor1, tensor2, *, value=1):
    return input + value * tensor1 * tensor2


def addcdiv(input, tensor1, tensor2, *, value=1):
    return input + value * tensor1 / tensor2


def fmod(input, other):
    # C fmod: the remainder has the sign of the dividend
    return input - trunc(div(input, other)) * other if _is_float(input, other) else \
        _nograd(np.fmod, *promote(input, other))


def remainder(input, other):
    # Python-style modulo: the remainder has the sign of the divisor
    if _is_float(input, other):
        return input - floor(div(input, other)) * other
    return _nograd(np.remainder, *promote(input, other))


def floor_divide(input, other):
    a, b = promote(input, other)
    return _nograd(np.floor_divide, a, b)


# ---------------------------------------------------------------- comparison and logic (no gradient)
def _nograd(fn, *args):
    """Apply an array function that has no gradient (comparisons, rounding, logic)."""
    arrays = [a._data if isinstance(a, Tensor) else a for a in args]
    return _wrap(fn(*arrays))


def _nograd_like(fn, input):
    """Like _nograd, but the result takes part in the graph with a zero gradient (floor, round...)."""
    if input._data.dtype.kind in "biu":
        return input.clone()
    return _ZeroGrad.apply(input, fn)


class _ZeroGrad(Op):
    save = False

    def forward(self, x, fn):
        return fn(x)

    def backward(self, gy):
        return gy * 0, None


def _cmp(np_fn):
    def fn(input, other):
        a, b = promote(input, other)
        return _nograd(np_fn, a, b)
    return fn


eq, ne, lt, le, gt, ge = (_cmp(np.equal), _cmp(np.not_equal), _cmp(np.less), _cmp(np.less_equal),
                          _cmp(np.greater), _cmp(np.greater_equal))
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
bitwise_and, bitwise_or, bitwise_xor = _cmp(np.bitwise_and), _cmp(np.bitwise_or), _cmp(np.bitwise_xor)
bitwise_left_shift, bitwise_right_shift = _cmp(np.left_shift), _cmp(np.right_shift)


def bitwise_not(input):
    if input._data.dtype.kind == "f":
        raise TypeError("bitwise_not is only supported for integer and boolean tensors")
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
    return _nograd(lambda x, y: np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan), input, other)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    return input.shape == other.shape and bool((input._data == other._data).all())


# ---------------------------------------------------------------- erf and erfinv in NumPy
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
    dtype = x.dtype
    x = np.asarray(x, dtype=np.float64)
    ax = np.abs(x)
    out = np.empty_like(x)
    small = ax <= 0.46875
    if small.any():
        y = ax[small]
        z = y * y
        num, den = _ERF_A[4] * z, z
        for i in range(3):
            num, den = (num + _ERF_A[i]) * z, (den + _ERF_B[i]) * z
        out[small] = x[small] * (num + _ERF_A[3]) / (den + _ERF_B[3])
    mid = (ax > 0.46875) & (ax <= 4.0)
    if mid.any():
        y = ax[mid]
        num, den = _ERF_C[8] * y, y
        for i in range(7):
            num, den = (num + _ERF_C[i]) * y, (den + _ERF_D[i]) * y
        r = (num + _ERF_C[7]) / (den + _ERF_D[7])
        erfc = _exp_sq(y) * r
        out[mid] = np.sign(x[mid]) * (1 - erfc)
    big = ax > 4.0
    if big.any():
        y = ax[big]
        z = 1 / (y * y)
        num, den = _ERF_P[5] * z, z
        for i in range(4):
            num, den = (num + _ERF_P[i]) * z, (den + _ERF_Q[i]) * z
        r = z * (num + _ERF_P[4]) / (den + _ERF_Q[4])
        r = (1 / math.sqrt(math.pi) - r) / y
        erfc = _exp_sq(y) * r
        out[big] = np.sign(x[big]) * (1 - erfc)
    out[np.isnan(x)] = np.nan
    return out.astype(dtype, copy=False)


def _exp_sq(y):
    # exp(-y*y) computed as exp(-ysq*ysq) * exp(-del) with ysq = y rounded to 1/16, so that
    # the large product y*y loses no precision (Cody's trick)
    ysq = np.trunc(y * 16) / 16
    d = (y - ysq) * (y + ysq)
    return np.exp(-ysq * ysq) * np.exp(-d)


def _erfinv(x):
    """Inverse erf: Giles' single-precision-start approximation refined by two Newton steps."""
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
