"""Reductions: sum, mean, max, var, norm, sort... Values with indices are built from an
index computation (no gradient) and a gather (which has one)."""
import builtins
import math
import warnings
from collections import namedtuple

import numpy as np

from .._tensor import Tensor, _wrap, _wrap_dim, _add_reduce
from .. import _dtype
from .._backend import get_array_module
from ..autograd.function import Op
from ..autograd.grad_mode import state as _mode
from ..autograd import trace as _trace
from .shape import reshape, squeeze, movedim, expand_grad, Reshape
from .indexing import gather
from . import pointwise as P
from .pointwise import _tname

_new = object.__new__

values_indices = namedtuple("values_indices", ["values", "indices"])
max_t, min_t, sort_t, topk_t, median_t, mode_t, kthvalue_t = (
    namedtuple(n, ["values", "indices"]) for n in ("max", "min", "sort", "topk", "median", "mode", "kthvalue"))
var_mean_t = namedtuple("var_mean", ["var", "mean"])
std_mean_t = namedtuple("std_mean", ["std", "mean"])
aminmax_t = namedtuple("aminmax", ["min", "max"])


def _dims(dim, ndim):
    """A tuple of wrapped dims, or None for all dims (and for a 0-d tensor, whose only dim is itself)."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    if isinstance(dim, (tuple, list)):
        dims = tuple(_wrap_dim(d, ndim) for d in dim)
        if len(set(dims)) != len(dims):
            d = next(d for d in dims if dims.count(d) > 1)
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    else:
        dims = (_wrap_dim(dim, ndim),)
    return dims if ndim else None


def _index0(input):
    """The index of a 0-d tensor's only element, on its device."""
    return _wrap(get_array_module(input._data).zeros((), np.int64))


def _keep_shape(shape, dims):
    return tuple(1 if dims is None or i in dims else s for i, s in enumerate(shape))


def _drop_shape(shape, dims):
    return tuple(s for i, s in enumerate(shape) if dims is not None and i not in dims)


def _count(shape, dims):
    return math.prod(shape) if dims is None else math.prod(shape[d] for d in dims)


def _spread(gy, x, y, dims):
    """The gradient of a reduction that picks values (max, median): ties share it evenly, as in torch."""
    mask = P.eq(x, y)
    if np.isnan(y._data).any():  # a NaN result was picked from the NaNs
        mask = mask | (P.isnan(x) & P.isnan(y))
    return gy * mask / sum(mask, dims, keepdim=True)


# ---------------------------------------------------------------- sum, mean, prod
class Sum(Op):
    """Sum, and mean as the sum divided by the count: one node where a composite takes two.
    The options are keywords, so that the graph records one input."""
    save, arrays = False, True

    def forward(self, x, dims=None, keepdim=False, dtype=None, count=1):
        self.shape, self.dims, self.keepdim, self.count = x.shape, dims, keepdim, count
        return _sum(x, dims, keepdim, dtype, count)

    def backward(self, gy):
        shape, dims = self.shape, self.dims
        if self.count != 1:
            gy = gy / self.count
        if not self.keepdim and dims is not None:  # (a full sum's 0-d gradient broadcasts as it is)
            gy = Reshape.on(gy, _keep_shape(shape, dims))
        return expand_grad(gy, shape)


def _sum(x, dims, keepdim, dtype, count):
    """Sum's forward on an array."""
    if x.__class__ is np.ndarray:  # NumPy's ufunc itself: x.sum() adds a Python layer
        y = _add_reduce(x, dims, dtype, None, keepdim)
    else:
        y = x.sum(axis=dims, keepdims=keepdim, dtype=dtype)
    return y if count == 1 else y / count


def sum_all(input, count=1):
    """The sum (count 1) or mean of all elements of a float tensor, the common case: Sum's
    node made directly, without apply's generic dispatch."""
    a = input._data
    if _trace.active is not None:
        return Sum.apply(input, count=count)
    if not (input._rg and _mode.enabled):
        return _wrap(_sum(a, None, False, None, count))
    f = _new(Sum)
    out = _wrap(f.forward(a, None, False, None, count))
    f.connect((input,), out, [a])
    return out


def sum(input, dim=None, keepdim=False, *, dtype=None):
    if not isinstance(input, Tensor):
        import builtins
        return builtins.sum(input)
    dt = _dtype.to_np(dtype)
    if dt is None and input._data.dtype.kind in "bui":  # torch sums integers and bools as int64
        dt = np.dtype(np.int64)
    return Sum.apply(input, dims=_dims(dim, input._data.ndim), keepdim=keepdim, dtype=dt)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    if input._data.dtype.kind in "fc":
        input = P.where(P.isnan(input), 0.0, input)
    return sum(input, dim, keepdim, dtype=dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind not in "fc":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point "
                           f"or complex dtype. Got: {_tname(input._data.dtype)}")
    dims = _dims(dim, input._data.ndim)
    n = _count(input._data.shape, dims)
    return Sum.apply(input, dims=dims, keepdim=keepdim, count=n if n else float("nan"))


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    keep = P.logical_not(P.isnan(input))
    return nansum(input, dim, keepdim) / sum(keep, dim, keepdim)


class Prod(Op):
    saves_output = True

    def forward(self, x, dims, keepdim):
        return x.prod(axis=dims, keepdims=keepdim)

    def backward(self, gy):
        x, dims = self.inputs[0], self.inputs[1]
        shape = _keep_shape(x._data.shape, dims)
        gy = reshape(gy, shape)
        if (x._data == 0).any():
            return _prod_grad_with_zeros(x, dims, gy), None, None
        # d prod / d x_i = prod / x_i where no x is zero (conjugated for complex x: torch's convention)
        d = reshape(self.out(), shape) / x
        return gy * (d.conj() if d._data.dtype.kind == "c" else d), None, None


def _prod_grad_with_zeros(x, dims, gy):
    """d prod / d x_i as the product of all the other elements: the exclusive products
    from the left times those from the right (exact when some x are zero)."""
    from .shape import narrow, cat
    if dims is None:
        flat, d = reshape(x, (-1,)), 0
        gy = reshape(gy, (1,))
    else:
        flat, d = x, dims[0]
    n = flat._data.shape[d]
    one = P.add(P.mul(narrow(flat, d, 0, 1), 0), 1)
    left = cumprod(cat([one, narrow(flat, d, 0, n - 1)], d), d)
    right = cumprod(cat([one, narrow(flat.flip(d), d, 0, n - 1)], d), d).flip(d)
    others = left * right
    return reshape(gy * (others.conj() if others._data.dtype.kind == "c" else others), x._data.shape)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind in "bui":
        input = input.to(_dtype.int64)
    dims = None if dim is None else _dims(dim, input._data.ndim)
    return Prod.apply(input, dims, keepdim)


# ---------------------------------------------------------------- max, min, argmax
class Amax(Op):
    saves_output = True

    def forward(self, x, dims, largest):
        return (x.max if largest else x.min)(axis=dims, keepdims=True)

    def backward(self, gy):
        x, dims = self.inputs[0], self.inputs[1]
        if dims is None:  # max(), min(): ties (and NaNs) share the gradient evenly
            return _spread(gy, x, self.out(), None), None, None
        # amax, amin: the elements equal to the result share it (a NaN result gives NaNs, as in torch)
        mask = P.eq(x, self.out())
        return gy * mask / sum(mask, dims, keepdim=True), None, None


def _amax(input, dim, keepdim, largest, name):
    a = input._data
    dims = _dims(dim, a.ndim)
    if a.size == 0:
        if dims is None:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        for d in dims:
            if a.shape[d] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    if dims is None and name in ("amax", "amin"):
        dims = tuple(range(a.ndim))  # amax's gradient (no even split over ties) for all dims
    y = Amax.apply(input, dims, largest)
    return y if keepdim else reshape(y, _drop_shape(a.shape, dims))


def amax(input, dim=(), keepdim=False):
    return _amax(input, dim, keepdim, True, "amax")


def amin(input, dim=(), keepdim=False):
    return _amax(input, dim, keepdim, False, "amin")


def _arg(input, dim, keepdim, largest, bools=False):
    a = input._data
    if a.dtype.kind == "b" and not bools:
        raise RuntimeError(f"{'argmax' if largest else 'argmin'}(): does not support bool input")
    fn = np.argmax if largest else np.argmin  # the first of equal values (and the first NaN), as torch
    if dim is None:
        if a.size == 0:
            raise IndexError(f"{'argmax' if largest else 'argmin'}(): Expected reduction dim to be "
                             "specified for input.numel() == 0.")
        return _wrap(get_array_module(a).asarray(fn(a), dtype=np.int64).reshape((1,) * a.ndim if keepdim else ()))
    d = _wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return _index0(input)
    if a.shape[d] == 0:
        raise IndexError(f"{'argmax' if largest else 'argmin'}(): Expected reduction dim {d} to have "
                         "non-zero size.")
    out = _wrap(fn(a, axis=d, keepdims=keepdim).astype(np.int64, copy=False))
    if _trace.active is not None:  # (max(dim) gathers with it: export needs where it came from)
        _trace.active("argmax" if largest else "argmin", (input, d, keepdim), {}, out)
    return out


def argmax(input, dim=None, keepdim=False):
    return _arg(input, dim, keepdim, True)


def argmin(input, dim=None, keepdim=False):
    return _arg(input, dim, keepdim, False)


def _max_min(input, dim, keepdim, largest, other):
    name = "max" if largest else "min"
    if isinstance(dim, Tensor) or other is not None:  # torch.max(a, b) is the elementwise maximum
        return (P.maximum if largest else P.minimum)(input, dim if other is None else other)
    if dim is None:
        return _amax(input, None, False, largest, name)
    out_t = max_t if largest else min_t
    if input._data.ndim == 0:
        _wrap_dim(dim, 0)
        return out_t(P.clone(input), _index0(input))
    # the gradient goes to the returned index only (unlike max() without dim)
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    idx = _arg(input, d, True, largest, bools=True)
    values = gather(input, d, idx)
    if not keepdim:
        values, idx = squeeze(values, d), squeeze(idx, d)
    return out_t(values, idx)


def max(input, dim=None, keepdim=False, *, other=None):
    return _max_min(input, dim, keepdim, True, other)


def min(input, dim=None, keepdim=False, *, other=None):
    return _max_min(input, dim, keepdim, False, other)


def aminmax(input, *, dim=None, keepdim=False):
    d = dim if dim is not None else ()
    return aminmax_t(amin(input, d, keepdim), amax(input, d, keepdim))


# ---------------------------------------------------------------- var, std, logsumexp, norms
def _correction(unbiased, correction):
    return correction if correction is not None else (0 if unbiased is False else 1)


class Var(Op):
    """Fused (not sum((x - mean)^2) / n) for torch's gradient 2 (x - mean) / (n - correction):
    the mean's own term, zero in exact arithmetic, would turn an infinite gradient into NaN."""

    def forward(self, x, dims, correction, keepdim):
        d = x - x.mean(axis=dims, keepdims=True)
        ss = (d * d if x.dtype.kind != "c" else (d * d.conj()).real).sum(axis=dims, keepdims=keepdim)
        # torch divides by max(n - correction, 0): inf or nan when there are too few elements
        self.dof = _count(x.shape, dims) - correction
        return ss / float(builtins.max(self.dof, 0))

    def backward(self, gy):
        x, dims, _, keepdim = self.inputs
        if not keepdim:
            gy = reshape(gy, _keep_shape(x._data.shape, dims))
        if dims is None and self.dof <= 0:  # torch's special case: inf, or nan where x is the mean
            return gy * P.where(x == mean(x), math.nan, math.inf), None, None, None
        scale = 2 / self.dof if self.dof else math.inf
        return (x - mean(x, dims, keepdim=True)) * (gy * scale), None, None, None


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _var(input, dim, unbiased, keepdim, correction, "var")


def _var(input, dim, unbiased, keepdim, correction, name):
    if isinstance(dim, bool):  # var(x, unbiased) in torch's old signature
        dim, unbiased = None, dim
    if input._data.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    dims, c = _dims(dim, input._data.ndim), _correction(unbiased, correction)
    if _count(input._data.shape, dims) - c <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      "reduction factor (input numel divided by output numel).", stacklevel=3)
    return Var.apply(input, dims, c, keepdim)


class _SqrtOfVar(Op):
    """sqrt for std: torch defines std's gradient as 0 where std is 0 (sqrt's would be inf)."""
    save, saves_output = False, True

    def forward(self, v):
        return np.sqrt(v)

    def backward(self, gy):
        y = self.out()
        return P.where(y == 0, 0.0, gy / (2 * y))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _SqrtOfVar.apply(_var(input, dim, unbiased, keepdim, correction, "std"))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return var_mean_t(var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return std_mean_t(std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim))


def logsumexp(input, dim, keepdim=False):
    if input._data.dtype.kind in "biu":
        input = input.to(_dtype.get_default_dtype())
    dims = _dims(dim, input._data.ndim)
    # subtract the max first so exp never overflows (the log-sum-exp trick); the max is a
    # constant for the gradient, which comes out as softmax; an infinite max is replaced by 0
    a = input._data
    m = a.max(axis=dims, keepdims=True) if a.size else get_array_module(a).zeros(_keep_shape(a.shape, dims), a.dtype)
    m = _wrap(np.where(np.isinf(m), 0, m).astype(a.dtype, copy=False))
    if _trace.active is not None:  # the same max, from recorded ops
        m = amax(input, dims if dims is not None else (), keepdim=True)
        m = P.where(P.isinf(m), 0.0, m)
    out = P.log(sum(P.exp(input - m), dims, keepdim=True)) + m
    return out if keepdim else reshape(out, _drop_shape(a.shape, dims))


class VectorNorm(Op):
    saves_output = True

    def forward(self, x, ord, dims):
        a = np.abs(x)  # real, also for complex x
        if a.dtype == np.float16:  # accumulated in float32, as torch does
            return _vector_norm(a.astype(np.float32), ord, dims).astype(np.float16)
        return _vector_norm(a, ord, dims)

    def backward(self, gy):
        # torch's linalg_vector_norm_backward, special cases included
        x, p, dims = self.inputs
        y = self.out()
        if p == 0:  # counts have no gradient: torch leaves .grad as None
            return None, None, None
        if p == 1:
            return gy * P.sign(x), None, None
        if p in (math.inf, -math.inf):
            # the elements at the max (or min) share the gradient; NaNs count as picked
            ax = P.abs(x)
            mask = P.eq(ax, y) | P.isnan(ax)
            return P.sign(x) * (gy / sum(mask, dims, keepdim=True) * mask), None, None
        if p == 2:  # x / ||x||, and 0 where the norm is 0
            return gy * P.where(y == 0, 0.0, x / y), None, None
        if p < 1:  # |x|^(p-1) is inf at 0; torch defines those terms as 0
            scaled = P.where(x == 0, 0.0, P.sign(x) * P.abs(x) ** (p - 1))
            return scaled * gy * y ** (1 - p), None, None
        scaled = P.sign(x) * P.abs(x) ** (p - 1) if p < 2 else x * P.abs(x) ** (p - 2)
        return scaled * P.where(y == 0, 0.0, gy / y ** (p - 1)), None, None


def _vector_norm(a, ord, dims):
    """The ord-norm of |x| = a along dims, keeping them."""
    if ord == math.inf:
        return a.max(axis=dims, keepdims=True)
    if ord == -math.inf:
        return a.min(axis=dims, keepdims=True)
    if ord == 0:
        return (a != 0).sum(axis=dims, keepdims=True).astype(a.dtype)
    if ord == 1:
        return a.sum(axis=dims, keepdims=True)
    if ord == 2:
        return np.sqrt((a * a).sum(axis=dims, keepdims=True))
    return (a ** ord).sum(axis=dims, keepdims=True) ** (1.0 / ord)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    if x._data.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {_tname(x._data.dtype)}")
    if dtype is not None:
        x = x.to(dtype)
    dims = _dims(dim, x._data.ndim)
    y = VectorNorm.apply(x, float(ord), dims)
    if y._data.dtype != x._data.dtype:
        y = y.to(x.dtype.to_real())
    return y if keepdim else reshape(y, _drop_shape(x._data.shape, dims))


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    if p == "fro" or p is None:
        if isinstance(dim, (tuple, list)) and len(dim) > 2:  # torch takes "fro" over dims as a matrix norm
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
        p = 2
    if p == "nuc":
        from .linalg import matrix_norm
        return matrix_norm(input, "nuc", dim or (-2, -1), keepdim)
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


# ---------------------------------------------------------------- cumulative
_ACC = {np.dtype(np.float16): np.float32}  # torch accumulates float16 scans in float32
class Cumsum(Op):
    save = False

    def forward(self, x, dim):
        return np.cumsum(x, axis=dim, dtype=_ACC.get(x.dtype)).astype(x.dtype, copy=False)

    def backward(self, gy):
        d = self.inputs[1]
        return Cumsum.apply(gy.flip(d), d).flip(d), None


def _scan_input(input, dim, dtype):
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind in "bui":  # torch accumulates integers and bools as int64
        input = input.to(_dtype.int64)
    return input, _wrap_dim(dim, input._data.ndim)


def cumsum(input, dim, *, dtype=None):
    input, d = _scan_input(input, dim, dtype)
    return Cumsum.apply(input, d) if input._data.ndim else P.clone(input)


class Cumprod(Op):
    saves_output = True

    def forward(self, x, dim):
        return np.cumprod(x, axis=dim, dtype=_ACC.get(x.dtype)).astype(x.dtype, copy=False)

    def backward(self, gy):
        x, d = self.inputs
        y = self.out()
        if x._data.dtype.kind == "c":  # complex: the derivatives enter conjugated (torch's convention)
            x, y = x.conj(), y.conj()
        if not (x._data == 0).any():
            # sum_{j>=i} gy_j y_j / x_i
            return _rev_cumsum(gy * y, d) / x, None
        # With zeros: before the first zero of a slice the formula above holds; at the first
        # zero z the gradient is sum_{j>=z} gy_j * (cumprod with x_z replaced by 1)_j; after it, 0.
        zeros = x == 0
        seen = Cumsum.apply(zeros.to(_dtype.int64), d)
        before, first = seen == 0, zeros & (seen == 1)
        g_before = _rev_cumsum(gy * y, d) / P.where(before, x, 1.0)
        g_first = _rev_cumsum(gy * Cumprod.apply(P.where(first, 1.0, x), d), d)
        return P.where(before, g_before, P.where(first, g_first, 0.0)), None


def _rev_cumsum(x, d):
    return Cumsum.apply(x.flip(d), d).flip(d)


def cumprod(input, dim, *, dtype=None):
    input, d = _scan_input(input, dim, dtype)
    return Cumprod.apply(input, d) if input._data.ndim else P.clone(input)


def _cum_extreme(input, dim, accumulate):
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:  # one element: itself, at index 0
        r = _cum_extreme(input.reshape(1), 0, accumulate)
        return values_indices(r[0].reshape(()), r[1].reshape(()))
    a = np.moveaxis(input._data, d, -1)
    acc = accumulate(a, axis=-1)
    n = a.shape[-1]
    pos = np.where(a == acc, get_array_module(a).arange(n), 0)
    idx = np.moveaxis(np.maximum.accumulate(pos, axis=-1), -1, d).astype(np.int64)
    return values_indices(gather(input, d, _wrap(idx)), _wrap(idx))


def cummax(input, dim):
    return _cum_extreme(input, dim, np.maximum.accumulate)


def cummin(input, dim):
    return _cum_extreme(input, dim, np.minimum.accumulate)


# ---------------------------------------------------------------- logical
def _logical_reduce(fn, input, dim, keepdim):
    r = fn(input._data, axis=_dims(dim, input._data.ndim), keepdims=keepdim)
    # torch keeps uint8 for uint8 inputs and gives bool for everything else
    return _wrap(r.astype(np.uint8) if input._data.dtype == np.uint8 else r)


def all(input, dim=None, keepdim=False):
    if not isinstance(input, Tensor):
        import builtins
        return builtins.all(input)
    return _logical_reduce(np.all, input, dim, keepdim)


def any(input, dim=None, keepdim=False):
    if not isinstance(input, Tensor):
        import builtins
        return builtins.any(input)
    return _logical_reduce(np.any, input, dim, keepdim)


def count_nonzero(input, dim=None):
    xp = get_array_module(input._data)
    return _wrap(xp.asarray(np.count_nonzero(input._data, axis=_dims(dim, input._data.ndim)), dtype=np.int64))


# ---------------------------------------------------------------- sorting and order statistics
def _sort_indices(a, d, descending):
    """Stable sort indices along d, NaN counted as the largest value (as torch does)."""
    if not descending:
        return np.argsort(a, axis=d, kind="stable")
    # sort the reversed array ascending and reverse the result: descending, with equal
    # elements still in their original order (negating would break unsigned ints and NaN)
    idx = np.argsort(np.flip(a, d), axis=d, kind="stable")
    return np.flip(a.shape[d] - 1 - idx, d)


def sort(input, dim=-1, descending=False, stable=False):
    if input._data.ndim == 0:
        _wrap_dim(dim, 0)
        return sort_t(P.clone(input), _index0(input))
    d = _wrap_dim(dim, input._data.ndim)
    idx = _wrap(_sort_indices(input._data, d, descending))
    if _trace.active is not None:  # (indices from NumPy: export needs where they came from)
        _trace.active("argsort", (input, d, descending, None), {}, idx)
    return sort_t(gather(input, d, idx), idx)


def argsort(input, dim=-1, descending=False, stable=False):
    if input._data.ndim == 0:
        _wrap_dim(dim, 0)
        return _index0(input)
    out = _wrap(_sort_indices(input._data, _wrap_dim(dim, input._data.ndim), descending))
    if _trace.active is not None:
        _trace.active("argsort", (input, _wrap_dim(dim, input._data.ndim), descending, None), {}, out)
    return out


def msort(input):
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True):
    a = input._data
    if a.dtype.kind == "b":
        raise RuntimeError("topk does not support bool dtypes on CPU")
    d = _wrap_dim(dim, a.ndim)
    if not 0 <= k <= (a.shape[d] if a.ndim else 1):
        raise RuntimeError("selected index k out of range")
    if a.ndim == 0:
        return topk_t(P.clone(input), _index0(input))
    idx = _sort_indices(a, d, largest)[(slice(None),) * d + (slice(0, k),)]
    idx = _wrap(get_array_module(idx).ascontiguousarray(idx))  # (np.asarray & co. do not dispatch to CuPy)
    if _trace.active is not None:
        _trace.active("argsort", (input, d, largest, k), {}, idx)
    return topk_t(gather(input, d, idx), idx)


def _select_rank(input, d, rank, keepdim, out_t):
    """The element of sorted rank `rank` (an int, or an array with one per slice) along d."""
    order = _sort_indices(input._data, d, False)
    xp = get_array_module(order)
    rank = xp.broadcast_to(xp.asarray(rank, dtype=np.int64), _keep_shape(order.shape, (d,)))
    idx = _wrap(np.take_along_axis(order, rank, axis=d))
    values = gather(input, d, idx)
    return out_t(values, idx) if keepdim else out_t(squeeze(values, d), squeeze(idx, d))


def kthvalue(input, k, dim=-1, keepdim=False):
    a = input._data
    if a.dtype.kind == "b":
        raise P._not_implemented("kthvalue_cpu", a.dtype)
    d = _wrap_dim(dim, a.ndim)
    n = a.shape[d] if a.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    if a.ndim == 0:
        return kthvalue_t(P.clone(input), _index0(input))
    return _select_rank(input, d, k - 1, keepdim, kthvalue_t)


class Median(Op):
    """The lower median of all elements (NaN if there is one); ties share the gradient."""
    saves_output = True

    def forward(self, x, ignore_nan):
        flat = np.sort(x.reshape(-1))  # NaNs sort last
        n = int((~np.isnan(flat)).sum()) if ignore_nan else flat.size
        if n == 0 or (not ignore_nan and np.isnan(flat[-1])):
            return np.full_like(flat, np.nan, shape=())
        return flat[(n - 1) // 2]

    def backward(self, gy):
        return _spread(gy, self.inputs[0], self.out(), None), None


def _median(input, dim, keepdim, ignore_nan):
    a = input._data
    if a.dtype.kind == "b":
        raise P._not_implemented("median_cpu" if dim is None else "median_out", a.dtype)
    if dim is None:
        if a.size == 0:
            return _wrap(get_array_module(a).asarray(np.nan, dtype=a.dtype))
        return Median.apply(input, ignore_nan)
    d = _wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return median_t(P.clone(input), _index0(input))
    if a.shape[d] == 0:
        raise IndexError(f"median(): Expected reduction dim {d} to have non-zero size.")
    nans = np.isnan(a).sum(axis=d, keepdims=True) if a.dtype.kind == "f" else 0
    if ignore_nan:  # the lower median of the numbers in each slice
        rank = np.maximum((a.shape[d] - nans - 1) // 2, 0)
    else:  # a slice with a NaN gives its first NaN, which sorts right after the numbers
        rank = np.where(nans > 0, a.shape[d] - nans, (a.shape[d] - 1) // 2)
    return _select_rank(input, d, rank, keepdim, median_t)


def median(input, dim=None, keepdim=False):
    return _median(input, dim, keepdim, False)


def nanmedian(input, dim=None, keepdim=False):
    return _median(input, dim, keepdim, True)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    return _quantile(input, q, dim, keepdim, interpolation, "quantile", False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    return _quantile(input, q, dim, keepdim, interpolation, "nanquantile", True)


def _quantile(input, q, dim, keepdim, interpolation, name, ignore_nan):
    a = input._data
    if a.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q._data.dtype != a.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        if not ((q._data >= 0) & (q._data <= 1)).all():
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
        qs = q._data
    else:
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
        qs = get_array_module(a).asarray(q, dtype=a.dtype)
    if a.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or "
                           f"nearest, but got {interpolation}")
    # as torch: sort along the last dim, find each q's rank, interpolate between its neighbours
    if dim is None:
        x, out_shape = reshape(input, (-1,)), ((1,) * a.ndim if keepdim else ())
    else:
        d = _wrap_dim(dim, a.ndim)
        x = movedim(input, d, -1) if a.ndim else reshape(input, (1,))
        out_shape = tuple(1 if i == d else s for i, s in enumerate(a.shape)) if keepdim else \
            tuple(s for i, s in enumerate(a.shape) if i != d)
    s = sort(x, -1).values
    n = x._data.shape[-1]
    rows = x._data.shape[:-1]
    nan = np.isnan(s._data)
    if ignore_nan:  # ranks among the numbers of each slice; an all-NaN slice gives NaN
        ranks = np.maximum(qs.reshape(-1) * ((n - nan.sum(-1, keepdims=True)) - 1), 0)
    else:  # a slice with a NaN gives NaN (the last sorted element)
        ranks = np.where(nan.any(-1, keepdims=True), n - 1, qs.reshape(-1) * (n - 1))
    ranks = np.broadcast_to(ranks, rows + (qs.size,)).astype(a.dtype)
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.round(ranks)  # half to even, as torch
    below = ranks.astype(np.int64)
    out = gather(s, -1, _wrap(below))
    if interpolation in ("linear", "midpoint"):
        w = np.full_like(ranks, 0.5) if interpolation == "midpoint" else ranks - below
        above = gather(s, -1, _wrap(np.ceil(ranks).astype(np.int64)))
        out = P.lerp(out, above, _wrap(w.astype(a.dtype, copy=False)))
    # out is (rows..., len(q)): q's dim goes first, as torch
    if qs.ndim == 0:
        return reshape(out, out_shape)
    return reshape(movedim(out, -1, 0), (qs.size,) + out_shape)


def mode(input, dim=-1, keepdim=False):
    """The most frequent value of each slice (the smallest on a tie in counts) and its last index."""
    a = input._data
    if a.ndim == 0:
        return mode_t(P.clone(input), _index0(input))
    d = _wrap_dim(dim, a.ndim)
    x = np.moveaxis(a, d, -1)
    s = np.sort(x, axis=-1)
    n = s.shape[-1]
    # the length of the run of equal values each sorted element belongs to
    xp = get_array_module(a)  # (NumPy's creation functions do not dispatch to CuPy)
    starts = xp.ones(s.shape, bool)
    starts[..., 1:] = s[..., 1:] != s[..., :-1]
    ends = xp.ones(s.shape, bool)
    ends[..., :-1] = starts[..., 1:]
    pos = xp.arange(n)
    first = np.maximum.accumulate(np.where(starts, pos, 0), axis=-1)
    last = np.flip(np.minimum.accumulate(np.flip(np.where(ends, pos, n), -1), axis=-1), -1)
    best = np.argmax(last - first, axis=-1)[..., None]  # the first longest run: the smallest value
    value = np.take_along_axis(s, best, axis=-1)
    idx = (n - 1 - np.argmax(np.flip(x == value, -1), axis=-1)).astype(np.int64)
    idx = _wrap(np.expand_dims(idx, d))
    v = gather(input, d, idx)
    return mode_t(v, idx) if keepdim else mode_t(squeeze(v, d), squeeze(idx, d))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    res = np.unique(input._data, return_inverse=return_inverse, return_counts=return_counts, axis=dim)
    if not (return_inverse or return_counts):
        return _wrap(res)
    out = [_wrap(res[0])]
    if return_inverse:
        out.append(_wrap(res[1].reshape(input._data.shape).astype(np.int64)))
    if return_counts:
        out.append(_wrap(res[-1].astype(np.int64)))
    return tuple(out)


def bincount(input, weights=None, minlength=0):
    w = None if weights is None else weights._data
    r = np.bincount(input._data, w, minlength)
    return _wrap(r if w is not None else r.astype(np.int64))


def histc(input, bins=100, min=0, max=0):
    a = input._data
    lo, hi = (a.min(), a.max()) if min == max else (min, max)
    h, _ = np.histogram(a, bins=bins, range=(lo, hi))
    return _wrap(h.astype(a.dtype))


def searchsorted(sorted_sequence, values, *, out_int32=False, right=False, side=None, sorter=None):
    side = side or ("right" if right else "left")
    s = sorted_sequence._data
    if sorter is not None:
        s = np.take_along_axis(s, sorter._data, -1)
    v = values._data if isinstance(values, Tensor) else np.asarray(values)
    if s.ndim <= 1:
        r = np.searchsorted(s, v, side=side)
    else:  # one search per row of the leading dims
        rows = s.reshape(-1, s.shape[-1])
        vals = v.reshape(rows.shape[0], -1) if v.size else v.reshape(rows.shape[0], 0)
        r = np.stack([np.searchsorted(a, b, side=side) for a, b in zip(rows, vals)]).reshape(v.shape)
    return _wrap(np.asarray(r).astype(np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    return searchsorted(boundaries, input, out_int32=out_int32, side="left" if not right else "right")


# ---------------------------------------------------------------- statistics and scans (composites, and logcumsumexp)
def cov(input, *, correction=1, fweights=None, aweights=None):
    if input._data.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input._data.ndim} dimensions")
    x = input.reshape(1, -1) if input._data.ndim < 2 else input
    if x._data.dtype.kind in "biu":
        x = x.to(_dtype.get_default_dtype())
    n = x._data.shape[1]
    w = None
    if fweights is not None:
        if fweights._data.dtype.kind not in "iu":
            raise RuntimeError("cov(): expected fweights to have integral dtype")
        w = fweights
    if aweights is not None:
        if aweights._data.dtype.kind != "f":
            raise RuntimeError("cov(): expected aweights to have floating point dtype")
        w = aweights if w is None else w * aweights
    if w is None:
        avg, w_sum = x.mean(1, keepdim=True), n
        norm = n - correction
    else:
        w = w.to(x.dtype)
        w_sum = w.sum()
        avg = (x * w).sum(1, keepdim=True) / w_sum
        if correction == 0:
            norm = w_sum
        elif aweights is None:
            norm = w_sum - correction
        else:
            norm = w_sum - correction * (w * aweights).sum() / w_sum
    if isinstance(norm, Tensor):
        norm = P.clamp(norm, min=0)
    elif norm <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number "
                      "of observations.")
        norm = 0
    xm = x - avg
    c = (xm if w is None else xm * w) @ xm.mT.conj() / norm
    return c.squeeze() if input._data.ndim < 2 or x._data.shape[0] == 1 else c


def corrcoef(input):
    c = cov(input)
    if c._data.ndim == 0:
        return c / c  # one variable: 1 (or NaN), as torch
    d = c.diagonal()
    s = P.sqrt(d.real if d._data.dtype.kind == "c" else d)
    c = c / s.unsqueeze(1) / s.unsqueeze(0)
    # rounding can push |r| a hair above 1; torch clips it back (the real part for complex)
    return P.clamp(c, -1, 1) if c._data.dtype.kind != "c" else c


histogram_t = namedtuple("histogram", ["hist", "bin_edges"])


def histogram(input, bins=100, *, range=None, weight=None, density=False):
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"torch.histogram: input tensor and bins tensors should have the same dtype, but got "
                           f"input {_tname(input._data.dtype).lower()} and bins float")
    a = input._data
    b = bins._data if isinstance(bins, Tensor) else int(bins)
    if range is None and not isinstance(bins, Tensor) and a.size:
        range = (a.min(), a.max())
    h, edges = np.histogram(a, bins=b, range=range, weights=None if weight is None else weight._data,
                            density=density)
    return histogram_t(_wrap(h.astype(a.dtype)), _wrap(edges.astype(a.dtype)))


class LogCumSumExp(Op):
    saves_output = True

    def forward(self, x, dim):
        return np.logaddexp.accumulate(x, axis=dim)  # pairwise log(e^a + e^b): never overflows

    def backward(self, gy):
        # torch's formula: the positive and the negative parts of gy, each in log space
        x, d = self.inputs
        y = self.out()
        dt = gy.dtype
        if gy._data.dtype == np.float32:  # in float64, as torch's CPU kernel (x + ... cancels for large x)
            gy, x = gy.double(), x.double()
            y = LogCumSumExp.apply(x, d)
        lowest = float(np.finfo(gy._data.dtype).min)
        log_abs = P.log(P.abs(gy))
        pos = P.where(gy > 0, log_abs, lowest) - y
        neg = P.where(gy < 0, log_abs, lowest) - y

        def reverse(t):
            return LogCumSumExp.apply(t.flip(d), d).flip(d)
        return (P.exp(reverse(pos) + x) - P.exp(reverse(neg) + x)).to(dt), None


def logcumsumexp(input, dim):
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.dtype.kind in "biu":
        input = input.to(_dtype.get_default_dtype())
    return LogCumSumExp.apply(input, d) if input._data.ndim else P.clone(input)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    a = input._data
    if dim is None:
        a = a.reshape(-1)
        d = 0
    else:
        d = _wrap_dim(dim, a.ndim)
    x = np.moveaxis(a, d, 0)
    n = x.shape[0]
    if n:
        change = np.ones(n, dtype=bool)
        change[1:] = (x[1:] != x[:-1]).reshape(n - 1, math.prod(x.shape[1:])).any(axis=1)
        starts = np.flatnonzero(change)
    else:
        starts = np.zeros(0, dtype=np.int64)
    out = _wrap(np.ascontiguousarray(np.moveaxis(x[starts], 0, d)))
    if not (return_inverse or return_counts):
        return out
    inverse = (np.cumsum(change) - 1 if n else np.zeros(0, dtype=np.int64)).astype(np.int64)
    counts = np.diff(np.append(starts, n)).astype(np.int64)
    inverse = inverse.reshape(input._data.shape) if dim is None else inverse
    return (out,) + ((_wrap(inverse),) if return_inverse else ()) + ((_wrap(counts),) if return_counts else ())


def dist(input, other, p=2):
    return vector_norm(input - other, p)


def renorm(input, p, dim, maxnorm):
    if input._data.ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input._data.ndim} dimensions")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    d = _wrap_dim(dim, input._data.ndim)
    norms = vector_norm(input, p, tuple(k for k in builtins.range(input._data.ndim) if k != d), True)
    # torch scales the sub-tensors whose norm exceeds maxnorm, with a 1e-7 guard in the division
    return input * P.where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0).to(input.dtype)


# ---------------------------------------------------------------- integration and index helpers
def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoid rule along dim, with sample points x (or spacing dx, default 1)."""
    d = _wrap_dim(dim, y._data.ndim)
    n = y._data.shape[d]
    if n == 0:
        return sum(y, d)
    lo, hi = y.narrow(d, 0, n - 1), y.narrow(d, 1, n - 1)
    if x is None:
        return sum(lo + hi, d) * ((1.0 if dx is None else dx) / 2)
    if isinstance(x, Tensor) and x._data.ndim == 1:
        shape = [1] * y._data.ndim
        shape[d] = -1
        x = x.reshape(shape)
    spacing = x.narrow(d, 1, n - 1) - x.narrow(d, 0, n - 1) if x._data.ndim > 1 or y._data.ndim == 1 else x.diff()
    return sum((lo + hi) * spacing, d) / 2


def trapz(y, x=None, *, dx=None, dim=-1):
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    d = _wrap_dim(dim, y._data.ndim)
    n = y._data.shape[d]
    lo, hi = y.narrow(d, 0, builtins.max(n - 1, 0)), y.narrow(d, builtins.min(1, n), builtins.max(n - 1, 0))
    if x is None:
        return cumsum((lo + hi) * ((1.0 if dx is None else dx) / 2), d)
    if x._data.ndim == 1:
        shape = [1] * y._data.ndim
        shape[d] = -1
        x = x.reshape(shape)
    spacing = x.narrow(d, 1, n - 1) - x.narrow(d, 0, n - 1)
    return cumsum((lo + hi) * spacing / 2, d)


def unravel_index(indices, shape):
    """The coordinates of flat indices in an array of `shape`, one int64 tensor per dim."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    ix = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if ix.dtype.kind not in "iu":
        raise TypeError("expected 'indices' to be integer dtype, but got " + _tname(ix.dtype))
    n = math.prod(shape)
    # torch wraps indices modulo the element count (out-of-range ones included)
    return tuple(_wrap(np.asarray(c, dtype=np.int64)) for c in np.unravel_index(ix % builtins.max(n, 1), shape))


def combinations(input, r=2, with_replacement=False):
    """All length-r combinations of a 1-D tensor's elements, as rows (a differentiable gather)."""
    import itertools
    n = input._data.shape[0]
    make = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(make(range(n), r)), dtype=np.int64).reshape(-1, r)
    if not len(idx):
        idx = np.zeros((0, r), dtype=np.int64)
    return input[_wrap(idx)]
