"""torch's older top-level linear algebra (torch.qr, torch.triangular_solve, torch.cholesky_solve,
torch.lu_solve, torch.geqrf/orgqr/ormqr): composites over ``ember.linalg``, which holds the maths
and the gradients."""
from collections import namedtuple

import numpy as np

from .._tensor import _wrap

qr_t = namedtuple("qr", ["Q", "R"])
triangular_solve_t = namedtuple("triangular_solve", ["solution", "cloned_coefficient"])
geqrf_t = namedtuple("geqrf", ["a", "tau"])


def _linalg():
    from .. import linalg
    return linalg


def qr(input, some=True):
    q, r = _linalg().qr(input, "reduced" if some else "complete")
    return qr_t(q, r)


def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False):
    """Solves ``A X = input`` (``A^T X = input`` with transpose) for a triangular A."""
    a = A.mT if transpose else A
    x = _linalg().solve_triangular(a, input, upper=upper != transpose, unitriangular=unitriangular)
    return triangular_solve_t(x, A.clone())


def cholesky_solve(input, input2, upper=False):
    """Solves ``A X = input`` given A's Cholesky factor `input2` (lower L, or upper U)."""
    la = _linalg()
    low = input2.mT.conj() if upper else input2
    y = la.solve_triangular(low, input, upper=False)
    return la.solve_triangular(low.mT.conj(), y, upper=True)


def cholesky_inverse(input, upper=False):
    """The inverse of ``A`` from its Cholesky factor."""
    from .creation import eye
    n = input.shape[-1]
    return cholesky_solve(eye(n, dtype=input.dtype).expand(*input.shape), input, upper)


def lu_solve(b, LU_data, LU_pivots):
    return _linalg().lu_solve(LU_data, LU_pivots, b)


def geqrf(input):
    """QR as LAPACK keeps it: R above the diagonal, Householder vectors below, and their scales."""
    a = input._data
    if a.ndim != 2:  # batches: one at a time
        outs = [geqrf(input[i]) for i in range(a.shape[0])] if a.ndim > 2 else None
        from .shape import stack
        return geqrf_t(stack([o[0] for o in outs]), stack([o[1] for o in outs]))
    h, tau = np.linalg.qr(a, mode="raw")  # NumPy's raw mode is LAPACK's geqrf (h in Fortran order)
    return geqrf_t(_wrap(np.ascontiguousarray(h.T).astype(a.dtype)), _wrap(tau.astype(a.dtype)))


def orgqr(input, tau):
    return _linalg().householder_product(input, tau)


def ormqr(input, tau, other, left=True, transpose=False):
    """``Q @ other`` (or ``other @ Q``, with Q^H when transpose) for the full Q of geqrf's reflectors."""
    from .shape import cat
    from .creation import zeros
    m, n = input.shape[-2], input.shape[-1]
    if n < m:  # the full m x m Q: the reflectors padded with zero columns (tau 0: identity reflectors)
        input = cat([input, zeros(*input.shape[:-1], m - n, dtype=input.dtype)], -1)
        tau = cat([tau, zeros(*tau.shape[:-1], m - tau.shape[-1], dtype=tau.dtype)], -1)
    q = _linalg().householder_product(input[..., :m, :m], tau[..., :m])
    if transpose:
        q = q.mT.conj()
    return q @ other if left else other @ q


def nuclear_norm(input, dim=None, keepdim=False):
    return _linalg().matrix_norm(input, "nuc", dim if dim is not None else (-2, -1), keepdim)


def frobenius_norm(input, dim=None, keepdim=False):
    return _linalg().matrix_norm(input, "fro", dim if dim is not None else (-2, -1), keepdim)


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    from ..func import vmap as _vmap
    return _vmap(func, in_dims, out_dims, randomness, chunk_size=chunk_size)
