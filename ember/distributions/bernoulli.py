"""`Bernoulli`: one coin flip, 1 with probability `probs`."""
import math

import ember
from . import constraints
from ._shared import BinaryParams, check_probs_or_logits, Expand
from .exp_family import ExponentialFamily
from .utils import broadcast_all


def _bce_with_logits(logits, target):
    """-[t log p + (1 - t) log(1 - p)], p = sigmoid(logits), written stably:
    max(l, 0) - l t + log(1 + exp(-|l|))."""
    return logits.clamp(min=0) - logits * target + ember.log1p(ember.exp(-logits.abs()))


class Bernoulli(BinaryParams, ExponentialFamily):
    """The Bernoulli distribution, given by `probs` or by `logits` (log-odds), not both."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, validate_args=None):
        check_probs_or_logits(probs, logits)
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
        else:
            (self.logits,) = broadcast_all(logits)
        self._param = self.probs if probs is not None else self.logits
        super().__init__(self._param.shape, validate_args=validate_args)

    expand = Expand("probs", "logits")

    mean = property(lambda self: self.probs)
    variance = property(lambda self: self.probs * (1 - self.probs))

    @property
    def mode(self):
        m = (self.probs >= 0.5).to(self.probs.dtype)
        return ember.where(self.probs == 0.5, math.nan, m)  # a fair coin has two modes

    def sample(self, sample_shape=()):
        with ember.no_grad():
            return ember.bernoulli(self.probs.expand(tuple(self._extended_shape(sample_shape))))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -_bce_with_logits(logits, value)

    def entropy(self):
        return _bce_with_logits(self.logits, self.probs)

    def enumerate_support(self, expand=True):
        values = ember.arange(2, dtype=self._param.dtype).view((-1,) + (1,) * len(self.batch_shape))
        return values.expand((-1,) + tuple(self.batch_shape)) if expand else values

    # natural parameter: the log-odds
    @property
    def _natural_params(self):
        return (ember.log(self.probs / (1 - self.probs)),)

    def _log_normalizer(self, x):
        return ember.log1p(ember.exp(x))
