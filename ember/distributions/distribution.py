"""`Distribution`: the base class every distribution derives from: shapes, validation and the interface."""
import warnings

import ember
from .._tensor import Size, Tensor
from . import constraints
from .utils import lazy_property


class Distribution:
    """A batch of probability distributions (torch.distributions.Distribution).

    A draw of ``sample_shape`` has shape ``sample_shape + batch_shape + event_shape``: ``batch_shape`` counts
    independent distributions, ``event_shape`` is the shape of one outcome of one of them.
    """
    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__  # on unless Python runs with -O, as in torch

    @staticmethod
    def set_default_validate_args(value):
        """Switch argument and sample validation on or off for every distribution built afterwards."""
        if value not in (True, False):
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=Size(), event_shape=Size(), validate_args=None):
        self._batch_shape, self._event_shape = Size(batch_shape), Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            self._check_parameters()

    def _check_parameters(self):
        try:
            checks = self.arg_constraints
        except NotImplementedError:
            checks = {}
            warnings.warn(f"{self.__class__} does not define `arg_constraints`. Please set `arg_constraints = {{}}` "
                          "or initialize the distribution with `validate_args=False` to turn off validation.")
        for name, constraint in checks.items():
            if constraints.is_dependent(constraint):
                continue
            # a parameter given the other way (probs for logits) is a lazy property not computed yet: skip it
            if name not in self.__dict__ and isinstance(getattr(type(self), name, None), lazy_property):
                continue
            value = getattr(self, name)
            if not constraint.check(value).all():
                raise ValueError(f"Expected parameter {name} ({type(value).__name__} of shape {tuple(value.shape)}) "
                                 f"of distribution {self!r} to satisfy the constraint {constraint!r}, "
                                 f"but found invalid values:\n{value}")

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    # what each distribution supplies
    @property
    def arg_constraints(self):
        """Parameter name -> the constraint its values satisfy."""
        raise NotImplementedError

    @property
    def support(self):
        """The constraint every outcome satisfies."""
        raise NotImplementedError

    @property
    def mean(self):
        raise NotImplementedError

    @property
    def mode(self):
        raise NotImplementedError(f"{self.__class__} does not implement mode")

    @property
    def variance(self):
        raise NotImplementedError

    @property
    def stddev(self):
        return self.variance.sqrt()

    def expand(self, batch_shape, _instance=None):
        """The same distribution repeated over a larger ``batch_shape`` (parameters are views, not copies)."""
        raise NotImplementedError

    def rsample(self, sample_shape=Size()):
        """A reparameterized draw: gradients flow back to the parameters."""
        raise NotImplementedError

    def sample(self, sample_shape=Size()):
        """A draw with no gradient."""
        with ember.no_grad():
            return self.rsample(sample_shape)

    def sample_n(self, n):
        warnings.warn("`sample_n(n)` will be deprecated. Use `sample((n,))` instead.", FutureWarning)
        return self.sample(Size((n,)))

    def log_prob(self, value):
        raise NotImplementedError

    def cdf(self, value):
        raise NotImplementedError

    def icdf(self, value):
        raise NotImplementedError

    def enumerate_support(self, expand=True):
        """Every value of a discrete support along dimension 0, expanded over the batch when `expand`."""
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    def perplexity(self):
        return ember.exp(self.entropy())

    # helpers for subclasses
    def _extended_shape(self, sample_shape=Size()):
        """sample_shape + batch_shape + event_shape."""
        if not isinstance(sample_shape, Size):
            sample_shape = Size(sample_shape)
        return Size(tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape))

    def _validate_sample(self, value):
        """Raise ValueError unless `value` is a tensor whose shape fits and whose entries lie in the support."""
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event = tuple(self._event_shape)
        if tuple(value.shape[value.dim() - len(event):]) != event:
            raise ValueError("The right-most size of value must match event_shape: "
                             f"{value.size()} vs {self._event_shape}.")
        expected = self._extended_shape()
        for a, b in zip(reversed(tuple(value.shape)), reversed(tuple(expected))):
            if a != 1 and b != 1 and a != b:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: {value.size()} vs "
                                 f"{expected}.")
        try:
            support = self.support
        except NotImplementedError:
            warnings.warn(f"{self.__class__} does not define `support` to enable sample validation. Please "
                          "initialize the distribution with `validate_args=False` to turn off validation.")
            return
        if not support.check(value).all():
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) to be "
                             f"within the support ({support!r}) of the distribution {self!r}, "
                             f"but found invalid values:\n{value}")

    def _finish_expand(self, new, batch_shape, event_shape):
        """Give an expanded copy its shapes and this distribution's validation setting, without re-validating."""
        Distribution.__init__(new, batch_shape, event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _get_checked_instance(self, cls, _instance=None):
        """A bare instance for `expand` to fill; a subclass with its own __init__ must write its own expand."""
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(f"Subclass {self.__class__.__name__} of {cls.__name__} that defines a custom "
                                      "__init__ method must also define a custom .expand() method.")
        return self.__new__(type(self)) if _instance is None else _instance

    def __repr__(self):
        try:
            names = [k for k in self.arg_constraints if k in self.__dict__]
        except NotImplementedError:
            names = []
        shown = [f"{k}: {v.item() if v.numel() == 1 else v.size()}" for k, v in
                 ((k, self.__dict__[k]) for k in names)]
        return f"{type(self).__name__}({', '.join(shown)})"
