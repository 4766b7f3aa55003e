"""Type promotion and conversions against torch: every pair of dtypes, 0-d tensors, Python
numbers, result_type / promote_types / can_cast, Tensor.to and friends, and reduction dtypes."""
import itertools

import numpy as np
import pytest
import torch

import ember
from helpers import assert_close

NAMES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


def arr(name, shape=(3,)):
    """Small values every dtype can hold (no division by zero: all nonzero)."""
    a = np.array([1, 2, 3][:shape[0]] if shape else 2)
    return a.astype(np.bool_ if name == "bool" else name).reshape(shape)


def both(a):
    return ember.tensor(a), torch.tensor(a)


def same_dtype(e, t):
    assert e.dtype.name == str(t.dtype).split(".")[-1], f"{e.dtype} != {t.dtype}"


PAIR_OPS = {
    "add": lambda x, y: x + y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y,
    "maximum": lambda x, y: torch_or_ember(x).maximum(x, y),
    "where": lambda x, y: torch_or_ember(x).where(x > 0, x, y),
    "eq": lambda x, y: x == y,
    "floor_divide": lambda x, y: x // y,
    "remainder": lambda x, y: x % y,
    "atan2": lambda x, y: torch_or_ember(x).atan2(x, y),
}


def torch_or_ember(x):
    return torch if isinstance(x, torch.Tensor) else ember


@pytest.mark.parametrize("op", PAIR_OPS)
@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
@pytest.mark.parametrize("dims", ["nd-nd", "nd-0d", "0d-nd", "0d-0d"])
def test_pairwise_promotion(op, a, b, dims):
    """Every pair of dtypes, each side a tensor with dims or a 0-d tensor: dtype and values as torch."""
    xa = arr(a, (3,) if dims.startswith("nd") else ())
    ya = arr(b, (3,) if dims.endswith("nd") else ())
    (xe, xt), (ye, yt) = both(xa), both(ya)
    fn = PAIR_OPS[op]
    try:
        t = fn(xt, yt)
    except Exception as err:  # e.g. floor_divide of bools: the same error type
        with pytest.raises(type(err)):
            fn(xe, ye)
        return
    e = fn(xe, ye)
    assert_close(e, t, rtol=1e-3, atol=1e-3)
    if op == "add":
        assert ember.result_type(xe, ye) == getattr(ember, str(torch.result_type(xt, yt)).split(".")[-1])


SCALARS = [0, 3, -2, 2.5, -0.5, True, False, 1e10, np.float64(1.5), np.int64(2)]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
@pytest.mark.parametrize("zero_d", [False, True])
def test_tensor_and_python_number(name, scalar, zero_d):
    """A Python number only lifts the category (bool < int < float): int8 + 3 stays int8,
    int + 2.5 is float32 (the default dtype), float16 * 2.5 stays float16."""
    e, t = both(arr(name, () if zero_d else (3,)))
    for fn in (lambda x: x + scalar, lambda x: scalar * x, lambda x: x / (scalar or 1), lambda x: x < scalar,
               lambda x: torch_or_ember(x).where(x > 1, x, scalar)):
        try:
            expected = fn(t)
        except Exception as err:
            with pytest.raises(type(err)):
                fn(e)
            continue
        assert_close(fn(e), expected, rtol=1e-3, atol=1e-3)
    if not isinstance(scalar, np.generic):
        assert ember.result_type(e, scalar).name == str(torch.result_type(t, scalar)).split(".")[-1]


def test_headline_rules():
    i = ember.tensor([1, 2, 3])
    assert (i * 2.5).dtype == ember.float32
    assert (i / 2).dtype == ember.float32
    assert (i / ember.tensor([2, 2, 2])).dtype == ember.float32
    assert (i // 2).dtype == ember.int64
    assert (i ** 0.5).dtype == ember.float32
    assert (2.5 ** i).dtype == ember.float32
    assert ember.exp(i).dtype == ember.float32
    assert ember.sqrt(ember.tensor([True])).dtype == ember.float32
    assert (ember.tensor([1.0]) + ember.tensor(2.0, dtype=ember.float64)).dtype == ember.float32
    assert (ember.tensor([1], dtype=ember.int8) + ember.tensor(1000)).dtype == ember.int8
    assert (ember.tensor([1], dtype=ember.int8) + ember.tensor(1.5, dtype=ember.float64)).dtype == ember.float64
    assert (ember.tensor([True]) + 1).dtype == ember.int64
    assert (ember.tensor([1], dtype=ember.uint8) + ember.tensor([1], dtype=ember.int8)).dtype == ember.int16
    assert (ember.tensor([1.0], dtype=ember.float16) * 1e4).dtype == ember.float16


def test_default_dtype_changes_int_to_float_results():
    try:
        ember.set_default_dtype(ember.float64)
        torch.set_default_dtype(torch.float64)
        for fn in (lambda lib: lib.tensor([1, 2]) / 2, lambda lib: lib.tensor([1, 2]) * 0.5,
                   lambda lib: lib.exp(lib.tensor([1])), lambda lib: lib.tensor([1.5]),
                   lambda lib: lib.tensor([1], dtype=lib.float32) * 2.5):
            assert_close(fn(ember), fn(torch))
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_promote_types_and_can_cast(a, b):
    ea, eb, ta, tb = getattr(ember, a), getattr(ember, b), getattr(torch, a), getattr(torch, b)
    assert ember.promote_types(ea, eb).name == str(torch.promote_types(ta, tb)).split(".")[-1]
    assert ember.can_cast(ea, eb) == torch.can_cast(ta, tb)


@pytest.mark.parametrize("a,b", [("int32", 2.5), (2, 2.5), (True, 3), (2.5, "float16"), ("int8", True),
                                 ("uint8", -1), (1, 2), (False, True)])
def test_result_type_with_numbers(a, b):
    def get(lib, v, shape):
        return lib.ones(shape, dtype=getattr(lib, v)) if isinstance(v, str) else v
    for shape in ((2,), ()):
        e = ember.result_type(get(ember, a, shape), get(ember, b, shape))
        t = torch.result_type(get(torch, a, shape), get(torch, b, shape))
        assert e.name == str(t).split(".")[-1]


# ---------------------------------------------------------------- conversions
CONVERSIONS = {
    "float": lambda x: x.float(), "double": lambda x: x.double(), "half": lambda x: x.half(),
    "long": lambda x: x.long(), "int": lambda x: x.int(), "bool": lambda x: x.bool(),
    "short": lambda x: x.short(), "byte": lambda x: x.byte(), "char": lambda x: x.char(),
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("conv", CONVERSIONS)
def test_conversion_methods(name, conv):
    a = np.array([0.0, 1.0, 2.7, 3.2, 0.5]).astype(np.bool_ if name == "bool" else name)
    e, t = both(a)
    assert_close(CONVERSIONS[conv](e), CONVERSIONS[conv](t))


def test_to_forms():
    a = np.array([[-1.7, 0.0, 2.5]], np.float32)
    e, t = both(a)
    for dt in NAMES:
        assert_close(e.to(getattr(ember, dt)), t.to(getattr(torch, dt)))
        assert_close(e.to(dtype=getattr(ember, dt)), t.to(dtype=getattr(torch, dt)))
        assert_close(e.to("cpu", getattr(ember, dt)), t.to("cpu", getattr(torch, dt)))
        assert_close(e.type(getattr(ember, dt)), t.type(getattr(torch, dt)))
    assert_close(e.to(ember.tensor([1])), t.to(torch.tensor([1])))
    assert_close(e.type_as(ember.tensor([1.0], dtype=ember.float64)), t.type_as(torch.tensor([1.0],
                                                                                            dtype=torch.float64)))
    assert e.to(ember.float32) is e and t.to(torch.float32) is t  # no copy when nothing changes
    assert e.float() is e


def test_conversion_gradients():
    for lib in (ember, torch):
        x = lib.tensor([1.5, -2.0], requires_grad=True)
        y = (x.double() * 3).half().float() ** 2
        y.sum().backward()
        assert x.grad.dtype == lib.float32
        if lib is ember:
            ge, ye = x.grad, y
    assert_close(ge, x.grad)
    assert_close(ye, y)
    x = ember.tensor([1.5], requires_grad=True)
    assert not x.long().requires_grad  # integer results leave the graph, as in torch
    assert not torch.tensor([1.5], requires_grad=True).long().requires_grad


# ---------------------------------------------------------------- reductions
REDUCTIONS = {
    "sum": lambda x: x.sum(), "sum_dim": lambda x: x.sum(0), "prod": lambda x: x.prod(),
    "cumsum": lambda x: x.cumsum(0), "cumprod": lambda x: x.cumprod(0), "mean": lambda x: x.mean(),
    "var": lambda x: x.var(), "std": lambda x: x.std(), "amax": lambda x: x.amax(),
    "max_dim": lambda x: x.max(0).values, "argmax": lambda x: x.argmax(), "all": lambda x: x.all(),
    "any": lambda x: x.any(0), "count_nonzero": lambda x: torch_or_ember(x).count_nonzero(x),
    "logsumexp": lambda x: torch_or_ember(x).logsumexp(x, 0), "norm": lambda x: x.norm(),
    "sort": lambda x: x.sort(dim=0, stable=True).values, "topk": lambda x: x.topk(1).values,
    "median": lambda x: x.median(), "nansum": lambda x: torch_or_ember(x).nansum(x),
    "sum_dtype": lambda x: x.sum(dtype=torch_or_ember(x).float64),
    "mean_dtype": lambda x: x.mean(dtype=torch_or_ember(x).float32),
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("red", REDUCTIONS)
def test_reduction_dtypes(name, red):
    """sum of ints is int64, mean of ints is an error, argmax is int64, all of uint8 is uint8..."""
    e, t = both(arr(name, (3,)))
    fn = REDUCTIONS[red]
    try:
        expected = fn(t)
    except Exception as err:
        with pytest.raises(type(err)) as info:
            fn(e)
        assert str(info.value).split(":")[0] == str(err).split(":")[0]
        return
    assert_close(fn(e), expected, rtol=1e-3, atol=1e-3)


# ---------------------------------------------------------------- nothing silently becomes float64
FLOAT_OPS = [
    lambda lib, x: x * 2.5 + 1, lambda lib, x: 1 / x, lambda lib, x: x ** 2, lambda lib, x: 2 ** x,
    lambda lib, x: lib.exp(x), lambda lib, x: lib.sigmoid(x), lambda lib, x: lib.tanh(x),
    lambda lib, x: lib.erf(x), lambda lib, x: lib.erfinv(x / 4), lambda lib, x: lib.clamp(x, 0.1, 0.2),
    lambda lib, x: lib.where(x > 0, x, 0.5), lambda lib, x: lib.maximum(x, x * 0.5), lambda lib, x: x % 0.7,
    lambda lib, x: lib.lerp(x, x * 2, 0.3), lambda lib, x: lib.atan2(x, x + 1), lambda lib, x: lib.logit(x / 8 + 0.5),
    lambda lib, x: lib.xlogy(x, x * x + 1), lambda lib, x: x.mean(), lambda lib, x: x.var(0),
    lambda lib, x: x.std(), lambda lib, x: lib.logsumexp(x, 0), lambda lib, x: x.norm(3),
    lambda lib, x: x.prod(), lambda lib, x: x.cumprod(0), lambda lib, x: lib.quantile(x, 0.3),
    lambda lib, x: x.median(), lambda lib, x: lib.nan_to_num(x), lambda lib, x: lib.round(x, decimals=1),
    lambda lib, x: lib.addcdiv(x, x, x + 3), lambda lib, x: lib.rsqrt(x * x + 1), lambda lib, x: x.frac(),
]


@pytest.mark.parametrize("i", range(len(FLOAT_OPS)))
@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_float_stays_in_its_dtype(i, dtype):
    fn = FLOAT_OPS[i]
    a = np.array([0.5, -1.25, 2.0], dtype=dtype)
    x = ember.tensor(a, requires_grad=True)
    try:
        t = fn(torch, torch.tensor(a))
    except Exception as err:  # quantile refuses float16
        with pytest.raises(type(err)):
            fn(ember, x)
        return
    y = fn(ember, x)
    assert y.dtype.name == dtype
    assert y.dtype.name == str(t.dtype).split(".")[-1]
    y.sum().backward()
    assert x.grad.dtype.name == dtype
