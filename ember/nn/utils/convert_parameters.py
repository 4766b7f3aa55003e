"""Flatten parameters into one vector and back."""
from ..._tensor import Tensor
from ...ops.shape import cat


def parameters_to_vector(parameters):
    """All of `parameters`, flattened and concatenated into one 1-D tensor."""
    device = None
    vec = []
    for p in parameters:
        device = _check_param_device(p, device)
        vec.append(p.view(-1))
    return cat(vec)


def vector_to_parameters(vec, parameters):
    """Make each of `parameters` a view of its slice of `vec` (the inverse of parameters_to_vector)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    device = None
    start = 0
    for p in parameters:
        device = _check_param_device(p, device)
        n = p.numel()
        p.data = vec[start:start + n].view_as(p).data
        start += n


def _check_param_device(p, device):
    """All parameters must live on one device; returns that device."""
    if device is None:
        return p.device
    if p.device != device:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return device
