"""`ContinuousBernoulli`: density C(p) p^x (1-p)^(1-x) on [0, 1] (Loaiza-Ganem & Cunningham, 2019).

The normalizer C(p) = 2 atanh(1 - 2p) / (1 - 2p) and the moments are 0/0 at p = 1/2: inside `lims`
around 1/2 they are replaced by their Taylor series in (p - 1/2)."""
import math

import ember
from . import constraints
from ._shared import BinaryParams, Expand, check_probs_or_logits
from .bernoulli import _bce_with_logits
from .exp_family import ExponentialFamily
from .utils import broadcast_all, clamp_probs


class ContinuousBernoulli(BinaryParams, ExponentialFamily):
    """The continuous Bernoulli distribution, given by `probs` or `logits`, not both."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, lims=(0.499, 0.501), validate_args=None):
        check_probs_or_logits(probs, logits)
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
            if validate_args is not None and not bool(self.arg_constraints["probs"].check(self.probs).all()):
                raise ValueError("The parameter probs has invalid values")
            self.probs = clamp_probs(self.probs)
            self._param = self.probs
        else:
            (self.logits,) = broadcast_all(logits)
            self._param = self.logits
        self._lims = lims
        super().__init__(self._param.shape, validate_args=validate_args)

    expand = Expand("probs", "logits")

    def _outside_unstable_region(self):
        """Where p is far enough from 1/2 for the closed forms."""
        return (self.probs <= self._lims[0]) | (self.probs >= self._lims[1])

    def _cut_probs(self):
        """p where the closed forms are used, a harmless constant elsewhere (no NaN gradients)."""
        return ember.where(self._outside_unstable_region(), self.probs, self._lims[0] * ember.ones_like(self.probs))

    def _log_odds_ratio(self, p):
        return ember.log1p(-p) - ember.log(p)  # log((1 - p) / p) = 2 atanh(1 - 2p)

    def _cont_bern_log_norm(self):
        """log C(p) = log|log((1 - p) / p)| - log|1 - 2p|."""
        p = self._cut_probs()
        closed = self._log_odds_ratio(p).abs().log() - (1 - 2 * p).abs().log()
        x = (self.probs - 0.5).pow(2)
        return ember.where(self._outside_unstable_region(), closed, math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x)

    @property
    def mean(self):
        p = self._cut_probs()
        closed = p / (2 * p - 1) + 1 / self._log_odds_ratio(p)
        d = self.probs - 0.5
        return ember.where(self._outside_unstable_region(), closed, 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * d.pow(2)) * d)

    @property
    def variance(self):
        p = self._cut_probs()
        closed = p * (p - 1) / (1 - 2 * p).pow(2) + self._log_odds_ratio(p).pow(-2)
        x = (self.probs - 0.5).pow(2)
        return ember.where(self._outside_unstable_region(), closed, 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x)

    def sample(self, sample_shape=()):
        with ember.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        u = ember.rand(tuple(self._extended_shape(sample_shape)), dtype=self.probs.dtype)
        return self.icdf(u)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -_bce_with_logits(logits, value) + self._cont_bern_log_norm()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        # F(x) = (p^x (1-p)^(1-x) + p - 1) / (2p - 1); F(x) = x at p = 1/2
        p = self._cut_probs()
        closed = (p.pow(value) * (1 - p).pow(1 - value) + p - 1) / (2 * p - 1)
        inside = ember.where(self._outside_unstable_region(), closed, value)
        return ember.where(value <= 0, 0.0, ember.where(value >= 1, 1.0, inside))

    def icdf(self, value):
        p = self._cut_probs()
        closed = (ember.log1p(-p + value * (2 * p - 1)) - ember.log1p(-p)) / (ember.log(p) - ember.log1p(-p))
        return ember.where(self._outside_unstable_region(), closed, value)

    def entropy(self):
        log_q, log_p = ember.log1p(-self.probs), ember.log(self.probs)
        return self.mean * (log_q - log_p) - self._cont_bern_log_norm() - log_q

    @property
    def _natural_params(self):
        return (self.logits,)

    def _log_normalizer(self, x):
        """log((e^x - 1) / x), with its series x/2 + x^2/24 - x^4/2880 near x = 0 (the same `lims`,
        shifted by 1/2, bound the region)."""
        far = (x <= self._lims[0] - 0.5) | (x > self._lims[1] - 0.5)
        cut = ember.where(far, x, (self._lims[0] - 0.5) * ember.ones_like(x))
        closed = (ember.exp(cut) - 1.0).abs().log() - cut.abs().log()
        return ember.where(far, closed, 0.5 * x + x.pow(2) / 24.0 - x.pow(4) / 2880.0)
