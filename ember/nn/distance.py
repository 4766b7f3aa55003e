"""Distances: F.pairwise_distance, F.cosine_similarity, F.pdist and their modules."""
from ..autograd.grad_mode import no_grad
from .module import Module


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``||x1 - x2 + eps||_p`` over the last dim."""
    d = x1 - x2 + eps
    return d.norm(p, -1, keepdim) if d.ndim > 0 else d.abs()


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``x1 . x2 / (max(||x1||, eps) * max(||x2||, eps))`` along dim."""
    from ..ops.shape import broadcast_tensors
    if x1._data.dtype.kind not in "fc":
        x1 = x1.float()
    if x2._data.dtype.kind not in "fc":
        x2 = x2.float()
    x1, x2 = broadcast_tensors(x1, x2)
    # each vector is divided by its norm first, which keeps the result in [-1, 1]; the norms
    # are clamped outside the graph, as torch does
    n1 = x1.norm(2, dim, keepdim=True).clone()
    n2 = x2.norm(2, dim, keepdim=True).clone()
    with no_grad():
        n1.clamp_min_(eps)
        n2.clamp_min_(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pdist(input, p=2):
    """Distances between all pairs of rows, upper triangle, row-major."""
    import numpy as np
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    from .. import tensor
    return pairwise_distance(input[tensor(i)], input[tensor(j)], p, 0.0)


class PairwiseDistance(Module):
    """F.pairwise_distance as a module."""

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    """F.cosine_similarity as a module."""

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return cosine_similarity(x1, x2, self.dim, self.eps)
