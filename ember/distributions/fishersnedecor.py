"""`FisherSnedecor`: the F-distribution, (V1 / df1) / (V2 / df2) for independent chi-squared V1, V2."""
import math

import ember
from . import constraints
from ._shared import Expand
from .distribution import Distribution
from .gamma import Gamma
from .utils import _finfo, broadcast_all


class FisherSnedecor(Distribution):
    """Fisher-Snedecor's F-distribution with `df1` and `df2` degrees of freedom."""
    arg_constraints = {"df1": constraints.positive, "df2": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, df1, df2, validate_args=None):
        self.df1, self.df2 = broadcast_all(df1, df2)
        # Gamma(df / 2, rate=df) is V / (2 df): the factors of 2 cancel in the ratio
        self._gamma1, self._gamma2 = Gamma(0.5 * self.df1, self.df1), Gamma(0.5 * self.df2, self.df2)
        super().__init__(self.df1.shape, validate_args=validate_args)

    expand = Expand("df1", "df2")

    @property
    def mean(self):
        d2 = self.df2
        return ember.where(d2 > 2, d2 / (d2 - 2), math.nan)

    @property
    def mode(self):
        d1, d2 = self.df1, self.df2
        return ember.where(d1 > 2, (d1 - 2) / d1 * d2 / (d2 + 2), math.nan)

    @property
    def variance(self):
        d1, d2 = self.df1, self.df2
        v = 2 * d2.pow(2) * (d1 + d2 - 2) / (d1 * (d2 - 2).pow(2) * (d2 - 4))
        return ember.where(d2 > 4, v, math.nan)

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        x1 = self._gamma1.rsample(sample_shape).view(shape)
        x2 = self._gamma2.rsample(sample_shape).view(shape)
        tiny = float(_finfo(x2.dtype).tiny)
        x2.detach().clamp_(min=tiny)  # values only, as in Gamma.rsample
        y = x1 / x2
        y.detach().clamp_(min=tiny)
        return y

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        h1, h2 = 0.5 * self.df1, 0.5 * self.df2
        r = self.df1 / self.df2
        log_norm = ember.lgamma(h1 + h2) - ember.lgamma(h1) - ember.lgamma(h2)
        return log_norm + h1 * r.log() + (h1 - 1) * ember.log(value) - (h1 + h2) * ember.log1p(r * value)
