"""torch.nn.parallel: DistributedDataParallel (on ember.distributed's MPI process groups)."""
from .distributed import DistributedDataParallel  # noqa: F401
