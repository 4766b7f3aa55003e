"""Cholesky factorization and triangular solves for the multivariate distributions.

ember.linalg's versions are used when it has them; until then these minimal ones (batched, with
gradients written with ember ops, so they differentiate twice) stand in.
"""
import numpy as np

import ember
from ..autograd.function import Op


class _Cholesky(Op):
    save, saves_output = False, True

    def forward(self, a):
        try:
            return np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise RuntimeError("linalg.cholesky: The factorization could not be completed because the "
                               "input is not positive-definite.") from None

    def backward(self, gl):
        # dL = L Phi(L^-1 dA L^-T) (Phi: lower triangle, half diagonal), so with P = Phi(L^T gL):
        # gA = L^-T P L^-1, symmetrized (Murray 2016, arXiv:1602.07527).
        el = self.out()
        p = el.mT @ gl
        p = p.tril() - 0.5 * ember.diag_embed(p.diagonal(dim1=-2, dim2=-1))
        s = _solve_triangular(el.mT, _solve_triangular(el.mT, p.mT, upper=True).mT, upper=True)
        return 0.5 * (s + s.mT)


class _SolveTriangular(Op):
    save, saves_output = True, True

    def forward(self, a, b, upper):
        a = np.triu(a) if upper else np.tril(a)
        return np.linalg.solve(a, b) if b.ndim >= 2 else np.linalg.solve(a, b[..., None])[..., 0]

    def backward(self, gx):
        a, b, upper = self.inputs
        x = self.out()
        gb = _solve_triangular(a.mT, gx, upper=not upper)
        ga = -(gb @ x.mT)
        ga = ga.triu() if upper else ga.tril()
        return ga, gb, None


def _solve_triangular(a, b, upper):
    return _SolveTriangular.apply(a, b, upper)


def cholesky(a):
    """The lower Cholesky factor (torch.linalg.cholesky)."""
    fn = getattr(ember.linalg, "cholesky", None)
    return fn(a) if fn is not None else _Cholesky.apply(a)


def solve_triangular(a, b, *, upper, left=True):
    """Solve a X = b for triangular a (torch.linalg.solve_triangular, left=True)."""
    fn = getattr(ember.linalg, "solve_triangular", None)
    if fn is not None:
        return fn(a, b, upper=upper, left=left)
    if not left:
        return _solve_triangular(a.mT, b.mT, not upper).mT
    shape = ember.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = a.expand(tuple(shape) + tuple(a.shape[-2:]))
    b = b.expand(tuple(shape) + tuple(b.shape[-2:]))
    return _solve_triangular(a, b, upper)


def cholesky_inverse(el):
    """(L L^T)^-1 from the lower factor L (torch.cholesky_inverse)."""
    eye = ember.eye(el.shape[-1], dtype=el.dtype).expand(tuple(el.shape))
    linv = solve_triangular(el, eye, upper=False)
    return linv.mT @ linv


def cholesky_solve(b, el, upper=False):
    """Solve (L L^T) X = b from the lower factor L (torch.cholesky_solve)."""
    if upper:
        el = el.mT
    y = solve_triangular(el, b, upper=False)
    return solve_triangular(el.mT, y, upper=True)


def cholesky_ex(a):
    """torch.linalg.cholesky_ex: (L, info), info > 0 where the factorization failed."""
    import numpy as np
    data = a._data
    flat = data.reshape((-1,) + data.shape[-2:])
    info = np.zeros(flat.shape[0], np.int32)
    out = np.zeros_like(flat)
    for i, m in enumerate(flat):
        try:
            out[i] = np.linalg.cholesky(m)
        except np.linalg.LinAlgError:
            info[i] = 1
    return ember.tensor(out.reshape(data.shape)), ember.tensor(info.reshape(data.shape[:-2]))
