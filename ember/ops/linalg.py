"""Linear algebra: matmul and its relatives, einsum, inverse, determinant, solve, norms."""
import numpy as np

from .._tensor import Tensor
from .. import _dtype
from ..autograd.function import Op
from .shape import unsqueeze, squeeze, reshape, transpose
from . import pointwise as P


def _check_same_dtype(a, b, name):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype.name} != {b.dtype.name}"
                           if name == "mm" else
                           f"expected scalar type {a.dtype.name.capitalize()} but found {b.dtype.name.capitalize()}")


class Matmul(Op):
    def forward(self, a, b):
        return a @ b

    def backward(self, gy):
        a, b = self.inputs
        n = self.needs_input_grad
        if a._data.ndim == 1 and b._data.ndim == 1:
            return (gy * b if n[0] else None), (gy * a if n[1] else None)
        a2 = unsqueeze(a, 0) if a._data.ndim == 1 else a
        b2 = unsqueeze(b, -1) if b._data.ndim == 1 else b
        g2 = gy
        if a._data.ndim == 1:
            g2 = unsqueeze(g2, -2)
        if b._data.ndim == 1:
            g2 = unsqueeze(g2, -1)
        ga = matmul(g2, transpose(b2, -1, -2)) if n[0] else None
        gb = matmul(transpose(a2, -1, -2), g2) if n[1] else None
        if ga is not None and a._data.ndim == 1:
            ga = squeeze(ga, -2)
            if ga._data.ndim > 1:  # a 1-D operand broadcast over a batch: sum the batch away
                ga = ga.sum_to_size(a._data.shape)
        if gb is not None and b._data.ndim == 1:
            gb = squeeze(gb, -1)
            if gb._data.ndim > 1:
                gb = gb.sum_to_size(b._data.shape)
        return ga, gb


def matmul(input, other):
    a, b = input, other
    if a._data.ndim == 0 or b._data.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a._data.ndim}D and {b._data.ndim}D")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype.name} != {b.dtype.name}")
    ka = a._data.shape[-1]
    kb = b._data.shape[-2] if b._data.ndim > 1 else b._data.shape[0]
    if ka != kb:
        if a._data.ndim <= 2 and b._data.ndim <= 2:
            sa = "x".join(map(str, a._data.shape if a._data.ndim == 2 else (1,) + a._data.shape))
            sb = "x".join(map(str, b._data.shape if b._data.ndim == 2 else b._data.shape + (1,)))
            if a._data.ndim == 1 and b._data.ndim == 1:
                raise RuntimeError(f"inconsistent tensor size, expected tensor [{ka}] and src [{kb}] to have the "
                                   "same number of elements, but got {ka} and {kb} elements respectively")
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{list(a.shape[:-2])}, {ka}] but got: {list(b.shape)}.")
    try:
        return Matmul.apply(a, b)
    except ValueError as e:
        raise RuntimeError(str(e)) from None


def mm(input, mat2):
    if input._data.ndim != 2 or mat2._data.ndim != 2:
        raise RuntimeError(f"self must be a matrix" if input._data.ndim != 2 else "mat2 must be a matrix")
    return matmul(input, mat2)


def bmm(input, mat2):
    if input._data.ndim != 3 or mat2._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if input._data.ndim != 3 else "batch2 must be a 3D tensor")
    if input._data.shape[0] != mat2._data.shape[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input._data.shape[0]}, {input._data.shape[2]}] but got: "
                           f"[{mat2._data.shape[0]}, {mat2._data.shape[1]}].")
    return matmul(input, mat2)


def mv(input, vec):
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input._data.ndim}, {vec._data.ndim}")
    return matmul(input, vec)


def dot(input, other):
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors")
    if input._data.shape != other._data.shape:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input._data.shape[0]}] and src "
                           f"[{other._data.shape[0]}] to have the same number of elements, but got "
                           f"{input._data.shape[0]} and {other._data.shape[0]} elements respectively")
    return matmul(input, other)


inner = dot


def vdot(input, other):
    return dot(P.conj(input), other)


def outer(input, vec2):
    return P.mul(unsqueeze(input, 1), unsqueeze(vec2, 0))


ger = outer


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    prod = mm(mat1, mat2)
    if alpha != 1:
        prod = prod * alpha
    return prod + (input if beta == 1 else input * beta) if beta != 0 else prod


def addmv(input, mat, vec, *, beta=1, alpha=1):
    prod = mv(mat, vec)
    return (input * beta if beta != 1 else input) + (prod * alpha if alpha != 1 else prod)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    prod = bmm(batch1, batch2)
    return (input * beta if beta != 1 else input) + (prod * alpha if alpha != 1 else prod)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    prod = bmm(batch1, batch2).sum(0)
    return (input * beta if beta != 1 else input) + (prod * alpha if alpha != 1 else prod)


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    prod = outer(vec1, vec2)
    return (input * beta if beta != 1 else input) + (prod * alpha if alpha != 1 else prod)


# ---------------------------------------------------------------- einsum
def _parse_einsum(equation, shapes):
    """Explicit subscripts: '...' replaced by letters, the output written out."""
    eq = equation.replace(" ", "")
    lhs, _, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation"
                           if len(shapes) > len(terms) else
                           "einsum(): fewer operands were provided than specified in the equation")
    used = set(c for c in eq if c.isalpha())
    spare = [c for c in "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba" if c not in used]
    n_ell = max((len(s) - (len(t) - 3) for t, s in zip(terms, shapes) if "..." in t), default=0)
    ell = "".join(spare[:n_ell])
    out_terms = []
    for t, s in zip(terms, shapes):
        if "..." in t:
            k = len(s) - (len(t) - 3)
            t = t.replace("...", ell[n_ell - k:])
        if len(t) != len(s):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t)}) does not match "
                               f"the number of dimensions ({len(s)}) for operand {len(out_terms)}"
                               " and no ellipsis was given")
        out_terms.append(t)
    if "->" in eq:
        out = rhs.replace("...", ell)
    else:
        counts = {}
        for t in out_terms:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in ell))
    return out_terms, out


class Einsum(Op):
    def forward(self, *xs, terms, out):
        self.terms, self.outsub = terms, out
        return np.einsum(",".join(terms) + "->" + out, *xs, optimize=len(xs) > 2)

    def backward(self, gy):
        xs = self.inputs
        grads = []
        for i, t in enumerate(self.terms):
            if not self.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [self.terms[j] for j in range(len(xs)) if j != i]
            avail = set(self.outsub).union(*others)
            # letters only in operand i were summed away: their gradient is a broadcast
            kept = "".join(dict.fromkeys(c for c in t if c in avail))
            g = einsum(",".join(others + [self.outsub]) + "->" + kept,
                       *[xs[j] for j in range(len(xs)) if j != i], gy)
            grads.append(_expand_subscripts(g, kept, t, xs[i]._data.shape))
        return tuple(grads)


def _expand_subscripts(g, have, want, shape):
    """Broadcast g (subscripts `have`) to subscripts `want` (possibly with repeated letters)."""
    if have == want:
        return g
    sizes = dict(zip(want, shape))
    letters = "".join(dict.fromkeys(want))
    full = g
    for k, c in enumerate(letters):
        if c not in have:
            full = unsqueeze(full, k)
            have = have[:k] + c + have[k:]
    full = full.expand(*[sizes[c] for c in letters])
    if letters == want:
        return full
    # repeated letters (a diagonal, as in 'ii->i'): place the values on that diagonal of zeros
    from .creation import zeros
    out = zeros(*[sizes[c] for c in want], dtype=full.dtype)
    idx_grids = np.indices([sizes[c] for c in letters], sparse=True)
    index = tuple(idx_grids[letters.index(c)] for c in want)
    from .indexing import index_put
    return index_put(out, index, full)


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    terms, out = _parse_einsum(equation, [o._data.shape for o in operands])
    dt = _dtype.result_type(*operands)
    ops = [o if o._data.dtype == dt else P.cast(o, dt) for o in operands]
    return Einsum.apply(*ops, terms=terms, out=out)


def tensordot(a, b, dims=2):
    if isinstance(dims, int):
        da = list(range(a._data.ndim - dims, a._data.ndim))
        db = list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    ta = [next(letters) for _ in range(a._data.ndim)]
    tb = [next(letters) for _ in range(b._data.ndim)]
    for i, j in zip(da, db):
        tb[j] = ta[i]
    out = [c for k, c in enumerate(ta) if k not in da] + [c for k, c in enumerate(tb) if k not in db]
    return einsum("".join(ta) + "," + "".join(tb) + "->" + "".join(out), a, b)


def kron(input, other):
    a, b = input, other
    if a._data.ndim == 1 and b._data.ndim == 1:
        return (unsqueeze(a, 1) * unsqueeze(b, 0)).reshape(-1)
    if a._data.ndim == 2 and b._data.ndim == 2:
        (m, n), (p, q) = a._data.shape, b._data.shape
        return (a.reshape(m, 1, n, 1) * b.reshape(1, p, 1, q)).reshape(m * p, n * q)
    raise NotImplementedError("kron for tensors other than 1-D or 2-D")


# ---------------------------------------------------------------- inverse, determinant, solve
class Inv(Op):
    save, saves_output = False, True

    def forward(self, a):
        try:
            return np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise RuntimeError("linalg.inv: The diagonal element 1 is zero, the inversion could not be "
                               "completed because the input matrix is singular.") from None

    def backward(self, gy):
        ai = transpose(self.out(), -1, -2)
        return -matmul(matmul(ai, gy), ai)


class Det(Op):
    def forward(self, a):
        return np.linalg.det(a)

    def backward(self, gy):
        a = self.inputs[0]
        d = Det.apply(a)
        return unsqueeze(unsqueeze(gy * d, -1), -1) * transpose(inv(a), -1, -2)


class Solve(Op):
    save, saves_output = True, True

    def forward(self, a, b):
        self.vec = b.ndim == a.ndim - 1
        try:
            return np.linalg.solve(a, b[..., None])[..., 0] if self.vec else np.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            raise RuntimeError("torch.linalg.solve: The solver failed because the input matrix is singular.") from None

    def backward(self, gy):
        a = self.inputs[0]
        x = self.out()
        gb = solve(transpose(a, -1, -2), gy)
        if self.vec:
            ga = -unsqueeze(gb, -1) * unsqueeze(x, -2)
        else:
            ga = -matmul(gb, transpose(x, -1, -2))
        return ga, gb


def _square(a, name):
    if a._data.ndim < 2 or a._data.shape[-1] != a._data.shape[-2]:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are "
                           f"{a._data.shape[-2] if a._data.ndim > 1 else a._data.shape[-1]} by "
                           f"{a._data.shape[-1]} matrices")
    if a._data.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.{name}: Expected a floating point or complex tensor as input. "
                           f"Got {a.dtype.name.capitalize()}")


def inv(A):
    _square(A, "inv")
    return Inv.apply(A)


def det(A):
    _square(A, "det")
    return Det.apply(A)


def slogdet(A):
    from collections import namedtuple
    s = P._nograd(lambda a: np.linalg.slogdet(a)[0], A)
    return namedtuple("slogdet", ["sign", "logabsdet"])(s, P.log(P.abs(det(A))))


def logdet(A):
    return P.log(det(A))


def solve(A, B, *, left=True):
    _square(A, "solve")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{A.dtype.name.capitalize()} and B of type {B.dtype.name.capitalize()} instead")
    return Solve.apply(A, B)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    from .reduction import vector_norm, sum as _sum, amax, amin
    if ord == "fro":
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if ord == "nuc":
        return _sum(svdvals(A), -1)
    if ord in (1, -1):
        s = _sum(P.abs(A), dim[0], keepdim=True)
        r = (amax if ord == 1 else amin)(s, dim[1], keepdim=True)
    elif ord in (float("inf"), -float("inf")):
        s = _sum(P.abs(A), dim[1], keepdim=True)
        r = (amax if ord > 0 else amin)(s, dim[0], keepdim=True)
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    return r if keepdim else squeeze(squeeze(r, max(dim)), min(dim))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    from .reduction import vector_norm
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if isinstance(ord, str) or (dim is not None and not isinstance(dim, int) and len(dim) == 2) or \
            (dim is None and A._data.ndim == 2):
        return matrix_norm(A, ord, dim if dim is not None else (-2, -1), keepdim, dtype=dtype)
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


def svdvals(A):
    return P._nograd(lambda a: np.linalg.svd(a, compute_uv=False), A)


def cross(input, other, dim=None):
    d = -1 if dim is None else dim
    a = input.movedim(d, -1)
    b = other.movedim(d, -1)
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    from .shape import stack
    return stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], -1).movedim(-1, d)


def trace(input):
    from .shape import diagonal
    return diagonal(input).sum()
