"""`Multinomial`: category counts of `total_count` independent Categorical draws."""
import math

import ember
from ._shared import Expand
from . import constraints
from .binomial import Binomial
from .categorical import Categorical
from .distribution import Distribution


class Multinomial(Distribution):
    """The multinomial distribution; `total_count` is one int shared by the batch."""
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(constraints.real, 1)}
    total_count: int

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs, logits)
        self._binomial = Binomial(total_count=total_count, probs=self.probs)  # the per-category marginals
        shape = self._categorical.param_shape
        super().__init__(self._categorical.batch_shape, shape[-1:], validate_args=validate_args)

    # torch's expanded Multinomial has no `_binomial` (its entropy raises AttributeError): kept for parity
    expand = Expand(drop=("_binomial",))

    def _new(self, *args, **kwargs):
        return self._categorical._new(*args, **kwargs)

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self):
        return constraints.multinomial(self.total_count)

    probs = property(lambda self: self._categorical.probs)
    logits = property(lambda self: self._categorical.logits)
    param_shape = property(lambda self: self._categorical.param_shape)
    mean = property(lambda self: self.probs * self.total_count)
    variance = property(lambda self: self.total_count * self.probs * (1 - self.probs))

    def sample(self, sample_shape=()):
        # total_count category draws (leading dim), moved last, then counted per category
        draws = self._categorical.sample((self.total_count,) + tuple(sample_shape))
        draws = draws.permute(*range(1, draws.dim()), 0)
        counts = ember.zeros(tuple(self._extended_shape(sample_shape)), dtype=draws.dtype)
        counts = counts.scatter_add(-1, draws, ember.ones_like(draws))
        return counts.to(self.probs.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        # a category with probability 0 drawn 0 times contributes 0 * (-inf) = 0
        logits = ember.where((value == 0) & (self.logits == -math.inf), 0.0, self.logits)
        log_coef = ember.lgamma(value.sum(-1) + 1) - ember.lgamma(value + 1).sum(-1)
        return log_coef + (logits * value).sum(-1)

    def entropy(self):
        # H = -log n! - n sum_i p_i log p_i + sum_i E[log X_i!], X_i ~ Binomial(n, p_i)
        n = ember.tensor(self.total_count)
        x = self._binomial.enumerate_support(expand=False)[1:]
        pmf = self._binomial.log_prob(x).exp()
        expected_log_fact = (pmf * ember.lgamma(x + 1)).sum([0, -1])
        return n * self._categorical.entropy() - ember.lgamma(n + 1) + expected_log_fact
