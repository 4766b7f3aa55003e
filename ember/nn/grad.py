"""torch.nn.grad: the input and weight gradients of conv1d/2d/3d as functions of their own.

Each runs the convolution on a stand-in tensor of the right shape and asks autograd for the
one gradient (the convolution is linear in each argument, so the stand-in's values do not
matter; zeros keep it cheap).
"""
from ..autograd import grad as _grad
from ..ops import creation as C
from . import conv as _conv

__all__ = ["conv1d_input", "conv1d_weight", "conv2d_input", "conv2d_weight", "conv3d_input", "conv3d_weight"]


def _input_grad(fn, input_size, weight, grad_output, stride, padding, dilation, groups):
    x = C.zeros(tuple(input_size), dtype=grad_output.dtype, device=grad_output.device, requires_grad=True)
    y = fn(x, weight.detach(), None, stride, padding, dilation, groups)
    return _grad(y, x, grad_output)[0]


def _weight_grad(fn, input, weight_size, grad_output, stride, padding, dilation, groups):
    w = C.zeros(tuple(weight_size), dtype=grad_output.dtype, device=grad_output.device, requires_grad=True)
    y = fn(input.detach(), w, None, stride, padding, dilation, groups)
    return _grad(y, w, grad_output)[0]


def conv1d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv1d with respect to its input (of shape input_size)."""
    return _input_grad(_conv.conv1d, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv1d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv1d with respect to its weight (of shape weight_size)."""
    return _weight_grad(_conv.conv1d, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv2d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv2d with respect to its input (of shape input_size)."""
    return _input_grad(_conv.conv2d, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv2d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv2d with respect to its weight (of shape weight_size)."""
    return _weight_grad(_conv.conv2d, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv3d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv3d with respect to its input (of shape input_size)."""
    return _input_grad(_conv.conv3d, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv3d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv3d with respect to its weight (of shape weight_size)."""
    return _weight_grad(_conv.conv3d, input, weight_size, grad_output, stride, padding, dilation, groups)
