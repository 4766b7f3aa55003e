"""`GeneralizedPareto`: the law of threshold excesses, F(x) = 1 - (1 + xi z)^(-1/xi), z = (x - loc) / scale."""
import math

import ember
from . import constraints
from ._shared import Expand
from .distribution import Distribution
from .utils import broadcast_all


_ATEN_NAMES = {ember.float64: "Double", ember.float32: "Float", ember.float16: "Half", ember.bfloat16: "BFloat16"}


class GeneralizedPareto(Distribution):
    """The generalized Pareto distribution with location `loc`, `scale` and shape `concentration` (xi);
    xi = 0 is the exponential, xi < 0 has the bounded support [loc, loc - scale / xi]."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive, "concentration": constraints.real}
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args=None):
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        super().__init__(self.loc.shape, validate_args=validate_args)

    expand = Expand("loc", "scale", "concentration")

    def _xi(self):
        """(xi == 0, xi with the zeros replaced by 1): the xi = 0 limit gets its own formula, and the
        other branch stays finite there (where() would pass on NaN gradients otherwise)."""
        zero = ember.isclose(self.concentration, ember.zeros_like(self.concentration))
        return zero, ember.where(zero, 1.0, self.concentration)

    def _z(self, x):
        # torch's GeneralizedPareto.log_prob and .cdf fail unless the parameters have the default dtype
        # (an internal constant takes that dtype); ember raises the same error so both agree
        dt, default = self.loc.dtype, ember.get_default_dtype()
        if dt != default:
            raise RuntimeError(f"{_ATEN_NAMES.get(dt, dt)} did not match {_ATEN_NAMES.get(default, default)}")
        return (x - self.loc) / self.scale

    def rsample(self, sample_shape=()):
        u = ember.rand(tuple(self._extended_shape(sample_shape)), dtype=self.loc.dtype)
        return self.icdf(u)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = self._z(value)
        zero, xi = self._xi()
        # -(1 + 1/xi) log(1 + xi z); written so that 1 + 1/xi = 0 (xi = -1) gives 0, not 0 * inf
        k = 1 / xi + 1
        tail = ember.where(k == 0, k, k * ember.log1p(xi * z))
        return -self.scale.log() - ember.where(zero, z, tail)

    def log_survival_function(self, value):
        """log P(X > value) = -log(1 + xi z) / xi (-z when xi = 0)."""
        if self._validate_args:
            self._validate_sample(value)
        z = self._z(value)
        zero, xi = self._xi()
        return ember.where(zero, -z, -ember.log1p(xi * z) / xi)

    def log_cdf(self, value):
        """log P(X <= value); NaN below loc, where the survival function exceeds 1."""
        return ember.log1p(-ember.exp(self.log_survival_function(value)))

    def cdf(self, value):
        return ember.exp(self.log_cdf(value))

    def icdf(self, value):
        zero, xi = self._xi()
        log_q = ember.log1p(-value)
        z = ember.where(zero, -log_q, ember.expm1(-xi * log_q) / xi)
        return self.loc + self.scale * z

    @property
    def mean(self):
        finite = self.concentration < 1
        xi = ember.where(finite, self.concentration, 0.0)  # keeps the unused branch (and its gradient) finite
        return ember.where(finite, self.loc + self.scale / (1 - xi), math.nan)

    @property
    def variance(self):
        finite = self.concentration < 0.5
        xi = ember.where(finite, self.concentration, 0.0)
        return ember.where(finite, self.scale.pow(2) / ((1 - xi).pow(2) * (1 - 2 * xi)), math.nan)

    mode = property(lambda self: self.loc)

    def entropy(self):
        return self.scale.log() + self.concentration + 1

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        upper = ember.where(self.concentration < 0, self.loc - self.scale / self.concentration, math.inf)
        return constraints.interval(self.loc, upper)
