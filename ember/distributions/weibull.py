"""`Weibull`: scale * E^(1/k) for E ~ Exponential(1), k the concentration."""
import ember
from . import constraints
from ._shared import Expand
from .exponential import Exponential
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, PowerTransform
from .utils import broadcast_all, euler_constant


class Weibull(TransformedDistribution):
    """The two-parameter Weibull distribution."""
    arg_constraints = {"scale": constraints.positive, "concentration": constraints.positive}
    support = constraints.positive

    def __init__(self, scale, concentration, validate_args=None):
        self.scale, self.concentration = broadcast_all(scale, concentration)
        self.concentration_reciprocal = self.concentration.reciprocal()
        super().__init__(Exponential(ember.ones_like(self.scale)),
                         [PowerTransform(exponent=self.concentration_reciprocal),
                          AffineTransform(loc=0, scale=self.scale)], validate_args=validate_args)

    expand = Expand("scale", "concentration", "concentration_reciprocal", transformed=True)

    def _gamma_moment(self, n):
        """Gamma(1 + n / k): E[X^n] = scale^n * Gamma(1 + n / k)."""
        return ember.exp(ember.lgamma(1 + n * self.concentration_reciprocal))

    mean = property(lambda self: self.scale * self._gamma_moment(1))

    @property
    def mode(self):
        k = self.concentration
        return self.scale * ((k - 1) / k) ** k.reciprocal()

    @property
    def variance(self):
        return self.scale.pow(2) * (self._gamma_moment(2) - self._gamma_moment(1).pow(2))

    def entropy(self):
        return (euler_constant * (1 - self.concentration_reciprocal)
                + (self.scale * self.concentration_reciprocal).log() + 1)
