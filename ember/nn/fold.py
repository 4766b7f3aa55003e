"""im2col and col2im: F.unfold / F.fold with their modules, and the window helpers that
convolution and pooling are built on.

Every sliding-window operation here works on a strided *view* of the padded input of shape
(N, C, OH, OW, kh, kw): no Python loop runs over the batch or over output pixels. The
adjoint (col2im) adds each of the kh*kw kernel positions' slices back in place, a loop
of kh*kw vectorised additions.
"""
from .._backend import as_strided, get_array_module
from ..autograd.function import Op
from .module import Module


def _pair(v, n=2):
    if isinstance(v, (tuple, list)):
        if len(v) == 1 and n > 1:
            return tuple(v) * n
        return tuple(v)
    return (v,) * n


def pad_array(x, pads, value=0):
    """x with its last len(pads) dims padded by the (before, after) pairs in `pads`."""
    if not any(a or b for a, b in pads):
        return x
    xp = get_array_module(x)
    lead = x.shape[:x.ndim - len(pads)]
    shape = lead + tuple(s + a + b for s, (a, b) in zip(x.shape[len(lead):], pads))
    out = xp.full(shape, value, dtype=x.dtype)
    out[(Ellipsis,) + tuple(slice(a, a + s) for s, (a, _) in zip(x.shape[len(lead):], pads))] = x
    return out


def out_size(size, k, s, d, pad_total):
    """The number of windows along one dim (floor mode)."""
    return (size + pad_total - d * (k - 1) - 1) // s + 1


def windows(xp, k, s, d, out):
    """The (..., OH, OW, kh, kw) strided view (no copy) of the windows over xp's last two dims."""
    sh, sw = xp.strides[-2:]
    shape = xp.shape[:-2] + tuple(out) + tuple(k)
    strides = xp.strides[:-2] + (sh * s[0], sw * s[1], sh * d[0], sw * d[1])
    return as_strided(xp, shape, strides)


def spread(gxp, cols, k, s, d, out):
    """Add each kernel position's slice of `cols` (kh, kw, ..., OH, OW) into padded gxp: col2im."""
    for i in range(k[0]):
        hs = slice(i * d[0], i * d[0] + s[0] * (out[0] - 1) + 1, s[0])
        for j in range(k[1]):
            gxp[..., hs, slice(j * d[1], j * d[1] + s[1] * (out[1] - 1) + 1, s[1])] += cols[i, j]
    return gxp


def crop(xp, pads):
    """Undo pad_array: the interior of the last len(pads) dims."""
    if not any(a or b for a, b in pads):
        return xp
    return xp[(Ellipsis,) + tuple(slice(a, xp.shape[xp.ndim - len(pads) + i] - b)
                                  for i, (a, b) in enumerate(pads))]


def _cfg(kernel_size, dilation, padding, stride):
    k, d, p, s = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    return k, d, ((p[0], p[0]), (p[1], p[1])), s


class Im2col(Op):
    """F.unfold: windows of the padded input as columns."""
    save = False

    def forward(self, x, k, d, pads, s):
        self.args, self.shape = (k, d, pads, s), x.shape
        out = tuple(out_size(x.shape[2 + i], k[i], s[i], d[i], sum(pads[i])) for i in range(2))
        w = windows(pad_array(x, pads), k, s, d, out)          # (N, C, OH, OW, kh, kw)
        n, c = x.shape[:2]
        return w.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * k[0] * k[1], out[0] * out[1])

    def backward(self, gy):
        k, d, pads, s = self.args
        return Col2im.apply(gy, self.shape[2:], k, d, pads, s), None, None, None, None


class Col2im(Op):
    """F.fold: columns added back into an image (the adjoint of Im2col)."""
    save = False

    def forward(self, cols, size, k, d, pads, s):
        self.args = (k, d, pads, s)
        xp = get_array_module(cols)
        n, ckk, _ = cols.shape
        c = ckk // (k[0] * k[1])
        out = tuple(out_size(size[i], k[i], s[i], d[i], sum(pads[i])) for i in range(2))
        g = cols.reshape(n, c, k[0], k[1], out[0], out[1]).transpose(2, 3, 0, 1, 4, 5)
        padded = (size[0] + sum(pads[0]), size[1] + sum(pads[1]))
        gxp = xp.zeros((n, c) + padded, dtype=cols.dtype)
        return xp.ascontiguousarray(crop(spread(gxp, g, k, s, d, out), pads))

    def backward(self, gy):
        return (Im2col.apply(gy, *self.args),) + (None,) * 5


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks: (N, C, H, W) -> (N, C*kh*kw, L)."""
    if input._data.ndim not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.ndim}D)")
    if input._data.ndim == 3:
        return unfold(input.unsqueeze(0), kernel_size, dilation, padding, stride).squeeze(0)
    return Im2col.apply(input, *_cfg(kernel_size, dilation, padding, stride))


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum sliding blocks back into an image: (N, C*kh*kw, L) -> (N, C, H, W)."""
    if input._data.ndim not in (2, 3):
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are "
                                  f"supported (got {input.ndim}D)")
    if input._data.ndim == 2:
        return fold(input.unsqueeze(0), output_size, kernel_size, dilation, padding, stride).squeeze(0)
    k, d, pads, s = _cfg(kernel_size, dilation, padding, stride)
    size = _pair(output_size)
    blocks = 1
    for i in range(2):
        blocks *= out_size(size[i], k[i], s[i], d[i], sum(pads[i]))
    if input._data.shape[1] % (k[0] * k[1]) or input._data.shape[2] != blocks:
        raise RuntimeError(f"Given output_size={size}, kernel_size={k}, dilation={d}, padding={_pair(padding)}, "
                           f"stride={s}, expected size of input's dimension 2 to match the calculated number of "
                           f"sliding blocks {blocks}, but got input.size(2)={input._data.shape[2]}.")
    return Col2im.apply(input, size, k, d, pads, s)


class Fold(Module):
    """Combine an array of sliding local blocks into a large containing tensor."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return ("output_size={output_size}, kernel_size={kernel_size}, dilation={dilation}, padding={padding}, "
                "stride={stride}".format(**self.__dict__))


class Unfold(Module):
    """Extract sliding local blocks from a batched input tensor."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input):
        return unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return ("kernel_size={kernel_size}, dilation={dilation}, padding={padding}, "
                "stride={stride}".format(**self.__dict__))



def assert_int_or_pair(arg, arg_name, message):
    """torch.nn.functional's argument check for fold/unfold: an int or a pair."""
    if not (isinstance(arg, int) or len(arg) == 2):
        raise AssertionError(message.format(arg_name))
