"""``torch.amp``: automatic mixed precision. On the CPU, ``autocast`` runs matmul, linear and
convolution in bfloat16 (ember.bfloat16, from the ml_dtypes package: the `amp` extra) and the
losses in float32, as torch's CPU autocast does; ``GradScaler`` scales the loss and unscales
the gradients, skipping a step whose gradients overflowed."""
from .autocast_mode import autocast, is_autocast_available, custom_fwd, custom_bwd  # noqa: F401
from .grad_scaler import GradScaler  # noqa: F401


def _deprecated_names(device):
    """``torch.<device>.amp``'s older ``autocast`` and ``GradScaler``: torch.amp's, bound to `device`,
    each warning (FutureWarning) with the name to use instead."""
    def warn(name):
        import warnings
        warnings.warn(f"`torch.{device}.amp.{name}(args...)` is deprecated. Please use "
                      f"`torch.amp.{name}('{device}', args...)` instead.", FutureWarning, stacklevel=3)

    class _Autocast(autocast):
        def __init__(self, enabled=True, dtype=None, cache_enabled=True):
            warn("autocast")
            super().__init__(device, dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)

    class _GradScaler(GradScaler):
        def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                     enabled=True):
            warn("GradScaler")
            super().__init__(device, init_scale, growth_factor, backoff_factor, growth_interval, enabled)

    _Autocast.__name__ = _Autocast.__qualname__ = "autocast"
    _GradScaler.__name__ = _GradScaler.__qualname__ = "GradScaler"
    return _Autocast, _GradScaler
