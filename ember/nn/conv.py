"""Convolution: Conv1d/2d/3d, ConvTranspose1d/2d/3d and F.conv1d/2d/3d,
F.conv_transpose1d/2d/3d.

Three primitives carry every gradient, each one's backward made of the other two, so
gradients of any order work:
  * ``Convolution(x, w)``: im2col (a strided view of the padded input, copied once into
    a (groups, C/g*kh*kw, OH*OW*N) matrix) and ONE matrix product per layer; or, for layers
    with few numbers per window, (N, C*kh*kw, OH*OW) matrices and one product per sample;
  * ``ConvTranspose(g, w)``: w^T @ g, then col2im (kh*kw strided additions). It is the
    input gradient of a convolution and the forward of a transposed convolution;
  * ``ConvWeight(x, g)``: the weight gradient, one matrix product with the im2col of x
    (the forward's matrix is reused when it is at hand).
Fused into primitives because a composite of unfold/matmul/reshape would copy the large
column matrix several times and cost ~3x the time. 1-D convolutions run as 2-D ones with
a height of 1.
"""
import math

import numpy as np

from .._backend import as_strided, get_array_module
from .._threads import parallel_rows
from ..autograd.function import Op
from .. import _runtime
from ..ops import creation as C
from . import init
from .fold import out_size, pad_array, windows, _pair
from .module import Module
from .parameter import Parameter


# ---------------------------------------------------------------- array kernels
# Inside, images are laid out (C, H, W, N), batch last: every window copy and every col2im
# addition then moves runs of OW*N contiguous numbers instead of OW, which measured ~2x
# faster than working in (N, C, H, W). One transposed copy in and one out pay for it.
def _batch_last(x, pads):
    """(N, C, H, W) -> zero-padded (C, Hp, Wp, N)."""
    xp = get_array_module(x)
    n, c, h, w = x.shape
    (pt, pb), (pl, pr) = pads
    if not (pt or pb or pl or pr):
        return xp.ascontiguousarray(x.transpose(1, 2, 3, 0))
    out = xp.zeros((c, h + pt + pb, w + pl + pr, n), dtype=x.dtype)
    out[:, pt:pt + h, pl:pl + w] = x.transpose(1, 2, 3, 0)
    return out


def _windows(x, k, stride, pads, dilation, groups):
    """The (G, C/g, kh, kw, OH, OW, N) strided view of x's windows (padded, batch last), and (OH, OW)."""
    n, c, h, w = x.shape
    out = (out_size(h, k[0], stride[0], dilation[0], sum(pads[0])),
           out_size(w, k[1], stride[1], dilation[1], sum(pads[1])))
    a = _batch_last(x, pads)
    sc, sh, sw, sn = a.strides
    cg = c // groups
    return as_strided(a, (groups, cg, k[0], k[1], out[0], out[1], n),
                      (sc * cg, sc, sh * dilation[0], sw * dilation[1], sh * stride[0], sw * stride[1], sn)), out


def _cols(x, k, stride, pads, dilation, groups):
    """im2col: the (groups, C/g*kh*kw, OH*OW*N) matrix of input windows, and (OH, OW)."""
    win, out = _windows(x, k, stride, pads, dilation, groups)
    g, cg, kh, kw, oh, ow, n = win.shape
    return get_array_module(x).ascontiguousarray(win).reshape(g, cg * kh * kw, oh * ow * n), out


def _cols_product(x, w, stride, pads, dilation):
    """_cols (groups 1, NumPy) and w @ col, made one output row at a time right after that row's
    columns are copied, while they are in cache: with at most 8 outputs the product is bound by
    reading the matrix, and this is ~1.2-1.6x faster than one product over the whole of it."""
    win, out = _windows(x, w.shape[2:], stride, pads, dilation, 1)
    _, cg, kh, kw, oh, ow, n = win.shape
    col = np.empty((cg * kh * kw, oh, ow * n), x.dtype)
    rows = col.reshape(cg, kh, kw, oh, ow, n)
    w2 = w.reshape(w.shape[0], -1)
    y = np.empty((w.shape[0], oh, ow * n), x.dtype)
    for r in range(oh):
        rows[:, :, :, r] = win[0, :, :, :, r]
        y[:, r] = w2.dot(col[:, r])
    return col.reshape(1, cg * kh * kw, -1), out, y.reshape(1, w.shape[0], -1)


# A layer with few numbers per window (a first layer: C/g*kh*kw < 64), or few outputs or numbers
# per window over a large image, runs instead in (N, C, H, W) order with one small product per
# sample, which stays in cache: the one product over the whole batch-last column matrix packs all
# of it, and OpenBLAS is slow on so few rows. Measured 1.3-5x faster forward + weight gradient
# there, and 1.05-1.4x slower elsewhere (more numbers per window, or images under 16x16). The
# output then comes out in torch's layout, with no transposing copy.
def _per_sample(x, wshape, groups, out):
    if get_array_module(x) is not np or groups != 1:
        return False
    per_window = wshape[1] * wshape[2] * wshape[3]
    return per_window < 64 or (per_window <= 80 or wshape[0] <= 8) and out[0] * out[1] >= 256


def _sample_cols(x, k, stride, pads, dilation, out):
    """im2col per sample: the (N, C*kh*kw, OH*OW) window matrices of x, for an output of size `out`."""
    n, c = x.shape[:2]
    win = windows(pad_array(x, pads), k, stride, dilation, out)       # (N, C, OH, OW, kh, kw), a view
    return np.ascontiguousarray(win.transpose(0, 1, 4, 5, 2, 3)).reshape(n, c * k[0] * k[1], out[0] * out[1])


_BLOCK = 128  # a transposing copy in pieces of this many rows: NumPy's whole-array one misses the cache (~2x slower)


def _transpose_into(dst, src, bias=None):
    """``dst = src.T``, plus ``bias[i]`` on dst's column i, for 2-D NumPy arrays with more rows
    than columns, in cache-sized pieces of src's rows, split over ember's threads."""
    m = src.shape[0]

    def run(start, stop):
        for i in range(start * _BLOCK, min(stop * _BLOCK, m), _BLOCK):
            j = min(i + _BLOCK, m)
            if bias is None:
                dst[:, i:j] = src[i:j].T
            else:
                np.add(src[i:j].T, bias[i:j], out=dst[:, i:j])
    parallel_rows(run, -(-m // _BLOCK))


def _grad_matrix(g, groups):
    """(N, O, OH, OW) -> (groups, O/g, OH*OW*N), the layout of the column matrix."""
    o = g.shape[1]
    n = g.shape[0] * g.shape[2] * g.shape[3]  # (explicit sizes here and below: the batch may be empty)
    return get_array_module(g).ascontiguousarray(g.transpose(1, 2, 3, 0)).reshape(groups, o // groups, n)


def _conv(x, w, b, cfg):
    stride, pads, dilation, groups = cfg
    xp = get_array_module(x)
    o, _, kh, kw = w.shape
    out = tuple(out_size(x.shape[2 + i], w.shape[2 + i], stride[i], dilation[i], sum(pads[i])) for i in range(2))
    if _per_sample(x, w.shape, groups, out):
        col = _sample_cols(x, (kh, kw), stride, pads, dilation, out)
        y = np.matmul(w.reshape(o, -1), col)                        # (N, O, OH*OW)
        if b is not None:
            y += b.reshape(o, 1)
        return y.reshape((x.shape[0], o) + out), col
    if xp is np and groups == 1 and o <= 8 and x.dtype == w.dtype:
        col, out, y = _cols_product(x, w, stride, pads, dilation)
    else:
        col, out = _cols(x, (kh, kw), stride, pads, dilation, groups)
        y = w.reshape(groups, o // groups, -1) @ col                  # (G, O/G, OH*OW*N)
    res = xp.empty((x.shape[0], o) + out, dtype=y.dtype)
    if xp is np:
        _transpose_into(res.reshape(x.shape[0], o * out[0] * out[1]), y.reshape(o * out[0] * out[1], x.shape[0]),
                        None if b is None else np.repeat(b, out[0] * out[1]))
        return res, col
    y = y.reshape(o, out[0], out[1], x.shape[0]).transpose(3, 0, 1, 2)
    if b is not None:
        xp.add(y, b.reshape(o, 1, 1), out=res)   # the bias rides along with the layout copy
    else:
        res[...] = y
    return res, col


def _conv_transpose(g, w, cfg, size):
    """The adjoint of _conv: scatter g through w into an input of spatial `size` (col2im)."""
    stride, pads, dilation, groups = cfg
    xp = get_array_module(g)
    n, o, oh, ow = g.shape
    _, cg, kh, kw = w.shape
    gcol = w.reshape(groups, o // groups, -1).transpose(0, 2, 1) @ _grad_matrix(g, groups)
    gcol = gcol.reshape(groups * cg, kh, kw, oh, ow, n).transpose(1, 2, 0, 3, 4, 5)  # (kh, kw, C, OH, OW, N)
    (pt, pb), (pl, pr) = pads
    gxp = xp.zeros((groups * cg, size[0] + pt + pb, size[1] + pl + pr, n), dtype=gcol.dtype)
    for i in range(kh):
        hs = slice(i * dilation[0], i * dilation[0] + stride[0] * (oh - 1) + 1, stride[0])
        for j in range(kw):
            gxp[:, hs, j * dilation[1]:j * dilation[1] + stride[1] * (ow - 1) + 1:stride[1]] += gcol[i, j]
    gx = gxp[:, pt:pt + size[0], pl:pl + size[1]]
    return xp.ascontiguousarray(gx.transpose(3, 0, 1, 2))


def _conv_weight(x, g, cfg, wshape, col=None):
    stride, pads, dilation, groups = cfg
    if _per_sample(x, wshape, groups, g.shape[2:]):
        if col is None:
            col = _sample_cols(x, wshape[2:], stride, pads, dilation, g.shape[2:])
        g = g.reshape(g.shape[0], g.shape[1], g.shape[2] * g.shape[3])
        return np.matmul(g, col.transpose(0, 2, 1)).sum(0).reshape(wshape)
    if col is None:
        col, _ = _cols(x, wshape[2:], stride, pads, dilation, groups)
    # as col @ g^T, transposed after: OpenBLAS runs this long-K product ~1.7x faster than g @ col^T
    return (col @ _grad_matrix(g, groups).transpose(0, 2, 1)).transpose(0, 2, 1).reshape(wshape)


# ---------------------------------------------------------------- primitives
class Convolution(Op):
    """y = conv(x, w) + b: im2col and one matrix product."""

    def forward(self, x, w, b, cfg):
        y, col = _conv(x, w, b, cfg)
        self.col = col  # reused by the weight gradient
        return y

    def backward(self, gy):
        x, w, b, cfg = self.inputs
        n = self.needs_input_grad
        gx = ConvTranspose.apply(gy, w, None, cfg, x._data.shape[2:]) if n[0] else None
        gw = ConvWeight.apply(x, gy, cfg, w._data.shape, self.col) if n[1] else None
        gb = gy.sum((0, 2, 3)) if b is not None and n[2] else None
        return gx, gw, gb, None

    def release(self):
        super().release()
        self.col = None


class ConvTranspose(Op):
    """The adjoint of Convolution in x: w^T @ g, then col2im (conv_transpose's forward)."""

    def forward(self, g, w, b, cfg, size):
        y = _conv_transpose(g, w, cfg, size)
        if b is not None:
            y += b.reshape(-1, 1, 1)
        return y

    def backward(self, gy):
        g, w, b, cfg, _ = self.inputs
        n = self.needs_input_grad
        gyc, cfg2 = _without_output_padding(gy, g, w, cfg)
        gg = Convolution.apply(gyc, w, None, cfg2) if n[0] else None
        gw = ConvWeight.apply(gyc, g, cfg2, w._data.shape) if n[1] else None
        gb = gy.sum((0, 2, 3)) if b is not None and n[2] else None
        return gg, gw, gb, None, None


def _without_output_padding(gy, g, w, cfg):
    """gy and the convolution settings whose windows give exactly g's size: output_padding's rows
    take the place of bottom padding (a smaller pad there), and rows past all padding (bias only)
    are left out. Without output_padding, (gy, cfg) as they are."""
    stride, pads, dilation, groups = cfg
    keep, new_pads = [], []
    for i in range(2):
        natural = (g._data.shape[2 + i] - 1) * stride[i] - sum(pads[i]) + dilation[i] * (w._data.shape[2 + i] - 1) + 1
        extra = min(gy._data.shape[2 + i] - natural, pads[i][1])
        keep.append(natural + extra)
        new_pads.append((pads[i][0], pads[i][1] - extra))
    if tuple(keep) == gy._data.shape[2:] and tuple(new_pads) == tuple(pads):
        return gy, cfg
    return gy[:, :, :keep[0], :keep[1]], (stride, tuple(new_pads), dilation, groups)


class ConvWeight(Op):
    """The gradient of Convolution in w: one matrix product of g with the im2col of x."""

    def forward(self, x, g, cfg, wshape, col=None):
        return _conv_weight(x, g, cfg, wshape, col)

    def backward(self, gw):
        x, g, cfg = self.inputs[:3]
        n = self.needs_input_grad
        gx = ConvTranspose.apply(g, gw, None, cfg, x._data.shape[2:]) if n[0] else None
        gg = Convolution.apply(x, gw, None, cfg) if n[1] else None
        return gx, gg, None, None, None


# ---------------------------------------------------------------- functional forms
def _check_dtypes(input, weight, bias):
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"Input type ({input.dtype.name}) and weight type ({weight.dtype.name}) should be the same")
    if bias is not None and bias._data.dtype != weight._data.dtype:
        raise RuntimeError(f"Input type ({input.dtype.name}) and bias type ({bias.dtype.name}) should be the same")


def _same_pads(k, dilation):
    pads = []
    for kk, d in zip(k, dilation):
        total = d * (kk - 1)
        pads.append((total // 2, total - total // 2))  # torch puts the odd extra one on the right
    return tuple(pads)


def _conv_nd(input, weight, bias, stride, padding, dilation, groups, nd, name):
    if _runtime.autocast_dtype is not None:  # torch.autocast: in bfloat16
        return _runtime.autocast_run(_conv_nd, input, weight, bias, stride, padding, dilation, groups, nd, name)
    if input._data.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got input "
                           f"of size: {list(input.shape)}")
    if input._data.ndim == nd + 1:
        return _conv_nd(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups, nd, name).squeeze(0)
    _check_dtypes(input, weight, bias)
    k = weight._data.shape[2:]
    stride, dilation = _pair(stride, nd), _pair(dilation, nd)
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = _same_pads(k, dilation)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pads = tuple((p, p) for p in _pair(padding, nd))
    c = input._data.shape[1]
    if weight._data.shape[1] * groups != c:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
                           f"{list(input.shape)} to have {weight._data.shape[1] * groups} channels, but got {c} "
                           "channels instead")
    size = input._data.shape[2:]
    if any(s + a + b < d * (kk - 1) + 1 for s, (a, b), d, kk in zip(size, pads, dilation, k)):
        padded = " x ".join(str(s + a + b) for s, (a, b) in zip(size, pads))
        ks = " x ".join(str(d * (kk - 1) + 1) for d, kk in zip(dilation, k))
        raise RuntimeError(f"Calculated padded input size per channel: ({padded}). Kernel size: ({ks}). "
                           "Kernel size can't be greater than actual input size")
    if nd == 1:  # run as 2-D with height 1
        cfg = ((1, stride[0]), ((0, 0), pads[0]), (1, dilation[0]), groups)
        return Convolution.apply(input.unsqueeze(2), weight.unsqueeze(2), bias, cfg).squeeze(2)
    if nd == 3:
        return _conv3d(input, weight, bias, stride, pads, dilation, groups)
    return Convolution.apply(input, weight, bias, (stride, pads, dilation, groups))


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D cross-correlation over (N, C, L) input with weight (O, C/groups, k)."""
    return _conv_nd(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation over (N, C, H, W) input with weight (O, C/groups, kh, kw)."""
    return _conv_nd(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def _conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups, dilation, nd, name):
    if _runtime.autocast_dtype is not None:  # torch.autocast: in bfloat16
        return _runtime.autocast_run(_conv_transpose_nd, input, weight, bias, stride, padding, output_padding,
                                     groups, dilation, nd, name)
    if input._data.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got input "
                           f"of size: {list(input.shape)}")
    if input._data.ndim == nd + 1:
        return _conv_transpose_nd(input.unsqueeze(0), weight, bias, stride, padding, output_padding, groups,
                                  dilation, nd, name).squeeze(0)
    _check_dtypes(input, weight, bias)
    stride, padding, dilation = _pair(stride, nd), _pair(padding, nd), _pair(dilation, nd)
    output_padding = _pair(output_padding, nd)
    if weight._data.shape[0] != input._data.shape[1]:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
                           f"{list(input.shape)} to have {weight._data.shape[0]} channels, but got "
                           f"{input._data.shape[1]} channels instead")
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                               f"output_padding: {output_padding}, stride: {stride}, dilation: {dilation}")
    k = weight._data.shape[2:]
    size = tuple((i - 1) * s - 2 * p + d * (kk - 1) + op + 1 for i, s, p, d, kk, op in
                 zip(input._data.shape[2:], stride, padding, dilation, k, output_padding))
    if nd == 1:
        cfg = ((1, stride[0]), ((0, 0), (padding[0], padding[0])), (1, dilation[0]), groups)
        return ConvTranspose.apply(input.unsqueeze(2), weight.unsqueeze(2), bias, cfg, (1,) + size).squeeze(2)
    if nd == 3:
        return _conv_transpose3d(input, weight, bias, stride, padding, dilation, groups, size)
    cfg = (stride, tuple((p, p) for p in padding), dilation, groups)
    return ConvTranspose.apply(input, weight, bias, cfg, size)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The transpose (gradient) of conv1d; weight (C_in, C_out/groups, k)."""
    return _conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
                              "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The transpose (gradient) of conv2d; weight (C_in, C_out/groups, kh, kw)."""
    return _conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                              "conv_transpose2d")


# ---------------------------------------------------------------- 3-D, through the 2-D primitives
# A 3-D convolution is a 2-D one whose input channels are (channel, kernel depth) pairs: for each
# output depth, the kd input slices it sees are stacked as channels (one copy of kd times the
# input), then ONE 2-D convolution runs over all (batch, output depth) pairs. The transpose is
# the adjoint: one 2-D transposed convolution, then the depth slices are added back with fold.
def _conv3d(x, w, b, stride, pads, dilation, groups):
    from .padding import pad
    n, k = x.shape[0], w.shape[2]
    if pads[0] != (0, 0):
        x = pad(x, (0, 0, 0, 0) + pads[0])
    # (contiguous first: Tensor.unfold misreads the strides of an array that owns non-C-ordered memory)
    win = x.contiguous().unfold(2, dilation[0] * (k - 1) + 1, stride[0])[..., ::dilation[0]]  # (N, C, OD, H, W, kd)
    od = win.shape[2]
    cols = win.permute(0, 2, 1, 5, 3, 4).reshape((n * od, -1) + tuple(x.shape[3:]))  # channels (c, k)
    w2 = w.reshape((w.shape[0], -1) + tuple(w.shape[3:]))                         # (O, C/g*kd, kh, kw)
    y = Convolution.apply(cols, w2, b, (stride[1:], pads[1:], dilation[1:], groups))  # (N*OD, O, OH, OW)
    return y.reshape((n, od) + tuple(y.shape[1:])).transpose(1, 2).contiguous()


def _conv_transpose3d(x, w, b, stride, padding, dilation, groups, size):
    from .fold import fold
    from .padding import pad
    n, _, d = x.shape[:3]
    cout, k = w.shape[1] * groups, w.shape[2]
    x2 = x.transpose(1, 2).reshape((n * d,) + tuple(x.shape[1:2] + x.shape[3:]))      # (N*D, C, H, W)
    w2 = w.reshape((w.shape[0], -1) + tuple(w.shape[3:]))                             # (C, O/g*kd, kh, kw)
    cfg = (stride[1:], tuple((p, p) for p in padding[1:]), dilation[1:], groups)
    y = ConvTranspose.apply(x2, w2, None, cfg, size[1:])                              # (N*D, O*kd, OH, OW)
    oh, ow = y.shape[2:]
    cols = y.reshape(n, d, cout, k, oh, ow).permute(0, 2, 4, 5, 3, 1).reshape(n, -1, d)  # (N, O*OH*OW*kd, D)
    full = (d - 1) * stride[0] + dilation[0] * (k - 1) + 1        # every depth the slices reach
    y = fold(cols, (full, 1), (k, 1), (dilation[0], 1), 0, (stride[0], 1))[..., 0]    # (N, O*OH*OW, full)
    y = y[..., padding[0]:padding[0] + size[0]]                   # drop the padding ...
    if y.shape[-1] < size[0]:                                     # ... output_padding may reach past it
        y = pad(y, (0, size[0] - y.shape[-1]))
    y = y.reshape(n, cout, oh, ow, size[0]).permute(0, 1, 4, 2, 3).contiguous()
    return y if b is None else y + b.reshape(-1, 1, 1, 1)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D cross-correlation over (N, C, D, H, W) input with weight (O, C/groups, kd, kh, kw)."""
    return _conv_nd(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The transpose (gradient) of conv3d; weight (C_in, C_out/groups, kd, kh, kw)."""
    return _conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups, dilation, 3,
                              "conv_transpose3d")


def conv_tbc(input, weight, bias, pad=0):
    """1-D convolution in (time, batch, channel) layout: input (T, B, C_in), weight (k, C_in, C_out)."""
    if input.dim() != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.dim() != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, out_channels.")
    if bias.dim() != 1:
        raise RuntimeError("Bias must be 1-D")
    return conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, padding=pad).permute(2, 0, 1)


# ---------------------------------------------------------------- modules
class _ConvNd(Module):
    _nd = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                 output_padding, groups, bias, padding_mode, device=None, dtype=None):
        super().__init__()
        nd = self._nd
        kernel_size, stride, dilation = _pair(kernel_size, nd), _pair(stride, nd), _pair(dilation, nd)
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _pair(padding, nd)
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError("padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation
        self.transposed, self.output_padding = transposed, _pair(output_padding, nd)
        self.groups, self.padding_mode = groups, padding_mode
        # F.pad's argument for the non-zero padding modes: last dim first, (before, after) each
        if isinstance(padding, str):
            pads = _same_pads(kernel_size, dilation) if padding == "same" else ((0, 0),) * nd
        else:
            pads = tuple((p, p) for p in padding)
        self._reversed_padding_repeated_twice = [v for pair in reversed(pads) for v in pair]
        shape = (in_channels, out_channels // groups) if transposed else (out_channels, in_channels // groups)
        self.weight = Parameter(C.empty(shape + kernel_size, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(C.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        # kaiming_uniform_ with a=sqrt(5) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)), as torch
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)

    def _conv_forward(self, input, weight, bias):
        fn = (conv1d, conv2d, conv3d)[self._nd - 1]
        if self.padding_mode != "zeros":
            from .padding import pad
            return fn(pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode), weight, bias,
                      self.stride, 0, self.dilation, self.groups)
        return fn(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L)."""
    _nd = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, False, 0, groups, bias,
                         padding_mode, device, dtype)


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W)."""
    _nd = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, False, 0, groups, bias,
                         padding_mode, device, dtype)


class _ConvTransposeNd(_ConvNd):
    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                 dilation, padding_mode, device, dtype):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, True, output_padding,
                         groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input, output_size):
        if output_size is None:
            return self.output_padding
        nd = self._nd
        non_spatial = 2 if input.dim() == nd + 2 else 1
        output_size = list(output_size)
        if len(output_size) == non_spatial + nd:
            output_size = output_size[non_spatial:]
        if len(output_size) != nd:
            raise ValueError(f"ConvTranspose{nd}D: for {input.dim()}D input, output_size must have {nd} or "
                             f"{non_spatial + nd} elements (got {len(output_size)})")
        mins = [(input.size(d + non_spatial) - 1) * self.stride[d] - 2 * self.padding[d]
                + self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(nd)]
        maxs = [m + s - 1 for m, s in zip(mins, self.stride)]
        for size, lo, hi in zip(output_size, mins, maxs):
            if size < lo or size > hi:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes range from {mins} to "
                                 f"{maxs} (for an input of {list(input.shape[non_spatial:])})")
        return tuple(s - m for s, m in zip(output_size, mins))

    def forward(self, input, output_size=None):
        fn = (conv_transpose1d, conv_transpose2d, conv_transpose3d)[self._nd - 1]
        return fn(input, self.weight, self.bias, self.stride, self.padding, self._output_padding(input, output_size),
                  self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution (the gradient of Conv1d with respect to its input)."""
    _nd = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                         dilation, padding_mode, device, dtype)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution (the gradient of Conv2d with respect to its input)."""
    _nd = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                         dilation, padding_mode, device, dtype)




class Conv3d(_ConvNd):
    """3-D convolution over (N, C_in, D, H, W)."""
    _nd = 3

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, False, 0, groups, bias,
                         padding_mode, device, dtype)


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution (the gradient of Conv3d with respect to its input)."""
    _nd = 3

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                         dilation, padding_mode, device, dtype)
