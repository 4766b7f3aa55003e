"""Resampling: F.interpolate (nearest, nearest-exact, linear, bilinear, bicubic, area),
Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, and F.pixel_shuffle / pixel_unshuffle.

Interpolation is separable: along each spatial dim, every output position reads a few
input positions (index_select) and weighs them; the gradient is the index_select gradient.
Source positions are computed in the input's float precision with torch's formulas
(area_pixel_compute_source_index, nearest_idx), so the same pixels are picked.
"""
import math
import warnings

import numpy as np

from .._backend import get_array_module
from .._tensor import _wrap
from ..ops import creation as C
from .module import Module


def _scale(in_size, out_size, align_corners, scale, dt):
    """torch's area_pixel_compute_scale."""
    if align_corners:
        return dt.type(in_size - 1) / dt.type(out_size - 1) if out_size > 1 else dt.type(0)
    if scale is not None and scale > 0:
        return dt.type(1.0 / scale)
    return dt.type(in_size) / dt.type(out_size)


def _source(scale, out_size, align_corners, cubic, dt):
    """torch's area_pixel_compute_source_index for every output position."""
    i = np.arange(out_size).astype(dt)
    if align_corners:
        return scale * i
    src = scale * (i + dt.type(0.5)) - dt.type(0.5)
    return src if cubic else np.maximum(src, dt.type(0))


def _nearest(x, d, out_size, scale, exact):
    n = x._data.shape[d]
    if out_size == n and not exact:
        j = np.arange(out_size)
    elif out_size == 2 * n and not exact:
        j = np.arange(out_size) >> 1
    else:
        s = np.float32(1.0 / scale) if scale is not None and scale > 0 else np.float32(n) / np.float32(out_size)
        i = np.arange(out_size).astype(np.float32)
        if exact:
            i = i + np.float32(0.5)
        j = np.minimum(np.floor(i * s).astype(np.int64), n - 1)
    return x.index_select(d, _index(x, j))


def _index(x, j):
    """An index tensor on x's device."""
    return C.tensor(j, device=x.device)


def _weights(x, d, w):
    shape = [1] * x._data.ndim
    shape[d] = -1
    return _wrap(get_array_module(x._data).asarray(w.reshape(shape).astype(x._data.dtype)))


def _linear(x, d, out_size, align_corners, scale):
    n = x._data.shape[d]
    dt = x._data.dtype
    src = _source(_scale(n, out_size, align_corners, scale, dt), out_size, align_corners, False, dt)
    i0 = src.astype(np.int64)
    i1 = i0 + (i0 < n - 1)
    l1 = src - i0.astype(dt)
    l0 = dt.type(1) - l1
    return x.index_select(d, _index(x, i0)) * _weights(x, d, l0) + x.index_select(d, _index(x, i1)) * _weights(x, d, l1)


def _cubic(x, d, out_size, align_corners, scale):
    """Keys' cubic convolution with A = -0.75 over 4 neighbours, indices clamped to the edge."""
    n = x._data.shape[d]
    dt = x._data.dtype
    src = _source(_scale(n, out_size, align_corners, scale, dt), out_size, align_corners, True, dt)
    fl = np.floor(src)
    t = (src - fl).astype(dt)
    a = dt.type(-0.75)

    def near(u):  # |u| <= 1
        return ((a + 2) * u - (a + 3)) * u * u + 1

    def far(u):  # 1 < |u| < 2
        return ((a * u - 5 * a) * u + 8 * a) * u - 4 * a

    weights = [far(t + 1), near(t), near(1 - t), far(2 - t)]
    base = fl.astype(np.int64) - 1
    out = None
    for k in range(4):
        idx = np.clip(base + k, 0, n - 1)
        term = x.index_select(d, _index(x, idx)) * _weights(x, d, weights[k])
        out = term if out is None else out + term
    return out


def _output_sizes(input, size, scale_factor, recompute_scale_factor):
    dim = input._data.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        sizes = list(size) if isinstance(size, (list, tuple)) else [size] * dim
        if len(sizes) != dim:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input with "
                             f"spatial dimensions of {list(input.shape[2:])} and output size of {sizes}. Please "
                             "provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,"
                             "oK) format.")
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        return [int(s) for s in sizes], [None] * dim
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    scales = list(scale_factor) if isinstance(scale_factor, (list, tuple)) else [scale_factor] * dim
    if len(scales) != dim:
        raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got input "
                         f"with spatial dimensions of {list(input.shape[2:])} and scale_factor of shape {scales}. "
                         "Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, "
                         "...,sK) format.")
    sizes = [int(math.floor(float(input._data.shape[i + 2]) * scales[i])) for i in range(dim)]
    return sizes, ([None] * dim if recompute_scale_factor else [float(s) for s in scales])


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims of (N, C, ...) input to `size` or by `scale_factor`."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if antialias:
        raise NotImplementedError("ember's interpolate does not implement antialias=True")
    sizes, scales = _output_sizes(input, size, scale_factor, recompute_scale_factor)
    nd = input._data.ndim
    wants = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}
    if mode in wants and nd != wants[mode]:
        raise NotImplementedError(f"Got {nd}D input, but {mode} mode needs {wants[mode]}D input")
    if mode == "area":
        from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d
        if nd == 3:
            return adaptive_avg_pool1d(input, sizes)
        if nd == 4:
            return adaptive_avg_pool2d(input, sizes)
        if nd == 5:
            from .pooling import _adaptive_avg_separable
            return _adaptive_avg_separable(input, sizes)
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {nd}D) for area mode")
    out = input
    for i, (o, s) in enumerate(zip(sizes, scales)):
        d = 2 + i
        if mode in ("nearest", "nearest-exact"):
            out = _nearest(out, d, o, s, mode == "nearest-exact")
        elif mode in ("linear", "bilinear", "trilinear"):
            out = _linear(out, d, o, align_corners, s)
        elif mode == "bicubic":
            out = _cubic(out, d, o, align_corners, s)
        else:
            raise NotImplementedError(f"Input Error: interpolation mode {mode} is not supported")
    return out


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use nn.functional.interpolate instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


class Upsample(Module):
    """F.interpolate as a module."""

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        self.scale_factor = float(scale_factor) if isinstance(scale_factor, (int, float)) else \
            (tuple(float(f) for f in scale_factor) if scale_factor else None)
        self.mode, self.align_corners, self.recompute_scale_factor = mode, align_corners, recompute_scale_factor

    def forward(self, input):
        return interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                           recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        if self.scale_factor is not None:
            info = "scale_factor=" + repr(self.scale_factor)
        else:
            info = "size=" + repr(self.size)
        return info + ", mode=" + repr(self.mode)


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour upsampling of (N, C, H, W)."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling of (N, C, H, W) with align_corners=True."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    r = upscale_factor
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    n = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    r = downscale_factor
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(f"pixel_unshuffle expects height and width to be divisible by downscale_factor, but got "
                           f"height={h} and width={w} with downscale_factor={r}")
    n = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


class PixelShuffle(Module):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"


def channel_shuffle(input, groups):
    """(N, g*k, ...) -> channels reordered as (k, g): torch.nn.functional.channel_shuffle."""
    n, c = input.shape[:2]
    rest = input.shape[2:]
    return input.reshape(n, groups, c // groups, *rest).transpose(1, 2).reshape(n, c, *rest)


class ChannelShuffle(Module):
    """Interleave the channels of `groups` groups."""

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f"groups={self.groups}"
