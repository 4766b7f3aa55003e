"""Reductions: sum, mean, max, var, norm, sort... Values with indices are built from an
index computation (no gradient) and a gather (which has one)."""
import math
from collections import namedtuple

import numpy as np

from .._tensor import Tensor, _wrap, _wrap_dim
from .. import _dtype
from ..autograd.function import Op
from .shape import expand, reshape, unsqueeze, squeeze
from .indexing import gather
from . import pointwise as P

values_indices = namedtuple("values_indices", ["values", "indices"])
max_t, min_t, sort_t, topk_t, median_t, mode_t, kthvalue_t = (
    namedtuple(n, ["values", "indices"]) for n in ("max", "min", "sort", "topk", "median", "mode", "kthvalue"))
var_mean_t = namedtuple("var_mean", ["var", "mean"])


def _dims(dim, ndim):
    """A tuple of wrapped dims, or None for all dims."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    if isinstance(dim, (tuple, list)):
        dims = tuple(_wrap_dim(d, ndim) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
        return dims
    return (_wrap_dim(dim, ndim),)


def _keep_shape(shape, dims):
    return tuple(1 if dims is None or i in dims else s for i, s in enumerate(shape))


class Sum(Op):
    save = False

    def forward(self, x, dims, keepdim, dtype):
        return x.sum(axis=dims, keepdims=keepdim, dtype=dtype)

    def backward(self, gy):
        x, dims, keepdim = self.inputs[0], self.inputs[1], self.inputs[2]
        shape = x._data.shape
        if not keepdim:
            gy = reshape(gy, _keep_shape(shape, dims))
        return expand(gy, shape), None, None, None


def sum(input, dim=None, keepdim=False, *, dtype=None):
    if not isinstance(input, Tensor):
        import builtins
        return builtins.sum(input)
    dt = _dtype.to_np(dtype)
    if dt is None and input._data.dtype.kind in "bui":  # torch sums integers and bools as int64
        dt = np.dtype(np.int64)
    return Sum.apply(input, _dims(dim, input._data.ndim), keepdim, dt)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    return sum(P.where(P.isnan(input), 0.0, input), dim, keepdim, dtype=dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind not in "fc":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point "
                           f"or complex dtype. Got: {input.dtype.name.capitalize()}")
    dims = _dims(dim, input._data.ndim)
    n = input._data.size if dims is None else math.prod(input._data.shape[d] for d in dims)
    return Sum.apply(input, dims, keepdim, None) / (n if n else float("nan"))


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    keep = P.logical_not(P.isnan(input))
    return nansum(input, dim, keepdim) / sum(keep, dim, keepdim)


class Prod(Op):
    def forward(self, x, dims, keepdim):
        return x.prod(axis=dims, keepdims=keepdim)

    def backward(self, gy):
        x, dims, keepdim = self.inputs
        shape = x._data.shape
        if not keepdim:
            gy = reshape(gy, _keep_shape(shape, dims))
        if (x._data == 0).any():
            return _prod_grad_with_zeros(x, dims, gy), None, None
        # d prod / d x_i = prod / x_i where no x is zero
        return expand(gy, shape) * Prod.apply(x, dims, True) / x, None, None


def _prod_grad_with_zeros(x, dims, gy):
    """d prod / d x_i as the product of all the other elements: the exclusive products
    from the left times those from the right (exact when some x are zero)."""
    from .shape import narrow, cat
    if dims is None:
        flat, d = reshape(x, (-1,)), 0
        gy = reshape(gy, (1,))
    elif len(dims) == 1:
        flat, d = x, dims[0]
    else:
        raise NotImplementedError("prod backward over several dims of a tensor with zeros")
    n = flat._data.shape[d]
    one = P.add(P.mul(narrow(flat, d, 0, 1), 0), 1)
    left = cumprod(cat([one, narrow(flat, d, 0, n - 1)], d), d)
    right = cumprod(cat([one, narrow(flat.flip(d), d, 0, n - 1)], d), d).flip(d)
    return reshape(gy * left * right, x._data.shape)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind in "bui":
        input = input.to(_dtype.int64)
    return Prod.apply(input, None if dim is None else (_wrap_dim(dim, input._data.ndim),), keepdim)


class Amax(Op):
    saves_output = True

    def forward(self, x, dims, keepdim, largest):
        return (x.max if largest else x.min)(axis=dims, keepdims=True)

    def backward(self, gy):
        x = self.inputs[0]
        # ties share the gradient evenly, as torch does for amax/amin and full max/min
        mask = P.eq(x, self.out())
        return gy * mask / sum(mask, self.inputs[1], keepdim=True), None, None, None


def _amax(input, dim, keepdim, largest):
    if input._data.size == 0:
        raise IndexError(f"{'max' if largest else 'min'}(): Expected reduction dim to be specified for "
                         "input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
    dims = _dims(dim, input._data.ndim)
    y = Amax.apply(input, dims, keepdim, largest)
    if not keepdim:
        y = reshape(y, tuple(s for i, s in enumerate(input._data.shape) if dims is not None and i not in dims))
    return y


def amax(input, dim=(), keepdim=False):
    return _amax(input, dim, keepdim, True)


def amin(input, dim=(), keepdim=False):
    return _amax(input, dim, keepdim, False)


def _arg(input, dim, keepdim, largest):
    a = input._data
    if dim is None:
        idx = (np.argmax if largest else np.argmin)(a)
        return _wrap(np.asarray(idx, dtype=np.int64).reshape((1,) * a.ndim if keepdim else ()))
    d = _wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return _wrap(np.zeros((), np.int64))
    idx = (np.argmax if largest else np.argmin)(a, axis=d, keepdims=keepdim)
    return _wrap(idx.astype(np.int64))


def argmax(input, dim=None, keepdim=False):
    return _arg(input, dim, keepdim, True)


def argmin(input, dim=None, keepdim=False):
    return _arg(input, dim, keepdim, False)


def _max_min(input, dim, keepdim, largest, other, name):
    if isinstance(dim, Tensor):  # torch.max(a, b) is the elementwise maximum
        return (P.maximum if largest else P.minimum)(input, dim)
    if other is not None:
        return (P.maximum if largest else P.minimum)(input, other)
    if dim is None:
        return _amax(input, None, False, largest)
    if input._data.ndim == 0:
        return (max_t if largest else min_t)(input.clone(), _wrap(np.zeros((), np.int64)))
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    idx = _arg(input, d, True, largest)
    values = gather(input, d, idx)
    if not keepdim:
        values, idx = squeeze(values, d), squeeze(idx, d)
    return (max_t if largest else min_t)(values, idx)


def max(input, dim=None, keepdim=False, *, other=None):
    return _max_min(input, dim, keepdim, True, other, "max")


def min(input, dim=None, keepdim=False, *, other=None):
    return _max_min(input, dim, keepdim, False, other, "min")


def aminmax(input, *, dim=None, keepdim=False):
    return namedtuple("aminmax", ["min", "max"])(amin(input, dim if dim is not None else (), keepdim),
                                                 amax(input, dim if dim is not None else (), keepdim))


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(dim, bool):  # var(x, unbiased) in torch's old signature
        dim, unbiased = None, dim
    c = correction if correction is not None else (0 if unbiased is False else 1)
    dims = _dims(dim, input._data.ndim)
    n = input._data.size if dims is None else math.prod(input._data.shape[d] for d in dims)
    m = mean(input, dims, keepdim=True)
    d = input - m
    ss = sum(d * d if input._data.dtype.kind != "c" else d * d.conj(), dims, keepdim)
    # torch divides by max(n - correction, 0): inf or nan when there are too few elements
    return ss / (n - c if n - c > 0 else 0.0)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return P.sqrt(var(input, dim, unbiased, keepdim, correction=correction))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return var_mean_t(var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return namedtuple("std_mean", ["std", "mean"])(std(input, dim, unbiased, keepdim, correction=correction),
                                                   mean(input, dim, keepdim))


def logsumexp(input, dim, keepdim=False):
    dims = _dims(dim, input._data.ndim)
    if input._data.dtype.kind in "biu":
        input = input.to(_dtype.get_default_dtype())
    # subtract the max first so exp never overflows (the log-sum-exp trick); the max is a
    # constant for the gradient, which is exactly softmax
    m = amax(input, dims if dims is not None else (), keepdim=True).detach()
    m = P.where(P.isinf(m), 0.0, m)
    out = P.log(sum(P.exp(input - m), dims, keepdim=True)) + m
    return out if keepdim else reshape(out, tuple(s for i, s in enumerate(input._data.shape)
                                                  if dims is not None and i not in dims))


class VectorNorm(Op):
    saves_output = True

    def forward(self, x, ord, dims, keepdim):
        a = np.abs(x)
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

    def backward(self, gy):
        x, ord, dims = self.inputs[0], self.inputs[1], self.inputs[2]
        y = self.out()
        if ord == 0:
            return gy * 0, None, None, None
        if ord == 1:
            return gy * P.sign(x), None, None, None
        if ord in (math.inf, -math.inf):
            mask = P.eq(P.abs(x), y)
            return gy * P.sign(x) * mask / sum(mask, dims, keepdim=True), None, None, None
        # x |x|^(p-2) / ||x||^(p-1); torch defines the gradient at a zero norm as 0
        safe = P.where(y == 0, 1.0, y)
        scale = P.where(y == 0, 0.0, gy / safe ** (ord - 1))
        g = x * scale if ord == 2 else x * P.abs(x) ** (ord - 2) * scale
        return g, None, None, None


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        x = x.to(dtype)
    if x._data.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {x.dtype.name.capitalize()}")
    dims = _dims(dim, x._data.ndim)
    y = VectorNorm.apply(x, float(ord), dims, keepdim)
    if y._data.dtype != x._data.dtype:
        y = y.to(x.dtype.to_real())
    if not keepdim:
        y = reshape(y, tuple(s for i, s in enumerate(x._data.shape) if dims is not None and i not in dims))
    return y


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    if p == "fro" or p is None:
        p = 2
    if p == "nuc":
        from .linalg import matrix_norm
        return matrix_norm(input, "nuc", dim or (-2, -1), keepdim)
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


class Cumsum(Op):
    save = False

    def forward(self, x, dim):
        return np.cumsum(x, axis=dim)

    def backward(self, gy):
        d = self.inputs[1]
        return Cumsum.apply(gy.flip(d), d).flip(d), None


def cumsum(input, dim, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind in "bui":
        input = input.to(_dtype.int64)
    return Cumsum.apply(input, _wrap_dim(dim, input._data.ndim))


class Cumprod(Op):
    saves_output = True

    def forward(self, x, dim):
        return np.cumprod(x, axis=dim)

    def backward(self, gy):
        x, d = self.inputs
        y = self.out()
        # sum_{j>=i} gy_j y_j / x_i, valid where x has no zeros
        return Cumsum.apply((gy * y).flip(d), d).flip(d) / x, None


def cumprod(input, dim, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind in "bui":
        input = input.to(_dtype.int64)
    return Cumprod.apply(input, _wrap_dim(dim, input._data.ndim))


def cummax(input, dim):
    d = _wrap_dim(dim, input._data.ndim)
    a = np.moveaxis(input._data, d, -1)
    acc = np.maximum.accumulate(a, axis=-1)
    n = a.shape[-1]
    pos = np.where(a == acc, np.arange(n), 0)
    idx = np.moveaxis(np.maximum.accumulate(pos, axis=-1), -1, d).astype(np.int64)
    return values_indices(gather(input, d, _wrap(idx)), _wrap(idx))


def cummin(input, dim):
    d = _wrap_dim(dim, input._data.ndim)
    a = np.moveaxis(input._data, d, -1)
    acc = np.minimum.accumulate(a, axis=-1)
    n = a.shape[-1]
    pos = np.where(a == acc, np.arange(n), 0)
    idx = np.moveaxis(np.maximum.accumulate(pos, axis=-1), -1, d).astype(np.int64)
    return values_indices(gather(input, d, _wrap(idx)), _wrap(idx))


def all(input, dim=None, keepdim=False):
    if not isinstance(input, Tensor):
        import builtins
        return builtins.all(input)
    return _wrap(np.all(input._data, axis=_dims(dim, input._data.ndim), keepdims=keepdim))


def any(input, dim=None, keepdim=False):
    if not isinstance(input, Tensor):
        import builtins
        return builtins.any(input)
    return _wrap(np.any(input._data, axis=_dims(dim, input._data.ndim), keepdims=keepdim))


def count_nonzero(input, dim=None):
    return _wrap(np.asarray(np.count_nonzero(input._data, axis=_dims(dim, input._data.ndim)), dtype=np.int64))


def sort(input, dim=-1, descending=False, stable=False):
    if input._data.ndim == 0:
        return sort_t(input.clone(), _wrap(np.zeros((), np.int64)))
    d = _wrap_dim(dim, input._data.ndim)
    a = input._data
    # a stable sort of the negated keys keeps equal elements in order for descending
    idx = np.argsort(-a if descending and a.dtype.kind != "b" else (~a if descending else a), axis=d,
                     kind="stable").astype(np.int64)
    idx_t = _wrap(idx)
    return sort_t(gather(input, d, idx_t), idx_t)


def argsort(input, dim=-1, descending=False, stable=False):
    return sort(input, dim, descending, stable).indices


def msort(input):
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True):
    d = _wrap_dim(dim, input._data.ndim) if input._data.ndim else 0
    if k > (input._data.shape[d] if input._data.ndim else 1):
        raise RuntimeError("selected index k out of range")
    s = sort(input, d, descending=largest)
    from .shape import narrow
    idx = narrow(s.indices, d, 0, k) if input._data.ndim else s.indices
    return topk_t(gather(input, d, idx) if input._data.ndim else input.clone(), idx)


def kthvalue(input, k, dim=-1, keepdim=False):
    d = _wrap_dim(dim, input._data.ndim)
    s = sort(input, d)
    idx = s.indices.narrow(d, k - 1, 1)
    v = gather(input, d, idx)
    return kthvalue_t(v if keepdim else squeeze(v, d), idx if keepdim else squeeze(idx, d))


def median(input, dim=None, keepdim=False):
    if dim is None:
        flat = input.reshape(-1)
        # torch returns the lower of the two middle values
        return sort(flat).values[(flat._data.size - 1) // 2]
    d = _wrap_dim(dim, input._data.ndim)
    return median_t(*kthvalue(input, (input._data.shape[d] + 1) // 2, d, keepdim))


def nanmedian(input, dim=None, keepdim=False):
    return median(input, dim, keepdim)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    qs = q._data if isinstance(q, Tensor) else np.asarray(q, dtype=input._data.dtype)
    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else _wrap_dim(dim, input._data.ndim)
    s = sort(x, d).values
    n = x._data.shape[d]
    pos = qs * (n - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    frac = (pos - lo).astype(input._data.dtype)
    from .indexing import index_select
    vlo, vhi = index_select(s, d, _wrap(np.atleast_1d(lo))), index_select(s, d, _wrap(np.atleast_1d(hi)))
    shape = [1] * x._data.ndim
    shape[d] = -1
    out = vlo + (vhi - vlo) * _wrap(np.atleast_1d(frac).reshape(shape))
    out = out.movedim(d, 0)
    if np.ndim(qs) == 0:
        out = out.squeeze(0)
    if keepdim and dim is not None:
        out = out.unsqueeze(d + (np.ndim(qs) > 0))
    return out


def mode(input, dim=-1, keepdim=False):
    d = _wrap_dim(dim, input._data.ndim)
    a = np.moveaxis(input._data, d, -1)
    flat = a.reshape(-1, a.shape[-1])
    vals, idxs = [], []
    for row in flat:
        u, c = np.unique(row, return_counts=True)
        v = u[np.argmax(c)]
        vals.append(v)
        idxs.append(np.nonzero(row == v)[0][-1])
    shape = a.shape[:-1]
    idx = _wrap(np.asarray(idxs, np.int64).reshape(shape))
    v = gather(input, d, unsqueeze(idx, d))
    return mode_t(v if keepdim else squeeze(v, d), unsqueeze(idx, d) if keepdim else idx)


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


def searchsorted(sorted_sequence, values, *, right=False, side=None):
    side = side or ("right" if right else "left")
    v = values._data if isinstance(values, Tensor) else values
    return _wrap(np.searchsorted(sorted_sequence._data, v, side=side).astype(np.int64))


def bucketize(input, boundaries, *, right=False):
    return searchsorted(boundaries, input, side="left" if not right else "right")
