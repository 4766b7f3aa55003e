"""``torch.cpu``: the CPU device's counterpart of torch.cuda's queries (always available)."""
from . import amp  # noqa: F401


def is_available():
    return True


def device_count():
    return 1


def current_device():
    return "cpu"


def synchronize(device=None):
    pass
