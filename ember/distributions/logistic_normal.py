"""`LogisticNormal`: a normal vector mapped onto the simplex by stick breaking."""
from . import constraints
from ._shared import Expand
from .independent import Independent
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import StickBreakingTransform


class LogisticNormal(TransformedDistribution):
    """StickBreakingTransform of an n-dim Normal(loc, scale): a distribution on the (n+1)-simplex."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        normal = Normal(loc, scale, validate_args=validate_args)
        if not normal.batch_shape:  # a scalar normal is a 1-vector
            normal = normal.expand([1])
        super().__init__(Independent(normal, 1), StickBreakingTransform(), validate_args=validate_args)

    expand = Expand(transformed=True)

    loc = property(lambda self: self.base_dist.base_dist.loc)
    scale = property(lambda self: self.base_dist.base_dist.scale)
