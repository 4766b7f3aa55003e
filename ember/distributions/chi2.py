"""`Chi2`: the sum of `df` squared standard normals, Gamma(df / 2, 1 / 2)."""
from ._shared import Expand
from . import constraints
from .gamma import Gamma


class Chi2(Gamma):
    """The chi-squared distribution with `df` degrees of freedom."""
    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None):
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    expand = Expand("concentration", "rate")

    df = property(lambda self: self.concentration * 2)
