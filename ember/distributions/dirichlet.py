"""`Dirichlet`: a distribution over the probability simplex, density prod x_i^(a_i - 1) / B(a)."""
import ember
from . import constraints
from ._samplers import _dirichlet_grad, _sample_dirichlet
from ._shared import Expand
from ..autograd.function import Function, once_differentiable
from .exp_family import ExponentialFamily


class _Dirichlet(Function):
    """A Dirichlet sample with its implicit reparameterization gradient."""

    @staticmethod
    def forward(ctx, concentration):
        x = _sample_dirichlet(concentration)
        ctx.save_for_backward(x, concentration)
        return x

    @staticmethod
    @once_differentiable
    def backward(ctx, gy):
        x, a = ctx.saved_tensors
        # dx_i/da_j: the marginal Beta(a_i, total - a_i) gradient, then the change that keeps sum(x) = 1
        g = _dirichlet_grad(x, a, a.sum(-1, True).expand_as(a))
        return g * (gy - (x * gy).sum(-1, True))


def _lbeta(a):
    """log of the multivariate Beta function over the last dim."""
    return ember.lgamma(a).sum(-1) - ember.lgamma(a.sum(-1))


class Dirichlet(ExponentialFamily):
    """The Dirichlet distribution with `concentration` (last dim: the categories)."""
    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args)

    expand = Expand("concentration")

    def rsample(self, sample_shape=()):
        return _Dirichlet.apply(self.concentration.expand(tuple(self._extended_shape(sample_shape))))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        a = self.concentration
        return ember.xlogy(a - 1, value).sum(-1) - _lbeta(a)

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        am1 = (self.concentration - 1).clamp(min=0)
        mode = am1 / am1.sum(-1, True)
        # when every a_i < 1 the density peaks at the corners: torch picks the first vertex
        corner = (self.concentration < 1).all(-1, keepdim=True)
        first = (ember.arange(mode.shape[-1]) == 0).to(mode.dtype)
        return ember.where(corner, first, mode)

    @property
    def variance(self):
        a = self.concentration
        a0 = a.sum(-1, True)
        return a * (a0 - a) / (a0.pow(2) * (a0 + 1))

    def entropy(self):
        a = self.concentration
        k, a0 = a.shape[-1], a.sum(-1)
        return _lbeta(a) + (a0 - k) * ember.digamma(a0) - ((a - 1) * ember.digamma(a)).sum(-1)

    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, x):
        return _lbeta(x)
