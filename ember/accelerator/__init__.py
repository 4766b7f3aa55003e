"""``torch.accelerator``: the device-neutral questions of recent tutorials
(``torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"``).
ember's one accelerator is CUDA through CuPy; without it the answers are torch's on a CPU-only
machine: not available, no current accelerator, and a RuntimeError for what needs one."""
from .. import cuda as _cuda

_NONE = "Cannot access accelerator device when none is available."


def is_available():
    return _cuda.is_available()


def current_accelerator(check_available=False):
    from .._backend import device
    return device("cuda") if _cuda.is_available() else None


def device_count():
    return _cuda.device_count()


def _need():
    if not _cuda.is_available():
        raise RuntimeError(_NONE)


def current_device_index():
    _need()
    return _cuda.current_device()


current_device_idx = current_device_index


def set_device_index(device):
    _need()
    _cuda.set_device(device)


set_device_idx = set_device_index


def synchronize(device=None):
    _need()
    _cuda.synchronize(device)


def memory_allocated(device_index=None):
    _need()
    return _cuda.memory_allocated(device_index)


def memory_reserved(device_index=None):
    _need()
    return _cuda.memory_reserved(device_index)


def max_memory_allocated(device_index=None):
    _need()
    return _cuda.max_memory_allocated(device_index)


def empty_cache():
    _need()
    _cuda.empty_cache()
