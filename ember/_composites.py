"""torch's top-level functions that ember builds from its other ops (so autograd runs through them):
norm_except_dim, lu_unpack, gradient, binomial, embedding_renorm_, from_file. Loaded on first use."""
import numbers
from collections import namedtuple

import numpy as np

from . import _dtype
from ._tensor import Tensor
from .autograd.grad_mode import no_grad
from .ops import creation as C
from .ops.shape import cat


def norm_except_dim(v, pow=2, dim=0):
    """torch.norm_except_dim: the `pow`-norm over every dim but `dim`, kept with size 1 (the whole
    norm, a 0-dim tensor, for dim == -1)."""
    if dim == -1:
        return v.norm(pow)
    dims = tuple(d for d in range(v.dim()) if d != dim)
    return v.norm(pow, dims, keepdim=True) if dims else v.abs()


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    """torch.lu_unpack: P, L, U (A = P @ L @ U) from linalg.lu_factor's packed LU and 1-based pivots;
    a part not unpacked comes back as an empty tensor, as in torch."""
    m, n = LU_data.shape[-2], LU_data.shape[-1]
    k = min(m, n)
    empty = C.empty(0, dtype=LU_data.dtype)
    if unpack_data:
        eye = C.eye(m, k, dtype=LU_data.dtype)
        L = LU_data[..., :, :k].tril(-1) + eye
        U = LU_data[..., :k, :].triu()
    else:
        L = U = empty
    if unpack_pivots:
        piv = np.asarray(LU_pivots._data).astype(np.int64) - 1
        batch = piv.shape[:-1]
        perm = np.broadcast_to(np.arange(m), batch + (m,)).copy()
        for idx in np.ndindex(*batch):
            p = perm[idx]
            for i in range(piv.shape[-1]):
                j = piv[idx + (i,)]
                p[i], p[j] = p[j], p[i]
        P = np.zeros(batch + (m, m), dtype=LU_data._data.dtype)
        np.put_along_axis(P, perm[..., :, None], 1, axis=-1)  # P[perm[j], j] = 1 after the transpose
        P = C.tensor(np.swapaxes(P, -1, -2).copy(), dtype=LU_data.dtype)
    else:
        P = empty
    return P, L, U


def _sl(ndim, dim, start, stop):
    out = [slice(None)] * ndim
    out[dim] = slice(start, stop)
    return tuple(out)


def _shape_for(h, ndim, dim):
    return h.reshape([-1 if d == dim else 1 for d in range(ndim)])


def _grad_uniform(f, dim, h, edge_order):
    nd = f.dim()
    interior = (f[_sl(nd, dim, 2, None)] - f[_sl(nd, dim, None, -2)]) / (2.0 * h)
    if edge_order == 1:
        first = (f[_sl(nd, dim, 1, 2)] - f[_sl(nd, dim, 0, 1)]) / h
        last = (f[_sl(nd, dim, -1, None)] - f[_sl(nd, dim, -2, -1)]) / h
    else:
        first = (-1.5 * f[_sl(nd, dim, 0, 1)] + 2.0 * f[_sl(nd, dim, 1, 2)] - 0.5 * f[_sl(nd, dim, 2, 3)]) / h
        last = (0.5 * f[_sl(nd, dim, -3, -2)] - 2.0 * f[_sl(nd, dim, -2, -1)] + 1.5 * f[_sl(nd, dim, -1, None)]) / h
    return cat([first, interior, last], dim)


def _grad_coords(f, dim, x, edge_order):
    # NumPy's (and torch's) second-order scheme on an uneven grid; coefficients from the coordinates
    nd = f.dim()
    dx = x[1:] - x[:-1]
    dx1, dx2 = dx[:-1], dx[1:]
    a = _shape_for(-dx2 / (dx1 * (dx1 + dx2)), nd, dim)
    b = _shape_for((dx2 - dx1) / (dx1 * dx2), nd, dim)
    c = _shape_for(dx1 / (dx2 * (dx1 + dx2)), nd, dim)
    interior = a * f[_sl(nd, dim, None, -2)] + b * f[_sl(nd, dim, 1, -1)] + c * f[_sl(nd, dim, 2, None)]
    if edge_order == 1:
        first = (f[_sl(nd, dim, 1, 2)] - f[_sl(nd, dim, 0, 1)]) / dx[0]
        last = (f[_sl(nd, dim, -1, None)] - f[_sl(nd, dim, -2, -1)]) / dx[-1]
    else:
        d1, d2 = dx[0], dx[1]
        a0, b0, c0 = -(2.0 * d1 + d2) / (d1 * (d1 + d2)), (d1 + d2) / (d1 * d2), -d1 / (d2 * (d1 + d2))
        first = a0 * f[_sl(nd, dim, 0, 1)] + b0 * f[_sl(nd, dim, 1, 2)] + c0 * f[_sl(nd, dim, 2, 3)]
        d1, d2 = dx[-2], dx[-1]
        a1, b1, c1 = d2 / (d1 * (d1 + d2)), -(d2 + d1) / (d1 * d2), (2.0 * d2 + d1) / (d2 * (d1 + d2))
        last = a1 * f[_sl(nd, dim, -3, -2)] + b1 * f[_sl(nd, dim, -2, -1)] + c1 * f[_sl(nd, dim, -1, None)]
    return cat([first, interior, last], dim)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """torch.gradient: central differences inside, one-sided (first or second order) at the edges;
    `spacing` a number, a list of numbers (one per dim) or a list of coordinate tensors."""
    nd = input.dim()
    if dim is None:
        dims = list(range(nd))
    elif isinstance(dim, numbers.Integral):
        dims = [dim % nd]
    else:
        dims = [d % nd for d in dim]
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    if spacing is None:  # torch's default, also when passed explicitly
        spacing = 1
    if isinstance(spacing, (numbers.Number, Tensor)) and not (isinstance(spacing, Tensor) and spacing.dim() > 0):
        spacing = [spacing] * len(dims)
    spacing = list(spacing)
    if len(spacing) != len(dims):
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or its length to match "
                           f"the number of dimensions specified, but got {len(spacing)} and {len(dims)}")
    f = input if input.is_floating_point() or input.is_complex() else input.to(_dtype.get_default_dtype())
    out = []
    for d, h in zip(dims, spacing):
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
        if isinstance(h, Tensor) and h.dim() == 1:
            out.append(_grad_coords(f, d, h.to(f.dtype) if not h.is_floating_point() else h, edge_order))
        else:
            out.append(_grad_uniform(f, d, h.item() if isinstance(h, Tensor) else h, edge_order))
    return tuple(out)


def binomial(count, prob, generator=None):
    """torch.binomial: one Binomial(count, prob) draw per element, torch's sampler and stream."""
    from .distributions._samplers import binomial as _binomial
    return _binomial(count, prob, generator)


def embedding_renorm_(input, indices, max_norm, norm_type):
    """torch.embedding_renorm_: rescale in place the rows of `input` that `indices` names whose
    `norm_type`-norm exceeds `max_norm` to norm max_norm (torch's 1e-7 guard); returns `input`."""
    with no_grad():
        rows = np.unique(np.asarray(indices._data).reshape(-1))
        w = input._data
        for r in rows.tolist():
            norm = np.linalg.norm(w[r].astype(np.float64), ord=norm_type) if norm_type != 2 else \
                np.sqrt(np.sum(w[r].astype(np.float64) ** 2))
            if norm > max_norm:
                w[r] = w[r] * (max_norm / (norm + 1e-7))
        input._version[0] += 1
    return input


def from_file(filename, shared=None, size=0, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """torch.from_file: a 1-D tensor of `size` elements read from the start of a binary file (native
    byte order). shared=True maps the file, so writes to the tensor reach it, as in torch."""
    dt = dtype or _dtype.get_default_dtype()
    if shared:
        data = np.memmap(filename, dtype=dt.np, mode="r+", shape=(size,))
    else:
        data = np.fromfile(filename, dtype=dt.np, count=size)
        if data.size < size:
            raise RuntimeError(f"Trying to read {size * dt.np.itemsize} bytes from {filename}, "
                               f"but the file has only {data.size * dt.np.itemsize}")
    t = C.from_numpy(data)
    return t.requires_grad_(requires_grad) if requires_grad else t



def _approximate_basis(A, q, niter, M):
    from . import linalg
    from .ops.creation import randn
    dtype = A.dtype if A.is_floating_point() or A.is_complex() else _dtype.float32
    R = randn(A.shape[-1], q, dtype=dtype)
    X = A @ R
    if M is not None:
        X = X - M @ R
    Q = linalg.qr(X).Q
    for _ in range(niter):
        X = A.mH @ Q
        if M is not None:
            X = X - M.mH @ Q
        Q = linalg.qr(X).Q
        X = A @ Q
        if M is not None:
            X = X - M @ Q
        Q = linalg.qr(X).Q
    return Q


def _svd_lowrank(A, q=6, niter=2, M=None):
    from . import linalg
    q = 6 if q is None else q
    niter = 2 if niter is None else niter
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.size())
    if m < n:
        A = A.mH
        if M is not None:
            M = M.mH
    Q = _approximate_basis(A, q, niter, M)
    B = Q.mH @ A
    if M is not None:
        B = B - Q.mH @ M
    U, S, Vh = linalg.svd(B, full_matrices=False)
    V = Vh.mH
    U = Q.matmul(U)
    if m < n:
        U, V = V, U
    return U, S, V


def svd_lowrank(A, q=6, niter=2, M=None):
    """torch.svd_lowrank: Halko et al.'s randomized SVD (A ~ U diag(S) V^H), torch's steps and random
    draws (the same generator stream), differentiable through ember's qr and svd."""
    return _svd_lowrank(A, q, niter, M)


def pca_lowrank(A, q=None, center=True, niter=2):
    """torch.pca_lowrank: svd_lowrank of A less its column means (dense tensors)."""
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (0 <= q <= min(m, n)):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}")
    if not niter >= 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return _svd_lowrank(A, q, niter, None)
    return _svd_lowrank(A - A.mean(dim=(-2,), keepdim=True), q, niter, None)


def lobpcg(A, k=None, B=None, X=None, n=None, iK=None, niter=None, tol=None, largest=None, method=None,
           tracker=None, ortho_iparams=None, ortho_fparams=None, ortho_bparams=None):
    """torch.lobpcg: the k largest (or, with largest=False, smallest) eigenpairs of the symmetric
    positive definite problem ``A x = e B x`` (B the identity when None): eigenvalues in
    descending (ascending) order, B-orthonormal eigenvectors, batched over leading dims.

    torch iterates (LOBPCG) to `tol`; ember solves the dense problem exactly, with eigh after
    reducing it by B's Cholesky factor L (``L^-1 A L^-T``), so the eigenpairs agree within that
    tolerance and each eigenvector up to its sign. Differentiable through cholesky, the triangular
    solves and eigh. The iteration's own options (X's values, n, iK, niter, tol, method, tracker,
    ortho_*) are accepted and have nothing to steer."""
    from . import linalg
    m = A.shape[-1]
    if k is None:
        k = X.shape[-1] if X is not None else 1
    if m < 3 * k:
        raise ValueError(f"LOBPCG algorithm is not applicable when the number of A rows (={m}) is smaller than "
                         f"3 x the number of requested eigenpairs (={k})")
    if B is None:
        E, V = linalg.eigh(A)
    else:
        L = linalg.cholesky(B)
        C = linalg.solve_triangular(L, linalg.solve_triangular(L, A, upper=False).mT, upper=False)
        E, W = linalg.eigh(C)
        V = linalg.solve_triangular(L.mT, W, upper=True)
    if largest is None or largest:
        return E[..., m - k:].flip(-1), V[..., m - k:].flip(-1)
    return E[..., :k], V[..., :k]


def histogramdd(input, bins, *, range=None, weight=None, density=False):
    """torch.histogramdd: the histogram of the points in `input`'s rows (its last dim the coordinates);
    `bins` an int, N ints or N edge tensors, `range` a flat [min0, max0, min1, max1, ...]."""
    a = np.asarray(input._data)
    if a.ndim < 2:
        raise RuntimeError(f"torch.histogramdd: input tensor should have at least 2 dimensions, but got {a.ndim}")
    if a.dtype.kind != "f":
        raise RuntimeError("torch.histogramdd: input tensor and bins tensors should have the same dtype")
    pts = a.reshape(-1, a.shape[-1])
    n = pts.shape[1]
    if isinstance(bins, numbers.Integral):
        bins = [int(bins)] * n
    bins = [np.asarray(b._data) if isinstance(b, Tensor) else int(b) for b in bins]
    if len(bins) != n:
        raise RuntimeError(f"torch.histogramdd: expected {n} sequences of bin edges for each of the {n} "
                           f"dimensions of the input, but got {len(bins)}")
    if range is not None:
        rng = [(float(range[2 * i]), float(range[2 * i + 1])) for i in builtins_range(n)]
    elif pts.shape[0]:
        rng = [(float(pts[:, i].min()), float(pts[:, i].max())) for i in builtins_range(n)]
    else:
        rng = [(0.0, 1.0)] * n
    edges = []
    for i, b in enumerate(bins):
        if isinstance(b, np.ndarray):
            edges.append(b.astype(a.dtype))
            continue
        lo, hi = rng[i]
        if lo == hi:  # an empty range widens to [lo - 0.5, hi + 0.5]
            lo, hi = lo - 0.5, hi + 0.5
        e = C.linspace(lo, hi, b + 1, dtype=input.dtype)  # in the input dtype (torch: within an ulp)
        edges.append(np.asarray(e._data))
    h, _ = np.histogramdd(pts, bins=edges, weights=None if weight is None else np.asarray(weight._data).reshape(-1),
                          density=density)
    return _histogramdd_t(C.from_numpy(h.astype(a.dtype)), tuple(C.from_numpy(e) for e in edges))


builtins_range = range
_histogramdd_t = namedtuple("histogramdd", ["hist", "bin_edges"])
