"""`StudentT`: loc + scale * Z / sqrt(V / df), Z standard normal and V ~ Chi2(df)."""
import math

import ember
from . import constraints
from ._shared import Expand
from .chi2 import Chi2
from .distribution import Distribution
from .utils import _standard_normal, broadcast_all


class StudentT(Distribution):
    """Student's t-distribution with `df` degrees of freedom, location `loc` and scale `scale`."""
    arg_constraints = {"df": constraints.positive, "loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        super().__init__(self.df.shape, validate_args=validate_args)

    expand = Expand("df", "loc", "scale")

    @property
    def mean(self):
        return ember.where(self.df > 1, self.loc, math.nan)  # no mean for df <= 1

    mode = property(lambda self: self.loc)

    @property
    def variance(self):
        df = self.df
        finite = self.scale.pow(2) * df / (df - 2)
        return ember.where(df > 2, finite, ember.where(df > 1, math.inf, math.nan))

    def rsample(self, sample_shape=()):
        z = _standard_normal(self._extended_shape(sample_shape), self.df.dtype)
        v = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * z * ember.rsqrt(v / self.df)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        df = self.df
        y = (value - self.loc) / self.scale
        log_norm = (self.scale.log() + 0.5 * df.log() + 0.5 * math.log(math.pi)
                    + ember.lgamma(0.5 * df) - ember.lgamma(0.5 * (df + 1)))
        return -0.5 * (df + 1) * ember.log1p(y * y / df) - log_norm

    def entropy(self):
        df = self.df
        lbeta = ember.lgamma(0.5 * df) + math.lgamma(0.5) - ember.lgamma(0.5 * (df + 1))
        return (self.scale.log() + 0.5 * (df + 1) * (ember.digamma(0.5 * (df + 1)) - ember.digamma(0.5 * df))
                + 0.5 * df.log() + lbeta)
