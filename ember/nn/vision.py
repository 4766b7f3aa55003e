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


# ---------------------------------------------------------------- affine_grid / grid_sample
GRID_SAMPLE_INTERPOLATION_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
GRID_SAMPLE_PADDING_MODES = {"zeros": 0, "border": 1, "reflection": 2}
_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                  "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                  "grid_sample for details.")


def _linspace_from_neg_one(n, align_corners, dt):
    """torch's base-grid coordinates along one dim: linspace(-1, 1, n) (its halves computed from
    each end, as torch's linspace), scaled by (n - 1) / n unless align_corners."""
    if n <= 1:
        return np.zeros(1, dtype=dt)
    step = dt.type(2) / dt.type(n - 1)
    i = np.arange(n)
    v = np.where(i < n // 2, dt.type(-1) + step * i.astype(dt), dt.type(1) - step * (n - 1 - i).astype(dt)).astype(dt)
    return v if align_corners else (v * dt.type(n - 1) / dt.type(n)).astype(dt)


def affine_grid(theta, size, align_corners=None):
    """The (N, H, W, 2) (or (N, D, H, W, 3)) sampling grid of the affine maps theta (N, 2, 3) / (N, 3, 4)."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    if len(size) == 4:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. "
                             f"Got {theta.shape}.")
    elif len(size) == 5:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. "
                             f"Got {theta.shape}.")
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    spatial = size[2:]
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an issue for standard sampling grids with size > 1.")
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    dt = theta._data.dtype
    axes = [_linspace_from_neg_one(n, align_corners, dt) for n in spatial]          # (D,) H, W
    mesh = np.meshgrid(*axes, indexing="ij")
    # base grid rows: (x, y[, z], 1), x along the last dim, as torch's
    base = np.stack([m for m in reversed(mesh)] + [np.ones_like(mesh[0])], axis=-1).reshape(-1, len(spatial) + 1)
    base = _wrap(get_array_module(theta._data).asarray(np.ascontiguousarray(base)))
    return (base @ theta.transpose(1, 2)).reshape([size[0]] + spatial + [len(spatial)])


def _reflect(c, low2, high2):
    """torch's reflect_coordinates: fold c into [low2/2, high2/2] by reflecting at the ends."""
    if low2 == high2:
        return c * 0
    from ..ops.pointwise import where
    lo, span = low2 / 2, (high2 - low2) / 2
    c = (c - lo).abs()
    extra = c.fmod(span)
    flips = (c.detach() / span).floor()
    return where(flips.fmod(2) == 0, extra + lo, span - extra + lo)


def _padded_coordinate(c, size, padding_mode, align_corners):
    if padding_mode == "border":
        return c.clamp(0, size - 1)
    if padding_mode == "reflection":
        c = _reflect(c, 0, 2 * (size - 1)) if align_corners else _reflect(c, -1, 2 * size - 1)
        return c.clamp(0, size - 1)
    return c


def _padded_index(i, size, padding_mode, align_corners):
    """The same for a bicubic tap's position (a float tensor of whole numbers; no gradient)."""
    if padding_mode == "border":
        return i.clamp(0, size - 1)
    if padding_mode == "reflection":
        c = _reflect(i, 0, 2 * (size - 1)) if align_corners else _reflect(i, -1, 2 * size - 1)
        return c.clamp(0, size - 1).floor()  # (torch truncates; the value is >= 0 here)
    return i


def _cubic_weights(t):
    """Keys' cubic convolution coefficients (A = -0.75, as torch) for the 4 taps at offset t."""
    a = -0.75
    near = lambda x: ((a + 2) * x - (a + 3)) * x * x + 1            # noqa: E731  |x| <= 1
    far = lambda x: ((a * x - 5 * a) * x + 8 * a) * x - 4 * a        # noqa: E731  1 < |x| < 2
    return [far(t + 1.0), near(t), near(1.0 - t), far(2.0 - t)]


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample input (N, C, H, W) (or (N, C, D, H, W)) at the grid's normalized [-1, 1] positions.

    Each output value is a weighted sum of a few input values gathered at integer positions
    (one differentiable gather per tap); the weights are functions of the grid, so the
    gradient reaches both the input and the grid.
    """
    if mode not in GRID_SAMPLE_INTERPOLATION_MODES:
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but "
                         f"got: '{mode}'")
    if padding_mode not in GRID_SAMPLE_PADDING_MODES:
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING)
        align_corners = False
    nd = input.dim() - 2
    if nd not in (2, 3) or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but got "
                           f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != nd or grid.shape[0] != input.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd} in last dimension and the same batch "
                           f"size as input, but got grid with sizes {list(grid.shape)}")
    if mode == "bicubic" and nd != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have same dtype, but input has "
                           f"{input.dtype} and grid has {grid.dtype}")
    n, c = input.shape[:2]
    sizes = tuple(input.shape[2:])
    out = tuple(grid.shape[1:-1])
    flat = input.reshape(n, c, -1)
    xp = get_array_module(input._data)
    # source positions per spatial dim (D,) H, W: grid's last entry 0 is x (along W)
    src = []
    for d, size in enumerate(sizes):
        g = grid[..., nd - 1 - d]
        src.append(((g + 1) / 2) * (size - 1) if align_corners else ((g + 1) * size - 1) / 2)

    # integer positions are computed with tensor ops (no gradient), so that a replayed capture
    # (ember.compile) computes them again for a new grid
    def tap(idx):
        """input at whole-number positions idx (float tensors, one per dim), 0 outside: (N, C, P)."""
        ok = lin = None
        for i, size in zip(idx, sizes):
            inside = (i >= 0) & (i < size)
            ok = inside if ok is None else ok & inside
            lin = i.clamp(0, size - 1) if lin is None else lin * size + i.clamp(0, size - 1)
        vals = flat.gather(2, lin.long().reshape(n, 1, -1).expand(n, c, -1))
        return vals * ok.reshape(n, 1, -1).to(input.dtype)

    if mode == "bicubic":
        ix, iy = src[1], src[0]
        x0, y0 = ix.detach().floor(), iy.detach().floor()
        wx, wy = _cubic_weights(ix - x0), _cubic_weights(iy - y0)
        result = 0
        for a in range(4):
            yi = _padded_index(y0 + (a - 1), sizes[0], padding_mode, align_corners)
            row = 0
            for b in range(4):
                xi = _padded_index(x0 + (b - 1), sizes[1], padding_mode, align_corners)
                row = row + tap([yi, xi]) * wx[b].reshape(n, 1, -1)
            result = result + row * wy[a].reshape(n, 1, -1)
        return result.reshape((n, c) + out)
    src = [_padded_coordinate(s, size, padding_mode, align_corners) for s, size in zip(src, sizes)]
    if mode == "nearest":  # round half to even, as torch's nearbyint
        y = tap([s.detach().round() for s in src])
        if grid.requires_grad:  # torch's grid gradient here is zeros, not None: a where() that selects none of it
            from ..ops.pointwise import where
            y = y + where(_wrap(xp.zeros(src[0].shape, dtype=bool)), src[0], 0.0).reshape(n, 1, -1)
        return y.reshape((n, c) + out)
    lows = [s.detach().floor() for s in src]
    fracs = [s - lo for s, lo in zip(src, lows)]                                  # weight of the upper corner
    result = 0
    for corner in range(2 ** nd):
        bits = [(corner >> (nd - 1 - d)) & 1 for d in range(nd)]
        w = 1
        for bit, f in zip(bits, fracs):
            w = w * (f if bit else 1 - f)
        result = result + tap([lo + bit for lo, bit in zip(lows, bits)]) * w.reshape(n, 1, -1)
    return result.reshape((n, c) + out)


native_channel_shuffle = channel_shuffle  # torch's non-composite kernel; the same numbers
