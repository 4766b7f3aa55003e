"""`Poisson`: counts of rare events, P(X = k) = rate^k exp(-rate) / k!."""
import ember
from . import constraints
from ._samplers import poisson
from ._shared import Expand
from .exp_family import ExponentialFamily
from .utils import broadcast_all


class Poisson(ExponentialFamily):
    """The Poisson distribution with mean `rate`.

    Samples come from ATen's algorithm on ember's generator (see _samplers.py): the same seed gives
    torch's counts. Poisson has no reparameterized sample and no closed-form CDF here, as in torch.
    """
    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        self.rate = broadcast_all(rate)[0]
        super().__init__(self.rate.shape, validate_args=validate_args)

    expand = Expand("rate")

    mean = property(lambda self: self.rate)
    mode = property(lambda self: self.rate.floor())
    variance = property(lambda self: self.rate)

    def sample(self, sample_shape=()):
        with ember.no_grad():
            return poisson(self.rate.expand(tuple(self._extended_shape(sample_shape))))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ember.xlogy(value, self.rate) - self.rate - ember.lgamma(value + 1)

    @property
    def _natural_params(self):
        return (self.rate.log(),)

    def _log_normalizer(self, x):
        return ember.exp(x)
