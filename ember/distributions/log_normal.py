"""`LogNormal`: exp(X) for X ~ Normal(loc, scale)."""
import ember
from . import constraints
from ._shared import Expand
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import ExpTransform


class LogNormal(TransformedDistribution):
    """The log-normal distribution: its logarithm is Normal(loc, scale)."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        super().__init__(Normal(loc, scale, validate_args=validate_args), ExpTransform(), validate_args=validate_args)

    expand = Expand(transformed=True)

    loc = property(lambda self: self.base_dist.loc)
    scale = property(lambda self: self.base_dist.scale)
    mean = property(lambda self: ember.exp(self.loc + self.scale.pow(2) / 2))
    mode = property(lambda self: ember.exp(self.loc - self.scale.pow(2)))

    @property
    def variance(self):
        s2 = self.scale.pow(2)
        return ember.expm1(s2) * ember.exp(2 * self.loc + s2)

    def entropy(self):
        return self.loc + self.base_dist.entropy()
