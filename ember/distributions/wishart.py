"""`Wishart`: the law of sum_{k=1..df} x_k x_k^T for x_k ~ N(0, Sigma): positive definite matrices.

Samples come from Bartlett's decomposition: Sigma = L L^T, and L A A^T L^T with A lower triangular,
A_ii = sqrt of a Chi2(df - i) draw, A_ij (i > j) standard normal."""
import math
import warnings
from numbers import Number

import ember
from .._tensor import Size
from . import constraints
from ._shared import CholeskyParams, Expand
from .chi2 import Chi2
from .exp_family import ExponentialFamily
from .multivariate_normal import _precision_to_scale_tril
from .utils import _finfo


def _mvdigamma(x, p):
    """The derivative of mvlgamma(x, p): sum_{i<p} digamma(x - i/2)."""
    return ember.digamma(x.unsqueeze(-1) - ember.arange(p, dtype=x.dtype) / 2).sum(-1)


class Wishart(CholeskyParams, ExponentialFamily):
    """The Wishart distribution with `df` degrees of freedom and scale matrix given by exactly one of
    `covariance_matrix`, `precision_matrix` or `scale_tril`."""
    support = constraints.positive_definite
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, df, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        given = {"covariance_matrix": covariance_matrix, "precision_matrix": precision_matrix,
                 "scale_tril": scale_tril}
        given = {k: v for k, v in given.items() if v is not None}
        if len(given) != 1:  # torch raises AssertionError here (ValueError in MultivariateNormal)
            raise AssertionError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
        (name, m), = given.items()
        if m.dim() < 2:
            raise ValueError("scale_tril must be at least two-dimensional, with optional leading batch dimensions")
        if isinstance(df, Number):
            batch_shape = m.shape[:-2]
            self.df = ember.tensor(df, dtype=m.dtype)
        else:
            batch_shape = ember.broadcast_shapes(m.shape[:-2], df.shape)
            self.df = df.expand(tuple(batch_shape))
        event_shape = m.shape[-2:]
        p = event_shape[-1]
        if bool((self.df <= p - 1).any()):
            raise ValueError(f"Value of df={df} expected to be greater than ndim - 1 = {p - 1}.")
        if bool((self.df < p).any()):
            warnings.warn("Low df values detected. Singular samples are highly likely to occur "
                          "for ndim - 1 < df < ndim.")
        setattr(self, name, m.expand(tuple(batch_shape) + (-1, -1)))
        super().__init__(batch_shape, event_shape, validate_args=validate_args)
        self._batch_dims = [-(i + 1) for i in range(len(self._batch_shape))]
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = m
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = ember.linalg.cholesky(m)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(m)
        # Bartlett's diagonal: Chi2(df - i), i = 0..p-1
        steps = ember.arange(p, dtype=m.dtype).expand(tuple(batch_shape) + (-1,))
        self._dist_chi2 = Chi2(self.df.unsqueeze(-1) - steps)

    @property
    def arg_constraints(self):
        return {"covariance_matrix": constraints.positive_definite, "precision_matrix": constraints.positive_definite,
                "scale_tril": constraints.lower_cholesky, "df": constraints.greater_than(self._event_shape[-1] - 1)}

    expand = Expand("df", "covariance_matrix", "precision_matrix", "scale_tril")

    def _full(self, m):
        return m.expand(tuple(self._batch_shape) + tuple(self._event_shape))

    def _df_matrix(self):
        return self.df.view(tuple(self._batch_shape) + (1, 1))

    mean = property(lambda self: self._df_matrix() * self.covariance_matrix)

    @property
    def mode(self):
        factor = self.df - self._event_shape[-1] - 1
        factor = ember.where(factor <= 0, math.nan, factor)  # no mode for df <= p + 1
        return factor.view(tuple(self._batch_shape) + (1, 1)) * self.covariance_matrix

    @property
    def variance(self):
        # Var(W_ij) = df (S_ij^2 + S_ii S_jj)
        S = self.covariance_matrix
        d = S.diagonal(dim1=-2, dim2=-1)
        return self._df_matrix() * (S.pow(2) + d.unsqueeze(-1) * d.unsqueeze(-2))

    def _bartlett_sampling(self, sample_shape):
        p = self._event_shape[-1]
        eps = float(_finfo(self.df.dtype).eps)
        A = ember.diag_embed(self._dist_chi2.rsample(sample_shape).sqrt().clamp(min=eps))
        rows, cols = ember.tril_indices(p, p, offset=-1)
        below = ember.randn(tuple(sample_shape) + tuple(self._batch_shape) + (p * (p - 1) // 2,), dtype=A.dtype)
        A = _fill_below(A, rows, cols, below)
        LA = self._unbroadcasted_scale_tril @ A
        return LA @ LA.transpose(-2, -1)

    def _per_sample(self, ok):
        """Reduce a per-matrix flag over the batch dims: one flag per sample."""
        return ok.amax(self._batch_dims) if self._batch_dims else ok

    def rsample(self, sample_shape=Size(), max_try_correction=None):
        """Bartlett samples, redrawn as torch redraws them (up to `max_try_correction`, default 10, rounds).

        torch's first test flags the samples that *pass* the positive-definite check (it lacks a
        negation), so a valid first draw is always drawn again, once; the redraws are then kept when they
        pass. ember draws in the same order and number, so that one seed gives torch's matrices."""
        tries = 10 if max_try_correction is None else max_try_correction
        sample_shape = tuple(sample_shape)
        x = self._bartlett_sampling(sample_shape)
        redo = self._per_sample(self.support.check(x))
        if not bool(redo.any()):
            return x
        warnings.warn("Singular sample detected.")
        tail = tuple(x.shape[len(sample_shape):])
        flat, redo = x.reshape((-1,) + tail), redo.reshape(-1)
        for _ in range(tries):
            idx = redo.nonzero().reshape(-1)
            new = self._bartlett_sampling((idx.numel(),))
            flat = flat.index_put((idx,), new)
            redo = redo.index_put((idx,), self._per_sample(~self.support.check(new)))
            if not bool(redo.any()):
                break
        else:
            warnings.warn(f"Singular sample detected after {tries} redraws.")
        return flat.reshape(x.shape)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        nu, p = self.df, self._event_shape[-1]
        L = self._unbroadcasted_scale_tril
        half_log_det = L.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        trace = ember.cholesky_solve(value, L).diagonal(dim1=-2, dim2=-1).sum(-1)  # tr(Sigma^{-1} X)
        return (-nu * (p * math.log(2) / 2 + half_log_det) - ember.mvlgamma(nu / 2, p)
                + (nu - p - 1) / 2 * ember.linalg.slogdet(value)[1] - trace / 2)

    def entropy(self):
        nu, p = self.df, self._event_shape[-1]
        half_log_det = self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        return ((p + 1) * (p * math.log(2) / 2 + half_log_det) + ember.mvlgamma(nu / 2, p)
                - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p) + nu * p / 2)

    @property
    def _natural_params(self):
        p = self._event_shape[-1]
        return -self.precision_matrix / 2, (self.df - p - 1) / 2

    def _log_normalizer(self, x, y):
        p = self._event_shape[-1]
        a = y + (p + 1) / 2
        return a * (p * math.log(2) - ember.linalg.slogdet(-2 * x)[1]) + ember.mvlgamma(a, p)


def _fill_below(A, rows, cols, values):
    """A with its entries (rows[k], cols[k]) of the last two dims set to values[..., k]."""
    p = A.shape[-1]
    flat = A.reshape(tuple(A.shape[:-2]) + (p * p,))
    index = (rows * p + cols).expand(tuple(values.shape))
    return flat.scatter(-1, index, values).reshape(tuple(A.shape))
