"""torch.nn.functional: every layer's functional form under torch's ``F.`` name.

The functions live beside their modules (``F.conv2d`` in conv.py, ``F.relu`` in
activation.py, ...); this module only gathers them.
"""
from .activation import (threshold, threshold_, relu, relu_, hardtanh, hardtanh_, relu6, leaky_relu,  # noqa: F401
                         leaky_relu_, prelu, rrelu, rrelu_, elu, elu_, celu, celu_, selu, selu_, gelu, silu,
                         softplus, mish, sigmoid, tanh, softsign, hardsigmoid, hardswish, hardshrink, softshrink,
                         tanhshrink, logsigmoid, glu, softmax, log_softmax, softmin, gumbel_softmax)
from .conv import (conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d,  # noqa: F401
                   conv_tbc)
from .distance import pairwise_distance, cosine_similarity, pdist  # noqa: F401
from .dropout import (dropout, dropout1d, dropout2d, dropout3d, alpha_dropout,  # noqa: F401
                      feature_alpha_dropout)
from .fold import fold, unfold, assert_int_or_pair  # noqa: F401
from .linear import linear, bilinear, grouped_mm  # noqa: F401
from .normalization import (batch_norm, instance_norm, layer_norm, group_norm, rms_norm,  # noqa: F401
                            local_response_norm, normalize)
from .padding import pad  # noqa: F401
from .pooling import (max_pool1d, max_pool2d, max_pool1d_with_indices, max_pool2d_with_indices,  # noqa: F401
                      max_unpool1d, max_unpool2d, avg_pool1d, avg_pool2d, adaptive_avg_pool1d,
                      adaptive_avg_pool2d, adaptive_max_pool1d, adaptive_max_pool2d, adaptive_max_pool1d_with_indices,
                      adaptive_max_pool2d_with_indices, lp_pool1d, lp_pool2d, max_pool3d, max_pool3d_with_indices,
                      max_unpool3d, avg_pool3d, adaptive_avg_pool3d, adaptive_max_pool3d,
                      adaptive_max_pool3d_with_indices, lp_pool3d, fractional_max_pool2d, fractional_max_pool3d,
                      fractional_max_pool2d_with_indices, fractional_max_pool3d_with_indices)
from .sparse import embedding, embedding_bag, one_hot  # noqa: F401
from .vision import (interpolate, upsample, upsample_nearest, upsample_bilinear, pixel_shuffle,  # noqa: F401
                     pixel_unshuffle, channel_shuffle, native_channel_shuffle, affine_grid, grid_sample,
                     GRID_SAMPLE_INTERPOLATION_MODES, GRID_SAMPLE_PADDING_MODES)

from .loss import (mse_loss, l1_loss, smooth_l1_loss, huber_loss, gaussian_nll_loss, poisson_nll_loss,
                   binary_cross_entropy, binary_cross_entropy_with_logits, soft_margin_loss,
                   multilabel_soft_margin_loss, kl_div, margin_ranking_loss, hinge_embedding_loss,
                   cosine_embedding_loss, triplet_margin_loss, triplet_margin_with_distance_loss,
                   multilabel_margin_loss, multi_margin_loss, nll_loss, cross_entropy, ctc_loss,
                   linear_cross_entropy)  # noqa: F401
from .attention import (scaled_dot_product_attention, multi_head_attention_forward)  # noqa: F401
