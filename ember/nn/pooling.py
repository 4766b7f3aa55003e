"""Pooling: max, average and adaptive pooling (1-D and 2-D), max unpooling, with modules.

Windows are visited one kernel position at a time (a loop of kh*kw vectorised steps over
strided views), never one output pixel at a time. Max pooling records which input each
output came from, as a flat index into the input's (H, W) plane (torch's ``indices``);
its gradient scatters through those indices. 1-D pooling runs as 2-D with a height of 1.
"""
import math

import numpy as np

from .._backend import as_strided, get_array_module, to_device
from .._tensor import _wrap
from ..autograd.function import Op
from .fold import pad_array, windows, _pair
from .module import Module


def _slices(i, j, k, s, d, out):
    """The strided slice of a padded plane that kernel position (i, j) sees for every output."""
    return (slice(i * d[0], i * d[0] + s[0] * (out[0] - 1) + 1, s[0]),
            slice(j * d[1], j * d[1] + s[1] * (out[1] - 1) + 1, s[1]))


def _geometry(size, k, s, p, d, ceil_mode):
    """Output length and (before, after) padding along one dim; ceil mode may pad more after."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:  # the last window must start inside the input or left pad
        out -= 1
    extra = max(0, (out - 1) * s + d * (k - 1) + 1 - (size + 2 * p))
    return out, (p, p + extra)


def _plan(input, kernel_size, stride, padding, dilation, ceil_mode, name, max_pool=True):
    k = _pair(kernel_size)
    s = _pair(stride) if stride is not None and stride != [] and stride != () else k
    p, d = _pair(padding), _pair(dilation)
    for pp, kk, dd in zip(p, k, d):
        if max_pool and pp > (dd * (kk - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pp}, "
                               f"kernel_size={kk} and dilation={dd}")
        if not max_pool and pp > kk // 2:
            raise RuntimeError(f"pad should be at most half of kernel size, but got pad={pp} and kernel_size={kk}")
    size = input._data.shape[-2:]
    geo = [_geometry(size[i], k[i], s[i], p[i], d[i], ceil_mode) for i in range(2)]
    out = tuple(g[0] for g in geo)
    if min(out) <= 0:
        c = input._data.shape[-3]
        raise RuntimeError(f"Given input size: ({c}x{size[0]}x{size[1]}). Calculated output size: "
                           f"({c}x{out[0]}x{out[1]}). Output size is too small")
    return k, s, tuple(g[1] for g in geo), d, out


def _batched(fn, input, nd, *args):
    """Run fn on a batched input: unbatched inputs get a batch dim, 1-D inputs a height of 1."""
    x = input
    if x._data.ndim == nd + 1:
        x = x.unsqueeze(0)
    if nd == 1:
        x = x.unsqueeze(-2)
    r = fn(x, *args)

    def back(t):
        if nd == 1:
            t = t.squeeze(-2)
        return t.squeeze(0) if input._data.ndim == nd + 1 else t
    return tuple(back(t) for t in r) if isinstance(r, tuple) else back(r)


def _check_dims(input, nd, name):
    if input._data.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D input tensor, but got {list(input.shape)}")


# ---------------------------------------------------------------- scatter / gather in a plane
def _flat(idx, plane):
    """Positions within each plane -> positions in the whole array (planes of `plane` numbers):
    one fancy index into the flat array is ~4x faster than take/put_along_axis."""
    lead = idx.shape[:-2]
    rows = get_array_module(idx).arange(math.prod(lead), dtype=np.int64).reshape(lead + (1, 1))
    return idx + rows * plane


class _PlaneGather(Op):
    """y[..., n] = x[..., idx[..., n]] over the flattened (H, W) plane."""
    save = False

    def forward(self, x, idx):
        self.size, self.idx = x.shape[-2:], idx
        return x.ravel()[_flat(idx, x.shape[-2] * x.shape[-1])]

    def backward(self, gy):
        return _PlaneScatter.apply(gy, self.idx, self.size, False), None


class _PlaneScatter(Op):
    """The adjoint of _PlaneGather: add g into a zero plane of `size` at idx."""
    save = False

    def forward(self, g, idx, size, unique):
        self.idx = idx
        xp = get_array_module(g)
        lead = g.shape[:-2]
        n = math.prod(lead) * size[0] * size[1]
        flat = _flat(idx, size[0] * size[1])
        if unique:  # each input is picked at most once: a plain write
            out = xp.zeros(n, dtype=g.dtype)
            out[flat] = g
        else:  # overlapping windows: one bincount over all planes (accumulates in float64)
            out = xp.bincount(flat.ravel(), weights=g.ravel(), minlength=n).astype(g.dtype)
        return out.reshape(lead + tuple(size))

    def backward(self, gx):
        return _PlaneGather.apply(gx, self.idx), None, None, None


# ---------------------------------------------------------------- max pooling
def _stacked_windows(x, k, s, d, out, pads, value):
    """The windows as one contiguous (kh*kw, ..., OH, OW) array: one copy, after which every
    step over the kernel positions reads contiguous memory (strided steps measured ~10x slower)."""
    xp = get_array_module(x)
    win = windows(pad_array(x, pads, value), k, s, d, out)        # (..., OH, OW, kh, kw), a view
    w = xp.ascontiguousarray(xp.moveaxis(win, (-2, -1), (0, 1)))
    return w.reshape((k[0] * k[1],) + win.shape[:-2])


class MaxPool(Op):
    """The maximum of each window; keeps torch's indices for backward."""
    save = False

    def forward(self, x, k, s, pads, d, out, keep=None):
        xp = get_array_module(x)
        low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        w = _stacked_windows(x, k, s, d, out, pads, low)
        y = w.max(axis=0)                                  # NaN propagates, as in torch
        # torch keeps the first maximum of each window: score = K - i for the first i that equals it
        K = w.shape[0]
        it = np.int8 if K < 127 else np.int32
        score = xp.zeros(y.shape, dtype=it)
        for i in range(K):
            xp.maximum(score, (w[i] == y).view(np.int8).astype(it, copy=False) * it(K - i), out=score)
        pos = K - score.astype(np.int64)
        if x.dtype.kind == "f":
            nan = xp.isnan(y)
            if nan.any():  # torch's `val > max || isnan(val)` ends on the window's last NaN
                last = xp.zeros(y.shape, dtype=np.int64)
                for i in range(K):
                    xp.maximum(last, xp.isnan(w[i]) * (i + 1), out=last)
                pos = xp.where(nan, last - 1, pos)
        # torch's indices: flat positions in the (unpadded) input plane
        width = x.shape[-1]
        ki, kj = np.divmod(np.arange(K), k[1])
        offset = xp.asarray(ki * d[0] * width + kj * d[1])
        base = (np.arange(out[0]).reshape(-1, 1) * s[0] - pads[0][0]) * width + np.arange(out[1]) * s[1] - pads[1][0]
        self.idx = xp.asarray(base) + offset.take(pos)
        self.size = x.shape[-2:]
        # windows that cannot overlap give unique indices, so backward can write instead of add
        self.unique = all(s[i] >= d[i] * (k[i] - 1) + 1 for i in range(2))
        if keep is not None:  # return_indices: hand the indices out through a list
            keep.append(self.idx)
        return y

    def backward(self, gy):
        return (_PlaneScatter.apply(gy, self.idx, self.size, self.unique),) + (None,) * 6


def _max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    k, s, pads, d, out = _plan(x, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    if not return_indices:
        return MaxPool.apply(x, k, s, pads, d, out)
    keep = []
    y = MaxPool.apply(x, k, s, pads, d, out, keep)
    return y, _wrap(keep[0])


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """2-D max pooling over (N, C, H, W) or (C, H, W)."""
    _check_dims(input, 2, "max_pool2d")
    return _batched(_max_pool2d, input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """1-D max pooling over (N, C, L) or (C, L)."""
    _check_dims(input, 1, "max_pool1d")
    k, s = (1, _pair(kernel_size, 1)[0]), (1, _pair(stride if stride else kernel_size, 1)[0])
    return _batched(_max_pool2d, input, 1, k, s, (0, _pair(padding, 1)[0]), (1, _pair(dilation, 1)[0]),
                    ceil_mode, return_indices)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _max_unpool(x, indices, size):
    return _PlaneScatter.apply(x, indices._data, size, True)


def _unpool_size(input, kernel_size, stride, padding, output_size, nd):
    k, p = _pair(kernel_size, nd), _pair(padding, nd)
    s = _pair(stride, nd) if stride is not None else k
    default = tuple((input.shape[-nd + i] - 1) * s[i] + k[i] - 2 * p[i] for i in range(nd))
    if output_size is None:
        return default
    output_size = tuple(output_size)[-nd:]
    return output_size


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Put each value back where max_pool2d's indices say it came from (zeros elsewhere)."""
    size = _unpool_size(input, kernel_size, stride, padding, output_size, 2)
    return _batched(lambda x, i: _max_unpool(x, i, size), input, 2,
                    indices.unsqueeze(0) if indices.ndim == 3 else indices)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    size = (1,) + _unpool_size(input, kernel_size, stride, padding, output_size, 1)
    idx = indices.unsqueeze(0) if indices.ndim == 2 else indices
    return _batched(lambda x, i: _max_unpool(x, i, size), input, 1, idx.unsqueeze(-2))


# ---------------------------------------------------------------- average pooling
class WindowSum(Op):
    """The sum over each (kh, kw) window of the zero-padded input (no dilation)."""
    save = False

    def forward(self, x, k, s, pads, out):
        self.args, self.size = (k, s, pads, out), x.shape[-2:]
        a = pad_array(x, pads)
        y = None
        for i in range(k[0]):
            for j in range(k[1]):
                v = a[(Ellipsis,) + _slices(i, j, k, s, (1, 1), out)]
                y = v.copy() if y is None else y.__iadd__(v)
        return y

    def backward(self, gy):
        return (WindowSpread.apply(gy, *self.args, self.size),) + (None,) * 4


class WindowSpread(Op):
    """The adjoint of WindowSum: add each output back over its window, then drop the padding."""
    save = False

    def forward(self, g, k, s, pads, out, size):
        self.args = (k, s, pads, out)
        xp = get_array_module(g)
        padded = tuple(size[i] + pads[i][0] + pads[i][1] for i in range(2))
        a = xp.zeros(g.shape[:-2] + padded, dtype=g.dtype)
        for i in range(k[0]):
            for j in range(k[1]):
                a[(Ellipsis,) + _slices(i, j, k, s, (1, 1), out)] += g
        return xp.ascontiguousarray(a[..., pads[0][0]:pads[0][0] + size[0], pads[1][0]:pads[1][0] + size[1]])

    def backward(self, gg):
        return (WindowSum.apply(gg, *self.args),) + (None,) * 5


def _divisor(size, k, s, p, pads, out, count_include_pad):
    """torch's divisor per output: window size clipped to the padded input (or to the input)."""
    counts = []
    for i in range(2):
        start = np.arange(out[i]) * s[i] - p[i]
        end = np.minimum(start + k[i], size[i] + p[i])
        if count_include_pad:
            n = end - start
        else:
            n = np.minimum(end, size[i]) - np.maximum(start, 0)
        counts.append(n)
    return np.outer(counts[0], counts[1])


def _avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    k, s, pads, _, out = _plan(x, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d", max_pool=False)
    total = WindowSum.apply(x, k, s, pads, out)
    if divisor_override:
        return total / divisor_override
    div = _divisor(x._data.shape[-2:], k, s, _pair(padding), pads, out, count_include_pad)
    return total / _wrap(get_array_module(x._data).asarray(div.astype(x._data.dtype)))


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-D average pooling over (N, C, H, W) or (C, H, W)."""
    _check_dims(input, 2, "avg_pool2d")
    return _batched(_avg_pool2d, input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                    divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-D average pooling over (N, C, L) or (C, L)."""
    _check_dims(input, 1, "avg_pool1d")
    k = _pair(kernel_size, 1)[0]
    s = _pair(stride, 1)[0] if stride else k
    return _batched(_avg_pool2d, input, 1, (1, k), (1, s), (0, _pair(padding, 1)[0]), ceil_mode,
                    count_include_pad, None)


# ---------------------------------------------------------------- adaptive pooling
def _adaptive_bounds(size, out):
    """torch's adaptive windows: [floor(i*size/out), ceil((i+1)*size/out)) for each output i."""
    i = np.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


def _pool_matrix(size, out, dtype):
    """A (out, size) 0/1 matrix whose row i selects adaptive window i."""
    start, end = _adaptive_bounds(size, out)
    j = np.arange(size)
    return ((j >= start[:, None]) & (j < end[:, None])).astype(dtype), (end - start)


def _adaptive_avg_pool2d(x, output_size):
    h, w = x._data.shape[-2:]
    oh, ow = (v if v is not None else d for v, d in zip(_pair(output_size), (h, w)))
    if (oh, ow) == (1, 1):
        return x.mean((-2, -1), keepdim=True)
    if h % oh == 0 and w % ow == 0:  # even windows: plain average pooling, summed in torch's order
        return _avg_pool2d(x, (h // oh, w // ow), None, 0, False, True, None)
    # uneven windows: window sums as two products with 0/1 matrices, then divide by the counts
    dt = x._data.dtype
    xp = get_array_module(x._data)
    mh, nh = _pool_matrix(h, oh, dt)
    mw, nw = _pool_matrix(w, ow, dt)
    total = _wrap(xp.asarray(mh)) @ x @ _wrap(xp.asarray(mw.T))
    return total / _wrap(xp.asarray(np.outer(nh, nw).astype(dt)))


def _adaptive_avg_separable(x, sizes):
    """Adaptive average over the last len(sizes) dims, one dim at a time: a box's mean is the
    mean of means along each side (interpolate's area mode on 5-D input)."""
    nd = x._data.ndim
    xp = get_array_module(x._data)
    for i, out in enumerate(sizes):
        d = nd - len(sizes) + i
        m, n = _pool_matrix(x._data.shape[d], out, x._data.dtype)
        w = _wrap(xp.asarray(m / n[:, None].astype(x._data.dtype)))  # (out, size): each row averages a window
        x = (x.movedim(d, -1) @ w.mT).movedim(-1, d)
    return x


def adaptive_avg_pool2d(input, output_size):
    """Average over torch's adaptive windows to get an (oh, ow) output."""
    _check_dims(input, 2, "adaptive_avg_pool2d")
    return _batched(_adaptive_avg_pool2d, input, 2, output_size)


def adaptive_avg_pool1d(input, output_size):
    _check_dims(input, 1, "adaptive_avg_pool1d")
    return _batched(_adaptive_avg_pool2d, input, 1, (1, _pair(output_size, 1)[0]))


def _adaptive_max_pool2d(x, output_size, return_indices):
    h, w = x._data.shape[-2:]
    oh, ow = (v if v is not None else d for v, d in zip(_pair(output_size), (h, w)))
    # Gather every window padded to the largest one by repeating its last index (a repeat
    # cannot change a max), take the argmax, and pick the outputs with a differentiable gather
    # (inside _IndexedMax, so that a replayed capture finds the maxima of new inputs).
    idx = []
    for size, out in ((h, oh), (w, ow)):
        start, end = _adaptive_bounds(size, out)
        k = int((end - start).max())
        idx.append(np.minimum(start[:, None] + np.arange(k), end[:, None] - 1))
    ih, iw = idx
    flat = (ih[:, None, :, None] * w + iw[None, :, None, :]).reshape(oh, ow, -1)   # (oh, ow, kh*kw)

    def find(a, _):
        xp = get_array_module(a)
        f = xp.asarray(flat)
        vals = a.reshape(a.shape[:-2] + (h * w,))[..., f]            # (..., oh, ow, kh*kw)
        best = vals.argmax(-1) if a.dtype.kind != "f" else _nan_argmax(vals, xp)
        return xp.take_along_axis(xp.broadcast_to(f, vals.shape), best[..., None], axis=-1)[..., 0]
    return _indexed_max(x, None, find, 2, return_indices)


def _nan_argmax(v, xp):
    best = v.argmax(-1)
    nan = xp.isnan(v)
    if nan.any():
        best = xp.where(nan.any(-1), nan.argmax(-1), best)
    return best


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max over torch's adaptive windows to get an (oh, ow) output."""
    _check_dims(input, 2, "adaptive_max_pool2d")
    return _batched(_adaptive_max_pool2d, input, 2, output_size, return_indices)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    _check_dims(input, 1, "adaptive_max_pool1d")
    return _batched(_adaptive_max_pool2d, input, 1, (1, _pair(output_size, 1)[0]), return_indices)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool1d(input, output_size, True)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over each window of x^p)^(1/p)."""
    kw, kh = _pair(kernel_size)
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kw * kh).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kernel_size).pow(1.0 / norm_type)


# ---------------------------------------------------------------- modules
class _MaxPoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def extra_repr(self):
        return ("kernel_size={kernel_size}, stride={stride}, padding={padding}, dilation={dilation}, "
                "ceil_mode={ceil_mode}".format(**self.__dict__))


class MaxPool1d(_MaxPoolNd):
    """1-D max pooling over (N, C, L)."""

    def forward(self, input):
        return max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                          self.return_indices)


class MaxPool2d(_MaxPoolNd):
    """2-D max pooling over (N, C, H, W)."""

    def forward(self, input):
        return max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                          self.return_indices)


class _MaxUnpoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = self._tup(kernel_size)
        self.stride = self._tup(stride if stride is not None else kernel_size)
        self.padding = self._tup(padding)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """The inverse of MaxPool1d: values back at their indices, zeros elsewhere."""
    _tup = staticmethod(lambda v: _pair(v, 1))

    def forward(self, input, indices, output_size=None):
        return max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool2d(_MaxUnpoolNd):
    """The inverse of MaxPool2d: values back at their indices, zeros elsewhere."""
    _tup = staticmethod(lambda v: _pair(v, 2))

    def forward(self, input, indices, output_size=None):
        return max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class AvgPool1d(Module):
    """1-D average pooling over (N, C, L)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = _pair(kernel_size, 1)
        self.stride = _pair(stride if stride is not None else kernel_size, 1)
        self.padding = _pair(padding, 1)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input):
        return avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """2-D average pooling over (N, C, H, W)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input):
        return avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptivePool(Module):
    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        if self._max:
            self.return_indices = return_indices

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptivePool):
    """Average pooling to a fixed output length."""
    _max = False

    def forward(self, input):
        return adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool2d(_AdaptivePool):
    """Average pooling to a fixed output size."""
    _max = False

    def forward(self, input):
        return adaptive_avg_pool2d(input, self.output_size)


class AdaptiveMaxPool1d(_AdaptivePool):
    """Max pooling to a fixed output length."""
    _max = True

    def forward(self, input):
        return adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptivePool):
    """Max pooling to a fixed output size."""
    _max = True

    def forward(self, input):
        return adaptive_max_pool2d(input, self.output_size, self.return_indices)


class LPPool1d(Module):
    """1-D power-average pooling: (sum of x^p over each window)^(1/p)."""

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def forward(self, input):
        return lp_pool1d(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self):
        return "norm_type={norm_type}, kernel_size={kernel_size}, stride={stride}, ceil_mode={ceil_mode}".format(
            **self.__dict__)


class LPPool2d(LPPool1d):
    """2-D power-average pooling: (sum of x^p over each window)^(1/p)."""

    def forward(self, input):
        return lp_pool2d(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)


# ---------------------------------------------------------------- 3-D pooling
# The plane machinery above does 3-D too: a (D, H, W) volume is a (D, H*W) plane, so torch's
# 3-D indices (flat positions in D*H*W) are plane indices and _PlaneGather/_PlaneScatter
# carry the gradients. Max windows are read from one strided view of the padded volume;
# sums (average pooling) are separable: the 2-D window sums, then sums over depth windows.
def _plan3d(input, kernel_size, stride, padding, dilation, ceil_mode, max_pool=True):
    k = _pair(kernel_size, 3)
    s = _pair(stride, 3) if stride is not None and stride != [] and stride != () else k
    p, d = _pair(padding, 3), _pair(dilation, 3)
    for pp, kk, dd in zip(p, k, d):
        if max_pool and pp > (dd * (kk - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pp}, "
                               f"kernel_size={kk} and dilation={dd}")
        if not max_pool and pp > kk // 2:
            raise RuntimeError(f"pad should be at most half of kernel size, but got pad={pp} and kernel_size={kk}")
    size = input._data.shape[-3:]
    geo = [_geometry(size[i], k[i], s[i], p[i], d[i], ceil_mode) for i in range(3)]
    out = tuple(g[0] for g in geo)
    if min(out) <= 0:
        c = input._data.shape[-4]
        raise RuntimeError(f"Given input size: ({c}x{size[0]}x{size[1]}x{size[2]}). Calculated output size: "
                           f"({c}x{out[0]}x{out[1]}x{out[2]}). Output size is too small")
    return k, s, tuple(g[1] for g in geo), d, out


class _IndexedMax(Op):
    """The values of x at the flat positions of its last `nd` dims that ``find(x, extra)`` picks
    (the window maxima of 3-D, adaptive 3-D and fractional max pooling). The positions are
    found inside forward, so a replayed capture (ember.compile) finds them again for new inputs;
    the gradient scatters back through them."""
    save = False

    def forward(self, x, extra, find, nd, keep=None):
        idx = find(x, extra)
        lead = x.shape[:-nd]
        self.shape, self.idx, self.lead = x.shape, idx, lead
        xp = get_array_module(x)
        n, m = math.prod(x.shape[-nd:]), math.prod(idx.shape[len(lead):])  # (explicit sizes: lead may be 0)
        y = xp.take_along_axis(x.reshape(lead + (n,)), idx.reshape(lead + (m,)), axis=-1).reshape(idx.shape)
        if keep is not None:  # return_indices: hand the indices out through a list
            keep.append(idx)
        return y

    def backward(self, gy):
        plane = math.prod(self.shape[len(self.lead):])
        m = math.prod(self.idx.shape[len(self.lead):])
        g = _PlaneScatter.apply(gy.reshape(self.lead + (1, m)), self.idx.reshape(self.lead + (1, m)), (1, plane),
                                False)
        return g.reshape(self.shape), None, None, None, None


def _indexed_max(x, extra, find, nd, return_indices):
    if not return_indices:
        return _IndexedMax.apply(x, extra, find, nd)
    keep = []
    y = _IndexedMax.apply(x, extra, find, nd, keep)
    return y, _wrap(keep[0])


def _last_max(win, xp):
    """The position of each window's maximum along the last dim: the first maximum, or the
    last NaN (torch's `val > max || isnan(val)`)."""
    pos = win.argmax(-1)
    if win.dtype.kind == "f":
        nan = xp.isnan(win)
        if nan.any():
            pos = xp.where(nan.any(-1), win.shape[-1] - 1 - nan[..., ::-1].argmax(-1), pos)
    return pos


def _max_pool3d(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    k, s, pads, d, out = _plan3d(x, kernel_size, stride, padding, dilation, ceil_mode)

    def find(a, _):
        xp = get_array_module(a)
        low = -np.inf if a.dtype.kind == "f" else np.iinfo(a.dtype).min
        v = pad_array(a, pads, low)
        st = v.strides[-3:]
        win = as_strided(v, v.shape[:-3] + out + k, v.strides[:-3] + tuple(t * u for t, u in zip(st, s))
                         + tuple(t * u for t, u in zip(st, d)))
        pos = _last_max(win.reshape(win.shape[:-3] + (-1,)), xp)   # (..., OD, OH, OW): one copy of the windows
        kz, ky, kx = xp.unravel_index(pos, k)
        grid = [np.arange(o) * s[i] - pads[i][0] for i, o in enumerate(out)]
        z = xp.asarray(grid[0]).reshape(-1, 1, 1) + kz * d[0]
        yy = xp.asarray(grid[1]).reshape(-1, 1) + ky * d[1]
        xx = xp.asarray(grid[2]) + kx * d[2]
        return (z * a.shape[-2] + yy) * a.shape[-1] + xx            # torch's flat D*H*W indices
    return _indexed_max(x, None, find, 3, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """3-D max pooling over (N, C, D, H, W) or (C, D, H, W)."""
    _check_dims(input, 3, "max_pool3d")
    return _batched(_max_pool3d, input, 3, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Put each value back where max_pool3d's indices say it came from (zeros elsewhere)."""
    size = _unpool_size(input, kernel_size, stride, padding, output_size, 3)

    def run(x, i):
        lead = x._data.shape[:-3]
        y = _PlaneScatter.apply(x.reshape(lead + (x._data.shape[-3], -1)),
                                i._data.reshape(lead + (i._data.shape[-3], -1)), (size[0], size[1] * size[2]), True)
        return y.reshape(lead + size)
    return _batched(run, input, 3, indices.unsqueeze(0) if indices.ndim == 4 else indices)


def _avg_pool3d(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    k, s, pads, _, out = _plan3d(x, kernel_size, stride, padding, 1, ceil_mode, max_pool=False)
    lead, dd = x._data.shape[:-3], x._data.shape[-3]
    plane = WindowSum.apply(x, k[1:], s[1:], pads[1:], out[1:])                   # (..., D, OH, OW)
    total = WindowSum.apply(plane.reshape(lead + (dd, -1)), (k[0], 1), (s[0], 1), (pads[0], (0, 0)),
                            (out[0], out[1] * out[2])).reshape(lead + out)      # then over depth windows
    if divisor_override:
        return total / divisor_override
    p = _pair(padding, 3)
    counts = []
    for i, size in enumerate(x._data.shape[-3:]):  # torch's divisor, as _divisor, along each dim
        start = np.arange(out[i]) * s[i] - p[i]
        end = np.minimum(start + k[i], size + p[i])
        counts.append(end - start if count_include_pad else np.minimum(end, size) - np.maximum(start, 0))
    div = counts[0][:, None, None] * counts[1][None, :, None] * counts[2][None, None, :]
    return total / _wrap(get_array_module(x._data).asarray(div.astype(x._data.dtype)))


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """3-D average pooling over (N, C, D, H, W) or (C, D, H, W)."""
    _check_dims(input, 3, "avg_pool3d")
    return _batched(_avg_pool3d, input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad,
                    divisor_override)


def _adaptive_avg_pool3d(x, output_size):
    lead, (dd, h, w) = x._data.shape[:-3], x._data.shape[-3:]
    od, oh, ow = (v if v is not None else n for v, n in zip(_pair(output_size, 3), (dd, h, w)))
    y = _adaptive_avg_pool2d(x, (oh, ow))              # a box's mean is the depth-window mean of plane means
    y = _adaptive_avg_pool2d(y.reshape(lead + (dd, oh * ow)), (od, oh * ow))
    return y.reshape(lead + (od, oh, ow))


def adaptive_avg_pool3d(input, output_size):
    """Average over torch's adaptive windows to get an (od, oh, ow) output."""
    _check_dims(input, 3, "adaptive_avg_pool3d")
    return _batched(_adaptive_avg_pool3d, input, 3, output_size)


def _adaptive_max_pool3d(x, output_size, return_indices):
    size = x._data.shape[-3:]
    outs = tuple(v if v is not None else n for v, n in zip(_pair(output_size, 3), size))
    idx = []  # every window padded to the largest by repeating its last index, as in 2-D
    for n, o in zip(size, outs):
        start, end = _adaptive_bounds(n, o)
        kk = int((end - start).max())
        idx.append(np.minimum(start[:, None] + np.arange(kk), end[:, None] - 1))
    iz, iy, ix = idx
    flat = ((iz[:, None, None, :, None, None] * size[1] + iy[None, :, None, None, :, None]) * size[2]
            + ix[None, None, :, None, None, :]).reshape(outs + (-1,))  # (od, oh, ow, kd*kh*kw)

    def find(a, _):
        xp = get_array_module(a)
        f = xp.asarray(flat)
        vals = a.reshape(a.shape[:-3] + (-1,))[..., f]                 # (..., od, oh, ow, K)
        best = vals.argmax(-1) if a.dtype.kind != "f" else _nan_argmax(vals, xp)
        return xp.take_along_axis(xp.broadcast_to(f, vals.shape), best[..., None], axis=-1)[..., 0]
    return _indexed_max(x, None, find, 3, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max over torch's adaptive windows to get an (od, oh, ow) output."""
    _check_dims(input, 3, "adaptive_max_pool3d")
    return _batched(_adaptive_max_pool3d, input, 3, output_size, return_indices)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool3d(input, output_size, True)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over each (kd, kh, kw) window of x^p)^(1/p)."""
    kd, kh, kw = _pair(kernel_size, 3)
    out = avg_pool3d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kd * kh * kw).pow(1.0 / norm_type)


class MaxPool3d(_MaxPoolNd):
    """3-D max pooling over (N, C, D, H, W)."""

    def forward(self, input):
        return max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                          self.return_indices)


class MaxUnpool3d(_MaxUnpoolNd):
    """The inverse of MaxPool3d: values back at their indices, zeros elsewhere."""
    _tup = staticmethod(lambda v: _pair(v, 3))

    def forward(self, input, indices, output_size=None):
        return max_unpool3d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class AvgPool3d(AvgPool2d):
    """3-D average pooling over (N, C, D, H, W)."""

    def forward(self, input):
        return avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad, self.divisor_override)


class AdaptiveAvgPool3d(_AdaptivePool):
    """Average pooling to a fixed (D, H, W) output size."""
    _max = False

    def forward(self, input):
        return adaptive_avg_pool3d(input, self.output_size)


class AdaptiveMaxPool3d(_AdaptivePool):
    """Max pooling to a fixed (D, H, W) output size."""
    _max = True

    def forward(self, input):
        return adaptive_max_pool3d(input, self.output_size, self.return_indices)


class LPPool3d(LPPool1d):
    """3-D power-average pooling: (sum of x^p over each window)^(1/p)."""

    def forward(self, input):
        return lp_pool3d(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)


# ---------------------------------------------------------------- fractional max pooling
def _fractional_starts(sample, size, out, k):
    """torch's pseudo-random window starts: int((i + u) * a) - int(u * a), a = (size - k) / (out - 1),
    computed in the samples' dtype, with the last window flush with the end."""
    u = sample[..., None]
    seq = np.zeros(u.shape[:-1] + (out,), dtype=np.int64)
    if out > 1:
        alpha = u.dtype.type(size - k) / u.dtype.type(out - 1)
        i = np.arange(out - 1).astype(u.dtype)
        seq[..., :-1] = ((i + u) * alpha).astype(np.int64) - (u * alpha).astype(np.int64)
    seq[..., -1] = size - k
    return seq


def _fractional_max_pool(x, kernel_size, output_size, output_ratio, return_indices, samples, nd, name):
    size = x._data.shape[-nd:]
    k = _pair(kernel_size, nd)
    if output_size is None:
        if output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
        if len(output_ratio) > nd:  # (a bare float fails here with a TypeError, as in torch)
            raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple of Ints.")
        ratio = _pair(output_ratio, nd)
        output_size = [int(s * r) for s, r in zip(size, ratio)]
    out = _pair(output_size, nd)
    for s, o, kk, dim in zip(size, out, k, ("time", "height", "width")[3 - nd:]):
        if o + kk - 1 > s:
            raise RuntimeError(f"{name}_out(): pool {dim} {kk} too large relative to input {dim} {s}")
    a = x._data
    if samples is None:  # torch's draw: rand(N, C, nd) in the input's dtype
        from ..ops.creation import rand
        samples = rand(a.shape[0] if a.ndim == nd + 2 else 1, a.shape[-nd - 1], nd, dtype=x.dtype)

    def find(a, samples):
        xp = get_array_module(a)
        u = np.asarray(to_device(samples, "cpu")).reshape((-1, a.shape[-nd - 1], nd))  # (small: on the host)
        if a.ndim == nd + 1:
            u = u[0]
        # the samples run width, height(, time) in 2-D and time, height, width in 3-D, as torch's kernels
        order = (1, 0) if nd == 2 else (0, 1, 2)
        starts = [_fractional_starts(u[..., order[i]], size[i], out[i], k[i]) for i in range(nd)]
        flat = 0  # flat positions of every window element: (..., out..., k...)
        for i in range(nd):
            shape = [1] * (2 * nd)
            shape[i] = out[i]
            pos = starts[i].reshape(starts[i].shape[:-1] + tuple(shape))
            pos = pos + np.arange(k[i]).reshape([1] * (nd + i) + [k[i]] + [1] * (nd - i - 1))
            flat = flat * size[i] + pos
        lead = a.shape[:-nd]
        flat = xp.asarray(np.broadcast_to(flat, lead + tuple(out) + tuple(k)).reshape(lead + tuple(out) + (-1,)))
        vals = xp.take_along_axis(a.reshape(lead + (-1,)), flat.reshape(lead + (-1,)), axis=-1).reshape(flat.shape)
        return xp.take_along_axis(flat, _last_max(vals, xp)[..., None], axis=-1)[..., 0]
    return _indexed_max(x, samples, find, nd, return_indices)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Max pooling over pseudo-randomly placed (kh, kw) windows (Graham's fractional max pooling)."""
    _check_dims(input, 2, "fractional_max_pool2d")
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices, _random_samples, 2,
                                "fractional_max_pool2d")


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Max pooling over pseudo-randomly placed (kt, kh, kw) windows."""
    _check_dims(input, 3, "fractional_max_pool3d")
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices, _random_samples, 3,
                                "fractional_max_pool3d")


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=True, _random_samples=None):
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=True, _random_samples=None):
    return fractional_max_pool3d(input, kernel_size, output_size, output_ratio, True, _random_samples)


class _FractionalMaxPoolNd(Module):
    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                 _random_samples=None):
        super().__init__()
        nd = self._nd
        self.kernel_size = _pair(kernel_size, nd)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _pair(output_size, nd) if output_size is not None else None
        self.output_ratio = _pair(output_ratio, nd) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(f"FractionalMaxPool{nd}d requires specifying either an output size, or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        fn = fractional_max_pool2d if self._nd == 2 else fractional_max_pool3d
        return fn(input, self.kernel_size, self.output_size, self.output_ratio, self.return_indices,
                  _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """2-D fractional max pooling over (N, C, H, W)."""
    _nd = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """3-D fractional max pooling over (N, C, T, H, W)."""
    _nd = 3
