"""`Gumbel`: the law of maxima, loc - scale * log(-log U) for U uniform."""
import math

import ember
from . import constraints
from ._shared import Expand
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, ExpTransform
from .uniform import Uniform
from .utils import _finfo, broadcast_all, euler_constant


class Gumbel(TransformedDistribution):
    """The Gumbel (type I extreme value) distribution."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        fi = _finfo(self.loc.dtype)
        # U on [tiny, 1 - eps] so that both logs stay finite
        base = Uniform(ember.full_like(self.loc, float(fi.tiny)), ember.full_like(self.loc, float(1 - fi.eps)),
                       validate_args=validate_args)
        log = ExpTransform().inv
        steps = [log, AffineTransform(loc=0, scale=-ember.ones_like(self.scale)), log,
                 AffineTransform(loc=self.loc, scale=-self.scale)]
        super().__init__(base, steps, validate_args=validate_args)

    expand = Expand("loc", "scale", transformed=True)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        return -(self.scale.log() + z + ember.exp(-z))

    mean = property(lambda self: self.loc + self.scale * euler_constant)
    mode = property(lambda self: self.loc)
    stddev = property(lambda self: (math.pi / math.sqrt(6)) * self.scale)
    variance = property(lambda self: self.stddev.pow(2))

    def entropy(self):
        return self.scale.log() + (1 + euler_constant)
