"""torch.nn.parallel: DistributedDataParallel (on ember.distributed's MPI process groups), DataParallel."""
from .data_parallel import DataParallel  # noqa: F401
from .distributed import DistributedDataParallel  # noqa: F401
