"""Pieces the concrete distributions share: `expand`, probs/logits pairs, folding, one-hot vectors."""
import math

import ember
from .._tensor import Size, Tensor
from .distribution import Distribution
from .transformed_distribution import TransformedDistribution
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits


class Expand:
    """`expand = Expand("loc", "scale")` in a class body writes that class's `expand(batch_shape)`.

    The named tensors are broadcast to the new batch shape (each keeps its own trailing dims: views, no
    copies); sub-distributions stored on the instance (`_chi2`, `_categorical`, ...) are expanded too and
    every other attribute (`_num_events`, an int `total_count`, ...) is shared, except those in `drop`.
    `transformed=True` lets TransformedDistribution expand the base distribution first.
    """

    def __init__(self, *names, transformed=False, drop=()):
        self.names, self.transformed, self.drop = names, transformed, drop

    def __set_name__(self, owner, attr):
        names, transformed, drop = self.names, self.transformed, self.drop

        def expand(self, batch_shape, _instance=None):
            new = self._get_checked_instance(owner, _instance)
            batch_shape = Size(batch_shape)
            if transformed:
                TransformedDistribution.expand(self, batch_shape, _instance=new)
            nb = len(self.batch_shape)
            for k, v in vars(self).items():
                if k in drop:
                    continue
                if k in names and isinstance(v, Tensor):
                    setattr(new, k, v.expand(tuple(batch_shape) + tuple(v.shape[nb:])))
                elif isinstance(v, Distribution) and k != "base_dist":
                    setattr(new, k, v.expand(tuple(batch_shape) + tuple(v.batch_shape[nb:])))
                elif k not in vars(new):
                    setattr(new, k, v)
            if "_param" in vars(self):  # keep pointing at whichever of probs/logits was given
                new._param = new.probs if self._param is vars(self).get("probs") else new.logits
            return new if transformed else self._finish_expand(new, batch_shape, self.event_shape)

        expand.__doc__ = "A new distribution with its batch dims broadcast to `batch_shape`."
        setattr(owner, attr, expand)


class Folded:
    """|X| for X symmetric about 0 (HalfNormal, HalfCauchy): both halves of the base land on x >= 0."""

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value = ember.as_tensor(value, dtype=self.scale.dtype)
        lp = self.base_dist.log_prob(value) + math.log(2)  # twice the base density on x >= 0
        return ember.where(value >= 0, lp, -math.inf)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self.base_dist.cdf(value) * 2 - 1

    def icdf(self, prob):
        return self.base_dist.icdf(0.5 * (1 + prob))

    def entropy(self):
        return self.base_dist.entropy() - math.log(2)


def one_hot(index, n, dtype):
    """index (integers) -> one-hot vectors of length n in a new last dim."""
    return (index.unsqueeze(-1) == ember.arange(n)).to(dtype)


def check_probs_or_logits(probs, logits):
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


def set_count_and_param(dist, total_count, probs, logits):
    """For a distribution of counts of Bernoulli trials: check that one of probs and logits is
    given, set it and `total_count` (in its dtype) on `dist`, broadcast together; return it."""
    check_probs_or_logits(probs, logits)
    name = "probs" if probs is not None else "logits"
    count, param = broadcast_all(total_count, probs if probs is not None else logits)
    dist.total_count = count.type_as(param)
    setattr(dist, name, param)
    return param


class BinaryParams:
    """`probs` and `logits` of a success probability, each computed from the other on first use."""

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    param_shape = property(lambda self: self._param.shape)

    def _new(self, *args, **kwargs):
        return self._param.new(*args, **kwargs)


class CholeskyParams:
    """`scale_tril`, `covariance_matrix` and `precision_matrix` of a distribution held as one
    Cholesky factor (`_unbroadcasted_scale_tril`), spread to its shape by `_full`."""

    @lazy_property
    def scale_tril(self):
        return self._full(self._unbroadcasted_scale_tril)

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return self._full(L @ L.transpose(-1, -2))

    @lazy_property
    def precision_matrix(self):
        return self._full(ember.cholesky_inverse(self._unbroadcasted_scale_tril))


class CategoricalParams(BinaryParams):
    """`probs` and normalized `logits` (log-probabilities) over the last dim, each from the other."""

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits)
