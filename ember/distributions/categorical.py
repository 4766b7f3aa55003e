"""`Categorical`: one draw from K categories, P(X = k) = probs[..., k]."""
import math

import ember
from . import constraints
from ._shared import CategoricalParams, check_probs_or_logits, Expand
from .distribution import Distribution
from .utils import _finfo


class Categorical(CategoricalParams, Distribution):
    """A distribution over {0, ..., K-1}, given by `probs` (normalized for you) or `logits`, not both."""
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(constraints.real, 1)}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        check_probs_or_logits(probs, logits)
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)  # normalized log-probabilities
        self._param = self.probs if probs is not None else self.logits
        self._num_events = self._param.shape[-1]
        batch_shape = self._param.shape[:-1] if self._param.dim() > 1 else ()
        super().__init__(batch_shape, validate_args=validate_args)

    expand = Expand("probs", "logits")

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    def _nan(self):
        return ember.full(tuple(self._extended_shape()), math.nan, dtype=self.probs.dtype)

    mean = property(lambda self: self._nan())
    mode = property(lambda self: self.probs.argmax(-1))
    variance = property(lambda self: self._nan())

    def sample(self, sample_shape=()):
        n = math.prod(sample_shape)
        # one multinomial draw (with replacement) of n samples per row, as torch draws them
        rows = self.probs.reshape(-1, self._num_events)
        with ember.no_grad():
            idx = ember.multinomial(rows, n, True).T
        return idx.reshape(tuple(self._extended_shape(sample_shape)))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = ember.broadcast_tensors(value, self.logits)
        return log_pmf.gather(-1, value[..., :1]).squeeze(-1)

    def entropy(self):
        # -inf logits (zero probabilities) become the dtype's lowest number: p log p = 0 there, not nan
        logits = self.logits.clamp(min=float(_finfo(self.logits.dtype).min))
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        values = ember.arange(self._num_events, dtype=ember.int64).view((-1,) + (1,) * len(self.batch_shape))
        return values.expand((-1,) + tuple(self.batch_shape)) if expand else values
