"""torch.* names of the neural-network functions (torch.conv2d, torch.batch_norm, torch.embedding ...):
the same maths as ``ember.nn.functional``, with the positional signatures torch's top level has
(reductions as ints: 0 none, 1 mean, 2 sum; ``cudnn_enabled`` flags accepted and ignored).
"""


def _F():
    from ..nn import functional  # (loaded on first use: `import ember` stays light)
    return functional


_REDUCTION = {0: "none", 1: "mean", 2: "sum"}


def _red(reduction):
    return _REDUCTION.get(reduction, reduction)


def _same(name):
    """torch.<name>, whose signature is F.<name>'s."""
    def fn(*args, **kwargs):
        return getattr(_F(), name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    return fn


(conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d, max_pool1d, max_pool2d, max_pool3d,
 max_pool1d_with_indices, avg_pool1d, adaptive_avg_pool1d, _adaptive_max_pool1d, pixel_shuffle, pixel_unshuffle,
 pairwise_distance, pdist, cosine_similarity, bilinear, hardshrink, prelu, selu, celu, rrelu, threshold, rms_norm,
 channel_shuffle, selu_, celu_, rrelu_, threshold_) = map(_same, (
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "max_pool1d",
    "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "avg_pool1d", "adaptive_avg_pool1d",
    "adaptive_max_pool1d", "pixel_shuffle", "pixel_unshuffle", "pairwise_distance", "pdist", "cosine_similarity",
    "bilinear", "hardshrink", "prelu", "selu", "celu", "rrelu", "threshold", "rms_norm", "channel_shuffle", "selu_",
    "celu_", "rrelu_", "threshold_"))


def adaptive_max_pool1d(input, output_size):
    return _F().adaptive_max_pool1d(input, output_size, return_indices=True)  # (torch's top level gives both)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled=True):
    return _F().batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled=True):
    return _F().instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    return _F().layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    return _F().group_norm(input, num_groups, weight, bias, eps)


def embedding(weight, input, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    return _F().embedding(input, weight, None if padding_idx == -1 else padding_idx,
                          scale_grad_by_freq=scale_grad_by_freq)


def constant_pad_nd(input, pad, value=0):
    return _F().pad(input, pad, "constant", value)


def alpha_dropout(input, p, train):
    return _F().alpha_dropout(input, p, train)


def feature_alpha_dropout(input, p, train):
    return _F().feature_alpha_dropout(input, p, train)


def feature_dropout(input, p, train):
    """Drops whole channels (dim 1), as dropout2d/3d do."""
    return _F().dropout2d(input, p, train) if input.dim() <= 4 else _F().dropout3d(input, p, train)


def _in_place(fn):
    def inplace(input, p, train):
        return input.copy_(fn(input, p, train)) if train and p else input
    inplace.__name__ = inplace.__qualname__ = fn.__name__ + "_"
    return inplace


def _dropout(input, p, train):
    return _F().dropout(input, p, train)


_dropout.__name__ = "dropout"
dropout_, alpha_dropout_, feature_alpha_dropout_, feature_dropout_ = map(
    _in_place, (_dropout, alpha_dropout, feature_alpha_dropout, feature_dropout))


def kl_div(input, target, reduction=1, log_target=False):
    return _F().kl_div(input, target, reduction=_red(reduction), log_target=log_target)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=1):
    return _F().binary_cross_entropy_with_logits(input, target, weight, reduction=_red(reduction),
                                                 pos_weight=pos_weight)


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=1):
    return _F().margin_ranking_loss(input1, input2, target, margin, reduction=_red(reduction))


def hinge_embedding_loss(input, target, margin=1.0, reduction=1):
    return _F().hinge_embedding_loss(input, target, margin, reduction=_red(reduction))


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=1):
    return _F().cosine_embedding_loss(input1, input2, target, margin, reduction=_red(reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-06, swap=False, reduction=1):
    return _F().triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction=_red(reduction))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return _F().poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=_red(reduction))


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """torch.convolution: conv or transposed conv over 1, 2 or 3 spatial dims."""
    nd = input.dim() - 2
    if transposed:
        return getattr(_F(), f"conv_transpose{nd}d")(input, weight, bias, stride, padding, output_padding, groups,
                                                     dilation)
    return getattr(_F(), f"conv{nd}d")(input, weight, bias, stride, padding, dilation, groups)
