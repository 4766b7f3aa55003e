"""`Geometric`: the number of failures before the first success of independent Bernoulli(probs) trials."""
import ember
from . import constraints
from ._shared import BinaryParams, check_probs_or_logits, Expand
from .bernoulli import _bce_with_logits
from .distribution import Distribution
from .utils import _finfo, broadcast_all


class Geometric(BinaryParams, Distribution):
    """P(X = k) = (1 - p)^k p, k = 0, 1, ...; given by `probs` or `logits`, not both."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        check_probs_or_logits(probs, logits)
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
        else:
            (self.logits,) = broadcast_all(logits)
        param = self.probs if probs is not None else self.logits
        super().__init__(param.shape, validate_args=validate_args)
        if self._validate_args and probs is not None and not bool((self.probs > 0).all()):
            # p = 0 never succeeds: unit_interval allows it, the distribution does not
            raise ValueError(f"Expected parameter probs ({type(self.probs).__name__} of shape "
                             f"{tuple(self.probs.shape)}) of distribution {self!r} to be positive but "
                             f"found invalid values:\n{self.probs}")

    expand = Expand("probs", "logits")

    mean = property(lambda self: self.probs.reciprocal() - 1)
    mode = property(lambda self: ember.zeros_like(self.probs))
    variance = property(lambda self: (self.probs.reciprocal() - 1) / self.probs)

    def sample(self, sample_shape=()):
        # inversion: floor(log U / log(1 - p)); U >= tiny keeps log U finite
        tiny = float(_finfo(self.probs.dtype).tiny)
        with ember.no_grad():
            u = ember.rand(tuple(self._extended_shape(sample_shape)), dtype=self.probs.dtype).clamp(min=tiny)
            return (u.log() / ember.log1p(-self.probs)).floor()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        # p = 1 at k = 0: the term 0 * log(0) is 0
        probs = ember.where((probs == 1) & (value == 0), 0.0, probs)
        return value * ember.log1p(-probs) + self.probs.log()

    def entropy(self):
        return _bce_with_logits(self.logits, self.probs) / self.probs
