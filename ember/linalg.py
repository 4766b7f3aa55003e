"""ember.linalg: torch.linalg's names for the linear-algebra ops (implemented in ops/linalg.py)."""
from .ops.linalg import (LinAlgError, inv, det, slogdet, solve, matrix_norm, vector_norm, svdvals,  # noqa: F401
                         matmul, tensordot)
from .ops.linalg import linalg_norm as norm, linalg_cross as cross  # noqa: F401
from .ops.shape import diagonal as _diagonal


def vecdot(x, y, *, dim=-1):
    """The dot product of vectors along `dim` (x conjugated), inputs broadcast."""
    from .ops.pointwise import conj
    return (conj(x) * y).sum(dim)


def multi_dot(tensors):
    """matmul of a chain of matrices (the first and last may be vectors), left to right."""
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    out = tensors[0]
    for t in tensors[1:]:
        out = matmul(out, t)
    return out


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return _diagonal(A, offset, dim1, dim2)
