"""`NegativeBinomial`: successes before `total_count` failures of independent Bernoulli(probs) trials."""
import ember
from . import constraints
from ._samplers import poisson
from ._shared import BinaryParams, Expand, set_count_and_param
from .distribution import Distribution
from .gamma import Gamma
from .utils import lazy_property


def _logsigmoid(x):
    """log(sigmoid(x)) = -(max(-x, 0) + log1p(exp(-|x|))), finite for large |x|."""
    return -((-x).clamp(min=0) + ember.log1p(ember.exp(-x.abs())))


class NegativeBinomial(BinaryParams, Distribution):
    """The number of successes before `total_count` failures, each trial a success with `probs`."""
    arg_constraints = {"total_count": constraints.greater_than_eq(0), "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        self._param = set_count_and_param(self, total_count, probs, logits)
        super().__init__(self._param.shape, validate_args=validate_args)

    expand = Expand("total_count", "probs", "logits")

    mean = property(lambda self: self.total_count * ember.exp(self.logits))
    mode = property(lambda self: ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0))
    variance = property(lambda self: self.mean / ember.sigmoid(-self.logits))

    @lazy_property
    def _gamma(self):
        # the Poisson rate of a gamma-Poisson mixture: Gamma(total_count, rate = (1 - p) / p)
        return Gamma(concentration=self.total_count, rate=ember.exp(-self.logits), validate_args=False)

    def sample(self, sample_shape=()):
        with ember.no_grad():
            return poisson(self._gamma.sample(sample_shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        r, l = self.total_count, self.logits
        log_unnorm = r * _logsigmoid(-l) + value * _logsigmoid(l)
        log_norm = ember.lgamma(r) + ember.lgamma(1 + value) - ember.lgamma(r + value)
        log_norm = ember.where(r + value == 0, 0.0, log_norm)  # r = k = 0: probability 1
        return log_unnorm - log_norm
