"""torch.autograd.forward_ad: forward-mode differentiation with dual tensors.

``make_dual(primal, tangent)`` inside a ``dual_level`` gives a tensor equal to `primal` that
remembers its tangent. Ops run on it as on any tensor; ``unpack_dual(y)`` gives y's value and
its tangent, J t summed over the level's dual tensors y depends on. ember computes that tangent
when it is read, by differentiating the vector-Jacobian product with respect to its cotangent
(as ``torch.func.jvp`` does here), so every op on the way needs a double backward. One
difference from torch: a dual tensor, and what is computed from it, requires grad.
"""
from typing import NamedTuple

from .. import _tensor

__all__ = ["UnpackedDualTensor", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual", "dual_level"]

_levels = []  # per level entered: the (dual tensor, tangent) pairs made in it


class UnpackedDualTensor(NamedTuple):
    primal: object
    tangent: object


def enter_dual_level():
    """Open a new level of forward AD; returns its index."""
    _levels.append([])
    return len(_levels) - 1


def exit_dual_level(*, level=None):
    """Close the innermost level: its dual tensors lose their tangents."""
    if not _levels or level is not None and level != len(_levels) - 1:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that was created. "
                           "This is not supported.")
    _levels.pop()


class dual_level:
    """Context manager: a level of forward AD for the code inside it."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()
        return False


def make_dual(tensor, tangent, *, level=None):
    """A tensor equal to `tensor` that carries `tangent` (same shape) through the ops applied to it."""
    if not _levels:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, make sure to "
                           "enter_dual_level() first.")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(f"Trying to set a forward gradient that has a different size than that of the original "
                           f"Tensor, this is not supported. Tensor is of size {list(tensor.shape)} while the "
                           f"given forward gradient is of size {list(tangent.shape)}.")
    dual = tensor.detach().requires_grad_()
    _levels[-1].append((dual, tangent))
    return dual


def unpack_dual(tensor, *, level=None):
    """(value, tangent) of `tensor`; the tangent is None when it depends on no dual tensor."""
    from . import grad
    duals = _levels[-1] if _levels else []
    for d, t in duals:
        if d is tensor:
            return UnpackedDualTensor(tensor.detach(), t)
    if not duals or not isinstance(tensor, _tensor.Tensor) or not tensor.requires_grad:
        return UnpackedDualTensor(tensor.detach() if isinstance(tensor, _tensor.Tensor) else tensor, None)
    from .. import zeros_like, enable_grad
    with enable_grad():
        u = zeros_like(tensor).requires_grad_()
        gs = grad(tensor, [d for d, _ in duals], u, create_graph=True, allow_unused=True)
        pairs = [(g, t) for g, (_, t) in zip(gs, duals) if g is not None and g.requires_grad]
        if not pairs:
            return UnpackedDualTensor(tensor.detach(), None)
        tangent = grad([g for g, _ in pairs], u, [t for _, t in pairs], allow_unused=True)[0]
    return UnpackedDualTensor(tensor.detach(), None if tangent is None else tangent.detach())
