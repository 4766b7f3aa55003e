"""Loss functions: each functional form (``F.mse_loss``) sits next to its module (``nn.MSELoss``).

Almost every loss is a composite of ember ops and needs no backward. Two are primitives:
``CrossEntropy`` (log-softmax fused with the weighted sum over classes, for stability and
speed) and ``BinaryCrossEntropy`` (torch clamps its logs and its gradient in its own way).
"""
import functools
import math
import warnings

import numpy as np

from .. import ops, _runtime
from .._backend import get_array_module, to_device
from .._tensor import Tensor, _wrap
from ..autograd import grad_mode
from ..autograd.trace import replayed
from ..autograd.function import Op
from ..ops import pointwise as P
from ..ops.indexing import gather
from ..ops.reduction import Sum, logsumexp
from .activation import logsigmoid
from .distance import PairwiseDistance, pairwise_distance
from .module import Module

_mode = grad_mode.state


# ---------------------------------------------------------------- reduction and shape checks
def _autocast_fp32(fn):
    """torch's autocast computes the losses in float32: inside a region, half-precision inputs are
    cast up first (outside one this costs a flag check)."""
    @functools.wraps(fn)
    def loss(*args, **kwargs):
        if _runtime.autocast_dtype is not None:
            args = _runtime.autocast_fp32(*args)
        return fn(*args, **kwargs)
    return loss


def _legacy_reduction(size_average, reduce):
    """torch's old ``size_average``/``reduce`` flags, turned into a ``reduction`` string."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                  stacklevel=3)
    return ret


def _reduction(reduction, size_average=None, reduce=None):
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_broadcast(a, b):
    """Raise torch's message when two shapes don't broadcast."""
    for i in range(1, min(len(a), len(b)) + 1):
        if a[-i] != b[-i] and a[-i] != 1 and b[-i] != 1:
            raise RuntimeError(f"The size of tensor a ({a[-i]}) must match the size of tensor b ({b[-i]}) "
                               f"at non-singleton dimension {max(len(a), len(b)) - i}")


def _warn_size(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)
    _check_broadcast(input.shape, target.shape)


def _scalar_name(t):
    """torch's C++ name of a tensor's dtype, as its error messages print it ('Float', 'Long')."""
    return t.type()[len("ember."):-len("Tensor")]


def _weighted(loss, weight, reduction, input, mean_by_weight=True):
    """The ``weight=`` form of mse/l1/huber: elementwise weights, mean divided by their sum."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean":
        return loss.sum() / weight.sum() if mean_by_weight else loss.mean()
    return loss.sum() if reduction == "sum" else loss


# ---------------------------------------------------------------- regression losses
class SquaredError(Op):
    """``sum((x - t)**2)``, divided by the count for a mean: one node instead of four (sub, square,
    sum, divide), which is most of a small regression model's loss cost."""
    arrays = True

    def forward(self, x, t, count):
        self.d = d = x - t  # kept: backward needs it again
        if d.size <= 4096 and d.dtype.itemsize >= 4:  # small: one dot product, 3x faster than square-and-sum
            return np.vdot(d, d) / count
        return (d * d).sum() / count

    def backward(self, gy):
        x, t, count = self.saved(gy)
        g = (x - t if isinstance(gy, Tensor) else self.d) * (gy * (2.0 / count))
        n = self.needs_input_grad
        return (g if n[0] else None), (-g if n[1] else None), None

    def release(self):
        super().release()
        self.d = None


@_autocast_fp32
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error: ``(input - target)**2``, reduced."""
    reduction = _reduction(reduction, size_average, reduce)
    x, t = input._data, target._data
    if x.shape != t.shape:
        _warn_size(input, target)
    if weight is None and reduction != "none" and x.dtype.kind == "f" and x.dtype == t.dtype:
        n = 1 if reduction != "mean" else x.size if x.shape == t.shape else \
            math.prod(np.broadcast_shapes(x.shape, t.shape))
        return SquaredError.apply(input, target, n if n else float("nan"))
    d = input - target
    loss = d * d
    return _reduce(loss, reduction) if weight is None else _weighted(loss, weight, reduction, input)


@_autocast_fp32
def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error: ``|input - target|``, reduced."""
    reduction = _reduction(reduction, size_average, reduce)
    _warn_size(input, target)
    loss = P.abs(input - target)
    return _reduce(loss, reduction) if weight is None else _weighted(loss, weight, reduction, input)


@_autocast_fp32
def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Quadratic below `beta`, linear above: ``0.5 z**2 / beta`` or ``z - 0.5 beta`` for z = |input - target|."""
    reduction = _reduction(reduction, size_average, reduce)
    _warn_size(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    z = P.abs(input - target)
    if beta == 0.0:
        return _reduce(z, reduction)
    return _reduce(P.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta), reduction)


@_autocast_fp32
def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Quadratic below `delta`, linear above: ``0.5 z**2`` or ``delta (z - 0.5 delta)``."""
    reduction = _reduction(reduction)
    _warn_size(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    z = P.abs(input - target)
    loss = P.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))
    # torch's weighted huber averages over elements, not over the weights
    return _reduce(loss, reduction) if weight is None else _weighted(loss, weight, reduction, input, False)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Negative log likelihood of `target` under N(input, var): ``0.5 (log var + (input - target)**2 / var)``."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = P.mul(ops.creation.ones_like(input), var)
    elif bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:  # one variance per sample, shared by its last dim
            var = var.unsqueeze(-1)
        elif not (input.ndim == var.ndim and
                  sum(y for x, y in zip(input.shape, var.shape) if x != y) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    # clamp var at eps for stability; as in torch the clamp is invisible to the gradient
    var = var + (P.clamp(var, min=eps) - var).detach()
    d = input - target
    loss = 0.5 * (P.log(var) + d * d / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


@_autocast_fp32
def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """Negative log likelihood of `target` under Poisson(rate): ``exp(input) - target * input`` for log rates."""
    reduction = _reduction(reduction, size_average, reduce)
    if log_input:
        loss = P.exp(input) - target * input
    else:
        loss = input - target * P.log(input + eps)
    if full:
        # Stirling's approximation of log(target!), used only where target > 1
        t = target
        stirling = t * P.log(t) - t + 0.5 * P.log(2 * math.pi * t)
        loss = loss + P.where(t <= 1, 0.0, stirling)
    return _reduce(loss, reduction)


# ---------------------------------------------------------------- binary classification
class BinaryCrossEntropy(Op):
    """``-(t log x + (1 - t) log(1 - x))`` with each log clamped at -100, as torch does."""
    # a primitive because torch's gradient is its own: (x - t) / max(x (1 - x), 1e-12), not the
    # derivative of the clamped logs; it stays finite at x = 0 and x = 1

    def forward(self, x, t):
        return -(t * np.maximum(np.log(x), -100) + (1 - t) * np.maximum(np.log1p(-x), -100))

    def backward(self, gy):
        x, t = self.inputs
        n = self.needs_input_grad
        gx = gy * (x - t) / P.clamp((1 - x) * x, min=1e-12) if n[0] else None
        gt = gy * (P.log1p(-x) - P.log(x)) if n[1] else None  # unclamped in torch
        return gx, gt


@_autocast_fp32
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Binary cross-entropy between probabilities `input` and `target`."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    x, t = input._data, target._data
    if ((x < 0) | (x > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    if ((t < 0) | (t > 1)).any():
        raise RuntimeError("all elements of target should be between 0 and 1")
    loss = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


@_autocast_fp32
def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Binary cross-entropy on logits: sigmoid and log fused into the stable log-sigmoid."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    ls = logsigmoid(input)
    if pos_weight is not None:  # positives weighted: -(pw t log s + (1 - t) log(1 - s))
        ls = ls * ((pos_weight - 1) * target + 1)
    loss = (1 - target) * input - ls
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


@_autocast_fp32
def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Two-class logistic loss ``log(1 + exp(-target * input))`` for targets of +1 / -1."""
    reduction = _reduction(reduction, size_average, reduce)
    return _reduce(P.log1p(P.exp(-input * target)), reduction)


@_autocast_fp32
def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Multi-label one-versus-all logistic loss, averaged over classes."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    _check_broadcast(input.shape, target.shape)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(dim=input.ndim - 1) / input.shape[-1]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, reduction)


@_autocast_fp32
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL divergence ``target * (log target - input)``; `input` holds log-probabilities."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    elif reduction not in ("none", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = P.exp(target) * (target - input)
    else:
        loss = P.xlogy(target, target) - target * input  # 0 log 0 = 0
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    return _reduce(loss, reduction)


# ---------------------------------------------------------------- margin and embedding losses
@_autocast_fp32
def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """``max(0, -target * (input1 - input2) + margin)``: input1 should rank above input2 where target = 1."""
    reduction = _reduction(reduction, size_average, reduce)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, "
                           f"target: {target.shape} ")
    return _reduce(P.clamp(-target * (input1 - input2) + margin, min=0), reduction)


@_autocast_fp32
def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """``input`` where target = 1, ``max(0, margin - input)`` where target = -1."""
    reduction = _reduction(reduction, size_average, reduce)
    margin_part = P.where(target != 1, P.clamp(margin - input, min=0), 0.0)
    self_part = P.where(target != -1, input, 0.0)
    return _reduce(margin_part + self_part, reduction)


@_autocast_fp32
def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """``1 - cos(x1, x2)`` where target = 1, ``max(0, cos(x1, x2) - margin)`` where target = -1."""
    reduction = _reduction(reduction, size_average, reduce)
    d = target.ndim
    if d not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if d == 1 and not input1.ndim == input2.ndim == 2:
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    if d == 0 and not input1.ndim == input2.ndim == 1:
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    eps = 1e-12  # keeps the norms of zero vectors away from 0/0, as torch does
    dot = (input1 * input2).sum(d)
    cos = dot / P.sqrt(((input1 * input1).sum(d) + eps) * ((input2 * input2).sum(d) + eps))
    loss = P.where(target == 1, 1 - cos, 0.0) + P.where(target == -1, P.clamp(cos - margin, min=0), 0.0)
    return _reduce(loss, reduction)


@_autocast_fp32
def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """``max(0, d(a, p) - d(a, n) + margin)`` with d the p-norm distance."""
    reduction = _reduction(reduction, size_average, reduce)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and "
                           f"negative {negative.ndim}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = P.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce(P.clamp(margin + d_pos - d_neg, min=0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    """``max(0, d(a, p) - d(a, n) + margin)`` for any distance function (pairwise_distance by default)."""
    reduction = _reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and "
                           f"negative {negative.ndim}D inputs")
    d = distance_function if distance_function is not None else pairwise_distance
    d_pos, d_neg = d(anchor, positive), d(anchor, negative)
    if swap:
        d_neg = P.minimum(d_neg, d(positive, negative))
    return _reduce(P.clamp(margin + d_pos - d_neg, min=0), reduction)


@replayed
def _multilabel_pairs(target, shape):
    """The targets (0 past each row's first -1) and the (target j, non-target k) pairs that count."""
    y = target._data.reshape(shape)
    c = shape[1]
    xp = get_array_module(y)
    valid = xp.cumprod(y != -1, axis=1).astype(bool)  # the classes before the first -1
    if (valid & ((y < 0) | (y >= c))).any():
        raise RuntimeError("argument #2 'target' is out of range")
    ys = xp.where(valid, y, 0)
    is_target = ((ys[:, :, None] == xp.arange(c)) & valid[:, :, None]).any(1)
    return ys, valid[:, :, None] & ~is_target[:, None, :]


@_autocast_fp32
def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge: ``sum_{j in targets, k not} max(0, 1 - x[j] + x[k]) / C``; each row of
    `target` lists its classes first, then -1 (the rest is ignored)."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    x = input.reshape(1, -1) if input.ndim < 2 else input
    ys, pairs = _multilabel_pairs(target, x.shape)
    pairs = _wrap(pairs)
    x_j = gather(x, 1, _wrap(ys)).unsqueeze(2)
    c = x.shape[1]
    z = P.relu(1 - x_j + x.unsqueeze(1))  # torch's gradient passes only where z > 0
    loss = P.where(pairs, z, 0.0).sum((1, 2)) / c
    return _reduce(loss.reshape(()) if input.ndim < 2 else loss, reduction)


@replayed
def _other_classes(y, c):
    """(N, C): True where class k is not sample n's target."""
    return get_array_module(y._data).arange(c) != y._data[:, None]


@_autocast_fp32
def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """Multi-class hinge: ``sum_{j != y} max(0, margin - x[y] + x[j])**p / C``, weighted by weight[y]."""
    reduction = _reduction(reduction, size_average, reduce)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    x = input if input.ndim else input.reshape(1)
    x = x if x.ndim == 2 else x.unsqueeze(0)
    n, c = x.shape
    y = target.reshape(-1)
    if input.ndim > 2 or y.shape[0] != n:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of "
                           f"input samples (batch size). Expected target size [{n}], but got "
                           f"{list(target.shape)}. Input has shape {list(input.shape)}.")
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"inconsistent weight size, expected {c} but got {list(weight.shape)}")
    yi = y.unsqueeze(1)
    z = P.relu(margin - gather(x, 1, yi) + x)  # torch's gradient passes only where z > 0
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * gather(weight, 0, y).unsqueeze(1)
    not_y = _wrap(_other_classes(y, c))
    loss = P.where(not_y, z, 0.0).sum(1) / c
    if input.ndim < 2:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


# ---------------------------------------------------------------- classification over C classes
def _check_class_target(input, target, weight):
    """torch's checks for (N, C, d1, ...) input and (N, d1, ...) class-index targets."""
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    if input.ndim != 1 and target.ndim and input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target.shape[0]}).")
    if target._data.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{_scalar_name(target)}")
    want = input.shape[:1] + input.shape[2:] if input.ndim > 1 else ()
    if input.ndim == 2 and target.ndim != 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input.ndim > 2 and target.shape != want:
        raise RuntimeError(f"Expected target size {list(want)}, got {list(target.shape)}")
    c = input.shape[1] if input.ndim > 1 else input.shape[0]
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no classes "
                           f"but got weight tensor of shape: {list(weight.shape)}")


# Arrays derived from the targets outside ops are computed by @replayed functions, so that
# ember.compile computes them again from each call's targets instead of keeping the first ones.
@replayed
def _target_weights(target, weight, ignore_index, c, dtype):
    """Per-target weights as an array (weight[y], 0 where ignored), and the targets made safe to index."""
    y = target._data.astype(np.int64, copy=False)
    keep = y != ignore_index
    bad = keep & ((y < 0) | (y >= c))
    if bad.any():
        raise IndexError(f"Target {int(y[bad][0])} is out of bounds.")
    y = np.where(keep, y, 0)
    w = keep.astype(dtype) if weight is None else np.where(keep, weight._data[y], 0).astype(dtype, copy=False)
    return y, w


@replayed
def _weight_total(w):
    """The sum of the target weights (0-d), and what the mean adds: 0, or NaN when every target is
    ignored (torch's value is then 0/0 = nan, but its gradient stays 0, not nan)."""
    xp = get_array_module(w)
    total = xp.asarray(w.sum())  # (an array, not a NumPy scalar: ember.compile gives it a slot)
    if total:
        return total, xp.zeros((), total.dtype)
    return xp.ones((), total.dtype), xp.full((), np.nan, total.dtype)


def _mean_by_weight(loss, w):
    """Sum of the losses over the sum of the target weights."""
    total, extra = _weight_total(w)
    return loss.sum() / _wrap(total) + _wrap(extra)


@_autocast_fp32
def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log likelihood of class indices: ``-weight[y] * input[y]`` along dim 1.

    The weighted mean divides by the sum of the weights of the targets that are not ignored.
    """
    reduction = _reduction(reduction, size_average, reduce)
    _check_class_target(input, target, weight)
    cdim = 1 if input.ndim > 1 else 0
    y, w = _target_weights(target, weight, ignore_index, input.shape[cdim], input._data.dtype)
    loss = -gather(input, cdim, _wrap(y).unsqueeze(cdim)).squeeze(cdim) * _wrap(w)
    return _mean_by_weight(loss, w) if reduction == "mean" else _reduce(loss, reduction)


class CrossEntropy(Op):
    """``-sum_c q_c log_softmax(x)_c`` along `dim`: the loss for a weighted target distribution q."""
    # fused for stability and speed: log-sum-exp keeps +-1000 logits finite; backward is softmax * sum(q) - q
    arrays = True

    def forward(self, x, q, dim):
        m = x.max(axis=dim, keepdims=True)
        z = x - np.where(np.isfinite(m), m, 0)
        logp = z - np.log(np.exp(z).sum(axis=dim, keepdims=True))
        self.logp = logp
        # 0 * log 0: a class with no target weight adds nothing, even with logits of -inf
        return -np.where(q != 0, q * logp, 0).sum(axis=dim)

    def backward(self, gy):
        x, q, dim = self.saved(gy)
        n = self.needs_input_grad
        if isinstance(gy, Tensor):  # create_graph: rebuild log-softmax from x so the graph reaches x
            logp = x - logsumexp(x, dim, keepdim=True)
        else:
            logp = self.logp
        gy = gy.reshape(tuple(gy.shape[:dim]) + (1,) + tuple(gy.shape[dim:]))
        gx = gy * (P.Exp.on(logp) * Sum.on(q, (dim,), True, None) - q) if n[0] else None
        gq = -gy * logp if n[1] else None
        return gx, gq, None

    def release(self):
        super().release()
        self.logp = None


@replayed
def _class_distribution(target, y, w, weight, ignore_index, wshape, cdim, eps):
    """q: (1 - eps) of each target's weight on its class, eps/C of each class's weight spread over all."""
    xp = get_array_module(y)
    c = wshape[cdim]
    classes = xp.arange(c).reshape(wshape)
    q = (classes == xp.expand_dims(y, cdim)) * xp.expand_dims(w * (1 - eps), cdim)
    if eps > 0:
        wc = 1.0 if weight is None else weight._data.astype(q.dtype).reshape(wshape)
        keep = xp.expand_dims(target._data != ignore_index, cdim).astype(q.dtype)  # only ignored targets lose it
        q = q + keep * (eps / c) * wc
    return q


@_autocast_fp32
def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross-entropy between logits `input` (N, C, d1, ...) and class indices (N, d1, ...) or class
    probabilities (same shape as input), with optional class weights and label smoothing."""
    reduction = _reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    cdim = 1 if input.ndim > 1 else 0
    c = input.shape[cdim] if input.ndim else 1
    eps = label_smoothing
    wshape = [1] * input.ndim
    if wshape:
        wshape[cdim] = c
    if input.shape == target.shape:  # class probabilities
        if target._data.dtype.kind != "f":
            raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                               f"{_scalar_name(target)}")
        if weight is not None and weight.numel() != c:
            raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all {c} classes or no "
                               f"classes but got weight tensor of shape: {list(weight.shape)}")
        q = target * (1 - eps) + eps / c if eps > 0 else target
        if weight is not None:
            q = q * weight.reshape(wshape)
        loss = CrossEntropy.apply(input, q, cdim)
        if reduction == "mean":
            return loss.sum() / (input.numel() / c) if input.numel() else loss.sum() * float("nan")
        return _reduce(loss, reduction)
    _check_class_target(input, target, weight)
    y, w = _target_weights(target, weight, ignore_index, c, input._data.dtype)
    loss = CrossEntropy.apply(input, _wrap(_class_distribution(target, y, w, weight, ignore_index, wshape, cdim, eps)),
                              cdim)
    return _mean_by_weight(loss, w) if reduction == "mean" else _reduce(loss, reduction)


# ---------------------------------------------------------------- modules


class _Loss(Module):
    """Base of the loss modules: holds `reduction` (from the legacy flags if they are given)."""

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        if size_average is not None or reduce is not None:
            self.reduction = _legacy_reduction(size_average, reduce)
        else:
            self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with per-class weights, kept as the buffer `weight` (in state_dict, as torch's)."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    def forward(self, input, target):
        return mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    def forward(self, input, target):
        return l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class GaussianNLLLoss(_Loss):
    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__(None, None, reduction)
        self.full, self.eps = full, eps

    def forward(self, input, target, var):
        return gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    def __init__(self, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input, target):
        return poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
                                reduction=self.reduction)


class BCELoss(_WeightedLoss):
    def forward(self, input, target):
        return binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return binary_cross_entropy_with_logits(input, target, self.weight, pos_weight=self.pos_weight,
                                                reduction=self.reduction)


class SoftMarginLoss(_Loss):
    def forward(self, input, target):
        return soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    def forward(self, input, target):
        return multilabel_soft_margin_loss(input, target, weight=self.weight, reduction=self.reduction)


class KLDivLoss(_Loss):
    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class MarginRankingLoss(_Loss):
    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    def __init__(self, margin=1.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None, reduce=None,
                 reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead")
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor, positive, negative):
        return triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
                                   swap=self.swap, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    def __init__(self, *, distance_function=None, margin=1.0, swap=False, reduction="mean"):
        super().__init__(reduction=reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} "
                             "instead")
        self.distance_function = distance_function if distance_function is not None else PairwiseDistance()
        self.margin, self.swap = margin, swap

    def forward(self, anchor, positive, negative):
        return triplet_margin_with_distance_loss(anchor, positive, negative, distance_function=self.distance_function,
                                                 margin=self.margin, swap=self.swap, reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    def forward(self, input, target):
        return multilabel_margin_loss(input, target, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    def __init__(self, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.dim() != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got {weight.dim()}D "
                             "instead")
        self.p, self.margin = p, margin

    def forward(self, input, target):
        return multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                 reduction=self.reduction)


class NLLLoss(_WeightedLoss):
    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                        reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                 label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input, target):
        return cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                             reduction=self.reduction, label_smoothing=self.label_smoothing)


# ---------------------------------------------------------------- CTC
class CTC(Op):
    """Connectionist temporal classification: each sample's negative log-likelihood of its target
    over every alignment, by torch's alpha recursion in log space (a loop over time, vectorised
    over the batch and the 2S+1 positions of the blank-extended target). A primitive: the alpha
    and beta tables give the gradient in one pass, and torch's gradient is not the plain
    derivative (see backward)."""
    save = False

    def forward(self, lp, targets, in_lens, tg_lens, blank, zero_infinity):
        xp = get_array_module(lp)
        t_max, n, _ = lp.shape
        # the target with a blank around every label (built here, so that a replay builds it again)
        tg = np.asarray(to_device(targets, "cpu")).astype(np.int64)
        in_lens = np.asarray(to_device(in_lens, "cpu")).astype(np.int64).reshape(-1)
        tg_lens = np.asarray(to_device(tg_lens, "cpu")).astype(np.int64).reshape(-1)
        width = 2 * (int(tg_lens.max()) if n else 0) + 1
        ext = np.full((n, width), blank, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(tg_lens)[:-1]])
        for i in range(n):
            ext[i, 1:2 * tg_lens[i]:2] = tg[i, :tg_lens[i]] if tg.ndim == 2 else tg[starts[i]:starts[i] + tg_lens[i]]
        ext, in_lens, tg_lens = xp.asarray(ext), xp.asarray(in_lens), xp.asarray(tg_lens)
        s = xp.arange(width)
        # a label may be reached from two positions back unless it is a blank or repeats that label
        skip = (s >= 2) & (ext != blank) & (ext != xp.roll(ext, 2, axis=1))
        valid = s[None, :] <= 2 * tg_lens[:, None]
        lpe = xp.take_along_axis(lp, xp.broadcast_to(ext, (t_max, n, width)), axis=2)     # lp at each position
        neg = xp.full((n, 2), -np.inf, dtype=lp.dtype)
        la = xp.full((t_max, n, width), -np.inf, dtype=lp.dtype)
        la[0, :, 0] = lpe[0, :, 0]
        la[0, :, 1] = xp.where(tg_lens > 0, lpe[0, :, 1], -np.inf)
        with np.errstate(invalid="ignore"):
            for t in range(1, t_max):
                prev = la[t - 1]
                shift1 = xp.concatenate([neg[:, :1], prev[:, :-1]], axis=1)
                shift2 = xp.where(skip, xp.concatenate([neg, prev[:, :-2]], axis=1), -np.inf)
                la[t] = xp.where(valid, xp.logaddexp(xp.logaddexp(prev, shift1), shift2) + lpe[t], -np.inf)
        rows = xp.arange(n)
        last = la[in_lens - 1, rows]                                                        # (N, width)
        end = 2 * tg_lens
        nll = -xp.logaddexp(last[rows, end], xp.where(tg_lens > 0, last[rows, xp.maximum(end - 1, 0)], -np.inf))
        self.keep = (lp, ext, in_lens, tg_lens, skip, valid, lpe, la, nll, zero_infinity)
        if zero_infinity:
            return xp.where(xp.isinf(nll), 0, nll).astype(lp.dtype)
        return nll.astype(lp.dtype)

    def backward(self, gy):
        lp, ext, in_lens, tg_lens, skip, valid, lpe, la, nll, zero_infinity = self.keep
        xp = get_array_module(lp)
        t_max, n, c = lp.shape
        width = ext.shape[1]
        rows = xp.arange(n)
        end = 2 * tg_lens
        # beta: the same recursion run backwards from each sample's own last step
        skip2 = xp.concatenate([skip[:, 2:], xp.zeros((n, 2), dtype=bool)], axis=1)   # may jump to s + 2
        neg = xp.full((n, 2), -np.inf, dtype=lp.dtype)
        lb = xp.full((t_max, n, width), -np.inf, dtype=lp.dtype)
        init = xp.full((n, width), -np.inf, dtype=lp.dtype)
        init[rows, end] = lpe[in_lens - 1, rows, end]
        init[rows, xp.maximum(end - 1, 0)] = xp.where(tg_lens > 0, lpe[in_lens - 1, rows, xp.maximum(end - 1, 0)],
                                                      init[rows, xp.maximum(end - 1, 0)])
        with np.errstate(invalid="ignore", over="ignore"):
            for t in range(t_max - 1, -1, -1):
                if t < t_max - 1:
                    nxt = lb[t + 1]
                    shift1 = xp.concatenate([nxt[:, 1:], neg[:, :1]], axis=1)
                    shift2 = xp.where(skip2, xp.concatenate([nxt[:, 2:], neg], axis=1), -np.inf)
                    step = xp.where(valid, xp.logaddexp(xp.logaddexp(nxt, shift1), shift2) + lpe[t], -np.inf)
                else:
                    step = lb[t]
                here = (t == in_lens - 1)[:, None]
                lb[t] = xp.where(here, init, xp.where((t < in_lens - 1)[:, None], step, -np.inf))
            # torch's gradient: exp(lp) - exp(lcab + nll - lp), with lcab the log of the summed
            # alpha*beta of every position holding label c. The plain derivative lacks exp(lp); both
            # give the same gradient through a log_softmax (the extra term sums to 1 per step).
            post = xp.exp(la + lb + nll[None, :, None] - lpe)                                 # (T, N, width)
            flat = (xp.arange(t_max)[:, None, None] * n + rows[None, :, None]) * c + ext[None]
            g = xp.bincount(flat.ravel(), weights=post.ravel().astype(np.float64),
                            minlength=t_max * n * c).reshape(t_max, n, c)
            g = xp.exp(lp) - g.astype(lp.dtype)
        g = xp.where((xp.arange(t_max)[:, None] < in_lens[None, :])[..., None], g, 0)   # past a sample's end
        if zero_infinity:
            g = xp.where(xp.isinf(nll)[None, :, None], 0, g)
        gy = gy._data if isinstance(gy, Tensor) else gy
        return _wrap((g * gy[None, :, None]).astype(lp.dtype)), None, None, None, None, None


def _lengths(v, n, name):
    a = np.asarray(v._data if isinstance(v, Tensor) else v).astype(np.int64).reshape(-1)
    if a.size != n:
        raise RuntimeError(f"{name} must be of size batch_size")
    return a


@_autocast_fp32
def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """The CTC loss of (T, N, C) log-probabilities against targets (N, S) padded or concatenated 1-D."""
    unbatched = log_probs.dim() == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        if targets.dim() == 1:
            targets = targets.unsqueeze(0)
    if log_probs.dim() != 3:
        raise RuntimeError(f"ctc_loss: expected log_probs to be 2-D or 3-D, but got {log_probs.dim()}-D")
    t_max, n, c = log_probs.shape
    if not 0 <= blank < c:
        raise RuntimeError("blank must be in label range")
    in_lens = _lengths(input_lengths, n, "input_lengths")
    tg_lens = _lengths(target_lengths, n, "target_lengths")
    if in_lens.size and in_lens.max() > t_max:
        raise RuntimeError(f"Expected input_lengths to have value at most {t_max}, but got value {in_lens.max()} "
                           f"(while checking arguments for ctc_loss_cpu)")
    from ..ops.creation import tensor
    lens = [v if isinstance(v, Tensor) else tensor(np.asarray(v, dtype=np.int64))
            for v in (input_lengths, target_lengths)]
    nll = CTC.apply(log_probs, targets, lens[0], lens[1], blank, zero_infinity)
    if reduction == "mean":
        return (nll / lens[1].reshape(-1).clamp(min=1).to(nll.dtype)).mean()
    if reduction == "sum":
        return nll.sum()
    return nll.squeeze(0) if unbatched else nll


class CTCLoss(_Loss):
    """The connectionist temporal classification loss (see F.ctc_loss)."""

    def __init__(self, blank=0, reduction="mean", zero_infinity=False):
        super().__init__(reduction=reduction)
        self.blank, self.zero_infinity = blank, zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction,
                        self.zero_infinity)


class NLLLoss2d(NLLLoss):
    """The deprecated name of NLLLoss for (N, C, H, W) inputs (NLLLoss takes them)."""

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
        warnings.warn("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in replacement and see "
                      "https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for more details.", FutureWarning,
                      stacklevel=2)
        super().__init__(weight, size_average, ignore_index, reduce, reduction)


# ---------------------------------------------------------------- linear + cross entropy
class LinearCrossEntropyOptions:
    """torch's chunking options for linear_cross_entropy. torch uses them to save memory on large
    vocabularies; ember validates them and computes the same loss unchunked."""
    __slots__ = ("allow_retain_graph", "batch_chunk_size", "chunking_method", "acc_policy", "acc_dtype")

    def __init__(self, allow_retain_graph=False, batch_chunk_size=None, chunking_method="auto", acc_policy="auto",
                 acc_dtype=None):
        if acc_policy not in {"auto", "accurate", "balanced", "compact"}:
            raise ValueError(f"invalid acc_policy: {acc_policy!r}")
        if chunking_method is not None and chunking_method != "auto":
            name, sep, factor = chunking_method.partition(":")
            factor = factor if sep else "1"
            if not (name == "aspect_ratio" and factor.isdigit() and int(factor) > 0):
                raise ValueError(f"invalid chunking_method: {chunking_method!r}")
        if not (batch_chunk_size is None or (isinstance(batch_chunk_size, int) and batch_chunk_size > 0)):
            raise ValueError(f"batch_chunk_size must be positive int or None, got {batch_chunk_size!r}")
        for k, v in (("allow_retain_graph", allow_retain_graph), ("batch_chunk_size", batch_chunk_size),
                     ("chunking_method", chunking_method), ("acc_policy", acc_policy), ("acc_dtype", acc_dtype)):
            object.__setattr__(self, k, v)

    def __setattr__(self, name, value):  # frozen, as torch's dataclass
        raise AttributeError(f"cannot assign to field '{name}'")

    def __repr__(self):
        return ("LinearCrossEntropyOptions(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__) + ")")


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None, reduction="mean",
                         ignore_index=None, label_smoothing=0.0, options=None):
    """cross_entropy(linear(input, linear_weight, linear_bias), target); linear_weight is
    (C, *out_features, in_features) for a K-dimensional loss."""
    from .linear import linear
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if linear_weight.dim() < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got {linear_weight.dim()}")
    batches, in_features = tuple(input.shape[:-1]), input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions (in_features), got "
                           f"{input.shape[-1]} and {linear_weight.shape[-1]}, respectively")
    c, out_features = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (c,) + out_features:
        raise RuntimeError(f"expected linear_bias shape {(c,) + out_features}, got {tuple(linear_bias.shape)}")
    if out_features and not batches:
        raise RuntimeError(f"K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} requires "
                           f"batched input, (N, {in_features}), got unbatched input with shape {tuple(input.shape)}")
    logits_shape = batches + (c,) + out_features
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    ignore_index = -100 if ignore_index is None else ignore_index
    if out_features:
        n = c * math.prod(out_features)
        linear_weight = linear_weight.reshape(n, in_features)
        linear_bias = None if linear_bias is None else linear_bias.reshape(n)
    logits = linear(input, linear_weight, linear_bias).reshape(logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction, ignore_index=ignore_index,
                         label_smoothing=label_smoothing)


class LinearCrossEntropyLoss(_WeightedLoss):
    """A Linear layer to num_classes (times out_features) logits followed by cross entropy."""

    def __init__(self, in_features, num_classes, *, out_features=(), bias=False, device=None, dtype=None,
                 reduction="mean", weight=None, ignore_index=None, label_smoothing=0.0, options=None):
        from .linear import Linear
        if weight is not None and tuple(weight.shape) != (num_classes,):
            raise RuntimeError(f"expected weight shape to be {(num_classes,)}, got {tuple(weight.shape)}")
        if label_smoothing < 0 or label_smoothing > 1.0:
            raise RuntimeError(f"expected label_smoothing to be in range [0, 1], got {label_smoothing}")
        super().__init__(weight=weight, reduction=reduction)
        self.num_classes, self.out_features = num_classes, out_features
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing
        # Linear keeps a 2-D weight: (C * prod(out_features), in_features), reshaped in forward
        self.linear = Linear(in_features, math.prod(out_features, start=num_classes), bias=bias, device=device,
                             dtype=dtype)
        self.options = options

    def forward(self, input, target):
        shape = (self.num_classes,) + tuple(self.out_features)
        w = self.linear.weight.reshape(shape + (self.linear.in_features,))
        b = None if self.linear.bias is None else self.linear.bias.reshape(shape)
        return linear_cross_entropy(input, w, target, linear_bias=b, weight=self.weight, reduction=self.reduction,
                                    ignore_index=self.ignore_index, label_smoothing=self.label_smoothing,
                                    options=self.options)
