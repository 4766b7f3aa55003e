"""torch.nn.utils.memory_format: convert convolution weights to a memory format (channels_last).

A memory format is a stride order that speeds up cuDNN and oneDNN kernels; ember's convolutions
choose their own layout inside (see nn/conv.py), so these return the module unchanged.
"""

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]


def convert_conv2d_weight_memory_format(module, memory_format):
    """The module, with (in torch) its Conv2d/ConvTranspose2d weights in `memory_format`."""
    return module


def convert_conv3d_weight_memory_format(module, memory_format):
    """The module, with (in torch) its Conv3d/ConvTranspose3d weights in `memory_format`."""
    return module
