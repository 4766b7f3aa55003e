"""ember.linalg: torch.linalg's names for the linear-algebra ops."""
from .ops.linalg import inv, det, slogdet, solve, norm, matrix_norm, svdvals, cross  # noqa: F401
from .ops.reduction import vector_norm  # noqa: F401
