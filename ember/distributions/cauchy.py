"""`Cauchy`: the ratio of two centred normals, density 1 / (pi scale (1 + z^2)), z = (x - loc) / scale."""
import math

import ember
from . import constraints
from ._samplers import cauchy_
from ._shared import Expand
from .distribution import Distribution
from .utils import broadcast_all


class Cauchy(Distribution):
    """The Cauchy (Lorentz) distribution; it has no mean and no variance."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self.loc.shape, validate_args=validate_args)

    expand = Expand("loc", "scale")

    def _full(self, v):
        return ember.full(tuple(self._extended_shape()), v, dtype=self.loc.dtype)

    mean = property(lambda self: self._full(math.nan))
    mode = property(lambda self: self.loc)
    variance = property(lambda self: self._full(math.inf))

    def rsample(self, sample_shape=()):
        eps = cauchy_(ember.empty(tuple(self._extended_shape(sample_shape)), dtype=self.loc.dtype))
        return self.loc + eps * self.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        return -math.log(math.pi) - self.scale.log() - ember.log1p(z * z)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ember.atan((value - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value):
        return self.loc + self.scale * ember.tan(math.pi * (value - 0.5))

    def entropy(self):
        return math.log(4 * math.pi) + self.scale.log()
