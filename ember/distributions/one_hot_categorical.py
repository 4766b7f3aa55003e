"""`OneHotCategorical`: a Categorical draw written as a one-hot vector of length K."""
import ember
from . import constraints
from ._shared import Expand, one_hot
from .categorical import Categorical
from .distribution import Distribution


class OneHotCategorical(Distribution):
    """A categorical distribution whose samples are one-hot vectors (event shape (K,))."""
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(constraints.real, 1)}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits)
        shape = self._categorical.param_shape
        super().__init__(shape[:-1], shape[-1:], validate_args=validate_args)

    expand = Expand()

    def _new(self, *args, **kwargs):
        return self._categorical._new(*args, **kwargs)

    _param = property(lambda self: self._categorical._param)
    probs = property(lambda self: self._categorical.probs)
    logits = property(lambda self: self._categorical.logits)
    param_shape = property(lambda self: self._categorical.param_shape)
    mean = property(lambda self: self.probs)
    mode = property(lambda self: one_hot(self.probs.argmax(-1), self.probs.shape[-1], self.probs.dtype))
    variance = property(lambda self: self.probs * (1 - self.probs))

    def sample(self, sample_shape=()):
        index = self._categorical.sample(sample_shape)
        return one_hot(index, self._categorical._num_events, self.probs.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(value.max(-1)[1])

    def entropy(self):
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        n = self.event_shape[0]
        values = ember.eye(n, dtype=self._param.dtype).view((n,) + (1,) * len(self.batch_shape) + (n,))
        return values.expand((n,) + tuple(self.batch_shape) + (n,)) if expand else values


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """OneHotCategorical with straight-through gradients: the sample's gradient is that of `probs`."""
    has_rsample = True

    def rsample(self, sample_shape=()):
        x = self.sample(sample_shape)
        p = self._categorical.probs
        return x + (p - p.detach())  # adds zero, but carries the gradient of probs
