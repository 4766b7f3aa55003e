"""`Binomial`: the number of successes in `total_count` independent Bernoulli(probs) trials."""
import ember
from . import constraints
from ._samplers import binomial
from ._shared import BinaryParams, Expand, set_count_and_param
from .distribution import Distribution


def _max_count(total_count, what):
    n = int(total_count.max())
    if not bool(total_count.min() == n):
        raise NotImplementedError(f"Inhomogeneous total count not supported by `{what}`.")
    return n


class Binomial(BinaryParams, Distribution):
    """The binomial distribution; given by `probs` or `logits`, not both."""
    arg_constraints = {"total_count": constraints.nonnegative_integer, "probs": constraints.unit_interval,
                       "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        self._param = set_count_and_param(self, total_count, probs, logits)
        super().__init__(self._param.shape, validate_args=validate_args)

    expand = Expand("total_count", "probs", "logits")

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    mean = property(lambda self: self.total_count * self.probs)
    mode = property(lambda self: ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count))
    variance = property(lambda self: self.total_count * self.probs * (1 - self.probs))

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        with ember.no_grad():
            return binomial(self.total_count.expand(shape), self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        n, l = self.total_count, self.logits
        log_choose = ember.lgamma(n + 1) - ember.lgamma(value + 1) - ember.lgamma(n - value + 1)
        # n log(1 + e^l) = n (max(l, 0) + log1p(e^-|l|)); (l + |l|) / 2 is max(l, 0) with slope 1/2 at 0
        log_norm = n * ((l + l.abs()) / 2) + n * ember.log1p(ember.exp(-l.abs()))
        return log_choose + value * l - log_norm

    def entropy(self):
        _max_count(self.total_count, "entropy")
        lp = self.log_prob(self.enumerate_support(False))
        return -(ember.exp(lp) * lp).sum(0)

    def enumerate_support(self, expand=True):
        n = _max_count(self.total_count, "enumerate_support")
        values = ember.arange(1 + n, dtype=self._param.dtype).view((-1,) + (1,) * len(self.batch_shape))
        return values.expand((-1,) + tuple(self.batch_shape)) if expand else values
