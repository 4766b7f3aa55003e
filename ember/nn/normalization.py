"""Normalization layers: BatchNorm, InstanceNorm, LayerNorm, GroupNorm, RMSNorm,
LocalResponseNorm, with F.batch_norm, F.instance_norm, F.layer_norm, F.group_norm,
F.rms_norm, F.local_response_norm and F.normalize.

Batch, instance and layer norm share one primitive, ``Normalize``: statistics over some
axes, then the affine map. It is fused because its backward (three reductions) is both
cheaper and more accurate written out than traced through a dozen composite ops.
"""
import math

import numpy as np

from .._backend import get_array_module
from .._tensor import _wrap
from .._threads import parallel_rows
from ..autograd import grad_mode
from ..autograd.function import Op
from ..autograd.trace import replayed
from ..ops import creation as C
from . import init
from .module import Module
from .parameter import Parameter

_mode = grad_mode.state


def _moments(x, axes):
    """Mean and biased variance over `axes` (kept as size-1 dims), accumulated in float64."""
    xp = get_array_module(x)
    mean = x.mean(axes, keepdims=True, dtype=np.float64)
    d = x - mean.astype(x.dtype)
    var = xp.square(d).mean(axes, keepdims=True, dtype=np.float64)
    return mean, var, d


def _norm_rows(x, w, b, k, eps):
    """Normalize over the last k dims of a large float32 array (layer norm), fused: both moments
    (float32, pairwise sums, two passes as torch), the scaling and the affine map run on
    cache-sized blocks of rows over ember's threads instead of seven trips through memory.
    Returns y and the mean and 1/std kept for backward."""
    d = math.prod(x.shape[x.ndim - k:])
    x2 = x.reshape(-1, d)
    rows = x2.shape[0]
    out = np.empty(x2.shape, x.dtype)
    mean, inv = np.empty((rows, 1), x.dtype), np.empty((rows, 1), x.dtype)
    wf = None if w is None else w.reshape(-1)
    bf = None if b is None else b.reshape(-1)
    step = max(1, (1 << 16) // d)
    scale = np.float32(1 / d)
    ones = np.ones((d, 1), x.dtype)

    def run(start, stop):
        for s in range(start, stop, step):
            e = min(s + step, stop)
            xb, ob, m, v = x2[s:e], out[s:e], mean[s:e], inv[s:e]
            np.dot(xb, ones, out=m)  # row sums as a matrix product: BLAS sums short rows ~4x faster than NumPy
            m *= scale
            np.subtract(xb, m, out=ob)
            np.dot(np.square(ob), ones, out=v)
            v *= scale
            v += np.float32(eps)
            np.sqrt(v, out=v)
            np.divide(np.float32(1), v, out=v)
            ob *= v
            if wf is not None:
                ob *= wf
            if bf is not None:
                ob += bf
    parallel_rows(run, rows, step)
    keep = x.shape[:x.ndim - k] + (1,) * k
    return out.reshape(x.shape), mean.reshape(keep), inv.reshape(keep)


class Normalize(Op):
    """``(x - mean) / sqrt(var + eps) * w + b``; mean and var are the batch's over `axes`
    (``mean is None``) or given (running statistics). `w`, `b` broadcast against x."""

    def forward(self, x, w, b, axes, mean, var, eps, stats=None):
        k = len(axes)
        if mean is None and stats is None and x.__class__ is np.ndarray and x.dtype == np.float32 \
                and x.size >= 1 << 15 and axes == tuple(range(x.ndim - k, x.ndim)) \
                and all(a is None or a.shape == x.shape[x.ndim - k:] for a in (w, b)):
            y, mean, self.invstd = _norm_rows(x, w, b, k, eps)
            self.mean = mean
            return y
        if mean is None:
            mean, var, d = _moments(x, axes)
            if stats is not None:  # the caller updates running statistics from these
                stats.extend((mean, var))
        else:
            d = x - mean
        self.mean = mean.astype(x.dtype)
        self.invstd = (1.0 / np.sqrt(var + eps)).astype(x.dtype)
        y = d * self.invstd
        if w is not None:
            y *= w
        if b is not None:
            y += b
        return y

    def backward(self, gy):
        x, w, b, axes, mean, var, eps = self.inputs[:7]
        batch = mean is None
        n = self.needs_input_grad
        if batch and _mode.enabled:
            # create_graph: the statistics are functions of x, so rebuild them in the graph
            mu = x.mean(axes, keepdim=True)
            inv = ((x - mu) ** 2).mean(axes, keepdim=True).add(eps).rsqrt()
        else:
            mu, inv = _wrap(self.mean), _wrap(self.invstd)
        xhat = (x - mu) * inv
        gx = gw = gb = None
        if n[0]:
            gxh = gy * w if w is not None else gy
            if batch:  # d xhat / d x includes the paths through the mean and the variance
                gx = inv * (gxh - gxh.mean(axes, keepdim=True) - xhat * (gxh * xhat).mean(axes, keepdim=True))
            else:
                gx = gxh * inv
        if w is not None and n[1]:
            gw = gy * xhat   # the engine sums it down to w's shape
        if b is not None and n[2]:
            gb = gy
        return gx, gw, gb, None, None, None, None, None


# ---------------------------------------------------------------- functional forms
def _channel_shape(input):
    return (1, input._data.shape[1]) + (1,) * (input._data.ndim - 2)


@replayed  # (it writes the buffer directly: ember.compile calls it again on replay)
def _update_running(running, batch_value, momentum, scale=None, per_sample=False):
    """running = (1 - momentum) * running + momentum * batch_value, in place (no graph); the
    batch value times `scale` first, and averaged over dim 0 if `per_sample`."""
    if scale is not None:
        batch_value = batch_value * scale
    if per_sample:
        batch_value = batch_value.mean(0)
    r = running._data
    r[...] = ((1 - momentum) * r + momentum * batch_value.reshape(r.shape)).astype(r.dtype)
    running._version[0] += 1


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalize each channel (dim 1) over the batch and spatial dims."""
    x = input._data
    shape = _channel_shape(input)
    axes = (0,) + tuple(range(2, x.ndim))
    if training:
        count = x.size // x.shape[1] if x.ndim > 1 else x.size
        if count == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.size()}")
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t._data.size != x.shape[1]:
            raise RuntimeError(f"{name} should contain {x.shape[1]} elements not {t._data.size}")
    w = weight.reshape(shape) if weight is not None else None
    b = bias.reshape(shape) if bias is not None else None
    if training:
        stats = []
        y = Normalize.apply(input, w, b, axes, None, None, eps, stats)
        mean, var = stats
        n = x.size // x.shape[1]
        if running_mean is not None and x.size:  # (an empty batch leaves them as they are, as in torch)
            _update_running(running_mean, mean, momentum)
        if running_var is not None and x.size:
            _update_running(running_var, var, momentum, n / max(n - 1, 1))  # unbiased, as torch
        return y
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    return Normalize.apply(input, w, b, axes, running_mean._data.reshape(shape), running_var._data.reshape(shape),
                           eps)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalize each (sample, channel) over its spatial dims."""
    x = input._data
    shape = _channel_shape(input)
    axes = tuple(range(2, x.ndim))
    if use_input_stats:
        n = math.prod(x.shape[2:])
        if n == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.size()}")
    w = weight.reshape(shape) if weight is not None else None
    b = bias.reshape(shape) if bias is not None else None
    if not use_input_stats:
        return Normalize.apply(input, w, b, axes, running_mean._data.reshape(shape),
                               running_var._data.reshape(shape), eps)
    stats = []
    y = Normalize.apply(input, w, b, axes, None, None, eps, stats)
    mean, var = stats
    # torch updates a copy of the running stats per sample, then averages the copies
    if running_mean is not None:
        _update_running(running_mean, mean, momentum, per_sample=True)
    if running_var is not None:
        _update_running(running_var, var, momentum, n / max(n - 1, 1), per_sample=True)
    return y


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize over the last len(normalized_shape) dims."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(normalized_shape)
    if tuple(input._data.shape[input._data.ndim - k:]) != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, normalized_shape))}], but got input of size{list(input.shape)}")
    axes = tuple(range(input._data.ndim - k, input._data.ndim))
    return Normalize.apply(input, weight, bias, axes, None, None, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalize each sample's channels in num_groups groups, then scale and shift per channel."""
    n, c = input._data.shape[:2]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input "
                           f"of shape {list(input.shape)} and num_groups={num_groups}")
    group = c // num_groups * math.prod(input._data.shape[2:])  # (explicit: -1 is ambiguous for an empty batch)
    y = Normalize.apply(input.reshape(n, num_groups, group), None, None, (2,), None, None, eps)
    y = y.reshape(input.shape)
    shape = _channel_shape(input)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``x / sqrt(mean(x^2) + eps) * weight`` over the last len(normalized_shape) dims."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(-len(normalized_shape), 0))
    y = input * (input * input).mean(dims, keepdim=True).add(eps).rsqrt()
    return y * weight if weight is not None else y


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Normalize each value by the squares of its `size` neighbours across channels."""
    from .pooling import WindowSum
    if input._data.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.dim()} dimensions)")
    if input.numel() == 0:
        return input
    n, c = input._data.shape[:2]
    sq = (input * input).reshape(n, 1, c, -1)
    pads = ((size // 2, (size - 1) // 2), (0, 0))
    div = WindowSum.apply(sq, (size, 1), (1, 1), pads, (c, sq._data.shape[-1])) / size
    div = div.reshape(input.shape).mul(alpha).add(k).pow(beta)
    return input / div


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along dim."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom


# ---------------------------------------------------------------- modules
def _affine_parameters(module, shape, affine, bias, device, dtype):
    """A norm layer's learnable scale `weight` (and shift `bias`) of `shape`; None when not affine."""
    def param():
        return Parameter(C.empty(shape, device=device, dtype=dtype)) if affine else None
    module.register_parameter("weight", param())
    module.register_parameter("bias", param() if bias else None)


def _reset_affine(module):
    """Start as the identity: weight 1, bias 0."""
    if module.weight is not None:
        init.ones_(module.weight)
    if getattr(module, "bias", None) is not None:
        init.zeros_(module.bias)


class _NormBase(Module):
    _version = 2  # version 2 added num_batches_tracked
    _dims = None

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        _affine_parameters(self, num_features, affine, bias, device, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", C.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", C.ones(num_features, device=device, dtype=dtype))
            from .. import long
            self.register_buffer("num_batches_tracked", C.tensor(0, dtype=long, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        _reset_affine(self)

    def _check_input_dim(self, input):
        if input.dim() not in self._dims:
            want = " or ".join(f"{d}D" for d in self._dims)
            raise ValueError(f"expected {want} input (got {input.dim()}D input)")

    def extra_repr(self):
        return ("{num_features}, eps={eps}, momentum={momentum}, affine={affine}, bias={use_bias}, "
                "track_running_stats={track_running_stats}".format(**self.__dict__, use_bias=self.bias is not None))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        version = local_metadata.get("version", None)
        if (version is None or version < 2) and self.track_running_stats:
            # checkpoints from before num_batches_tracked existed
            key = prefix + "num_batches_tracked"
            if key not in state_dict:
                from .. import long
                state_dict[key] = self.num_batches_tracked if self.num_batches_tracked is not None else \
                    C.tensor(0, dtype=long)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            # momentum=None: a cumulative average over all batches seen so far
            factor = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        use_running = not self.training or self.track_running_stats
        return batch_norm(input, self.running_mean if use_running else None,
                          self.running_var if use_running else None, self.weight, self.bias, bn_training, factor,
                          self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalization over (N, C) or (N, C, L)."""
    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization over (N, C, H, W)."""
    _dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalization over (N, C, D, H, W)."""
    _dims = (5,)


class _InstanceNorm(_NormBase):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, device=None,
                 dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def forward(self, input):
        nd = self._dims[0]
        if input.dim() not in (nd, nd + 1):
            raise ValueError(f"expected {nd}D or {nd + 1}D input (got {input.dim()}D input)")
        if input.dim() == nd:  # unbatched
            return self.forward(input.unsqueeze(0)).squeeze(0)
        if input.size(1) != self.num_features and self.affine:
            raise ValueError(f"expected input's size at dim=1 to match num_features ({self.num_features}), but "
                             f"got: {input.size(1)}.")
        return instance_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                             self.training or not self.track_running_stats, self.momentum if self.momentum is not None
                             else 0.0, self.eps)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization over (N, C, L) or (C, L)."""
    _dims = (2,)


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization over (N, C, H, W) or (C, H, W)."""
    _dims = (3,)


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization over (N, C, D, H, W) or (C, D, H, W)."""
    _dims = (4,)


class LayerNorm(Module):
    """Normalize over the trailing normalized_shape dims, with per-element weight and bias."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return "{normalized_shape}, eps={eps}, elementwise_affine={elementwise_affine}, bias={use_bias}".format(
            **self.__dict__, use_bias=self.bias is not None)


class GroupNorm(Module):
    """Normalize channels in groups, with per-channel weight and bias."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        _affine_parameters(self, num_channels, affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return "{num_groups}, {num_channels}, eps={eps}, affine={affine}, bias={use_bias}".format(
            **self.__dict__, use_bias=self.bias is not None)


class RMSNorm(Module):
    """Root-mean-square normalization over the trailing normalized_shape dims."""

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(C.empty(self.normalized_shape, device=device, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, x):
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return "{normalized_shape}, eps={eps}, elementwise_affine={elementwise_affine}".format(**self.__dict__)


class LocalResponseNorm(Module):
    """Normalize each value by its neighbours across channels."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return "{size}, alpha={alpha}, beta={beta}, k={k}".format(**self.__dict__)


class _CrossMapLRN(Op):
    """torch's legacy cross-channel LRN (from Lua torch), forward and backward as its loops run
    them: a running window sum of squares over channels (which, for windows reaching past
    channel `pre_pad`, keeps channel 0 in the sum, as torch's does), and torch's own gradient."""
    save = False

    def forward(self, x, size, alpha, beta, k):
        c = x.shape[1]
        sq = x * x
        pre_pad = int((size - 1) / 2 + 1)
        scale = np.empty_like(x)
        scale[:, 0] = sq[:, :min(pre_pad, c)].sum(1)
        for i in range(1, c):
            scale[:, i] = scale[:, i - 1]
            if i < c - pre_pad + 1:
                scale[:, i] += sq[:, i + pre_pad - 1]
            if i > pre_pad:
                scale[:, i] -= sq[:, i - pre_pad]
        scale = scale * (alpha / size) + k
        y = scale ** -beta * x
        self.keep = (x, y, scale, size, alpha, beta)
        return y

    def backward(self, gy):
        x, y, scale, size, alpha, beta = self.keep
        g = gy._data
        n, c = x.shape[:2]
        gx = scale ** -beta * g
        ratio = np.zeros((n, c + size - 1) + x.shape[2:], dtype=x.dtype)
        inverse_pre_pad = int(size - (size - 1) / 2)
        ratio[:, inverse_pre_pad:inverse_pre_pad + c] = g * y / scale
        acc = ratio[:, :size - 1].sum(1)
        cache = 2 * alpha * beta / size
        for i in range(c):
            acc = acc + ratio[:, i + size - 1]
            gx[:, i] -= cache * x[:, i] * acc
            acc = acc - ratio[:, i]
        return _wrap(gx), None, None, None, None


class CrossMapLRN2d(Module):
    """torch's legacy cross-channel local response normalization of (N, C, H, W) input."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
        return _CrossMapLRN.apply(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return "{size}, alpha={alpha}, beta={beta}, k={k}".format(**self.__dict__)
