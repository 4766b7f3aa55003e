"""`MultivariateNormal`: the Gaussian N(loc, Sigma) over vectors, kept as Sigma's Cholesky factor L."""
import math

import ember
from .._tensor import Size
from . import constraints
from ._shared import CholeskyParams, Expand
from .distribution import Distribution
from .utils import _standard_normal


def _batch_mv(m, v):
    """Matrix-vector products over broadcast batch dims."""
    return ember.matmul(m, v.unsqueeze(-1)).squeeze(-1)


def _batch_mahalanobis(L, x):
    """x^T (L L^T)^{-1} x: the squared norm of L^{-1} x (a triangular solve, no inverse)."""
    y = ember.linalg.solve_triangular(L, x.unsqueeze(-1), upper=False).squeeze(-1)
    return y.pow(2).sum(-1)


def _precision_to_scale_tril(P):
    """The lower Cholesky factor of P^{-1}, without inverting P.

    With J the order-reversing permutation, J P J = C C^T (Cholesky), so P = U U^T for the upper
    triangular U = J C J, and P^{-1} = U^{-T} U^{-1}: L = U^{-T} is lower triangular, found by a solve."""
    C = ember.linalg.cholesky(ember.flip(P, (-2, -1)))
    U_t = ember.flip(C, (-2, -1)).transpose(-2, -1)  # U^T: lower triangular
    eye = ember.eye(P.shape[-1], dtype=P.dtype)
    return ember.linalg.solve_triangular(U_t, eye, upper=False)


def _half_log_det(L):
    """log sqrt(det(L L^T)) = sum of log diag(L)."""
    return L.diagonal(dim1=-2, dim2=-1).log().sum(-1)


class MultivariateNormal(CholeskyParams, Distribution):
    """A multivariate normal, given by exactly one of `covariance_matrix`, `precision_matrix` or
    `scale_tril` (the lower Cholesky factor of the covariance)."""
    arg_constraints = {"loc": constraints.real_vector, "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite, "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = {"covariance_matrix": covariance_matrix, "precision_matrix": precision_matrix,
                 "scale_tril": scale_tril}
        given = {k: v for k, v in given.items() if v is not None}
        if len(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
        (name, m), = given.items()
        if m.dim() < 2:
            raise ValueError(f"{name} {'matrix ' if name == 'scale_tril' else ''}must be at least two-dimensional, "
                             "with optional leading batch dimensions")
        batch_shape = ember.broadcast_shapes(m.shape[:-2], loc.shape[:-1])
        setattr(self, name, m.expand(tuple(batch_shape) + (-1, -1)))
        self.loc = loc.expand(tuple(batch_shape) + (-1,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = m
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = ember.linalg.cholesky(m)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(m)

    expand = Expand("loc", "covariance_matrix", "precision_matrix", "scale_tril")

    def _full(self, m):
        return m.expand(tuple(self._batch_shape) + tuple(self._event_shape) * 2)

    mean = property(lambda self: self.loc)
    mode = property(lambda self: self.loc)

    @property
    def variance(self):
        # diag(L L^T) = row sums of L^2
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(tuple(self._batch_shape) + tuple(self._event_shape))

    def rsample(self, sample_shape=Size()):
        eps = _standard_normal(self._extended_shape(sample_shape), self.loc.dtype)
        return self.loc + _batch_mv(self._unbroadcasted_scale_tril, eps)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        L = self._unbroadcasted_scale_tril
        n = self._event_shape[0]
        return -0.5 * (n * math.log(2 * math.pi) + _batch_mahalanobis(L, value - self.loc)) - _half_log_det(L)

    def entropy(self):
        n = self._event_shape[0]
        h = 0.5 * n * (1.0 + math.log(2 * math.pi)) + _half_log_det(self._unbroadcasted_scale_tril)
        return h.expand(tuple(self._batch_shape)) if len(self._batch_shape) else h
