"""`HalfCauchy`: |X| for X ~ Cauchy(0, scale)."""
import math

import ember
from . import constraints
from ._shared import Expand, Folded
from .cauchy import Cauchy
from .transformed_distribution import TransformedDistribution
from .transforms import AbsTransform


class HalfCauchy(Folded, TransformedDistribution):
    """The half-Cauchy distribution: a centred Cauchy folded onto [0, inf)."""
    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale, validate_args=None):
        super().__init__(Cauchy(0, scale, validate_args=False), AbsTransform(), validate_args=validate_args)

    expand = Expand(transformed=True)

    scale = property(lambda self: self.base_dist.scale)
    mean = property(lambda self: ember.full(tuple(self._extended_shape()), math.inf, dtype=self.scale.dtype))
    mode = property(lambda self: ember.zeros_like(self.scale))
    variance = property(lambda self: self.base_dist.variance)
