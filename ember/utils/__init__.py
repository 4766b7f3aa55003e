"""torch.utils: ``data`` (datasets, samplers, the DataLoader) comes with it; ``tensorboard`` and the rest
are imported on demand, as in torch."""
from . import data  # noqa: F401
