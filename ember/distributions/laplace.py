"""`Laplace`: the double exponential, density exp(-|x - loc| / scale) / (2 scale)."""
import ember
from . import constraints
from ._shared import Expand
from .distribution import Distribution
from .utils import _finfo, broadcast_all


class Laplace(Distribution):
    """The Laplace distribution with location `loc` and scale `scale`."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self.loc.shape, validate_args=validate_args)

    expand = Expand("loc", "scale")

    mean = property(lambda self: self.loc)
    mode = property(lambda self: self.loc)
    stddev = property(lambda self: 2 ** 0.5 * self.scale)
    variance = property(lambda self: 2 * self.scale.pow(2))

    def rsample(self, sample_shape=()):
        # inverse CDF of u ~ U(-1, 1); the open end -1 + eps keeps log1p(-|u|) finite
        eps = float(_finfo(self.loc.dtype).eps)
        u = ember.empty(tuple(self._extended_shape(sample_shape)), dtype=self.loc.dtype).uniform_(eps - 1, 1)
        return self.loc - self.scale * u.sign() * ember.log1p(-u.abs())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -(value - self.loc).abs() / self.scale - (2 * self.scale).log()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = value - self.loc
        return 0.5 - 0.5 * z.sign() * ember.expm1(-z.abs() / self.scale)

    def icdf(self, value):
        t = value - 0.5
        return self.loc - self.scale * t.sign() * ember.log1p(-2 * t.abs())

    def entropy(self):
        return 1 + (2 * self.scale).log()
