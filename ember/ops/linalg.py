"""Linear algebra: matmul and its relatives, einsum, inverse, determinant, solve, norms."""
import math

import numpy as np

from .._backend import get_array_module, to_device
from .._tensor import Tensor, _wrap, _wrap_dim
from ..autograd.function import Op
from ..autograd.grad_mode import state as _mode
from ..autograd import trace as _trace
from .. import _runtime
from .shape import unsqueeze, squeeze, reshape, transpose, movedim, expand
from . import pointwise as P


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a matrix the operation cannot handle (a singular one)."""


def _name(t):
    return P._tname(t._data.dtype)


# ---------------------------------------------------------------- matmul
class Matmul(Op):
    arrays = True

    def forward(self, a, b):
        if a.ndim == 2 and b.ndim == 2:
            return a.dot(b)  # same result; up to 5x faster than matmul for skinny shapes
        return np.matmul(a, b)

    def backward(self, gy):
        a, b = self.saved(gy)
        n = self.needs_input_grad
        if _is_complex(a) or _is_complex(b):  # torch's convention: products with the conjugates
            a, b = a.conj(), b.conj()
        if a.ndim == 2 and b.ndim == 2:  # the common case
            return (_mm(gy, b.mT) if n[0] else None), (_mm(a.mT, gy) if n[1] else None)
        if a.ndim == 1 and b.ndim == 1:
            return (gy * b if n[0] else None), (gy * a if n[1] else None)
        # a vector operand is a matrix with one row (a) or one column (b)
        a2 = a.reshape((1,) + tuple(a.shape)) if a.ndim == 1 else a
        b2 = b.reshape(tuple(b.shape) + (1,)) if b.ndim == 1 else b
        g2 = gy
        if a.ndim == 1:
            g2 = g2.reshape(tuple(g2.shape[:-1]) + (1,) + tuple(g2.shape[-1:]))
        if b.ndim == 1:
            g2 = g2.reshape(tuple(g2.shape) + (1,))
        # broadcast batch dims come back summed by the engine
        ga = _mm(g2, b2.mT) if n[0] else None
        gb = _mm(a2.mT, g2) if n[1] else None
        if ga is not None and a.ndim == 1:
            ga = ga.reshape(tuple(ga.shape[:-2]) + tuple(ga.shape[-1:]))
        if gb is not None and b.ndim == 1:
            gb = gb.reshape(tuple(gb.shape[:-1]))
        return ga, gb


def _is_complex(x):
    return (x._data if isinstance(x, Tensor) else x).dtype.kind == "c"


def _mm(a, b):
    """``a @ b`` inside a backward that runs on tensors (recorded) or arrays: Matmul.on without
    its generic dispatch, which costs more than a small product."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return Matmul.apply(a, b)
    return Matmul.forward(None, a, b)  # (forward keeps no state)


def matmul(input, other):
    if _runtime.autocast_dtype is not None:  # torch.autocast: in bfloat16
        return _runtime.autocast_run(matmul, input, other)
    a, b = input._data, other._data
    if a.ndim == 2 and b.ndim == 2 and a.dtype is b.dtype and a.shape[1] == b.shape[0] and _trace.active is None:
        out = _wrap(a.dot(b))  # the common case: Matmul.forward's, without apply's dispatch
        if (input._rg or other._rg) and _mode.enabled:
            Matmul().connect((input, other), out, [a, b])
        return out
    if a.ndim and b.ndim and a.dtype == b.dtype and a.shape[-1] == b.shape[-2 if b.ndim > 1 else 0] \
            and (a.ndim <= 2 or b.ndim <= 2 or a.shape[:-2] == b.shape[:-2]):
        return Matmul.apply(input, other)  # the common case, checked cheaply
    _check_matmul(input, other)
    return Matmul.apply(input, other)


def _check_matmul(input, other):
    """torch's errors for operands matmul cannot multiply (the wording follows torch's dispatch)."""
    a, b = input._data.shape, other._data.shape
    if not a or not b:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {len(a)}D and {len(b)}D")
    if input._data.dtype != other._data.dtype:
        names = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
                 "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
                 "bool": "bool", "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {names[input.dtype.name]} != "
                           f"{names[other.dtype.name]}")
    ka, kb = a[-1], b[-2 if len(b) > 1 else 0]
    if len(a) == 1 and len(b) == 1:
        if ka != kb:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{ka}] and src [{kb}] to have the same "
                               f"number of elements, but got {ka} and {kb} elements respectively")
        return
    if len(b) <= 2:  # torch folds a's batch into its rows: mv or mm
        rows = math.prod(a[:-1])
        if len(b) == 1 and ka != kb:
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{ka}), vec ({kb})")
        if len(b) == 2 and ka != kb:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{ka} and {kb}x{b[-1]})")
        return
    batch_a, batch_b = a[:-2], b[:-2]
    n = max(len(batch_a), len(batch_b))
    pa, pb = (1,) * (n - len(batch_a)) + batch_a, (1,) * (n - len(batch_b)) + batch_b
    for d in range(n - 1, -1, -1):
        if pa[d] != pb[d] and pa[d] != 1 and pb[d] != 1:
            raise RuntimeError(f"The size of tensor a ({pa[d]}) must match the size of tensor b ({pb[d]}) at "
                               f"non-singleton dimension {d}")
    if ka != kb:
        batch = math.prod(max(x, y) for x, y in zip(pa, pb))
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{batch}, {ka}] but "
                           f"got: [{batch}, {kb}].")


def mm(input, mat2):
    if _runtime.autocast_dtype is not None:
        return _runtime.autocast_run(mm, input, mat2)
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2)


def bmm(input, mat2):
    if _runtime.autocast_dtype is not None:
        return _runtime.autocast_run(bmm, input, mat2)
    if input._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    (n, _, k), (n2, k2, _) = input._data.shape, mat2._data.shape
    if n != n2 or k != k2:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {k}] but got: "
                           f"[{n2}, {k2}].")
    if input._data.dtype != mat2._data.dtype:
        raise RuntimeError(f"expected scalar type {_name(input)} but found {_name(mat2)}")
    return Matmul.apply(input, mat2)


def mv(input, vec):
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input._data.ndim}, {vec._data.ndim}")
    return matmul(input, vec)


def dot(input, other):
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {_name(input)} and "
                           f"{_name(other)}")
    return matmul(input, other)


def inner(input, other):
    if input._data.ndim == 0 or other._data.ndim == 0:
        return P.mul(input, other)
    if input._data.shape[-1] != other._data.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, ([-1], [-1]))


def vdot(input, other):
    return dot(P.conj(input), other)


def outer(input, vec2):
    return P.mul(unsqueeze(input, 1), unsqueeze(vec2, 0))


ger = outer


def _add_scaled(input, prod, beta, alpha):
    """``beta * input + alpha * prod``; with beta = 0 the input is ignored (NaN included), as torch."""
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:
        # a zero gradient still reaches input, as in torch, but none of its values
        return prod + P.where(_wrap(get_array_module(input._data).asarray(False)), input, 0)
    return prod + (input if beta == 1 else input * beta)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    if _runtime.autocast_dtype is not None:
        return _runtime.autocast_run(addmm, input, mat1, mat2, beta=beta, alpha=alpha)
    return _add_scaled(input, mm(mat1, mat2), beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    return _add_scaled(input, mv(mat, vec), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    if _runtime.autocast_dtype is not None:
        return _runtime.autocast_run(baddbmm, input, batch1, batch2, beta=beta, alpha=alpha)
    return _add_scaled(input, bmm(batch1, batch2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    if _runtime.autocast_dtype is not None:
        return _runtime.autocast_run(addbmm, input, batch1, batch2, beta=beta, alpha=alpha)
    return _add_scaled(input, bmm(batch1, batch2).sum(0), beta, alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    return _add_scaled(input, outer(vec1, vec2), beta, alpha)


# ---------------------------------------------------------------- einsum
def _parse_einsum(equation, shapes):
    """Explicit subscripts: '...' replaced by letters, the output written out, sizes checked."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
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
    for k, (t, s) in enumerate(zip(terms, shapes)):
        if "..." in t:
            t = t.replace("...", ell[n_ell - (len(s) - (len(t) - 3)):])
        if len(t) != len(s):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t)}) does not match "
                               f"the number of dimensions ({len(s)}) for operand {k}"
                               + (" and no ellipsis was given" if "..." not in terms[k] else ""))
        out_terms.append(t)
    if arrow:
        out = rhs.replace("...", ell)
        for c in out:
            if out.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
            if not any(c in t for t in out_terms):
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any "
                                   "input operand")
    else:  # implicit output: the ellipsis dims, then the letters seen once, in alphabetical order
        counts = {}
        for t in out_terms:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in ell))
    # sizes: a letter's dims agree, or are 1 and broadcast
    sizes = {}
    for k, (t, s) in enumerate(zip(out_terms, shapes)):
        seen = {}
        for c, n in zip(t, s):
            if c in seen and seen[c] != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {k} but the sizes don't "
                                   f"match, {n} != {seen[c]}")
            seen[c] = n
            if sizes.get(c, 1) != 1 and n != 1 and n != sizes[c]:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {k} which does not "
                                   f"broadcast with previously seen size {sizes[c]}")
            if n != 1 or c not in sizes:
                sizes[c] = n
    return out_terms, out, sizes


class Einsum(Op):
    def forward(self, *xs, terms, out):
        self.terms, self.outsub = terms, out
        # NumPy's optimize path reaches BLAS (tensordot), worth its planning cost beyond small operands
        big = len(xs) > 2 or sum(x.size for x in xs) > 512
        return np.einsum(",".join(terms) + "->" + out, *xs, optimize=big)

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
            # complex operands enter conjugated (torch's convention: grad_out * conj(d out / d x))
            g = einsum(",".join(others + [self.outsub]) + "->" + kept,
                       *[xs[j].conj() for j in range(len(xs)) if j != i], gy)
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
    full = expand(full, tuple(sizes[c] for c in letters))
    if letters == want:
        return full
    # repeated letters (a diagonal, as in 'ii->i'): place the values on that diagonal of zeros
    from .creation import zeros
    from .indexing import index_put
    out = zeros(*[sizes[c] for c in want], dtype=full.dtype)
    grids = np.indices([sizes[c] for c in letters], sparse=True)
    return index_put(out, tuple(grids[letters.index(c)] for c in want), full)


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for o in operands[1:]:
        if o._data.dtype != operands[0]._data.dtype:
            raise RuntimeError(f"expected scalar type {_name(operands[0])} but found {_name(o)}")
    terms, out, sizes = _parse_einsum(equation, [o._data.shape for o in operands])
    ops = [o if all(sizes[c] == n for c, n in zip(t, o._data.shape)) else expand(o, tuple(sizes[c] for c in t))
           for t, o in zip(terms, operands)]  # size-1 dims broadcast
    return Einsum.apply(*ops, terms=terms, out=out)


def tensordot(a, b, dims=2):
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(-dims, 0)), list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    for i, j in zip(da, db):
        if a._data.shape[i] != b._data.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a._data.shape[i]} in dim "
                               f"{i} and second has size {b._data.shape[j]} in dim {j}")
    da = [_wrap_dim(d, a._data.ndim) for d in da]
    db = [_wrap_dim(d, b._data.ndim) for d in db]
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    ta = [next(letters) for _ in range(a._data.ndim)]
    tb = [next(letters) for _ in range(b._data.ndim)]
    for i, j in zip(da, db):
        tb[j] = ta[i]
    out = [c for k, c in enumerate(ta) if k not in da] + [c for k, c in enumerate(tb) if k not in db]
    return einsum("".join(ta) + "," + "".join(tb) + "->" + "".join(out), a, b)


def kron(input, other):
    a, b = input, other
    n = max(a._data.ndim, b._data.ndim)
    a = reshape(a, (1,) * (n - a._data.ndim) + a._data.shape)
    b = reshape(b, (1,) * (n - b._data.ndim) + b._data.shape)
    # interleave the dims: (a0, b0, a1, b1, ...), then merge each pair
    x = reshape(a, tuple(v for s in a._data.shape for v in (s, 1)))
    y = reshape(b, tuple(v for s in b._data.shape for v in (1, s)))
    return reshape(x * y, tuple(p * q for p, q in zip(a._data.shape, b._data.shape)))


# ---------------------------------------------------------------- inverse, determinant, solve
def _square(a, name):
    if a._data.ndim < 2 or a._data.shape[-1] != a._data.shape[-2]:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are "
                           f"{a._data.shape[-2] if a._data.ndim > 1 else a._data.shape[-1]} by "
                           f"{a._data.shape[-1]} matrices")
    _floating(a, name)


def _floating(a, name):
    if a._data.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.{name}: Expected a floating point or complex tensor as input. Got {_name(a)}")


def _singular_error(a, prefix):
    """torch's LinAlgError: names the batch element and LAPACK's first zero pivot (LU, partial pivoting)."""
    flat = to_device(a, "cpu").astype(np.float64).reshape((-1,) + a.shape[-2:])  # (an error message: on the host)
    for b, m in enumerate(flat):
        m = m.copy()
        for j in range(m.shape[0]):
            p = j + int(np.argmax(np.abs(m[j:, j])))
            if m[p, j] == 0:
                where = f"(Batch element {b}): " if a.ndim > 2 else ""
                return LinAlgError(f"{prefix}{where}The diagonal element {j + 1} is zero, the inversion could "
                                   "not be completed because the input matrix is singular.")
            m[[j, p]] = m[[p, j]]
            m[j + 1:] -= np.outer(m[j + 1:, j] / m[j, j], m[j])
    return LinAlgError(prefix + "The inversion could not be completed because the input matrix is singular.")


class Inv(Op):
    save, saves_output = False, True

    def forward(self, a):
        try:
            return np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise _singular_error(a, "linalg.inv: ") from None

    def backward(self, gy):
        ai = P.conj(transpose(self.out(), -1, -2))  # A^-H (torch's convention for complex A)
        return -matmul(matmul(ai, gy), ai)


class Det(Op):
    saves_output = True

    def forward(self, a):
        return np.linalg.det(a)

    def backward(self, gy):
        # d det(A) / dA = det(A) A^-T; torch gives 0 where det(A) = 0, and so does this:
        # singular matrices are swapped for I before inverting, their det factor zeroes them
        a, d = self.inputs[0], self.out()
        singular = d._data == 0
        if np.any(singular):
            eye = _wrap(np.eye(a._data.shape[-1], dtype=a._data.dtype))
            a = P.where(_wrap(singular[..., None, None]), eye, a)
        g = unsqueeze(unsqueeze(gy * P.conj(d), -1), -1)
        ga = g * P.conj(transpose(inv(a), -1, -2))
        if np.any(singular):
            # there det A = 0 but its derivative, the cofactor matrix, need not be: from A = U S Vh,
            # d det A = det(U) det(Vh) sum_i prod_{j != i} s_j u_i^T dA v_i (torch does the same)
            u, sv, vh = np.linalg.svd(self.inputs[0]._data)
            n = sv.shape[-1]
            others = np.prod(np.where(np.eye(n, dtype=bool), 1, sv[..., None, :]), -1)
            cof = (u * (np.linalg.det(u) * np.linalg.det(vh))[..., None, None] * others[..., None, :]) @ vh
            gs = np.where(singular[..., None, None], np.conj(cof), 0) * np.asarray(gy._data)[..., None, None]
            ga = ga + _wrap(gs.astype(ga._data.dtype))
        return ga


def inv(A):
    _square(A, "inv")
    return Inv.apply(A)


inverse = inv


def det(A):
    _square(A, "det")
    return Det.apply(A)


_slogdet_t = None


def slogdet(A):
    """torch.slogdet: ember.linalg.slogdet's result as torch.return_types.slogdet."""
    global _slogdet_t
    from collections import namedtuple
    from ..linalg import slogdet as _slogdet
    _slogdet_t = _slogdet_t or namedtuple("slogdet", ["sign", "logabsdet"])
    return _slogdet_t(*_slogdet(A))


def logdet(A):
    return P.log(det(A))


class Solve(Op):
    saves_output = True

    def forward(self, a, b, vec):
        self.vec = vec
        try:
            return np.linalg.solve(a, b[..., None])[..., 0] if vec else np.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is singular.") \
                from None

    def backward(self, gy):
        a = self.inputs[0]
        x = self.out()
        gb = Solve.apply(P.conj(transpose(a, -1, -2)), gy, self.vec)  # A^H gB = gX
        n = self.needs_input_grad
        ga = None
        if n[0]:
            xh = P.conj(x)
            ga = -(unsqueeze(gb, -1) * unsqueeze(xh, -2) if self.vec else matmul(gb, transpose(xh, -1, -2)))
        return ga, (gb if n[1] else None), None


def solve(A, B, *, left=True):
    _square(A, "solve")
    _floating(B, "solve")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{_name(A)} and B of type {_name(B)} instead")
    a, b = A._data.shape, B._data.shape
    # torch's rule: B is a (batch of) vector(s) when 1-D or when its shape is A's without the last dim
    vec = len(b) == 1 or (len(b) == len(a) - 1 and b == a[:-1])
    if not left:  # X A = B  <=>  A^T X^T = B^T
        if vec:
            return solve(transpose(A, -1, -2), B)
        return transpose(solve(transpose(A, -1, -2), transpose(B, -1, -2)), -1, -2)
    rows = b[-1] if vec else b[-2] if len(b) > 1 else b[0]
    if rows != a[-1]:
        shape_b = f"{b[-1]}x1" if vec else f"{b[-2]}x{b[-1]}"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({a[-2]}x{a[-1]} and {shape_b})")
    try:
        np.broadcast_shapes(a[:-2], b[:-1] if vec else b[:-2])
    except ValueError:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({'x'.join(map(str, a))} and {'x'.join(map(str, b))})") from None
    return Solve.apply(A, B, vec)


# ---------------------------------------------------------------- norms
class Svdvals(Op):
    save = False

    def forward(self, a):
        self.u, s, self.vh = np.linalg.svd(a, full_matrices=False)
        return s

    def backward(self, gy):
        # d s_i = u_i^T dA v_i, so dA = U diag(gs) V^T (for distinct singular values)
        return matmul(_wrap(self.u) * unsqueeze(gy, -2), _wrap(self.vh))


def svdvals(A):
    _floating(A, "svdvals")
    if A._data.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    return Svdvals.apply(A)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    from .reduction import vector_norm as _vector_norm
    if isinstance(ord, str):
        raise TypeError("linalg_vector_norm(): argument 'ord' (position 2) must be Number, not str")
    return _vector_norm(x, ord, dim, keepdim, dtype=dtype)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    from .reduction import sum as _sum, amax, amin
    if dtype is not None:
        A = A.to(dtype)
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    _floating(A, "matrix_norm")
    dim = tuple(dim)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
    d0, d1 = _wrap_dim(dim[0], A._data.ndim), _wrap_dim(dim[1], A._data.ndim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        s = svdvals(movedim(A, (d0, d1), (-2, -1)))
        r = _sum(s, -1) if ord == "nuc" else amax(s, -1) if ord == 2 else amin(s, -1)
        if keepdim:
            r = unsqueeze(unsqueeze(r, min(d0, d1)), max(d0, d1))
        return r
    if ord in (1, -1):  # largest (smallest) column sum
        r = (amax if ord == 1 else amin)(_sum(P.abs(A), d0, keepdim=True), d1, keepdim=True)
    elif ord in (math.inf, -math.inf):  # largest (smallest) row sum
        r = (amax if ord > 0 else amin)(_sum(P.abs(A), d1, keepdim=True), d0, keepdim=True)
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    return r if keepdim else squeeze(r, (d0, d1))


def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """torch.linalg.norm (torch.norm, in reduction.py, has other rules): a vector norm over one
    dim (or all), a matrix norm over two."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}")
    if ord is None:
        if dim is not None and len(dim) == 2:
            return matrix_norm(A, "fro", dim, keepdim, dtype=dtype)
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if A._data.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                               f"Got {A._data.ndim}D.")
        dim = tuple(range(A._data.ndim))
    if len(dim) == 2:
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord}")
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


# ---------------------------------------------------------------- cross, trace
def cross(input, other, dim=None):
    """torch.cross: without `dim`, the first dim of size 3 (torch.linalg.cross uses the last)."""
    if dim is None:
        shape = np.broadcast_shapes(input._data.shape, other._data.shape)
        dim = next((d for d, s in enumerate(shape) if s == 3), -1)
    return linalg_cross(input, other, dim=dim)


def linalg_cross(input, other, *, dim=-1):
    """torch.linalg.cross: the cross product of 3-vectors along `dim`, inputs broadcast."""
    n = max(input._data.ndim, other._data.ndim)
    d = _wrap_dim(dim, n)
    sa = input._data.shape[d - n + input._data.ndim] if d - n + input._data.ndim >= 0 else 1
    sb = other._data.shape[d - n + other._data.ndim] if d - n + other._data.ndim >= 0 else 1
    if sa != 3 or sb != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {sa} and {sb}")
    a, b = P.promote(input, other)
    a, b = movedim(a, d - n + a._data.ndim, -1), movedim(b, d - n + b._data.ndim, -1)
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    from .shape import stack
    return movedim(stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], -1), -1, d)


def trace(input):
    from .shape import diagonal
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    return diagonal(input).sum()


def cdist(x1, x2, p=2.0, compute_mode=None):
    """Pairwise p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M)."""
    from .reduction import vector_norm
    return vector_norm(unsqueeze(x1, -2) - unsqueeze(x2, -3), p, -1)


def chain_matmul(*matrices):
    """Deprecated in torch (with its warning): matmul of a chain of matrices, as linalg.multi_dot."""
    import warnings
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
                  "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than multiple "
                  "parameters.", UserWarning, stacklevel=2)
    out = matrices[0]
    for m in matrices[1:]:
        out = matmul(out, m)
    return out


def pinverse(input, rcond=1e-15):
    return P._nograd(lambda a: np.linalg.pinv(a, rcond=rcond), input)


def matrix_exp(A):
    """torch.matrix_exp: ember.linalg.matrix_exp (where its Function lives)."""
    from ..linalg import matrix_exp as _matrix_exp
    return _matrix_exp(A)


def matrix_power(input, n):
    from ..linalg import matrix_power as _matrix_power
    return _matrix_power(input, n)


def vander(x, N=None, increasing=False):
    """torch.vander: powers of a 1-D x, decreasing unless `increasing` (torch.linalg.vander's flipped)."""
    from ..linalg import vander as _vander
    from .shape import flip
    if x._data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    v = _vander(x, N=N)
    return v if increasing else flip(v, (-1,))
