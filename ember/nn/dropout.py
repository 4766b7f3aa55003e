"""Dropout layers and F.dropout, F.dropout1d/2d/3d, F.alpha_dropout, F.feature_alpha_dropout.

The mask is built exactly as torch builds it on the CPU, so that after ``manual_seed`` the
same elements drop: a tensor of the input's dtype filled by ``bernoulli_(1 - p)`` (one
double uniform per element, from ember's copy of torch's generator), divided by ``1 - p``
in that dtype, then multiplied into the input. The product is one ``Mul`` node.
"""
import math
import warnings

import numpy as np

from .._backend import get_array_module
from .._tensor import _wrap, _inplace
from .. import random as _random
from ..autograd.trace import replayed
from .module import Module


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


@replayed  # (it draws random numbers: ember.compile draws them again on replay)
def _noise(input, p, feature, alpha):
    """torch's _dropout_impl noise (and the additive term b for alpha dropout)."""
    x = input._data
    shape = x.shape[:2] + (1,) * (x.ndim - 2) if feature else x.shape
    dt = x.dtype
    order = None
    if not feature and not x.flags.c_contiguous:
        # torch's noise is empty_like(input): it keeps a dense input's memory layout and is
        # filled in memory order, so draw in that order and permute back
        order = sorted(range(x.ndim), key=lambda d: -x.strides[d])
        if x.transpose(order).flags.c_contiguous:
            shape = tuple(x.shape[d] for d in order)
        else:
            order = None
    keep = _random.default_generator.bernoulli(1 - p, shape, dt)  # noise.bernoulli_(1 - p)
    if order is not None:
        keep = keep.transpose(np.argsort(order))
    keep = get_array_module(x).asarray(keep)
    if not alpha:
        return keep / dt.type(1 - p), None  # noise.div_(1 - p), in the input's dtype
    a_ = 1.7580993408473766
    a = 1.0 / math.sqrt((a_ * a_ * p + 1) * (1 - p))
    b = ((keep - 1) * dt.type(a_ * a) + dt.type(a_ * a * p)).astype(dt)  # noise.add(-1).mul_(alpha*a).add_(alpha*a*p)
    return keep * dt.type(a), b


def _dropout_impl(input, p, training, inplace, feature=False, alpha=False):
    _check_p(p)
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        fn = lambda t: t * 0.0  # noqa: E731
        return _inplace(input, fn) if inplace else fn(input)
    noise, b = _noise(input, p, feature, alpha)
    noise = _wrap(noise)
    if b is None:
        return input.mul_(noise) if inplace else input * noise
    fn = lambda t: t * noise + _wrap(b)  # noqa: E731
    return _inplace(input, fn) if inplace else fn(input)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1-p)."""
    return _dropout_impl(input, p, training, inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps a SELU network's mean and variance."""
    return _dropout_impl(input, p, training, inplace, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    return _dropout_impl(input, p, training, inplace, feature=True, alpha=True)


def _feature_dropout(input, p, training, inplace, nd):
    _check_p(p)
    dim = input.dim()
    if dim not in (nd + 1, nd + 2):
        raise RuntimeError(f"dropout{nd}d: Expected {nd + 1}D or {nd + 2}D input, but received a {dim}D input. Note "
                           f"that dropout{nd}d exists to provide channel-wise dropout on inputs with {nd} spatial "
                           "dimension, a channel dimension, and an optional batch dimension (i.e. "
                           f"{nd + 1}D or {nd + 2}D inputs).")
    if dim == nd + 1:
        x = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
        r = _dropout_impl(x, p, training, inplace, feature=True)
        return r.squeeze_(0) if inplace else r.squeeze(0)
    return _dropout_impl(input, p, training, inplace, feature=True)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) input."""
    return _feature_dropout(input, p, training, inplace, 1)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) input (3-D input is read as (N, C, L), as torch does)."""
    _check_p(p)
    dim = input.dim()
    if dim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {dim}-D input to dropout2d, which is deprecated and will result in an "
                      "error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
                      "inputs).", stacklevel=2)
    if dim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please "
                      "switch to using dropout1d instead.", stacklevel=2)
    return _dropout_impl(input, p, training, inplace, feature=True)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input."""
    return _feature_dropout(input, p, training, inplace, 3)


class _DropoutNd(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        _check_p(p)
        self.p, self.inplace = p, inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero elements with probability p while training; scale the rest by 1/(1-p)."""

    def forward(self, input):
        return _dropout_impl(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) input while training."""

    def forward(self, input):
        return dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole channels of (N, C, H, W) input while training."""

    def forward(self, input):
        return dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Zero whole channels of (N, C, D, H, W) input while training."""

    def forward(self, input):
        return dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks: keeps mean and variance."""

    def forward(self, input):
        return alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels."""

    def forward(self, input):
        return feature_alpha_dropout(input, self.p, self.training)


