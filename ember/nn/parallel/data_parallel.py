"""torch.nn.DataParallel: single-process data parallelism. Without CUDA devices torch's DataParallel
only wraps the module (forward calls it; state_dict keys gain the 'module.' prefix); so does ember's,
which also runs on one device where CUDA is present (use DistributedDataParallel to scale out)."""
from ..module import Module


class DataParallel(Module):
    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        from ... import cuda
        self.module = module
        if not cuda.is_available():
            self.device_ids = []
            return
        self.dim = dim
        self.device_ids = [getattr(d, "index", d) or 0 for d in (device_ids or [0])]
        self.output_device = getattr(output_device, "index", output_device) if output_device is not None \
            else self.device_ids[0]
        self.module.to(f"cuda:{self.device_ids[0]}")

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
