"""``torch.amp``: automatic mixed precision. On the CPU, ``autocast`` runs matmul, linear and
convolution in bfloat16 (ember.bfloat16, from the ml_dtypes package: the `amp` extra) and the
losses in float32, as torch's CPU autocast does; ``GradScaler`` scales the loss and unscales
the gradients, skipping a step whose gradients overflowed."""
from .autocast_mode import autocast, is_autocast_available, custom_fwd, custom_bwd  # noqa: F401
from .grad_scaler import GradScaler  # noqa: F401
