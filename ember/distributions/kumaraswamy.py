"""`Kumaraswamy`: (1 - (1 - U)^(1/b))^(1/a) for U uniform; density a b x^(a-1) (1 - x^a)^(b-1) on (0, 1)."""
import math

import ember
from . import constraints
from ._shared import Expand
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, PowerTransform
from .uniform import Uniform
from .utils import broadcast_all, euler_constant


class Kumaraswamy(TransformedDistribution):
    """The Kumaraswamy distribution with `concentration1` (a) and `concentration0` (b)."""
    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        base = Uniform(ember.full_like(self.concentration0, 0), ember.full_like(self.concentration0, 1),
                       validate_args=validate_args)
        steps = [PowerTransform(exponent=self.concentration0.reciprocal()), AffineTransform(loc=1.0, scale=-1.0),
                 PowerTransform(exponent=self.concentration1.reciprocal())]
        super().__init__(base, steps, validate_args=validate_args)

    expand = Expand("concentration1", "concentration0", transformed=True)

    def _moment(self, n):
        """E[X^n] = b B(1 + n / a, b)."""
        a, b = self.concentration1, self.concentration0
        t = 1 + n / a
        return b * ember.exp(ember.lgamma(t) + ember.lgamma(b) - ember.lgamma(t + b))

    mean = property(lambda self: self._moment(1))

    @property
    def mode(self):
        # torch's Kumaraswamy.mode is NaN for every parameter: it evaluates exp((1/b) log(1 - b) - log(1 - a b)),
        # which is NaN for b > 1, and sets NaN where a < 1 or b < 1. ember gives the same values and gradients.
        a, b = self.concentration1, self.concentration0
        with ember.no_grad():
            undefined = (a < 1) | (b < 1)
        log_mode = ember.log1p(-b) / b - ember.log1p(-a * b)
        return ember.exp(ember.where(undefined, math.nan, log_mode))

    variance = property(lambda self: self._moment(2) - self._moment(1).pow(2))

    def entropy(self):
        a, b = self.concentration1, self.concentration0
        harmonic_b = ember.digamma(b + 1) + euler_constant  # the b-th harmonic number
        return (1 - b.reciprocal()) + (1 - a.reciprocal()) * harmonic_b - (a * b).log()
