"""`RelaxedBernoulli`: the binary Concrete (Gumbel-sigmoid) relaxation of a coin flip, and its logit form."""
import ember
from . import constraints
from ._shared import BinaryParams, Expand, check_probs_or_logits
from .distribution import Distribution
from .transformed_distribution import TransformedDistribution
from .transforms import SigmoidTransform
from .utils import broadcast_all, clamp_probs

__all__ = ["LogitRelaxedBernoulli", "RelaxedBernoulli"]


class LogitRelaxedBernoulli(BinaryParams, Distribution):
    """The logit of a RelaxedBernoulli sample: (logit(U) + logits) / temperature, U uniform."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.real

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self.temperature = temperature
        check_probs_or_logits(probs, logits)
        if probs is not None:
            self.probs = self._param = broadcast_all(probs)[0]
        else:
            self.logits = self._param = broadcast_all(logits)[0]
        super().__init__(self._param.shape, validate_args=validate_args)

    expand = Expand("probs", "logits")

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        p = clamp_probs(self.probs.expand(shape))
        u = clamp_probs(ember.rand(shape, dtype=p.dtype))  # open (0, 1): finite logits
        return (u.log() - ember.log1p(-u) + p.log() - ember.log1p(-p)) / self.temperature

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        # density of the logistic with location logits / t and scale 1 / t
        d = self.logits - value * self.temperature
        return self.temperature.log() + d - 2 * ember.log1p(d.exp())


class RelaxedBernoulli(TransformedDistribution):
    """A relaxed Bernoulli on (0, 1): sigmoid of a LogitRelaxedBernoulli sample; `temperature` -> 0
    approaches the coin flip."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base = LogitRelaxedBernoulli(temperature, probs, logits)
        super().__init__(base, SigmoidTransform(), validate_args=validate_args)

    expand = Expand(transformed=True)

    temperature = property(lambda self: self.base_dist.temperature)
    logits = property(lambda self: self.base_dist.logits)
    probs = property(lambda self: self.base_dist.probs)
