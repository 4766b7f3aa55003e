"""Elementwise ops against torch: values, gradients (broadcast and 0-d), dtypes and errors."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import ember
from helpers import check, check_error, check_double_backward, assert_close

rng = np.random.default_rng(0)
INF, NAN = math.inf, math.nan


def r(*shape, dtype=np.float32, low=None, high=None):
    """Normal values, or uniform in [low, high)."""
    a = rng.standard_normal(shape) if low is None else rng.uniform(low, high, shape)
    return np.asarray(a).astype(dtype)


# the input domain where each function is smooth (gradients compared there)
ANY, POS, UNIT, GE1 = (None, None), (0.2, 3.0), (-0.9, 0.9), (1.1, 3.0)

UNARY = {
    "exp": (lambda lib, x: lib.exp(x), ANY),
    "exp2": (lambda lib, x: lib.exp2(x), ANY),
    "expm1": (lambda lib, x: lib.expm1(x), ANY),
    "log": (lambda lib, x: lib.log(x), POS),
    "log2": (lambda lib, x: lib.log2(x), POS),
    "log10": (lambda lib, x: lib.log10(x), POS),
    "log1p": (lambda lib, x: lib.log1p(x), POS),
    "sin": (lambda lib, x: lib.sin(x), ANY),
    "cos": (lambda lib, x: lib.cos(x), ANY),
    "tan": (lambda lib, x: lib.tan(x), UNIT),
    "asin": (lambda lib, x: lib.asin(x), UNIT),
    "acos": (lambda lib, x: lib.acos(x), UNIT),
    "atan": (lambda lib, x: lib.atan(x), ANY),
    "sinh": (lambda lib, x: lib.sinh(x), ANY),
    "cosh": (lambda lib, x: lib.cosh(x), ANY),
    "tanh": (lambda lib, x: lib.tanh(x), ANY),
    "asinh": (lambda lib, x: lib.asinh(x), ANY),
    "acosh": (lambda lib, x: lib.acosh(x), GE1),
    "atanh": (lambda lib, x: lib.atanh(x), UNIT),
    "arcsin": (lambda lib, x: lib.arcsin(x), UNIT),
    "arctanh": (lambda lib, x: x.arctanh(), UNIT),
    "sqrt": (lambda lib, x: lib.sqrt(x), POS),
    "rsqrt": (lambda lib, x: lib.rsqrt(x), POS),
    "abs": (lambda lib, x: lib.abs(x), ANY),
    "neg": (lambda lib, x: -x, ANY),
    "sign": (lambda lib, x: lib.sign(x), ANY),
    "floor": (lambda lib, x: lib.floor(x * 3), ANY),
    "ceil": (lambda lib, x: lib.ceil(x * 3), ANY),
    "round": (lambda lib, x: lib.round(x * 3), ANY),
    "trunc": (lambda lib, x: lib.trunc(x * 3), ANY),
    "frac": (lambda lib, x: lib.frac(x * 3), ANY),
    "sigmoid": (lambda lib, x: lib.sigmoid(x * 4), ANY),
    "erf": (lambda lib, x: lib.erf(x * 2), ANY),
    "erfc": (lambda lib, x: lib.erfc(x * 2), ANY),
    "erfinv": (lambda lib, x: lib.erfinv(x), UNIT),
    "reciprocal": (lambda lib, x: lib.reciprocal(x), POS),
    "square": (lambda lib, x: lib.square(x), ANY),
    "logit": (lambda lib, x: lib.logit(x), (0.05, 0.95)),
    "logit_eps": (lambda lib, x: lib.logit(x, eps=0.2), (0.0, 1.0)),
    "nan_to_num": (lambda lib, x: lib.nan_to_num(x), ANY),
    "pow_2": (lambda lib, x: x ** 2, ANY),
    "pow_half": (lambda lib, x: x ** 0.5, POS),
    "pow_neg": (lambda lib, x: lib.pow(x, -1.5), POS),
    "rpow": (lambda lib, x: 2.5 ** x, ANY),
    "clamp": (lambda lib, x: lib.clamp(x, -0.5, 0.5), ANY),
    "clamp_min": (lambda lib, x: x.clamp_min(0.1), ANY),
    "clamp_max": (lambda lib, x: lib.clamp(x, max=0.1), ANY),
    "relu": (lambda lib, x: lib.relu(x), ANY),
}


def domain_array(domain, shape, dtype):
    low, high = domain
    return r(*shape, dtype=dtype, low=low, high=high)


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(3, 4), ()])
def test_unary(name, dtype, shape):
    fn, domain = UNARY[name]
    check(fn, domain_array(domain, shape, dtype))


@pytest.mark.parametrize("name", UNARY)
def test_unary_float16(name):
    fn, domain = UNARY[name]
    check(fn, domain_array(domain, (5,), np.float16), grad=False, rtol=2e-3, atol=2e-3)


# integer and bool inputs: float functions give the default float dtype, others keep the dtype
INT_OK = set(UNARY) - {"frac", "pow_neg", "logit_eps", "rpow", "round"}


@pytest.mark.parametrize("name", sorted(INT_OK))
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_unary_integer_input(name, dtype):
    fn, domain = UNARY[name]
    a = np.array([0, 1, 2, 3, 7], dtype=dtype) if domain != UNIT else np.array([0, 0, 1], dtype=dtype)
    check(fn, a, grad=False, rtol=1e-6, atol=1e-6)


SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 2.5, INF, -INF, NAN], dtype=np.float32)


@pytest.mark.parametrize("name", UNARY)
def test_unary_special_values(name):
    """0, +-inf, NaN and out-of-domain inputs: values and gradients (inf/NaN included) as torch."""
    check(UNARY[name][0], SPECIAL)


def test_torch_gradient_special_cases():
    # abs at 0 -> 0; sqrt at 0 -> inf; clamp at its bounds passes the gradient
    check(lambda lib, x: lib.abs(x), np.array([0.0, -1.0, 2.0], np.float32))
    check(lambda lib, x: lib.sqrt(x), np.array([0.0, 4.0], np.float32))
    check(lambda lib, x: lib.clamp(x, 0.0, 1.0), np.array([0.0, 1.0, 0.5, 2.0, -1.0], np.float32))
    # pow with a zero base or exponent
    zero = np.array([0.0, 0.0, 1.0, 2.0], np.float32)
    for e in (0, 0.0, 0.5, 1, 2, 3.0, -1.0):
        check(lambda lib, x: x ** e, zero)
    check(lambda lib, x, y: x ** y, np.array([0.0, 0.0, 0.0, 2.0, -1.0], np.float32),
          np.array([0.0, 2.0, -1.0, 0.5, 0.5], np.float32))
    check(lambda lib, y: 0.0 ** y, np.array([0.0, 1.0, -1.0], np.float32))
    check(lambda lib, y: (-2.0) ** y, np.array([0.0, 1.0, 2.0], np.float32))
    # maximum / minimum: ties split evenly; a NaN sends the gradient to both sides
    a = np.array([1.0, 1.0, 2.0, NAN, 3.0], np.float32)
    b = np.array([1.0, 2.0, 1.0, 1.0, NAN], np.float32)
    check(lambda lib, x, y: lib.maximum(x, y), a, b)
    check(lambda lib, x, y: lib.minimum(x, y), a, b)
    check(lambda lib, x, y: lib.max(x, y), a, b)
    # atan2 at the origin has a zero gradient in torch
    check(lambda lib, y, x: lib.atan2(y, x), np.array([0.0, 0.0, 1.0], np.float32),
          np.array([0.0, -0.0, 0.0], np.float32))
    # xlogy: 0 * log(0) is 0, NaN still propagates
    check(lambda lib, x, y: lib.xlogy(x, y), np.array([0.0, 0.0, 1.0, 0.0, 2.0], np.float32),
          np.array([0.0, 2.0, 0.0, NAN, 3.0], np.float32))
    # logit with eps: the gradient is 0 outside [eps, 1 - eps] and passes at the bounds
    check(lambda lib, x: lib.logit(x, 0.1), np.array([0.05, 0.1, 0.5, 0.9, 0.95], np.float32))


# ---------------------------------------------------------------- binary ops
BINARY = {
    "add": (lambda lib, x, y: x + y, ANY, ANY),
    "add_alpha": (lambda lib, x, y: lib.add(x, y, alpha=2.5), ANY, ANY),
    "sub": (lambda lib, x, y: x - y, ANY, ANY),
    "sub_alpha": (lambda lib, x, y: lib.sub(x, y, alpha=-2), ANY, ANY),
    "mul": (lambda lib, x, y: x * y, ANY, ANY),
    "div": (lambda lib, x, y: x / y, ANY, POS),
    "div_floor": (lambda lib, x, y: lib.div(x * 3, y, rounding_mode="floor"), ANY, POS),
    "div_trunc": (lambda lib, x, y: lib.div(x * 3, y, rounding_mode="trunc"), ANY, POS),
    "pow": (lambda lib, x, y: x ** y, POS, ANY),
    "atan2": (lambda lib, x, y: lib.atan2(x, y), ANY, ANY),
    "maximum": (lambda lib, x, y: lib.maximum(x, y), ANY, ANY),
    "minimum": (lambda lib, x, y: lib.minimum(x, y), ANY, ANY),
    "fmax": (lambda lib, x, y: lib.fmax(x, y), ANY, ANY),
    "fmin": (lambda lib, x, y: lib.fmin(x, y), ANY, ANY),
    "fmod": (lambda lib, x, y: lib.fmod(x * 3, y), ANY, POS),
    "fmod_neg": (lambda lib, x, y: lib.fmod(x * 3, -y), ANY, POS),
    "remainder": (lambda lib, x, y: lib.remainder(x * 3, y), ANY, POS),
    "remainder_neg": (lambda lib, x, y: x * 3 % -y, ANY, POS),
    "xlogy": (lambda lib, x, y: lib.xlogy(x, y), ANY, POS),
    "lerp_tensor_weight": (lambda lib, x, y: lib.lerp(x, y, lib.sigmoid(y)), ANY, ANY),
    "lerp_scalar_weight": (lambda lib, x, y: lib.lerp(x, y, 0.3), ANY, ANY),
    "lerp_weight_big": (lambda lib, x, y: lib.lerp(x, y, 0.8), ANY, ANY),
    "clamp_tensor": (lambda lib, x, y: lib.clamp(x, min=y), ANY, ANY),
    "clamp_tensor_max": (lambda lib, x, y: lib.clamp(x, max=y), ANY, ANY),
    "where": (lambda lib, x, y: lib.where(x > y, x, y * 2), ANY, ANY),
    "addcmul": (lambda lib, x, y: lib.addcmul(x, x, y, value=0.5), ANY, ANY),
    "addcdiv": (lambda lib, x, y: lib.addcdiv(x, x, y, value=-2), ANY, POS),
    "hypot_composite": (lambda lib, x, y: (x * x + y * y).sqrt(), ANY, ANY),
}

SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 3), (4, 1)), ((), (3,)), ((3,), ()), ((), ()), ((1,), (2, 3))]


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_binary_broadcast(name, shapes):
    fn, dx, dy = BINARY[name]
    check(fn, domain_array(dx, shapes[0], np.float32), domain_array(dy, shapes[1], np.float32))


@pytest.mark.parametrize("name", BINARY)
def test_binary_float64_and_mixed(name):
    fn, dx, dy = BINARY[name]
    check(fn, domain_array(dx, (2, 3), np.float64), domain_array(dy, (3,), np.float64))
    if not name.startswith(("lerp", "clamp", "addc")):  # those want equal dtypes in torch
        # torch's backward reuses the float32 input where ember uses it promoted: float32 accuracy
        check(fn, domain_array(dx, (2, 3), np.float32), domain_array(dy, (3,), np.float64), rtol=1e-5, atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       name=st.sampled_from(["add", "sub", "mul", "div", "pow", "maximum", "atan2", "where", "lerp_tensor_weight"]))
def test_binary_random_broadcast(shapes, name):
    fn, dx, dy = BINARY[name]
    check(fn, domain_array(dx, shapes.input_shapes[0], np.float32), domain_array(dy, shapes.input_shapes[1],
                                                                                  np.float32))


def test_clamp_tensor_bounds_with_min_above_max():
    x = np.array([-2.0, 0.0, 0.5, 1.0, 3.0, 1.5], np.float32)
    lo = np.array([0.0, 0.0, 1.0, 2.0, 0.0, 1.5], np.float32)
    hi = np.array([1.0, 1.0, 0.0, 1.0, 1.0, 1.5], np.float32)
    check(lambda lib, x, lo, hi: lib.clamp(x, lo, hi), x, lo, hi)
    check(lambda lib, x, lo: lib.clamp(x, lo), x, lo)
    check(lambda lib, x, hi: x.clamp(max=hi), x, hi)


SCALARS = [2, 2.5, -3, 0.5, True]
OPS = {
    "add": lambda x, s: x + s, "radd": lambda x, s: s + x,
    "sub": lambda x, s: x - s, "rsub": lambda x, s: s - x,
    "mul": lambda x, s: x * s, "rmul": lambda x, s: s * x,
    "div": lambda x, s: x / s, "rdiv": lambda x, s: s / x,
    "floordiv": lambda x, s: x // s, "rfloordiv": lambda x, s: s // x,
    "mod": lambda x, s: x % s, "rmod": lambda x, s: s % x,
    "pow": lambda x, s: x ** s, "rpow": lambda x, s: s ** x,
}


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.int32, np.uint8, np.bool_])
def test_python_scalar_operators(op, scalar, dtype):
    """Operators with Python numbers, in both orders: values and dtypes (and errors) as torch."""
    a = np.array([1, 2, 3, 5], dtype=dtype) if dtype != np.bool_ else np.array([True, False, True, True])
    if dtype == np.float32:
        a = a * np.float32(0.7)
    fn = OPS[op]
    try:
        expected = fn(torch.tensor(a), scalar)
    except Exception as e:
        with pytest.raises(type(e)):
            fn(ember.tensor(a), scalar)
        return
    assert_close(fn(ember.tensor(a), scalar), expected)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("scalar", [2, 2.5, -1.5])
def test_python_scalar_operators_grad(op, scalar):
    # torch has no derivative for floor_divide, nor for remainder(Number, Tensor) (ember has one)
    if op in ("floordiv", "rfloordiv", "rmod"):
        check(lambda lib, x: OPS[op](x, scalar), r(3, 2, low=0.5, high=2.0), grad=False)
        return
    check(lambda lib, x: OPS[op](x, scalar), r(3, 2, low=0.5, high=2.0))


def test_unary_minus_and_abs_operators():
    check(lambda lib, x: -x, r(2, 3))
    check(lambda lib, x: abs(x), r(2, 3))
    check(lambda lib, x: +x * 1, r(2, 3))
    check(lambda lib, x: -x, np.array([1, -2], np.int64), grad=False)


def test_integer_arithmetic():
    a = np.array([7, -7, 6, -6, 0], np.int64)
    b = np.array([2, 2, -4, -4, 3], np.int64)
    for fn in (lambda lib, x, y: x // y, lambda lib, x, y: x % y, lambda lib, x, y: lib.fmod(x, y),
               lambda lib, x, y: lib.div(x, y, rounding_mode="trunc"), lambda lib, x, y: lib.div(x, y),
               lambda lib, x, y: x / y, lambda lib, x, y: x ** lib.abs(y), lambda lib, x, y: x * y,
               lambda lib, x, y: lib.maximum(x, y), lambda lib, x, y: lib.remainder(x, y)):
        check(fn, a, b, grad=False)
        check(fn, a.astype(np.int32), b.astype(np.int8), grad=False)
    # integer powers with negative exponents: 0 except for the bases 1 and -1
    check(lambda lib, x, y: x ** y, np.array([2, 1, -1, -1, 3, 0], np.int64),
          np.array([-1, -3, -3, -2, 2, 0], np.int64), grad=False)
    check(lambda lib, y: 2 ** y, np.array([1, -2, 3], np.int64), grad=False)
    # Python ints out of a small dtype's range wrap around, as in torch
    check(lambda lib, x: x + 300, np.array([1, 200], np.uint8), grad=False)
    check(lambda lib, x: x - 1, np.array([0, 200], np.uint8), grad=False)
    check(lambda lib, x: x + (-1), np.array([0, 200], np.uint8), grad=False)
    check(lambda lib, x: x * 1000, np.array([1, -2], np.int8), grad=False)


def test_float_mod_matches_fmod_precision():
    x = np.array([5.3, -5.3, 1e7 + 0.5, 0.1, -0.0, 3.0], np.float32)
    y = np.array([2.0, 2.0, 3.0, 0.03, 2.0, -1.5], np.float32)
    check(lambda lib, x, y: lib.fmod(x, y), x, y)
    check(lambda lib, x, y: lib.remainder(x, y), x, y)
    check(lambda lib, x, y: x // y, x, y, grad=False)
    check(lambda lib, x, y: lib.div(x, y, rounding_mode="trunc"), x, y)


def test_round_decimals():
    a = np.array([0.5, 1.5, 2.5, -0.5, 1.25, 2.675, 1234.5678, 1250.0, 1350.0, -0.125], np.float32)
    for d in (0, 1, 2, 3, -1, -2):
        check(lambda lib, x: lib.round(x, decimals=d), a)
        check(lambda lib, x: x.round(decimals=d), a.astype(np.float64))


def test_lerp_endpoints_exact():
    # torch computes from the nearer end, so weight 1 gives exactly `end`
    a = np.array([1e8, -3.3, 0.1], np.float32)
    b = np.array([1.0, 7.7, 1e-8], np.float32)
    for w in (0.0, 0.25, 0.5, 0.75, 1.0):
        e, t = check(lambda lib, x, y: lib.lerp(x, y, w), a, b)
        np.testing.assert_array_equal(e.detach().numpy(), t.detach().numpy())


@pytest.mark.filterwarnings("ignore:where received a uint8")
def test_where():
    c = np.array([[True, False, True]])
    x, y = r(2, 3), r(3)
    check(lambda lib, c, x, y: lib.where(c, x, y), c, x, y)
    check(lambda lib, c, x: lib.where(c, x, 0.0), c, x)
    check(lambda lib, c, x: lib.where(c, 2, x), c, x)
    check(lambda lib, c, x: x.where(c, -1.5), c, x)
    check(lambda lib, c: lib.where(c, 1.0, 0), c, grad=False)
    check(lambda lib, c: lib.where(c, 1, 0), c, grad=False)
    check(lambda lib, c, x: lib.where(c, x, np.float64(0.5)), c, x)
    check(lambda lib, c, x, y: lib.where(c, x, y), c, x, r(3, dtype=np.float64))
    check(lambda lib, c, x, y: lib.where(c, x, y), c, np.array([1, 2, 3], np.int32), np.array([1.5], np.float32))
    check(lambda lib, c: lib.where(c, c, False), c, grad=False)
    check(lambda lib, c, x: lib.where(c, x, x), np.array([1, 0, 1], np.uint8), x)
    e, t = check_error(lambda lib, x: lib.where(x, x, x), x)
    assert "boolean" in str(e) and "Float" in str(e)


def test_nan_to_num():
    a = np.array([NAN, INF, -INF, 1.5, -0.0], np.float32)
    check(lambda lib, x: lib.nan_to_num(x), a)
    check(lambda lib, x: lib.nan_to_num(x, nan=2.0, posinf=1.0, neginf=-1.0), a)
    check(lambda lib, x: x.nan_to_num(posinf=3.0), a.astype(np.float64))
    check(lambda lib, x: lib.nan_to_num(x), a.astype(np.float16), grad=False)
    check(lambda lib, x: lib.nan_to_num(x), np.array([1, 2], np.int64), grad=False)


def test_addcmul_addcdiv():
    a, b, c = r(2, 3), r(3), r(2, 1, low=0.5, high=2.0)
    check(lambda lib, a, b, c: lib.addcmul(a, b, c), a, b, c)
    check(lambda lib, a, b, c: a.addcmul(b, c, value=-0.5), a, b, c)
    check(lambda lib, a, b, c: lib.addcdiv(a, b, c, value=3), a, b, c)
    ints = [np.array([1, -2, 3]), np.array([2, 3, 4]), np.array([3, 1, 7])]
    check(lambda lib, a, b, c: lib.addcmul(a, b, c, value=2), *ints, grad=False)
    check(lambda lib, a, b, c: lib.addcmul(a, b, c, value=2.5), *ints, grad=False)
    check(lambda lib, a, b, c: lib.addcdiv(a, b, c), a, b.astype(np.int64), c.astype(np.float64), grad=False)
    e, t = check_error(lambda lib, a, b, c: lib.addcdiv(a, b, c), *ints)
    assert "Integer division with addcdiv" in str(e)


# ---------------------------------------------------------------- comparison, logic, bitwise
DTYPES = [np.float32, np.float64, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_]


def values(dtype):
    if dtype == np.bool_:
        return np.array([True, False, True, False])
    return np.array([0, 1, 3, 2], dtype=dtype) if dtype == np.uint8 else np.array([0, -1, 3, 2], dtype=dtype)


CMP = {
    "eq": lambda lib, x, y: x == y, "ne": lambda lib, x, y: x != y, "lt": lambda lib, x, y: x < y,
    "le": lambda lib, x, y: lib.le(x, y), "gt": lambda lib, x, y: lib.greater(x, y), "ge": lambda lib, x, y: x >= y,
    "logical_and": lambda lib, x, y: lib.logical_and(x, y), "logical_or": lambda lib, x, y: x.logical_or(y),
    "logical_xor": lambda lib, x, y: lib.logical_xor(x, y),
    "and": lambda lib, x, y: x & y, "or": lambda lib, x, y: x | y, "xor": lambda lib, x, y: x ^ y,
    "bitwise_and": lambda lib, x, y: lib.bitwise_and(x, y),
    "lshift": lambda lib, x, y: x << lib.ones_like(y), "rshift": lambda lib, x, y: lib.bitwise_right_shift(x, 1),
    "isclose": lambda lib, x, y: lib.isclose(x, y),
}


@pytest.mark.parametrize("name", CMP)
@pytest.mark.parametrize("dx", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("dy", [np.float32, np.int64, np.uint8, np.bool_], ids=lambda d: np.dtype(d).name)
def test_comparison_logic_bitwise(name, dx, dy):
    """Values and result dtypes as torch; where torch refuses (bitwise on floats), the same error type."""
    fn = CMP[name]
    x, y = values(dx), values(dy)[::-1].copy()
    try:
        expected = fn(torch, torch.tensor(x), torch.tensor(y))
    except Exception as e:
        with pytest.raises(type(e)):
            fn(ember, ember.tensor(x), ember.tensor(y))
        return
    assert_close(fn(ember, ember.tensor(x), ember.tensor(y)), expected)


@pytest.mark.parametrize("scalar", [1, 1.5, True, -1])
def test_comparison_with_scalars(scalar):
    for dt in (np.float32, np.int64, np.uint8, np.bool_):
        x = values(dt)
        for fn in (lambda x: x == scalar, lambda x: x < scalar, lambda x: scalar <= x, lambda x: x != scalar):
            assert_close(fn(ember.tensor(x)), fn(torch.tensor(x)))


def test_logical_not_bitwise_not_and_predicates():
    a = np.array([0.0, -1.5, NAN, INF, -INF, 2.0], np.float32)
    for name in ("isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit", "logical_not"):
        check(lambda lib, x: getattr(lib, name)(x), a, grad=False)
        check(lambda lib, x: getattr(lib, name)(x), np.array([0, -3, 5], np.int64), grad=False)
    check(lambda lib, x: ~x, np.array([True, False]), grad=False)
    check(lambda lib, x: ~x, np.array([0, 5, -3], np.int32), grad=False)
    check(lambda lib, x: lib.bitwise_not(x), np.array([0, 5, 255], np.uint8), grad=False)
    e, t = check_error(lambda lib, x: lib.bitwise_not(x), a)
    assert "Float" in str(e)


def test_comparisons_with_nan_and_broadcast():
    a = np.array([[NAN, 1.0, 2.0]], np.float32)
    b = np.array([[NAN], [1.0]], np.float32)
    for fn in CMP.values():
        try:
            t = fn(torch, torch.tensor(a), torch.tensor(b))
        except Exception:
            continue
        assert_close(fn(ember, ember.tensor(a), ember.tensor(b)), t)


def test_equal_allclose():
    a = r(3)
    assert ember.equal(ember.tensor(a), ember.tensor(a)) == torch.equal(torch.tensor(a), torch.tensor(a))
    assert ember.allclose(ember.tensor(a), ember.tensor(a + 1e-7)) == torch.allclose(torch.tensor(a),
                                                                                      torch.tensor(a + 1e-7))
    assert not ember.equal(ember.tensor(a), ember.tensor(a[:2]))


# ---------------------------------------------------------------- errors
ERRORS = {
    "bool_sub": (lambda lib, x: x - x, [np.array([True])]),
    "bool_neg": (lambda lib, x: -x, [np.array([True])]),
    "bool_abs": (lambda lib, x: lib.abs(x), [np.array([True])]),
    "bool_floor": (lambda lib, x: lib.floor(x), [np.array([True])]),
    "int_frac": (lambda lib, x: lib.frac(x), [np.array([1, 2])]),
    "int_round_decimals": (lambda lib, x: lib.round(x, decimals=1), [np.array([1, 2])]),
    "int_neg_pow": (lambda lib, x: x ** -1, [np.array([1, 2])]),
    "int_div_zero": (lambda lib, x: x // 0, [np.array([1, 2])]),
    "int_mod_zero": (lambda lib, x: x % 0, [np.array([1, 2])]),
    "int_fmod_zero": (lambda lib, x, y: lib.fmod(x, y), [np.array([1, 2]), np.array([1, 0])]),
    "int_trunc_div_zero": (lambda lib, x: lib.div(x, 0, rounding_mode="trunc"), [np.array([1, 2])]),
    "float_bitwise": (lambda lib, x: x & x, [np.array([1.0])]),
    "float_shift": (lambda lib, x: lib.bitwise_left_shift(x, 1), [np.array([1.0])]),
    "float_xor_scalar": (lambda lib, x: x ^ 1, [np.array([1.0])]),
    "int_bitwise_float_scalar": (lambda lib, x: x & 1.5, [np.array([1])]),
    "clamp_nothing": (lambda lib, x: lib.clamp(x), [np.array([1.0])]),
    "lerp_int": (lambda lib, x: lib.lerp(x, x, 0.5), [np.array([1, 2])]),
    "lerp_dtypes": (lambda lib, x, y: lib.lerp(x, y, 0.5), [np.array([1.0], np.float32), np.array([1.0])]),
    "where_int_cond": (lambda lib, c, x: lib.where(c, x, x), [np.array([1, 0]), np.array([1.0, 2.0])]),
    "add_int_float_alpha": (lambda lib, x: lib.add(x, x, alpha=0.5), [np.array([1, 2])]),
    "broadcast": (lambda lib, x, y: x + y, [np.ones((2, 3)), np.ones((4,))]),
    "broadcast_mul": (lambda lib, x, y: x * y, [np.ones((2, 3)), np.ones((3, 2))]),
    "div_mode": (lambda lib, x: lib.div(x, 2, rounding_mode="round"), [np.array([1.0])]),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors(name):
    fn, arrays = ERRORS[name]
    check_error(fn, *arrays)


def test_floor_divide_has_no_derivative():
    for lib in (ember, torch):
        x = lib.tensor([1.5, -2.0], requires_grad=True)
        y = lib.floor_divide(x, 2)
        assert y.requires_grad
        with pytest.raises(RuntimeError, match="floor_divide"):
            y.sum().backward()


def test_broadcast_errors_name_the_dimension():
    a, b = np.ones((2, 3), np.float32), np.ones((4,), np.float32)
    for fn in (lambda lib, x, y: x + y, lambda lib, x, y: x == y, lambda lib, x, y: lib.logical_and(x, y),
               lambda lib, x, y: lib.maximum(x, y), lambda lib, x, y: x.long() // y.long(),
               lambda lib, x, y: lib.atan2(x, y)):
        e, t = check_error(fn, a, b)
        assert str(e) == str(t)
    check_error(lambda lib, x, y: lib.where(x > 0, x, y), a, b)


def test_error_messages_name_dtypes():
    e, t = check_error(lambda lib, x: lib.lerp(x, x.double(), 0.5), np.array([1.0], np.float32))
    assert str(e) == str(t)
    e, t = check_error(lambda lib, x: -x, np.array([True]))
    assert str(e) == str(t)
    e, t = check_error(lambda lib, x: lib.frac(x), np.array([1]))
    assert str(e) == str(t)


# ---------------------------------------------------------------- step functions keep a zero gradient
@pytest.mark.parametrize("fn", [lambda lib, x: lib.floor(x), lambda lib, x: lib.ceil(x), lambda lib, x: lib.sign(x),
                                lambda lib, x: lib.round(x, decimals=1), lambda lib, x: lib.trunc(x),
                                lambda lib, x: lib.div(x, 2, rounding_mode="floor")])
def test_step_functions_have_zero_gradient(fn):
    e, t = check(fn, r(4))
    assert e.requires_grad and t.requires_grad


def test_sign_of_nan_and_bool():
    check(lambda lib, x: lib.sign(x), np.array([NAN, -0.0, -2.0, 3.0], np.float32))
    check(lambda lib, x: lib.sign(x), np.array([True, False]), grad=False)
    check(lambda lib, x: lib.sign(x), np.array([-3, 0, 2], np.int8), grad=False)
    # (torch's sgn gradient is a ZeroTensor, which cannot be compared through NumPy)
    check(lambda lib, x: x.sgn(), np.array([NAN, -0.0, -2.0, 3.0], np.float32), grad=False)


def test_erf_family_tails():
    x = np.array([-30.0, -6.0, -4.5, -1.0, -0.3, 0.0, 0.3, 0.47, 1.0, 3.9, 4.1, 5.0, 9.0, 10.0, 27.0, INF, -INF],
                 np.float64)
    check(lambda lib, x: lib.erf(x), x, rtol=1e-13, atol=0)
    check(lambda lib, x: lib.erfc(x), x, rtol=1e-12, atol=0)
    check(lambda lib, x: lib.erfc(x), x.astype(np.float32), rtol=1e-5, atol=1e-44)
    u = np.array([-1.0, -0.999999, -0.9, -0.5, 0.0, 1e-8, 0.5, 0.9, 0.999999, 1.0, 1.5], np.float64)
    check(lambda lib, x: lib.erfinv(x), u, rtol=1e-9, atol=1e-12)
    check(lambda lib, x: lib.erfinv(x), u.astype(np.float32), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- dtypes are kept
@pytest.mark.parametrize("name", ["exp", "tanh", "sigmoid", "pow_half", "div", "atan2", "erf", "erfinv", "clamp"])
def test_float32_stays_float32(name):
    """No silent float64: forward values and gradients of float32 inputs are float32."""
    if name in UNARY:
        fn, domain = UNARY[name]
        arrays = [domain_array(domain, (3,), np.float32)]
    else:
        fn, dx, dy = BINARY[name]
        arrays = [domain_array(dx, (3,), np.float32), domain_array(dy, (3,), np.float32)]
    xs = [ember.tensor(a, requires_grad=True) for a in arrays]
    y = fn(ember, *xs)
    assert y.dtype == ember.float32
    gs = ember.autograd.grad(y.sum(), xs, create_graph=True)
    assert all(g.dtype == ember.float32 for g in gs)
    total = sum(g.sum() for g in gs)
    if total.requires_grad:
        gg = ember.autograd.grad(total, xs, allow_unused=True)
        assert all(g is None or g.dtype == ember.float32 for g in gg)


# ---------------------------------------------------------------- second derivatives
DOUBLE = {
    "exp": (lambda lib, x: lib.exp(x), [r(3, 2, dtype=np.float64)]),
    "tanh": (lambda lib, x: lib.tanh(x), [r(3, 2, dtype=np.float64)]),
    "sigmoid": (lambda lib, x: lib.sigmoid(x), [r(3, 2, dtype=np.float64)]),
    "mul": (lambda lib, x, y: x * y, [r(3, 2, dtype=np.float64), r(2, dtype=np.float64)]),
    "mul_self": (lambda lib, x: x * x * x, [r(4, dtype=np.float64)]),
    "div": (lambda lib, x, y: x / y, [r(3, 2, dtype=np.float64), r(2, dtype=np.float64, low=0.5, high=2)]),
    "pow": (lambda lib, x, y: x ** y, [r(3, dtype=np.float64, low=0.5, high=2), r(3, dtype=np.float64)]),
    "pow_scalar": (lambda lib, x: x ** 3.5, [r(3, dtype=np.float64, low=0.5, high=2)]),
    "rpow": (lambda lib, x: 1.7 ** x, [r(3, dtype=np.float64)]),
    "log": (lambda lib, x: lib.log(x), [r(3, dtype=np.float64, low=0.5, high=2)]),
    "sin": (lambda lib, x: lib.sin(x), [r(3, dtype=np.float64)]),
    "sqrt": (lambda lib, x: lib.sqrt(x), [r(3, dtype=np.float64, low=0.5, high=2)]),
    "erf": (lambda lib, x: lib.erf(x), [r(3, dtype=np.float64)]),
    "atan2": (lambda lib, x, y: lib.atan2(x, y), [r(3, dtype=np.float64), r(3, dtype=np.float64)]),
    "maximum": (lambda lib, x, y: lib.maximum(x, y) ** 2, [r(3, dtype=np.float64), r(3, dtype=np.float64)]),
    "float32_tanh": (lambda lib, x: lib.tanh(x), [r(3, 2)]),
}


@pytest.mark.parametrize("name", DOUBLE)
def test_double_backward(name):
    fn, arrays = DOUBLE[name]
    check_double_backward(fn, *arrays)


def test_inplace_ops_match():
    a = r(2, 3)
    for op in ("add_", "mul_", "sub_", "div_"):
        e, t = ember.tensor(a), torch.tensor(a)
        getattr(e, op)(2.5)
        getattr(t, op)(2.5)
        assert_close(e, t)
    e, t = ember.tensor(a), torch.tensor(a)
    e.clamp_(-0.1, 0.1).exp_()
    t.clamp_(-0.1, 0.1).exp_()
    assert_close(e, t)
