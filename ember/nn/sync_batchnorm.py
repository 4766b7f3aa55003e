"""torch.nn.SyncBatchNorm: batch norm whose statistics are those of the global batch, summed
over the ranks of a process group (forward and backward), so N ranks of B samples normalize as
one process with N*B samples does."""
import numpy as np

from .._backend import get_array_module
from ..autograd import grad_mode
from ..autograd.function import Op
from .normalization import _BatchNorm, _channel_shape, _update_running


def _allreduce_sum(a, group):
    from .. import distributed as dist
    req = dist._iallreduce_(a, group)
    dist._waitall([req] if req is not None else [])
    return a


class SyncNormalize(Op):
    """``(x - mean) / sqrt(var + eps) * w + b`` with the mean and variance of every rank's x:
    each rank adds up its per-channel sum, sum of squares and count, one all-reduce joins them.
    Backward joins the two per-channel sums the input gradient needs the same way."""
    save, arrays = False, True

    def forward(self, x, w, b, axes, eps, group, stats):
        xp = get_array_module(x)
        c = x.shape[1]
        # float64 sums (on the host) keep E[x^2] - E[x]^2 from cancelling in float32
        local = np.empty(2 * c + 1)
        local[:c] = _host(x.sum(axes, dtype=np.float64))
        local[c:2 * c] = _host(xp.square(x, dtype=np.float64).sum(axes))
        local[-1] = x.size // c
        s = _allreduce_sum(local, group)
        n = s[-1]
        mean = s[:c] / n
        var = np.maximum(s[c:2 * c] / n - mean * mean, 0.0)
        stats.extend((mean, var, n))
        shape = (1, c) + (1,) * (x.ndim - 2)
        self.inv = xp.asarray((1.0 / np.sqrt(var + eps)).reshape(shape).astype(x.dtype))
        self.xhat = (x - xp.asarray(mean.reshape(shape).astype(x.dtype))) * self.inv
        self.w, self.axes, self.group, self.n = w, axes, group, n
        y = self.xhat * w if w is not None else self.xhat.copy()
        if b is not None:
            y += b
        return y

    def backward(self, gy):
        if grad_mode.state.enabled:
            raise RuntimeError("SyncBatchNorm does not support double backward (create_graph=True)")
        xp = get_array_module(gy)
        w, xhat, axes, c = self.w, self.xhat, self.axes, gy.shape[1]
        gxh = gy * w if w is not None else gy
        local = np.empty(2 * c)
        local[:c] = _host(gxh.sum(axes, dtype=np.float64))
        local[c:] = _host((gxh * xhat).sum(axes, dtype=np.float64))
        s = _allreduce_sum(local, self.group) / self.n  # the global batch's means
        shape = (1, c) + (1,) * (gy.ndim - 2)
        m_g = xp.asarray(s[:c].reshape(shape).astype(gy.dtype))
        m_gx = xp.asarray(s[c:].reshape(shape).astype(gy.dtype))
        gx = self.inv * (gxh - m_g - xhat * m_gx)
        n = self.needs_input_grad
        # the weight and bias gradients stay this rank's own: DistributedDataParallel averages them
        gw = gy * xhat if n[1] else None
        gb = gy if n[2] else None
        return gx, gw, gb, None, None, None, None


def _like(t, a):
    return get_array_module(t._data).asarray(a)


def _host(a):
    return a if a.__class__ is np.ndarray else get_array_module(a).asnumpy(a)


def sync_batch_norm(input, running_mean, running_var, weight, bias, momentum, eps, group):
    """batch_norm in training mode over the global batch of `group`."""
    shape = _channel_shape(input)
    w = weight.reshape(shape) if weight is not None else None
    b = bias.reshape(shape) if bias is not None else None
    stats = []
    axes = (0,) + tuple(range(2, input.dim()))
    y = SyncNormalize.apply(input, w, b, axes, eps, group, stats)
    mean, var, n = stats
    if running_mean is not None:
        _update_running(running_mean, _like(running_mean, mean), momentum)
    if running_var is not None:
        _update_running(running_var, _like(running_var, var * (n / max(n - 1, 1))), momentum)  # unbiased, as torch
    return y


class SyncBatchNorm(_BatchNorm):
    """BatchNorm over the batch of every rank in `process_group` (the world by default). Outside
    training, or with no process group, it is a plain BatchNorm."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def forward(self, input):
        self._check_input_dim(input)
        from .. import distributed as dist
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        if not (bn_training and dist.is_initialized()) or dist.get_world_size(self.process_group) == 1:
            return super().forward(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            factor = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        use_running = not self.training or self.track_running_stats
        return sync_batch_norm(input, self.running_mean if use_running else None,
                               self.running_var if use_running else None, self.weight, self.bias, factor,
                               self.eps, self.process_group)

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """`module` with every BatchNorm*d replaced by a SyncBatchNorm holding the same
        parameters and buffers."""
        out = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            out = cls(module.num_features, module.eps, module.momentum, module.affine, module.track_running_stats,
                      process_group)
            if module.affine:
                out.weight, out.bias = module.weight, module.bias
            out.running_mean, out.running_var = module.running_mean, module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out
