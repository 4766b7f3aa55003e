"""torch.nn.utils: gradient clipping, parameter/vector conversion, packed sequences, parametrizations,
weight/spectral norm hooks, conv/linear-BN fusion, pruning (``prune``, loaded on use)."""
from .clip_grad import (clip_grad_norm_, clip_grad_norm, clip_grad_value_, get_total_norm,  # noqa: F401
                        clip_grads_with_norm_)
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401
from .fusion import (fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval,  # noqa: F401
                     fuse_linear_bn_weights)
from .weight_norm import weight_norm, remove_weight_norm  # noqa: F401
from .spectral_norm import spectral_norm, remove_spectral_norm  # noqa: F401
from .init import skip_init  # noqa: F401
from .memory_format import (convert_conv2d_weight_memory_format,  # noqa: F401
                            convert_conv3d_weight_memory_format)
from . import (clip_grad, convert_parameters, rnn, parametrize, parametrizations, stateless, fusion, init,  # noqa: F401
               memory_format)
