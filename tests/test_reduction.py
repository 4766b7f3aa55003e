"""Reductions, scans and sorting against torch: values, gradients, dtypes, shapes and errors."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import ember
from helpers import check, check_error, check_double_backward, assert_close

rng = np.random.default_rng(0)
NAN, INF = math.nan, math.inf


def r(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def distinct(*shape, dtype=np.float32):
    """Values with no ties (so that indices of sorts and order statistics are well defined)."""
    n = math.prod(shape)
    return (rng.permutation(n).reshape(shape) - n / 3).astype(dtype) / 4


def ties(*shape, dtype=np.float32):
    return rng.integers(0, 3, shape).astype(dtype)


# fn(lib, x, dim, keepdim) for each reduction that takes dim / keepdim
REDUCE = {
    "sum": lambda lib, x, d, k: x.sum(d, keepdim=k) if d is not None else x.sum(),
    "mean": lambda lib, x, d, k: lib.mean(x, d, keepdim=k) if d is not None else lib.mean(x),
    "amax": lambda lib, x, d, k: lib.amax(x, d if d is not None else (), k),
    "amin": lambda lib, x, d, k: x.amin(d if d is not None else (), keepdim=k),
    "var": lambda lib, x, d, k: lib.var(x, d, keepdim=k),
    "std": lambda lib, x, d, k: x.std(d, keepdim=k),
    "var_c0": lambda lib, x, d, k: lib.var(x, d, keepdim=k, correction=0),
    "std_unbiased_false": lambda lib, x, d, k: lib.std(x, d, unbiased=False, keepdim=k),
    "logsumexp": lambda lib, x, d, k: lib.logsumexp(x, d if d is not None else tuple(range(x.dim())), keepdim=k),
    "norm": lambda lib, x, d, k: x.norm(dim=d, keepdim=k),
    "norm_p3": lambda lib, x, d, k: x.norm(3, d, k),
    "nansum": lambda lib, x, d, k: lib.nansum(x, d, keepdim=k) if d is not None else lib.nansum(x),
    "count_nonzero": lambda lib, x, d, k: lib.count_nonzero(x, d),
}
for _p in (0, 1, 2, INF, -INF, 3, 0.5, -1, 1.5):
    REDUCE[f"vector_norm_{_p}"] = (lambda p: lambda lib, x, d, k: lib.linalg.vector_norm(x, p, d, k))(_p)

DIMS = [None, 0, -1, 1, (0, 2), (-1, 0, 1), [2]]


@pytest.mark.parametrize("name", REDUCE)
@pytest.mark.parametrize("dim", DIMS, ids=str)
@pytest.mark.parametrize("keepdim", [False, True])
def test_reduce_dims(name, dim, keepdim):
    if name == "count_nonzero" and keepdim:
        return
    check_or_error(lambda lib, x: REDUCE[name](lib, x, dim, keepdim), r(3, 4, 2), grad=name != "count_nonzero")


def check_or_error(fn, *arrays, **kwargs):
    """check(), or where torch raises (Tensor.norm over 3 dims), the same exception type."""
    try:
        fn(torch, *[torch.tensor(a) for a in arrays])
    except Exception:
        check_error(fn, *arrays)
        return
    check(fn, *arrays, **kwargs)


@pytest.mark.parametrize("name", REDUCE)
@pytest.mark.parametrize("dim", [None, 0, -1])
@pytest.mark.filterwarnings("ignore:.*degrees of freedom")
def test_reduce_0d_and_float64(name, dim):
    grad = name != "count_nonzero"
    check(lambda lib, x: REDUCE[name](lib, x, dim, False), r(), grad=grad)
    check(lambda lib, x: REDUCE[name](lib, x, dim, True), r(), grad=grad)
    check(lambda lib, x: REDUCE[name](lib, x, dim, False), r(2, 5, dtype=np.float64), grad=grad)


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=0, max_size=4), data=st.data(),
       name=st.sampled_from(["sum", "mean", "amax", "var", "std", "logsumexp", "norm", "vector_norm_inf"]),
       keepdim=st.booleans())
@pytest.mark.filterwarnings("ignore:.*degrees of freedom")
def test_reduce_random_shapes(shape, data, name, keepdim):
    nd = len(shape)
    dims = data.draw(st.lists(st.integers(-max(nd, 1), max(nd, 1) - 1), unique_by=lambda d: d % max(nd, 1),
                              max_size=max(nd, 1)))
    dim = tuple(dims) if dims else None
    check_or_error(lambda lib, x: REDUCE[name](lib, x, dim, keepdim), r(*shape))


def test_special_values():
    a = np.array([[1.0, NAN, 3.0, NAN], [1.0, 3.0, 3.0, 0.0], [-INF, 2.0, INF, 1.0]], np.float32)
    for name in ("sum", "mean", "amax", "amin", "logsumexp", "nansum", "vector_norm_inf", "vector_norm_2"):
        for dim in (None, 1):
            check(lambda lib, x: REDUCE[name](lib, x, dim, False), a)
    check(lambda lib, x: x.max(), a)
    check(lambda lib, x: x.min(), a)
    check(lambda lib, x: lib.logsumexp(x, 0), np.array([-INF, -INF], np.float32))
    check(lambda lib, x: lib.logsumexp(x, 0), np.array([1.0, INF], np.float32))
    check(lambda lib, x: lib.logsumexp(x, 1), r(2, 3) * 1000)


def test_reduce_errors():
    x = r(2, 3)
    for fn in (lambda lib, x: x.sum(2), lambda lib, x: x.mean(-3), lambda lib, x: x.amax((0, 5)),
               lambda lib, x: x.max(2), lambda lib, x: x.argmax(3), lambda lib, x: x.cumsum(2),
               lambda lib, x: x.sort(2), lambda lib, x: x.var(4), lambda lib, x: lib.logsumexp(x, 2)):
        e, t = check_error(fn, x)
        assert isinstance(e, IndexError) and "Dimension out of range" in str(e)
    for fn in (lambda lib, x: x.sum((0, 0)), lambda lib, x: x.mean((1, -1)), lambda lib, x: x.amax((1, -1)),
               lambda lib, x: lib.count_nonzero(x, (0, 0))):
        e, t = check_error(fn, x)
        assert str(e) == str(t)
    empty = np.zeros((0, 3), np.float32)
    for fn in (lambda lib, x: x.max(), lambda lib, x: lib.amax(x), lambda lib, x: x.min(),
               lambda lib, x: x.argmax(), lambda lib, x: x.max(0), lambda lib, x: lib.amin(x, 0),
               lambda lib, x: x.argmin(0), lambda lib, x: x.median(0)):
        e, t = check_error(fn, empty)
        assert str(e).split(":")[0] == str(t).split(":")[0]
    check(lambda lib, x: lib.amax(x, 1), empty)
    check(lambda lib, x: x.sum(0), empty)
    check(lambda lib, x: x.mean(), empty)
    check(lambda lib, x: x.prod(), empty)
    check(lambda lib, x: x.median(), np.zeros(0, np.float32), grad=False)


# ---------------------------------------------------------------- sum, mean, prod dtypes
INT_DTYPES = [np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_]


@pytest.mark.parametrize("dtype", INT_DTYPES + [np.float16, np.float64], ids=lambda d: np.dtype(d).name)
def test_reduction_dtypes(dtype):
    a = (rng.integers(0, 3, (3, 4)) if dtype != np.bool_ else rng.integers(0, 2, (3, 4))).astype(dtype)
    for fn in (lambda lib, x: x.sum(), lambda lib, x: x.sum(1), lambda lib, x: lib.prod(x),
               lambda lib, x: x.prod(0, keepdim=True), lambda lib, x: x.cumsum(1), lambda lib, x: lib.cumprod(x, 0),
               lambda lib, x: x.amax(), lambda lib, x: x.max(1).values, lambda lib, x: x.argmax(),
               lambda lib, x: x.argmin(1), lambda lib, x: lib.all(x), lambda lib, x: x.any(0),
               lambda lib, x: lib.all(x, 1, keepdim=True), lambda lib, x: lib.count_nonzero(x),
               lambda lib, x: x.sum(dtype=lib.float32), lambda lib, x: x.sum(1, dtype=lib.int32),
               lambda lib, x: x.cumsum(0, dtype=lib.float64), lambda lib, x: x.prod(dtype=lib.float32),
               lambda lib, x: lib.mean(x, dtype=lib.float64), lambda lib, x: x.sort(dim=1, stable=True),
               lambda lib, x: x.sort(dim=0, descending=True, stable=True), lambda lib, x: x.median()):
        try:
            t = fn(torch, torch.tensor(a))
        except Exception as err:
            with pytest.raises(type(err)):
                fn(ember, ember.tensor(a))
            continue
        assert_close(fn(ember, ember.tensor(a)), t, rtol=1e-3, atol=1e-3)


def test_integer_reduction_errors():
    for fn in (lambda lib, x: x.mean(), lambda lib, x: x.var(), lambda lib, x: x.std(1),
               lambda lib, x: lib.linalg.vector_norm(x), lambda lib, x: lib.quantile(x, 0.5),
               lambda lib, x: lib.linalg.vector_norm(x, dtype=lib.float32)):
        e, t = check_error(fn, np.array([[1, 2], [3, 4]]))
        assert str(e) == str(t)


@pytest.mark.parametrize("a", [
    np.array([2.0, 0.0, 3.0, 4.0], np.float32),
    np.array([0.0, 0.0, 3.0], np.float32),
    np.array([[1.0, 0.0, 3.0], [0.0, 0.0, 2.0], [1.0, 2.0, 3.0], [-1.0, 2.0, 0.5]], np.float32),
    np.array(0.0, np.float32),
    np.array(2.5, np.float32),
], ids=["one_zero", "two_zeros", "matrix", "zero_0d", "0d"])
def test_prod_with_zeros(a):
    check(lambda lib, x: x.prod(), a)
    if a.ndim:
        check(lambda lib, x: x.prod(-1), a)
        check(lambda lib, x: lib.prod(x, 0, keepdim=True), a)
        check(lambda lib, x: lib.prod(x, 0, dtype=lib.float64), a)


@pytest.mark.parametrize("a", [
    np.array([2.0, 0.0, 3.0, 0.0, 4.0], np.float32),
    np.array([0.0, 1.5, 2.0], np.float32),
    np.array([1.5, 2.0, -0.5, 0.0], np.float32),
    np.array([[1.0, 0.0, 3.0, 2.0], [0.0, 0.0, 2.0, 1.0], [1.0, 2.0, 3.0, -1.0]], np.float32),
], ids=["two_zeros", "leading_zero", "trailing_zero", "matrix"])
def test_cumprod_with_zeros(a):
    check(lambda lib, x: x.cumprod(-1), a)
    check(lambda lib, x: lib.cumprod(x, 0), a)


def test_cumsum_cumprod():
    for d in (0, 1, -1):
        check(lambda lib, x: x.cumsum(d), r(3, 4))
        check(lambda lib, x: lib.cumprod(x, d), r(3, 4))
    check(lambda lib, x: x.cumsum(0), r())
    check(lambda lib, x: x.cumprod(-1), r())
    check(lambda lib, x: x.cumsum(1, dtype=lib.float64), r(2, 3))


# ---------------------------------------------------------------- max / min and their gradients
def test_max_min_gradients_with_ties():
    a = np.array([[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 5.0, 0.0], [0.0, -1.0, -1.0, 0.0]], np.float32)
    check(lambda lib, x: x.max(), a)  # ties share the gradient evenly
    check(lambda lib, x: lib.min(x), a)
    check(lambda lib, x: x.amax(), a)
    check(lambda lib, x: x.amax(1), a)
    check(lambda lib, x: lib.amin(x, (0, 1), keepdim=True), a)
    for d in (0, 1, -1):  # with dim, the gradient goes to the returned (first) index only
        check(lambda lib, x: x.max(d).values, a)
        check(lambda lib, x: lib.max(x, d, keepdim=True)[0], a)
        check(lambda lib, x: x.min(d).indices, a, grad=False)
        check(lambda lib, x: lib.min(x, dim=d).values, a)
        check(lambda lib, x: lib.argmax(x, d), a, grad=False)
        check(lambda lib, x: x.argmin(d, keepdim=True), a, grad=False)
    check(lambda lib, x: x.argmax(), a, grad=False)
    check(lambda lib, x: lib.argmin(x, keepdim=True), a, grad=False)


def test_max_min_with_nan():
    a = np.array([[1.0, NAN, 3.0, NAN], [1.0, 3.0, 3.0, 0.0]], np.float32)
    check(lambda lib, x: x.max(), a)
    check(lambda lib, x: x.min(), a)
    check(lambda lib, x: x.max(1).values, a)
    check(lambda lib, x: x.max(1).indices, a, grad=False)
    check(lambda lib, x: x.min(1).indices, a, grad=False)
    check(lambda lib, x: x.argmax(1), a, grad=False)
    check(lambda lib, x: x.argmin(), a, grad=False)


def test_max_forms():
    a, b = r(3, 4), r(4)
    e, t = check(lambda lib, x: lib.max(x, 1), a, grad=False)
    assert isinstance(e, tuple) and e.values is e[0] and e.indices is e[1]
    check(lambda lib, x, y: lib.max(x, y), a, b)
    check(lambda lib, x, y: x.min(y), a, b)
    check(lambda lib, x: x.max(0).values, r())
    check(lambda lib, x: x.min(0, keepdim=True).indices, r(), grad=False)
    check(lambda lib, x: lib.aminmax(x).max, a, grad=False)
    check(lambda lib, x: lib.aminmax(x, dim=1, keepdim=True).min, a, grad=False)


# ---------------------------------------------------------------- var, std
@pytest.mark.parametrize("kwargs", [{}, {"unbiased": False}, {"unbiased": True}, {"correction": 0},
                                    {"correction": 2}, {"correction": 1.5}, {"dim": 1, "correction": 3},
                                    {"dim": (0, 1), "keepdim": True}, {"dim": 0, "unbiased": False}])
def test_var_std(kwargs):
    for fn in (lambda lib, x: lib.var(x, **kwargs), lambda lib, x: x.std(**kwargs),
               lambda lib, x: lib.var_mean(x, **kwargs)[0], lambda lib, x: lib.var_mean(x, **kwargs)[1],
               lambda lib, x: lib.std_mean(x, **kwargs)[0] * 2 + lib.std_mean(x, **kwargs)[1]):
        check(fn, r(3, 4))
    check(lambda lib, x: lib.std_mean(x, **kwargs), r(3, 4), grad=False)


@pytest.mark.filterwarnings("ignore:.*degrees of freedom")
def test_var_std_positional_and_too_few():
    check(lambda lib, x: lib.var(x, 1, True, True), r(3, 4))
    check(lambda lib, x: lib.std(x, 0, False), r(3, 4))
    check(lambda lib, x: x.var(False), r(3, 4))
    check(lambda lib, x: x.std(), r(1))  # n - correction = 0: nan
    check(lambda lib, x: x.var(correction=5), r(3))  # inf
    check(lambda lib, x: x.std(), r())
    # a zero std has a zero gradient in torch (sqrt alone would give inf * 0 = nan)
    check(lambda lib, x: x.std(), np.full((4,), 2.0, np.float32))
    check(lambda lib, x: x.std(1), np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]], np.float32))


# ---------------------------------------------------------------- norms
@pytest.mark.parametrize("p", [0, 1, 2, INF, -INF, 3, 0.5, -1, 1.5])
def test_vector_norm_at_zero(p):
    """Gradients at x = 0 and at an all-zero norm follow torch's special cases."""
    check(lambda lib, x: lib.linalg.vector_norm(x, p), np.array([0.0, 1.0, -4.0, 0.0], np.float32))
    check(lambda lib, x: lib.linalg.vector_norm(x, p), np.zeros(3, np.float32))
    check(lambda lib, x: lib.linalg.vector_norm(x, p, dim=1), np.array([[0.0, 0.0], [3.0, -4.0]], np.float32))
    check(lambda lib, x: lib.linalg.vector_norm(x, p), np.array([1.0, -3.0, 3.0], np.float32))


def test_norm_forms():
    x = r(3, 4)
    check(lambda lib, x: x.norm(), x)
    check(lambda lib, x: x.norm(p="fro", dim=1), x)
    check(lambda lib, x: x.norm(p=1, dim=(0, 1), keepdim=True), x)
    check(lambda lib, x: x.norm(INF), x)
    check(lambda lib, x: lib.linalg.vector_norm(x, dtype=lib.float64), x)
    check(lambda lib, x: lib.linalg.vector_norm(x, 2, (0, 1)), x.astype(np.float16), grad=False, rtol=2e-3)
    check(lambda lib, x: x.norm(), np.zeros((2, 2), np.float32))


def test_torch_norm_function():
    check(lambda lib, x: lib.norm(x, p=3, dim=1), r(3, 4))
    check(lambda lib, x: lib.norm(x, 1, (0, 1), True), r(3, 4))
    check(lambda lib, x: lib.norm(x), r(3, 4))
    check(lambda lib, x: lib.norm(x, "fro", (0, 1)), r(3, 4, 2))
    check_error(lambda lib, x: lib.norm(x, dim=(0, 1, 2)), r(3, 4, 2))


# ---------------------------------------------------------------- all / any
@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.int64, np.float32], ids=lambda d: np.dtype(d).name)
def test_all_any(dtype):
    a = np.array([[1, 0, 2], [3, 1, 1]]).astype(dtype)
    for fn in (lambda lib, x: lib.all(x), lambda lib, x: x.any(), lambda lib, x: x.all(1),
               lambda lib, x: lib.any(x, 0, keepdim=True), lambda lib, x: lib.all(x, (0, 1)),
               lambda lib, x: x[:0].all(), lambda lib, x: x[:0].any(0)):
        check(fn, a, grad=False)


# ---------------------------------------------------------------- sort, topk, order statistics
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.uint8, np.int8, np.bool_], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dim", [0, -1])
def test_sort_stable_ties(dtype, descending, dim):
    a = ties(4, 9).astype(dtype) if dtype != np.int8 else (ties(4, 9) - 1).astype(dtype)
    check(lambda lib, x: lib.sort(x, dim=dim, descending=descending, stable=True), a, grad=False)
    check(lambda lib, x: lib.argsort(x, dim=dim, descending=descending, stable=True), a, grad=False)
    check(lambda lib, x: x.sort(dim, descending).values, a, grad=False)  # unstable: only values are defined


def test_sort_values_gradients_and_nan():
    check(lambda lib, x: x.sort(1, descending=True).values, distinct(3, 5))
    check(lambda lib, x: x.sort(0).values, distinct(3, 5))
    a = np.array([1.0, NAN, 0.0, 5.0, NAN, -INF], np.float32)
    check(lambda lib, x: lib.sort(x, stable=True), a, grad=False)
    check(lambda lib, x: lib.sort(x, descending=True, stable=True), a, grad=False)
    check(lambda lib, x: lib.sort(x), r(), grad=False)
    check(lambda lib, x: lib.argsort(x), r(), grad=False)
    check(lambda lib, x: lib.msort(x), distinct(4, 2))


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_topk(largest, dim):
    a = distinct(4, 6)
    for k in (0, 1, 3, 4):
        check(lambda lib, x: lib.topk(x, k, dim, largest).values, a)
        check(lambda lib, x: x.topk(k, dim=dim, largest=largest).indices, a, grad=False)
    check(lambda lib, x: x.topk(2, largest=largest).values, ties(3, 7), grad=False)


def test_topk_nan_0d_and_errors():
    check(lambda lib, x: x.topk(2), np.array([1.0, NAN, 5.0, NAN], np.float32), grad=False)
    check(lambda lib, x: x.topk(1), r(), grad=False)
    e, t = check_error(lambda lib, x: x.topk(5), r(3))
    assert str(e) == str(t)


def test_kthvalue_median():
    a = distinct(5, 7)
    for d in (0, 1, -1):
        for k in (1, 3, 5):
            check(lambda lib, x: lib.kthvalue(x, k, d).values, a)
            check(lambda lib, x: x.kthvalue(k, d, keepdim=True).indices, a, grad=False)
        check(lambda lib, x: x.median(d).values, a)
        check(lambda lib, x: lib.median(x, d, keepdim=True).indices, a, grad=False)
    check(lambda lib, x: x.median(), a)
    check(lambda lib, x: x.median(), a[:, :6])  # even count: the lower of the two middle values
    # ties: values as torch (indices among equal values are implementation-defined in torch)
    b = ties(6, 7)
    check(lambda lib, x: x.median(1).values, b, grad=False)
    check(lambda lib, x: x.kthvalue(4, 0).values, b, grad=False)
    check(lambda lib, x: x.median(), b)  # without dim, ties share the gradient
    check(lambda lib, x: x.median(), np.array([1.0, 2.0, 2.0, 3.0, 2.0], np.float32))
    check(lambda lib, x: x.median(0), r(), grad=False)
    check(lambda lib, x: x.kthvalue(1), r(), grad=False)


def test_median_and_kthvalue_with_nan():
    a = np.array([[1.0, NAN, 0.0, NAN], [3.0, 1.0, 2.0, -2.0], [NAN, 1.0, 2.0, 5.0]], np.float32)
    check(lambda lib, x: x.median(), a)
    check(lambda lib, x: x.median(1), a, grad=False)
    check(lambda lib, x: x.median(1).values, a)
    check(lambda lib, x: x.kthvalue(3, 1), a, grad=False)
    check(lambda lib, x: lib.nanmedian(x), a)
    check(lambda lib, x: lib.nanmedian(x, 1), a, grad=False)
    for fn in (lambda lib, x: x.kthvalue(0), lambda lib, x: x.kthvalue(5)):
        e, t = check_error(fn, a)
        assert str(e) == str(t)


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile(interpolation):
    a = distinct(4, 5)
    qs = [0.0, 0.1, 0.25, 0.5, 0.9, 1.0]
    for q in (0.3, 0.5, 1.0, np.array(qs, np.float32), np.array(0.75, np.float32)):
        for dim, keepdim in ((None, False), (None, True), (0, False), (1, True), (-1, False)):
            def fn(lib, x):
                qq = lib.tensor(q) if isinstance(q, np.ndarray) else q
                return lib.quantile(x, qq, dim, keepdim, interpolation=interpolation)
            check(fn, a)
    check(lambda lib, x: lib.quantile(x, 0.4, interpolation=interpolation), r(), grad=False)
    check(lambda lib, x: x.quantile(lib.tensor([0.2, 0.5], dtype=lib.float64), 1), a.astype(np.float64))


def test_quantile_nan_and_errors():
    a = np.array([[1.0, NAN, 2.0], [3.0, 1.0, 2.0]], np.float32)
    check(lambda lib, x: lib.quantile(x, 0.5, 1), a)
    check(lambda lib, x: lib.quantile(x, 0.5), a)
    check(lambda lib, x: lib.nanquantile(x, 0.3, 1), a)
    check(lambda lib, x: lib.nanquantile(x, 0.5), np.full((3,), NAN, np.float32))
    x = r(3)
    for fn in (lambda lib, x: lib.quantile(x, 1.5), lambda lib, x: lib.quantile(x, lib.tensor([0.5, 2.0])),
               lambda lib, x: lib.quantile(x, lib.tensor([0.5], dtype=lib.float64)),
               lambda lib, x: lib.quantile(x, lib.ones(2, 2) / 2),
               lambda lib, x: lib.quantile(x, 0.5, interpolation="foo"),
               lambda lib, x: lib.quantile(x[:0], 0.5)):
        e, t = check_error(fn, x)
        assert str(e) == str(t)


def test_cummax_cummin_count_nonzero():
    a = ties(3, 5)
    check(lambda lib, x: lib.count_nonzero(x, (0, 1)), a, grad=False)
    check(lambda lib, x: x.count_nonzero(1), a, grad=False)
    check(lambda lib, x: lib.cummax(x, 1).values, distinct(3, 5))
    check(lambda lib, x: lib.cummin(x, 0).values, distinct(3, 5))


# ---------------------------------------------------------------- second derivatives
DOUBLE = {
    "sum": (lambda lib, x: (x * x).sum(1), r(3, 4, dtype=np.float64)),
    "sum_plain": (lambda lib, x: x.sum(0), r(3, 4, dtype=np.float64)),
    "mean": (lambda lib, x: (x * x).mean((0, 1)), r(3, 4, dtype=np.float64)),
    "mean_plain": (lambda lib, x: x.mean(), r(3, 4, dtype=np.float64)),
    "logsumexp": (lambda lib, x: lib.logsumexp(x, 1), r(3, 4, dtype=np.float64)),
    "norm": (lambda lib, x: x.norm(), r(3, 4, dtype=np.float64)),
    "norm_dim": (lambda lib, x: x.norm(dim=0), r(3, 4, dtype=np.float64)),
    "norm_p3": (lambda lib, x: lib.linalg.vector_norm(x, 3, 1), r(3, 4, dtype=np.float64)),
    "var": (lambda lib, x: x.var(1), r(3, 4, dtype=np.float64)),
    "std": (lambda lib, x: x.std(), r(3, 4, dtype=np.float64)),
    "prod": (lambda lib, x: x.prod(1), r(3, 4, dtype=np.float64)),
    "cumsum": (lambda lib, x: (x * x).cumsum(1), r(3, 4, dtype=np.float64)),
    "amax": (lambda lib, x: (x * x).amax(1), r(3, 4, dtype=np.float64)),
    "logsumexp_f32": (lambda lib, x: lib.logsumexp(x, 0), r(3, 4)),
}


@pytest.mark.parametrize("name", DOUBLE)
def test_double_backward(name):
    fn, a = DOUBLE[name]
    check_double_backward(fn, a)


def test_grad_of_grad_twice():
    """ember.autograd.grad twice on the same graph, as torch."""
    for lib in (ember, torch):
        x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = lib.logsumexp(x * x, 0) + x.norm()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x, create_graph=True)
        (k,) = lib.autograd.grad((h * h).sum(), x)
        if lib is ember:
            ge, he, ke = g, h, k
    assert_close(ge, g)
    assert_close(he, h)
    assert_close(ke, k)


def test_float32_stays_float32():
    x = ember.tensor(r(3, 4), requires_grad=True)
    outs = [x.sum(), x.mean(1), x.var(), x.std(0), ember.logsumexp(x, 1), x.norm(), x.prod(1), x.cumprod(0),
            x.amax(), x.max(1).values, x.median(), ember.quantile(x, 0.3), x.cumsum(1),
            ember.linalg.vector_norm(x, 3)]
    for y in outs:
        assert y.dtype == ember.float32
        (g,) = ember.autograd.grad(y.sum(), x)
        assert g.dtype == ember.float32


def test_quantile_method_interpolation():
    check(lambda lib, x: x.quantile(0.4, 1, interpolation="higher"), distinct(3, 5))
    check(lambda lib, x: x.quantile(0.4, interpolation="nearest"), distinct(3, 5))


def test_float16_accumulates_like_torch():
    """torch accumulates float16 reductions and scans in float32: long sums do not stall at 2048."""
    a = rng.random(5000).astype(np.float16)
    for fn in (lambda lib, x: x.sum(), lambda lib, x: x.mean(), lambda lib, x: x.cumsum(0),
               lambda lib, x: x.norm(), lambda lib, x: x.norm(3), lambda lib, x: x.var(),
               lambda lib, x: lib.logsumexp(x, 0), lambda lib, x: (x[:30] + 1).cumprod(0)):
        check(fn, a, grad=False)


def test_mode():
    a = ties(5, 7)
    for d in (0, 1, -1):
        check(lambda lib, x: x.mode(d), a, grad=False)
        check(lambda lib, x: lib.mode(x, d, keepdim=True), a.astype(np.int64), grad=False)
        check(lambda lib, x: x.mode(d).values, a)
    check(lambda lib, x: x.mode(), r(), grad=False)


def test_var_warns_like_torch():
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="std\\(\\): degrees of freedom is <= 0"):
            lib.tensor([1.0]).std()
        with pytest.warns(UserWarning, match="var\\(\\): degrees of freedom"):
            lib.tensor([1.0, 2.0]).var(correction=2)
