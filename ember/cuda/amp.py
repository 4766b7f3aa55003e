"""``torch.cuda.amp``: the older names of ``torch.amp.autocast("cuda")`` and ``GradScaler("cuda")``
(deprecated in torch, with a FutureWarning)."""
from ..amp import _deprecated_names, custom_fwd, custom_bwd  # noqa: F401

autocast, GradScaler = _deprecated_names("cuda")
