"""Gradient clipping: scale all gradients to a maximum total norm, or clamp each element."""
import types
import warnings

import numpy as np

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...autograd.trace import replayed
from ...ops.creation import tensor
from ...ops.reduction import vector_norm
from ...ops.shape import stack


def _tensor_list(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of the norms of `tensors`: their norm as if concatenated into one vector.

    Args:
        foreach: accepted for compatibility and ignored.
    """
    tensors = _tensor_list(tensors)
    norm_type = float(norm_type)
    if len(tensors) == 0:
        return tensor(0.0)
    with no_grad():
        device = tensors[0].device
        total = vector_norm(stack([vector_norm(t, norm_type).to(device) for t in tensors]), norm_type)
    if error_if_nonfinite and not np.isfinite(total.item()):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
                           "so it cannot be clipped. To disable this error and scale the gradients by the "
                           "non-finite norm anyway, set `error_if_nonfinite=False`")
    return total


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients by ``min(1, max_norm / (total_norm + 1e-6))``, in place."""
    grads = [p.grad for p in _tensor_list(parameters) if p.grad is not None]
    if len(grads) == 0:
        return
    # the 1e-6 keeps the ratio finite when every gradient is zero
    coef = np.minimum(float(max_norm) / (total_norm._data + 1e-6), 1.0)
    for g in grads:
        np.multiply(g._data, coef, out=g._data)  # coef is a 0-d array in the norm's dtype, as torch's
        g._version[0] += 1


@replayed  # (it scales the gradient arrays directly: ember.compile calls it again on replay)
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale the gradients of `parameters` so that their total norm is at most `max_norm`.

    Returns the total norm before clipping, as a tensor.

    Args:
        foreach: accepted for compatibility and ignored.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and len(parameters) == 0:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total_norm)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated name of `clip_grad_norm_`."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite)


@replayed
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element of `parameters` into ``[-clip_value, clip_value]``, in place.

    Args:
        foreach: accepted for compatibility and ignored.
    """
    clip_value = float(clip_value)
    for p in _tensor_list(parameters):
        g = p.grad
        if g is not None:
            np.clip(g._data, -clip_value, clip_value, out=g._data)
            g._version[0] += 1
