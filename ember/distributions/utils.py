"""Small helpers the distributions share (torch.distributions.utils)."""
import math
from numbers import Number

import numpy as np

import ember
from .._tensor import Tensor

euler_constant = 0.57721566490153286060  # Euler-Mascheroni constant, -digamma(1)


def _finfo(dtype):
    """eps, tiny, max and min of an ember floating dtype."""
    from .._dtype import to_np
    return np.finfo(to_np(dtype))


def _all_true(value):
    """Whether a boolean tensor holds only True."""
    return value.all()


def broadcast_all(*values):
    """Tensors of one broadcast shape from numbers and tensors; numbers take the first tensor's dtype."""
    for v in values:
        if not isinstance(v, (Tensor, Number)):
            raise ValueError("Input arguments must all be instances of numbers.Number, "
                             "torch.Tensor or objects implementing __torch_function__.")
    like = [v for v in values if isinstance(v, Tensor)]
    dtype = like[0].dtype if like else ember.get_default_dtype()
    return ember.broadcast_tensors(*[v if isinstance(v, Tensor) else ember.tensor(v, dtype=dtype) for v in values])


def _standard_normal(shape, dtype, device=None):
    """N(0, 1) draws, in the order torch's generator gives them."""
    return ember.empty(tuple(shape), dtype=dtype).normal_()


def _sum_rightmost(value, dim):
    """`value` summed over its last `dim` dimensions (dim = 0 leaves it alone)."""
    return value.reshape(tuple(value.shape[:value.dim() - dim]) + (-1,)).sum(-1) if dim > 0 else value


def clamp_probs(probs):
    """Probabilities pulled eps away from 0 and 1, so that their logs stay finite."""
    eps = float(_finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def logits_to_probs(logits, is_binary=False):
    """Sigmoid of binary logits, softmax over the last dimension otherwise."""
    return ember.sigmoid(logits) if is_binary else ember.softmax(logits, dim=-1)


def probs_to_logits(probs, is_binary=False):
    """Inverse of `logits_to_probs`: log-odds for binary probabilities, log-probabilities otherwise."""
    p = clamp_probs(probs)
    return ember.log(p) - ember.log1p(-p) if is_binary else ember.log(p)


class lazy_property:
    """A property computed once per instance, then stored in the instance's __dict__ under its name."""

    def __init__(self, fn):
        self.wrapped = fn
        self.__doc__, self.__name__ = fn.__doc__, fn.__name__

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        with ember.enable_grad():  # a cached value must carry its graph even when first read under no_grad
            value = self.wrapped(obj)
        obj.__dict__[self.wrapped.__name__] = value
        return value


def _tril_positions(n, diag):
    """Flat (row * n + col) positions of the lower triangle below diagonal `diag`, row by row."""
    rows, cols = np.tril_indices(n, diag)
    return rows * n + cols


def tril_matrix_to_vec(mat, diag=0):
    """The lower triangle (below diagonal `diag`) of the last two dimensions, read row by row."""
    n = mat.shape[-1]
    if not -n <= diag < n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    flat = mat.reshape(tuple(mat.shape[:-2]) + (n * n,))
    return flat[..., ember.tensor(_tril_positions(n, diag))]


def vec_to_tril_matrix(vec, diag=0):
    """Inverse of `tril_matrix_to_vec`: a square matrix whose lower triangle holds `vec`, zeros elsewhere."""
    m = vec.shape[-1]
    # n is the root of the quadratic that counts the entries on and below diagonal `diag` of an n x n matrix
    b = 1 + 2 * diag
    root = (-b + math.sqrt(b * b + 8 * m + 4 * abs(diag) * (diag + 1))) / 2
    n = round(root)
    if n - root > 1e-8:
        raise ValueError(f"The size of last dimension is {m} which cannot be expressed as "
                         "the lower triangular part of a square D x D matrix.")
    pos = _tril_positions(n, diag)
    if len(pos) != m:  # rounded down to a triangle that is too small (torch fails here too, as a RuntimeError)
        raise RuntimeError(f"shape mismatch: value tensor of shape [{m}] cannot be broadcast to indexing result "
                           f"of shape [{len(pos)}]")
    # gather from vec padded with one zero: every position outside the triangle reads that zero
    src = np.full(n * n, m)
    src[pos] = np.arange(m)
    padded = ember.cat([vec, vec.new_zeros(tuple(vec.shape[:-1]) + (1,))], -1)
    return padded[..., ember.tensor(src)].reshape(tuple(vec.shape[:-1]) + (n, n))
