"""``torch.cpu.amp``: the older names of ``torch.amp.autocast("cpu")`` and ``GradScaler("cpu")``."""
from ..amp import _deprecated_names

autocast, GradScaler = _deprecated_names("cpu")
