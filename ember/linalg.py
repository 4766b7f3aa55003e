"""ember.linalg: torch.linalg. The products, inverse, det, solve and norms live in ops/linalg.py;
the decompositions are here, each a Function whose forward calls NumPy's LAPACK and whose
backward (torch's formula, written with ember ops so that it is differentiable again) sits
right below it. Everything else is a composite of those."""
import math
from collections import namedtuple

import numpy as np

from ._tensor import Tensor, _wrap
from .autograd.function import Function
from .ops.linalg import (LinAlgError, inv, det, solve, matrix_norm, vector_norm,  # noqa: F401
                         matmul, tensordot, _square, _floating, _singular_error, _name)
from .ops.linalg import linalg_norm as norm, linalg_cross as cross  # noqa: F401
from .ops.shape import diagonal as _diagonal, transpose, unsqueeze, reshape, movedim, cat, diag_embed, tril, triu
from .ops import pointwise as P
from .ops.creation import zeros, eye, ones_like
from .ops.reduction import amax, cumprod

# torch.return_types.linalg_*: named tuples with torch's field names
_svd_t = namedtuple("linalg_svd", ["U", "S", "Vh"])
_eigh_t = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
_eig_t = namedtuple("linalg_eig", ["eigenvalues", "eigenvectors"])
_qr_t = namedtuple("linalg_qr", ["Q", "R"])
_chol_ex_t = namedtuple("linalg_cholesky_ex", ["L", "info"])
_inv_ex_t = namedtuple("linalg_inv_ex", ["inverse", "info"])
_solve_ex_t = namedtuple("linalg_solve_ex", ["result", "info"])
_slogdet_t = namedtuple("linalg_slogdet", ["sign", "logabsdet"])
_lstsq_t = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
_lu_t = namedtuple("linalg_lu", ["P", "L", "U"])
_lu_factor_t = namedtuple("linalg_lu_factor", ["LU", "pivots"])
_lu_factor_ex_t = namedtuple("linalg_lu_factor_ex", ["LU", "pivots", "info"])
_ldl_t = namedtuple("linalg_ldl_factor", ["LD", "pivots"])
_ldl_ex_t = namedtuple("linalg_ldl_factor_ex", ["LD", "pivots", "info"])


def _mH(x):
    return P.conj(transpose(x, -1, -2))


def _real_grad(g, A):
    """A real input's gradient is the real part of the complex one (torch's handle_r_to_c)."""
    return P.real(g) if g is not None and A._data.dtype.kind != "c" and g._data.dtype.kind == "c" else g


def _at_least_2d(A, name):
    if A._data.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")
    _floating(A, name)


# ---------------------------------------------------------------- SVD
class SVD(Function):
    @staticmethod
    def forward(ctx, A, full_matrices):
        u, s, vh = np.linalg.svd(A._data, full_matrices=full_matrices)
        ctx.set_materialize_grads(False)  # an unused U or Vh must stay "no gradient" (see backward)
        ctx.full = full_matrices
        U, S, Vh = _wrap(u), _wrap(s), _wrap(vh)
        ctx.save_for_backward(U, S, Vh)
        return U, S, Vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        U, S, Vh = ctx.saved_tensors
        if ctx.full:  # only the first k columns of U (rows of Vh) depend on A
            k = S.shape[-1]
            U, Vh = U[..., :k], Vh[..., :k, :]
            gU = None if gU is None else gU[..., :k]
            gVh = None if gVh is None else gVh[..., :k, :]
        return _svd_backward(gU, gS, gVh, U, S, Vh), None


def _svd_backward(gU, gS, gVh, U, S, Vh):
    """torch's svd_backward (reduced U, S, Vh)."""
    m, n = U.shape[-2], Vh.shape[-1]
    if gU is None and gVh is None:  # svdvals: U diag(gS) Vh, no division by gaps
        return None if gS is None else matmul(U * unsqueeze(gS, -2), Vh)
    skew = lambda X: X - _mH(X)  # noqa: E731
    UhgU = skew(matmul(_mH(U), gU)) if gU is not None else None
    VhgV = skew(matmul(Vh, _mH(gVh))) if gVh is not None else None
    if U._data.dtype.kind == "c":
        # a loss that depends on the phase of the singular vectors has no gradient
        im_u = np.imag(np.diagonal(UhgU._data, 0, -2, -1)) if UhgU is not None else 0
        im_v = np.imag(np.diagonal(VhgV._data, 0, -2, -1)) if VhgV is not None else 0
        if not np.allclose(im_u, -im_v, rtol=1e-2, atol=1e-2):
            raise RuntimeError("svd_backward: The singular vectors in the complex case are specified up to "
                               "multiplication by e^{i phi}. The specified loss function depends on this phase "
                               "term, making it ill-defined.")
    # E_ij = s_j^2 - s_i^2 (1 on the diagonal, which the skew numerators leave at 0):
    # repeated singular values divide by 0, giving inf/nan as torch does
    S2 = S * S
    k = S.shape[-1]
    E = unsqueeze(S2, -2) - unsqueeze(S2, -1) + _wrap(np.eye(k, dtype=S._data.dtype))
    if UhgU is not None and VhgV is not None:
        ret = (UhgU * unsqueeze(S, -2) + unsqueeze(S, -1) * VhgV) / E
    elif UhgU is not None:
        ret = (UhgU / E) * unsqueeze(S, -2)
    else:
        ret = unsqueeze(S, -1) * (VhgV / E)
    if gS is not None:
        ret = ret + diag_embed(gS)
    if U._data.dtype.kind == "c" and UhgU is not None:
        ret = ret + diag_embed(_diagonal(UhgU, 0, -2, -1) / (2 * S))
    if m > k and gU is not None:  # the part of gU outside U's column space
        gA = matmul(U, ret)
        gUSinv = gU / unsqueeze(S, -2)
        gA = gA + gUSinv - matmul(U, matmul(_mH(U), gUSinv))
        return matmul(gA, Vh)
    if n > k and gVh is not None:
        gA = matmul(ret, Vh)
        SinvgVh = gVh / unsqueeze(S, -1)
        gA = gA + SinvgVh - matmul(matmul(SinvgVh, _mH(Vh)), Vh)
        return matmul(U, gA)
    return matmul(matmul(U, ret), Vh)


def svd(A, full_matrices=True, *, driver=None):
    """torch.linalg.svd: A = U diag(S) Vh, S descending."""
    _at_least_2d(A, "svd")
    return _svd_t(*SVD.apply(A, full_matrices))


def svdvals(A, *, driver=None):
    _at_least_2d(A, "svd")
    return SVD.apply(A, False)[1]


# ---------------------------------------------------------------- eigenvalues
class Eigh(Function):
    @staticmethod
    def forward(ctx, A, uplo):
        w, v = np.linalg.eigh(A._data, UPLO=uplo)
        ctx.set_materialize_grads(False)
        L, V = _wrap(w), _wrap(v)
        ctx.save_for_backward(L, V)
        return L, V

    @staticmethod
    def backward(ctx, gL, gV):
        L, V = ctx.saved_tensors
        return _eig_backward(gL, gV, L, V, True), None


def _eig_backward(gL, gV, L, V, hermitian):
    """torch's linalg_eig_backward: gA = V^-H (diag(gL) + (V^H gV projected) / E) V^H."""
    if gV is None:
        if gL is None:
            return None
        if hermitian:
            return matmul(V * unsqueeze(gL, -2), _mH(V))
        return solve(_mH(V), unsqueeze(gL, -1) * _mH(V))
    VhgV = matmul(_mH(V), gV)
    d = _diagonal(VhgV, 0, -2, -1)
    if V._data.dtype.kind == "c" and not np.allclose(np.imag(d._data), 0, rtol=1e-2, atol=1e-2):
        raise RuntimeError(("linalg_eigh_backward" if hermitian else "linalg_eig_backward")
                           + ": The eigenvectors in the complex case are specified up to multiplication by "
                           "e^{i phi}. The specified loss function depends on this quantity, so it is "
                           "ill-defined.")
    if hermitian:  # the tangent space of the unitary matrices: skew-Hermitian
        VhgV = (VhgV - _mH(VhgV)) * 0.5
    else:  # columns of norm 1
        VhgV = VhgV - matmul(_mH(V), V * unsqueeze(P.real(d), -2))
    Lc = L if hermitian else P.conj(L)
    n = L.shape[-1]
    # E_ij = l_j - l_i, 1 on the diagonal; repeated eigenvalues give inf/nan, as in torch
    E = unsqueeze(Lc, -2) - unsqueeze(Lc, -1) + _wrap(np.eye(n, dtype=L._data.dtype))
    ret = VhgV / E
    if gL is not None:
        off = _wrap(~np.eye(n, dtype=bool))
        ret = P.where(off, ret, diag_embed(gL))
    if hermitian:
        return matmul(V, matmul(ret, _mH(V)))
    return solve(_mH(V), matmul(ret, _mH(V)))


def _check_uplo(uplo, name):
    if uplo not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {uplo}")


def eigh(A, UPLO="L"):
    """torch.linalg.eigh: eigenvalues ascending and orthonormal eigenvectors of a symmetric matrix."""
    _square(A, "eigh")
    _check_uplo(UPLO, "eigh")
    return _eigh_t(*Eigh.apply(A, UPLO))


def eigvalsh(A, UPLO="L"):
    _square(A, "eigvalsh")
    _check_uplo(UPLO, "eigvalsh")
    return Eigh.apply(A, UPLO)[0]


def _complex_of(dt):
    return np.complex64 if dt in (np.float32, np.complex64) else np.complex128


class Eig(Function):
    @staticmethod
    def forward(ctx, A):
        a = A._data
        if not np.all(np.isfinite(a)):
            raise RuntimeError("torch.linalg.eig: input tensor should not contain infs or NaNs.")
        w, v = np.linalg.eig(a)
        ct = _complex_of(a.dtype)  # NumPy gives real arrays when all eigenvalues are real; torch never does
        ctx.set_materialize_grads(False)
        L, V = _wrap(w.astype(ct)), _wrap(v.astype(ct))
        ctx.save_for_backward(L, V)
        ctx.real_input = a.dtype.kind != "c"
        return L, V

    @staticmethod
    def backward(ctx, gL, gV):
        L, V = ctx.saved_tensors
        g = _eig_backward(gL, gV, L, V, False)
        return P.real(g) if ctx.real_input and g is not None else g


def eig(A):
    """torch.linalg.eig: complex eigenvalues and unit-norm eigenvectors of a square matrix."""
    _square(A, "eig")
    return _eig_t(*Eig.apply(A))


def eigvals(A):
    _square(A, "eigvals")
    return Eig.apply(A)[0]


# ---------------------------------------------------------------- QR
class QR(Function):
    @staticmethod
    def forward(ctx, A, mode):
        a = A._data
        if mode == "r":
            r = np.linalg.qr(a, mode="r")
            q = np.zeros((0,), a.dtype)
        else:
            q, r = np.linalg.qr(a, mode=mode)
        ctx.mode = mode
        Q, R = _wrap(q), _wrap(r)
        ctx.save_for_backward(Q, R)
        return Q, R

    @staticmethod
    def backward(ctx, gQ, gR):
        Q, R = ctx.saved_tensors
        m, n = Q.shape[-2] if ctx.mode != "r" else 0, R.shape[-1]
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                               "through linalg.qr.")
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and "
                               "nrows > ncols.")
        if m >= n:
            return _qr_backward_tall(gQ, gR, Q, R), None
        # wide A = [X | Y] = Q [U | V]: X = QU is a square QR, and Y = QV (rebuilt from the factors)
        gQ = zeros(Q.shape, dtype=Q.dtype) if gQ is None else gQ
        gR = zeros(R.shape, dtype=R.dtype) if gR is None else gR
        Y = matmul(Q, R[..., m:])
        gX = _qr_backward_tall(gQ + matmul(Y, _mH(gR[..., m:])), gR[..., :m], Q, R[..., :m])
        gY = matmul(Q, gR[..., m:])
        return cat([gX, gY], -1), None


def _qr_backward_tall(gQ, gR, Q, R):
    """m >= n: gA = (gQ + Q copyltu(M)) R^-H with M = R gR^H - gQ^H Q."""
    M = matmul(R, _mH(gR)) - matmul(_mH(gQ), Q)
    low = tril(M, -1)
    b = gQ + matmul(Q, low + _mH(low) + diag_embed(P.real(_diagonal(M, 0, -2, -1)).to(M.dtype)))
    # X R^H = b, with R^H lower triangular
    return solve_triangular(_mH(R), b, upper=False, left=False)


def qr(A, mode="reduced"):
    """torch.linalg.qr: A = QR, Q with orthonormal columns, R upper triangular (LAPACK's signs)."""
    _at_least_2d(A, "qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
                           "'r', or 'complete'")
    Q, R = QR.apply(A, mode)
    if mode != "r":
        return _qr_t(Q, R)
    return _qr_t(_wrap(np.zeros((0,), A._data.dtype)), R)


# ---------------------------------------------------------------- Cholesky
def _first_not_pd(a):
    """The order of the first leading minor that is not positive-definite (LAPACK's info)."""
    for k in range(1, a.shape[-1] + 1):
        try:
            np.linalg.cholesky(a[:k, :k])
        except np.linalg.LinAlgError:
            return k
    return 0


def _cholesky_np(a):
    """(L, info per batch element): info is 0, or the order of the failing leading minor."""
    try:
        return np.linalg.cholesky(a), np.zeros(a.shape[:-2], np.int32)
    except np.linalg.LinAlgError:
        flat = a.reshape((-1,) + a.shape[-2:])
        L, info = np.zeros_like(flat), np.zeros(len(flat), np.int32)
        for b, m in enumerate(flat):
            info[b] = _first_not_pd(m)
            if info[b] == 0:
                L[b] = np.linalg.cholesky(m)
        return L.reshape(a.shape), info.reshape(a.shape[:-2])


class Cholesky(Function):
    @staticmethod
    def forward(ctx, A, upper, info_out):
        a = A._data
        # the lower triangle is read (torch's convention); the upper one is ignored
        low = np.tril(a) + np.swapaxes(np.conj(np.tril(a, -1)), -1, -2)
        L, info = _cholesky_np(low)
        info_out.append(info)
        out = _wrap(np.conj(np.swapaxes(L, -1, -2)) if upper else L)
        ctx.save_for_backward(out)  # the output itself, so that a double backward reaches it
        ctx.upper = upper
        return out

    @staticmethod
    def backward(ctx, gL):
        (L,) = ctx.saved_tensors
        if ctx.upper:
            L, gL = _mH(L), _mH(gL)
        # Murray (2016): gA = L^-H Phi(L^H gL) L^-1, symmetrised; Phi keeps the lower triangle, halves the diagonal
        phi = tril(matmul(_mH(L), gL))
        phi = phi - diag_embed(_diagonal(phi, 0, -2, -1)) * 0.5
        gA = solve_triangular(_mH(L), solve_triangular(L, phi, upper=False, left=False), upper=True)
        return (gA + _mH(gA)) * 0.5, None, None


def _cholesky_error(info, name):
    bad = np.argwhere(info.reshape(-1) > 0)
    if not len(bad):
        return None
    b = int(bad[0, 0])
    where = f"(Batch element {b}): " if info.ndim else ""
    return LinAlgError(f"{name}: {where}The factorization could not be completed because the input is not "
                       f"positive-definite (the leading minor of order {int(info.reshape(-1)[b])} is not "
                       "positive-definite).")


def cholesky_ex(A, *, upper=False, check_errors=False):
    _square(A, "cholesky")
    info = []
    L = Cholesky.apply(A, upper, info)
    if check_errors:
        err = _cholesky_error(info[0], "linalg.cholesky")
        if err is not None:
            raise err
    return _chol_ex_t(L, _wrap(info[0]))


def cholesky(A, *, upper=False):
    """torch.linalg.cholesky: A = L L^H for a Hermitian positive-definite A (its lower triangle read)."""
    return cholesky_ex(A, upper=upper, check_errors=True).L


# ---------------------------------------------------------------- inverse, solve, determinants
def _info_inv(a):
    """LAPACK getrf's info per batch element: 0, or the first zero pivot (1-based)."""
    if not a.size:
        return np.zeros(a.shape[:-2], np.int32)
    _, _, info = _lu_np(a)
    return info


def inv_ex(A, *, check_errors=False):
    _square(A, "inv")
    info = _info_inv(A._data)
    if info.any():
        if check_errors:
            raise _singular_error(A._data, "linalg.inv: ")
        # torch still returns something; a NaN-filled inverse of the bad elements is honest
        safe = P.where(_wrap(info.astype(bool)[..., None, None]), _wrap(np.eye(A.shape[-1], dtype=A._data.dtype)), A)
        out = inv(safe)
        return _inv_ex_t(P.where(_wrap(info.astype(bool)[..., None, None]), math.nan, out), _wrap(info))
    return _inv_ex_t(inv(A), _wrap(info))


def solve_ex(A, B, *, left=True, check_errors=False):
    _square(A, "solve")
    info = _info_inv(A._data)
    if info.any() and not check_errors:
        n = A.shape[-1]
        bad = _wrap(info.astype(bool)[..., None, None])
        safe = P.where(bad, _wrap(np.eye(n, dtype=A._data.dtype)), A)
        return _solve_ex_t(solve(safe, B, left=left), _wrap(info))  # (the bad elements' values: any)
    return _solve_ex_t(solve(A, B, left=left), _wrap(info))


class Slogdet(Function):
    @staticmethod
    def forward(ctx, A):
        s, l = np.linalg.slogdet(A._data)
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(A)
        return _wrap(np.asarray(s)), _wrap(np.asarray(l))

    @staticmethod
    def backward(ctx, gsign, glogabs):
        (A,) = ctx.saved_tensors
        if glogabs is None:
            return None
        # d log|det A| = tr(A^-1 dA): the gradient is A^-H (scaled)
        return unsqueeze(unsqueeze(glogabs, -1), -1) * _mH(inv(A))


def slogdet(A):
    """torch.linalg.slogdet: (sign, log|det A|); the sign of a real matrix has no gradient."""
    _square(A, "slogdet")
    s, l = Slogdet.apply(A)
    s = s.detach()
    return _slogdet_t(s, l)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """torch.linalg.solve_triangular: AX = B (XA = B with left=False), reading one triangle of A.

    A composite of solve on the masked triangle, so the gradient for A falls on that triangle
    only, as in torch."""
    _floating(A, "solve_triangular")
    if A._data.ndim < 2 or B._data.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor " + ("A" if A._data.ndim < 2 else "B")
                           + " must have at least 2 dimensions.")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"linalg.solve_triangular: Expected A and B to have the same dtype, but found "
                           f"A of type {_name(A)} and B of type {_name(B)} instead")
    n = A.shape[-1]
    if unitriangular:
        T = (triu(A, 1) if upper else tril(A, -1)) + _wrap(np.eye(n, dtype=A._data.dtype))
    else:
        T = triu(A) if upper else tril(A)
    if not left:  # X T = B  <=>  T^T X^T = B^T
        return transpose(_solve_tri(transpose(T, -1, -2), transpose(B, -1, -2)), -1, -2)
    return _solve_tri(T, B)


def _solve_tri(T, B):
    if B.shape[-2] != T.shape[-1]:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation AX = B "
                           f"({T.shape[-2]}x{T.shape[-1]} and {B.shape[-2]}x{B.shape[-1]})")
    # a triangular matrix with a zero diagonal entry: torch returns inf/nan, no error
    try:
        return solve(T, B)
    except LinAlgError:  # a zero on the diagonal: torch's substitution gives inf/nan, without an error
        shape = np.broadcast_shapes(T.shape[:-2], B.shape[:-2]) + tuple(B.shape[-2:])
        return _wrap(np.full(shape, math.nan, B._data.dtype))


# ---------------------------------------------------------------- LU
def _lu_np(a):
    """LU with partial pivoting (LAPACK getrf's pivot choices), batched: (LU packed, 1-based int32
    pivots, info). One Python step per column, vectorised over the batch."""
    a = np.array(a, copy=True)
    *batch, m, n = a.shape
    k = min(m, n)
    flat = a.reshape((-1, m, n))
    piv = np.zeros((flat.shape[0], k), np.int32)
    info = np.zeros(flat.shape[0], np.int32)
    rows = np.arange(flat.shape[0])
    for j in range(k):
        p = j + np.argmax(np.abs(flat[:, j:, j]), axis=1)  # the first largest |entry|, as LAPACK's i*amax
        piv[:, j] = p + 1
        swap = p != j
        if swap.any():
            tmp = flat[rows[swap], j].copy()
            flat[rows[swap], j] = flat[rows[swap], p[swap]]
            flat[rows[swap], p[swap]] = tmp
        d = flat[:, j, j]
        zero = d == 0
        info[(info == 0) & zero] = j + 1
        with np.errstate(all="ignore"):
            mult = np.where(zero[:, None], flat[:, j + 1:, j], flat[:, j + 1:, j] / np.where(zero, 1, d)[:, None])
        flat[:, j + 1:, j] = mult
        flat[:, j + 1:, j + 1:] -= mult[:, :, None] * flat[:, j, None, j + 1:]
    return flat.reshape(a.shape), piv.reshape(tuple(batch) + (k,)), info.reshape(tuple(batch))


def _perm_from_pivots(piv, m):
    """Row order perm with A[perm] = L U, from LAPACK's sequential row swaps."""
    flat = piv.reshape((-1, piv.shape[-1])) - 1
    perm = np.tile(np.arange(m), (flat.shape[0], 1))
    r = np.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        p = flat[:, j]
        tmp = perm[r, j].copy()
        perm[r, j] = perm[r, p]
        perm[r, p] = tmp
    return perm.reshape(piv.shape[:-1] + (m,))


def _perm_matrix(perm, dtype):
    m = perm.shape[-1]
    Pm = np.zeros(perm.shape + (m,), dtype)
    idx = np.indices(perm.shape)
    Pm[tuple(idx[:-1]) + (perm, idx[-1])] = 1  # P[perm[i], i] = 1: A = P L U
    return Pm


class LU(Function):
    @staticmethod
    def forward(ctx, A, lu, piv, pivot):
        m, n = lu.shape[-2:]
        k = min(m, n)
        L = np.tril(lu[..., :, :k], -1) + np.eye(m, k, dtype=lu.dtype)
        U = np.triu(lu[..., :k, :])
        Pm = _perm_matrix(_perm_from_pivots(piv, m), lu.dtype) if pivot else np.zeros((0,), lu.dtype)
        ctx.set_materialize_grads(False)
        ctx.pivot = pivot
        Pt, Lt, Ut = _wrap(Pm), _wrap(L), _wrap(U)
        ctx.save_for_backward(Pt, Lt, Ut)
        ctx.mark_non_differentiable(Pt)
        return Pt, Lt, Ut

    @staticmethod
    def backward(ctx, gP, gL, gU):
        Pm, L, U = ctx.saved_tensors
        return _lu_backward(gL, gU, Pm, L, U, ctx.pivot), None, None, None


def _lu_backward(gL, gU, Pm, L, U, pivot):
    """torch's linalg_lu_backward (square, wide and tall A = P L U)."""
    if gL is None and gU is None:
        return None
    m, n = L.shape[-2], U.shape[-1]
    k = min(m, n)
    if m <= n:  # square or wide: U = [U1 | U2]
        g = matmul(_mH(L), gL) if gL is not None else None
        if gU is not None:
            t = matmul(triu(gU), _mH(U))
            g = -t if g is None else g - t
        g = solve_triangular(_mH(U[..., :k]), tril(g, -1), upper=False, left=False)
        if gU is not None:
            g = cat([g + triu(gU[..., :k]), gU[..., k:]], -1)
        g = solve_triangular(_mH(L), g, upper=True, unitriangular=True)
        if gU is None and n > k:
            g = cat([g, zeros(g.shape[:-1] + (n - k,), dtype=g.dtype)], -1)
    else:  # tall: L = [L1; L2]
        g = matmul(gU, _mH(U)) if gU is not None else None
        if gL is not None:
            t = matmul(_mH(L), tril(gL, -1))
            g = -t if g is None else g - t
        g = solve_triangular(_mH(L[..., :k, :]), triu(g), upper=True, unitriangular=True)
        if gL is not None:
            g = cat([g + tril(gL[..., :k, :], -1), gL[..., k:, :]], -2)
        g = solve_triangular(_mH(U), g, upper=False, left=False)
        if gL is None:
            g = cat([g, zeros(g.shape[:-2] + (m - k, n), dtype=g.dtype)], -2)
    return matmul(Pm, g) if pivot else g


def _check_lu_input(A, name):
    if A._data.ndim < 2:
        raise RuntimeError(f"torch.linalg.{name}: Expected tensor with 2 or more dimensions. Got size: "
                           f"{list(A.shape)} instead")
    _floating(A, name)


def _lu_pieces(A, pivot, name):
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    lu, piv, info = _lu_np(A._data)
    return LU.apply(A, lu, piv, True), piv, info


def lu(A, *, pivot=True):
    """torch.linalg.lu: A = P L U, L unit lower triangular (partial pivoting, LAPACK's choices)."""
    _check_lu_input(A, "lu")
    (Pm, L, U), _, _ = _lu_pieces(A, pivot, "lu")
    return _lu_t(Pm, L, U)


def _pack_lu(L, U):
    """The compact LU matrix: L's strict lower part and U, both padded to A's shape."""
    m, n = L.shape[-2], U.shape[-1]
    k = min(m, n)
    if n > k:
        L = cat([L, zeros(L.shape[:-1] + (n - k,), dtype=L.dtype)], -1)
    if m > k:
        U = cat([U, zeros(U.shape[:-2] + (m - k, n), dtype=U.dtype)], -2)
    return tril(L, -1) + U


def lu_factor_ex(A, *, pivot=True, check_errors=False):
    _check_lu_input(A, "lu_factor_ex")
    (_, L, U), piv, info = _lu_pieces(A, pivot, "lu_factor_ex")
    if check_errors and info.any():
        raise LinAlgError("torch.linalg.lu_factor_ex: U is singular")
    return _lu_factor_ex_t(_pack_lu(L, U), _wrap(piv), _wrap(info))


def lu_factor(A, *, pivot=True):
    """torch.linalg.lu_factor: (LU packed, pivots) as LAPACK's getrf gives them."""
    _check_lu_input(A, "lu_factor")
    (_, L, U), piv, info = _lu_pieces(A, pivot, "lu_factor")
    if info.any():
        b = int(np.argmax(info.reshape(-1) > 0))
        i = int(info.reshape(-1)[b])
        where = f"(Batch element {b}): " if info.ndim else ""
        raise LinAlgError(f"torch.linalg.lu_factor: {where}U[{i},{i}] is zero and using it on lu_solve would "
                          "result in a division by zero. If you still want to perform the factorization, "
                          "consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
    return _lu_factor_t(_pack_lu(L, U), _wrap(piv))


def lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    """torch.linalg.lu_solve: solve AX = B from A's lu_factor (XA = B with left=False; A^H with adjoint)."""
    n = LU.shape[-1]
    perm = _perm_from_pivots(pivots._data, n)
    Pm = _wrap(_perm_matrix(perm, LU._data.dtype))
    # A = P L U
    if left and not adjoint:  # X = U^-1 L^-1 P^T B
        Y = solve_triangular(LU, matmul(transpose(Pm, -1, -2), B), upper=False, unitriangular=True)
        return solve_triangular(LU, Y, upper=True)
    if left and adjoint:  # A^H X = B: X = P L^-H U^-H B
        Y = solve_triangular(_mH(triu(LU)), B, upper=False)
        return matmul(Pm, solve_triangular(_mH(tril(LU, -1)), Y, upper=True, unitriangular=True))
    if not adjoint:  # X A = B: X = B U^-1 L^-1 P^T
        Y = solve_triangular(LU, B, upper=True, left=False)
        return matmul(solve_triangular(LU, Y, upper=False, left=False, unitriangular=True),
                      transpose(Pm, -1, -2))
    # X A^H = B: X = B P L^-H U^-H
    Y = solve_triangular(_mH(tril(LU, -1)), matmul(B, Pm), upper=True, left=False, unitriangular=True)
    return solve_triangular(_mH(triu(LU)), Y, upper=False, left=False)


# ---------------------------------------------------------------- LDL (Bunch-Kaufman), no gradient
_BK_ALPHA = (1 + math.sqrt(17)) / 8  # Bunch-Kaufman's pivot threshold, as LAPACK's sytf2


def _ldl_one(a, hermitian):
    """LAPACK sytf2 (lower): A = P L D L^T P^T with 1x1 and 2x2 blocks in D. Returns (LD, ipiv, info)."""
    a = a.copy()
    n = a.shape[0]
    ipiv = np.zeros(n, np.int32)
    info = 0
    cj = np.conj if hermitian else (lambda x: x)
    absf = (lambda x: abs(x.real) + abs(x.imag)) if a.dtype.kind == "c" else abs
    k = 0
    while k < n:
        kstep = 1
        absakk = abs(a[k, k].real) if hermitian else absf(a[k, k])
        if k < n - 1:
            imax = k + 1 + int(np.argmax(absf(a[k + 1:, k])))
            colmax = absf(a[imax, k])
        else:
            imax, colmax = k, 0.0
        if max(absakk, colmax) == 0:
            info = info or k + 1
            kp = k
        else:
            if absakk >= _BK_ALPHA * colmax:
                kp = k
            else:
                rowmax = absf(a[imax, k:imax]).max()
                if imax < n - 1:
                    rowmax = max(rowmax, absf(a[imax + 1:, imax]).max())
                if absakk >= _BK_ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif (abs(a[imax, imax].real) if hermitian else absf(a[imax, imax])) >= _BK_ALPHA * rowmax:
                    kp = imax
                else:
                    kp, kstep = imax, 2
            kk = k + kstep - 1
            if kp != kk:  # swap rows and columns kk and kp of the trailing lower triangle
                if kp < n - 1:
                    a[kp + 1:, [kk, kp]] = a[kp + 1:, [kp, kk]]
                seg = a[kk + 1:kp, kk].copy()
                a[kk + 1:kp, kk] = cj(a[kp, kk + 1:kp])
                a[kp, kk + 1:kp] = cj(seg)
                if hermitian:
                    a[kp, kk] = np.conj(a[kp, kk])
                a[kk, kk], a[kp, kp] = a[kp, kp], a[kk, kk]
                if kstep == 2:
                    a[k + 1, k], a[kp, k] = a[kp, k], a[k + 1, k]
            if kstep == 1:
                d11 = 1 / (a[k, k].real if hermitian else a[k, k])
                x = a[k + 1:, k].copy()
                a[k + 1:, k + 1:] -= np.tril(d11 * np.outer(x, cj(x)))
                a[k + 1:, k] = x * d11
            elif k < n - 2 and hermitian:  # zhetf2's 2x2 step
                d = abs(a[k + 1, k])
                d11, d22 = a[k + 1, k + 1].real / d, a[k, k].real / d
                tt = 1 / (d11 * d22 - 1)
                d21 = a[k + 1, k] / d
                d = tt / d
                wk = d * (d11 * a[k + 2:, k] - d21 * a[k + 2:, k + 1])
                wkp1 = d * (d22 * a[k + 2:, k + 1] - np.conj(d21) * a[k + 2:, k])
                a[k + 2:, k + 2:] -= np.tril(np.outer(a[k + 2:, k], np.conj(wk))
                                             + np.outer(a[k + 2:, k + 1], np.conj(wkp1)))
                a[k + 2:, k], a[k + 2:, k + 1] = wk, wkp1
                idx = np.arange(k + 2, n)
                a[idx, idx] = a[idx, idx].real
            elif k < n - 2:
                d21 = a[k + 1, k]
                d11 = a[k + 1, k + 1] / (cj(d21) if hermitian else d21)
                d22 = a[k, k] / d21
                t = 1 / (d11 * d22 - 1)
                if hermitian:
                    t = t.real
                d21 = t / d21
                wk = d21 * (d11 * a[k + 2:, k] - a[k + 2:, k + 1])
                wkp1 = (cj(d21) if hermitian else d21) * (d22 * a[k + 2:, k + 1] - a[k + 2:, k])
                a[k + 2:, k + 2:] -= np.tril(np.outer(a[k + 2:, k], cj(wk)) + np.outer(a[k + 2:, k + 1], cj(wkp1)))
                a[k + 2:, k], a[k + 2:, k + 1] = wk, wkp1
        if kstep == 1:
            ipiv[k] = kp + 1
        else:
            ipiv[k] = ipiv[k + 1] = -(kp + 1)
        k += kstep
    return np.tril(a), ipiv, info


def ldl_factor_ex(A, *, hermitian=False, check_errors=False):
    _square(A, "ldl_factor_ex")
    a = A._data
    flat = a.reshape((-1,) + a.shape[-2:])
    outs = [_ldl_one(m, hermitian) for m in flat]
    LD = np.stack([o[0] for o in outs]).reshape(a.shape) if outs else np.zeros_like(a)
    piv = np.stack([o[1] for o in outs]).reshape(a.shape[:-1]) if outs else np.zeros(a.shape[:-1], np.int32)
    info = np.array([o[2] for o in outs], np.int32).reshape(a.shape[:-2])
    if check_errors and info.any():
        raise LinAlgError("torch.linalg.ldl_factor_ex: The factorization could not be completed because the "
                          "input is singular.")
    return _ldl_ex_t(_wrap(LD), _wrap(piv), _wrap(info))


def ldl_factor(A, *, hermitian=False):
    """torch.linalg.ldl_factor: LAPACK's Bunch-Kaufman LDL^T (lower), compact LD and pivots."""
    r = ldl_factor_ex(A, hermitian=hermitian)
    return _ldl_t(r.LD, r.pivots)


def _ldl_solve_one(a, ipiv, b, hermitian):
    """LAPACK sytrs (lower): X from sytf2's factors."""
    b = b.copy()
    n = a.shape[0]
    cj = np.conj if hermitian else (lambda x: x)
    k = 0
    while k < n:  # L D Y = P^T B
        if ipiv[k] > 0:
            kp = ipiv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            b[k + 1:] -= np.outer(a[k + 1:, k], b[k])
            b[k] /= a[k, k].real if hermitian else a[k, k]
            k += 1
        else:
            kp = -ipiv[k] - 1
            b[[k + 1, kp]] = b[[kp, k + 1]]
            b[k + 2:] -= np.outer(a[k + 2:, k], b[k]) + np.outer(a[k + 2:, k + 1], b[k + 1])
            akm1k = a[k + 1, k]
            akm1 = a[k, k] / (cj(akm1k) if hermitian else akm1k)
            ak = a[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1
            bkm1 = b[k] / (cj(akm1k) if hermitian else akm1k)
            bk = b[k + 1] / akm1k
            b[k] = (ak * bkm1 - bk) / denom
            b[k + 1] = (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:  # L^T P^T X = Y
        if ipiv[k] > 0:
            b[k] -= cj(a[k + 1:, k]) @ b[k + 1:]
            kp = ipiv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 1
        else:
            b[k] -= cj(a[k + 1:, k]) @ b[k + 1:]
            b[k - 1] -= cj(a[k + 1:, k - 1]) @ b[k + 1:]
            kp = -ipiv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 2
    return b


def ldl_solve(LD, pivots, B, *, hermitian=False):
    """torch.linalg.ldl_solve: solve AX = B from ldl_factor's output (no gradient, as in torch)."""
    a, p, b = LD._data, pivots._data, B._data
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:]).reshape((-1,) + a.shape[-2:])
    p = np.broadcast_to(p, batch + p.shape[-1:]).reshape((-1,) + p.shape[-1:])
    bb = np.broadcast_to(b, batch + b.shape[-2:]).reshape((-1,) + b.shape[-2:])
    out = np.stack([_ldl_solve_one(x, q, y, hermitian) for x, q, y in zip(a, p, bb)]) if len(bb) else bb.copy()
    return _wrap(out.reshape(batch + b.shape[-2:]))


# ---------------------------------------------------------------- pseudo-inverse, least squares, rank
def _tolerance(S, atol, rtol, m, n):
    """max(atol, rtol * s_max), torch's default rtol being eps * max(m, n) when neither is given."""
    smax = amax(S, -1, keepdim=True) if S.shape[-1] else S.sum(-1, keepdim=True)
    if rtol is None:
        rtol = 0.0 if atol is not None else np.finfo(S._data.dtype).eps * max(m, n)
    atol = 0.0 if atol is None else atol
    at = atol if isinstance(atol, Tensor) else _wrap(np.asarray(atol, S._data.dtype))
    rt = rtol if isinstance(rtol, Tensor) else _wrap(np.asarray(rtol, S._data.dtype))
    if at.ndim:
        at = unsqueeze(at, -1)
    if rt.ndim:
        rt = unsqueeze(rt, -1)
    return P.maximum(at, rt * smax)


class Pinv(Function):
    @staticmethod
    def forward(ctx, A, atol, rtol, hermitian):
        a = A._data
        m, n = a.shape[-2:]
        with np.errstate(all="ignore"):
            if hermitian:
                w, v = np.linalg.eigh(a)
                tol = _tolerance(_wrap(np.abs(w)), atol, rtol, m, n)._data
                winv = np.where(np.abs(w) > tol, 1 / np.where(w == 0, 1, w), 0)
                out = (v * winv[..., None, :]) @ np.conj(np.swapaxes(v, -1, -2))
            else:
                u, s, vh = np.linalg.svd(a, full_matrices=False)
                tol = _tolerance(_wrap(s), atol, rtol, m, n)._data
                sinv = np.where(s > tol, 1 / np.where(s == 0, 1, s), 0)
                out = np.conj(np.swapaxes(vh, -1, -2)) * sinv[..., None, :] @ np.conj(np.swapaxes(u, -1, -2))
        out = _wrap(out.astype(a.dtype))
        ctx.save_for_backward(A, out)
        return out

    @staticmethod
    def backward(ctx, g):
        A, pinvA = ctx.saved_tensors
        m, n = A.shape[-2:]
        pinvAh, gh = _mH(pinvA), _mH(g)
        # torch's pinv_backward (Golub & Pereyra), arranged to keep the products small
        if m <= n:
            K = matmul(gh, pinvA)
            KpinvAh = matmul(K, pinvAh)
            gA = -_mH(matmul(pinvA, K)) + KpinvAh - matmul(matmul(A, pinvA), KpinvAh) \
                + matmul(matmul(pinvAh, pinvA), gh - matmul(K, A))
        else:
            K = matmul(pinvA, gh)
            pinvAhK = matmul(pinvAh, K)
            gA = -_mH(matmul(K, pinvA)) + matmul(matmul(gh - matmul(A, K), pinvA), pinvAh) + pinvAhK \
                - matmul(matmul(pinvAhK, pinvA), A)
        return gA, None, None, None


def pinv(A, *, atol=None, rtol=None, hermitian=False, rcond=None):
    """torch.linalg.pinv: the Moore-Penrose pseudo-inverse, singular values below
    max(atol, rtol * s_max) dropped."""
    _at_least_2d(A, "pinv")
    if rcond is not None:
        rtol = rcond
    return Pinv.apply(A, atol, rtol, hermitian)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, tol=None):
    """torch.linalg.matrix_rank: the number of singular values above max(atol, rtol * s_max)."""
    _at_least_2d(A, "matrix_rank")
    if tol is not None:
        atol, rtol = tol, 0.0
    m, n = A.shape[-2:]
    with_grad = A.detach()
    S = P.abs(eigvalsh(with_grad)) if hermitian else svdvals(with_grad)
    return (S > _tolerance(S, atol, rtol, m, n)).sum(-1)


def lstsq(A, B, rcond=None, *, driver=None):
    """torch.linalg.lstsq: the minimum-norm least-squares solution of AX = B.

    The solution is pinv(A) @ B (what LAPACK's drivers compute for full-rank A, and gelsy/gelsd
    for any A), which also gives torch's gradient. residuals, rank and singular_values are
    filled for the drivers torch fills them for."""
    _at_least_2d(A, "lstsq")
    driver = driver or "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
                           f"input's dtype {A.dtype} and other's dtype {B.dtype}")
    vec = B._data.ndim == A._data.ndim - 1
    Bm = unsqueeze(B, -1) if vec else B
    m, n = A.shape[-2:]
    if Bm.shape[-2] != m:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    eps = np.finfo(A._data.dtype).eps
    rt = rcond if rcond is not None and rcond > 0 else eps * max(m, n)
    X = matmul(pinv(A, rtol=rt) if driver != "gels" else pinv(A, rtol=0.0), Bm)
    dt = A._data.dtype
    real = np.zeros((0,), np.finfo(dt).dtype)
    S = svdvals(A.detach()) if driver != "gels" else None
    rank = (S > _tolerance(S, None, rt, m, n)).sum(-1) if S is not None else _wrap(np.zeros((0,), np.int64))
    residuals = _wrap(real)
    if m > n and driver != "gelsy" and bool((rank._data == n).all() if driver != "gels" else True):
        residuals = (P.abs(matmul(A, X) - Bm) ** 2).sum(-2)
        if vec:
            residuals = residuals[..., 0]
    sv = S if driver in ("gelsd", "gelss") else _wrap(real)
    return _lstsq_t(X[..., 0] if vec else X, residuals, rank, sv)


def cond(A, p=None):
    """torch.linalg.cond: the condition number ||A|| ||A^-1|| in norm p (the 2-norm's from singular values)."""
    _at_least_2d(A, "cond")
    if p in (None, 2, -2):
        S = svdvals(A)
        big, small = S[..., 0], S[..., -1]
        return big / small if p != -2 else small / big
    _square(A, "cond")
    res = inv_ex(A)
    bad = res.info._data.astype(bool)
    c = matrix_norm(A, p) * matrix_norm(P.where(_wrap(bad[..., None, None]), 0.0, res.inverse), p)
    return P.where(_wrap(bad), math.inf, c)


# ---------------------------------------------------------------- matrix functions
def _expm_np(a):
    """exp(A) by scaling and squaring with a degree-13 Pade approximant (Higham 2005; relative error
    about the unit roundoff for any A)."""
    b = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800., 129060195264000.,
         10559470521600., 670442572800., 33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.)
    n = a.shape[-1]
    norm1 = np.abs(a).sum(-2).max(-1) if a.size else np.zeros(a.shape[:-2])
    s = np.maximum(0, np.ceil(np.log2(np.maximum(norm1, 1e-300) / 5.371920351148152))).astype(int)
    s = int(s.max()) if np.ndim(s) and s.size else int(s)
    work = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64) / 2.0 ** s
    I = np.eye(n)
    A2 = work @ work
    A4 = A2 @ A2
    A6 = A4 @ A2
    U = work @ (A6 @ (b[13] * A6 + b[11] * A4 + b[9] * A2) + b[7] * A6 + b[5] * A4 + b[3] * A2 + b[1] * I)
    V = A6 @ (b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 + b[2] * A2 + b[0] * I
    R = np.linalg.solve(V - U, V + U)
    for _ in range(s):
        R = R @ R
    return R.astype(a.dtype)


class MatrixExp(Function):
    @staticmethod
    def forward(ctx, A):
        ctx.save_for_backward(A)
        return _wrap(_expm_np(A._data))

    @staticmethod
    def backward(ctx, g):
        (A,) = ctx.saved_tensors
        # the adjoint of the Frechet derivative: the top-right block of exp([[A^H, G], [0, A^H]])
        n = A.shape[-1]
        Ah = _mH(A)
        top = cat([Ah, g], -1)
        bottom = cat([zeros(Ah.shape, dtype=A.dtype), Ah], -1)
        return matrix_exp(cat([top, bottom], -2))[..., :n, n:]


def matrix_exp(A):
    """torch.linalg.matrix_exp: the matrix exponential."""
    _square(A, "matrix_exp")
    return MatrixExp.apply(A)


def matrix_power(A, n):
    """torch.linalg.matrix_power: A^n by repeated squaring (n < 0 inverts first)."""
    if A._data.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{A.shape[-2] if A.ndim > 1 else A.shape[-1]} by {A.shape[-1]} matrices")
    if n == 0:
        return eye(A.shape[-1], dtype=A.dtype).expand(A.shape).clone() + A * 0
    if n < 0:
        A, n = inv(A), -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result


def householder_product(A, tau):
    """torch.linalg.householder_product: the first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^H
    with v_i in A's i-th column below the diagonal (1 on it). A composite, so differentiable."""
    if A._data.ndim < 2:
        raise RuntimeError("torch.linalg.householder_product: input must have at least 2 dimensions.")
    m, n = A.shape[-2:]
    k = tau.shape[-1]
    if m < n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if k > n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    V = tril(A, -1) + _wrap(np.eye(m, n, dtype=A._data.dtype))
    Q = _wrap(np.eye(m, dtype=A._data.dtype)) + A[..., :, :1] * 0  # batched identity, in A's graph
    for i in range(k):
        v = V[..., :, i:i + 1]
        Q = Q - matmul(matmul(Q, v) * unsqueeze(unsqueeze(tau[..., i], -1), -1), _mH(v))
    return Q[..., :, :n]


def multi_dot(tensors):
    """matmul of a chain of matrices (the first and last may be vectors), left to right."""
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    out = tensors[0]
    for t in tensors[1:]:
        out = matmul(out, t)
    return out


def vecdot(x, y, *, dim=-1):
    """The dot product of vectors along `dim` (x conjugated), inputs broadcast."""
    return (P.conj(x) * y).sum(dim)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return _diagonal(A, offset, dim1, dim2)


def tensorinv(A, ind=2):
    """torch.linalg.tensorinv: the inverse of A seen as a matrix of shape (prod(shape[:ind]), prod(shape[ind:]))."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = A.shape[:ind], A.shape[ind:]
    if math.prod(rows) != math.prod(cols):
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {math.prod(cols)} != {math.prod(rows)}")
    return reshape(inv(reshape(A, (math.prod(rows), math.prod(cols)))), tuple(cols) + tuple(rows))


def tensorsolve(A, B, dims=None):
    """torch.linalg.tensorsolve: X with tensordot(A, X, X.ndim) = B."""
    if dims is not None:
        nd = A.ndim
        src = [d % nd for d in dims]
        A = movedim(A, src, list(range(nd - len(src), nd)))
    out_shape = tuple(A.shape[B.ndim:])
    n = math.prod(out_shape)
    if math.prod(A.shape[:B.ndim]) != n:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {n} != {math.prod(A.shape[:B.ndim])}")
    return reshape(solve(reshape(A, (B.numel(), n)), reshape(B, (B.numel(),))), out_shape)


def vander(x, *, N=None):
    """torch.linalg.vander: the powers x^0, x^1, ..., x^(N-1) along a new last dim."""
    if x._data.ndim < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension")
    N = x.shape[-1] if N is None else N
    if N < 0:
        raise RuntimeError(f"N must be non-negative.")
    if N == 0:
        return zeros(tuple(x.shape) + (0,), dtype=x.dtype)
    ones = unsqueeze(ones_like(x), -1)
    if N == 1:
        return ones
    # torch's own construction: a running product, so the values round as torch's do
    powers = cumprod(unsqueeze(x, -1).expand(tuple(x.shape) + (N - 1,)), -1)
    return cat([ones.to(powers.dtype), powers], -1)


from ._out import add_out as _add_out  # noqa: E402
_add_out(globals(), "linalg")  # torch.linalg.<fn>(..., out=t), as the top-level functions (ember/_out.py)
