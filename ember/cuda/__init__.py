"""torch.cuda's query functions, answered by the backend seam (CuPy where a GPU is present).

Without a GPU they answer as torch does on a CPU-only build: ``is_available()`` is False, the
counters are 0, and what needs a device (``current_device``, ``get_device_name``, ``synchronize``)
raises torch's AssertionError with what ember needs (CuPy and an NVIDIA GPU).
"""
import contextlib

from .._backend import cuda_available, cuda_info

class OutOfMemoryError(RuntimeError):
    """``torch.cuda.OutOfMemoryError`` (also ``torch.OutOfMemoryError``), for programs that catch it."""


class AcceleratorError(RuntimeError):
    """``torch.AcceleratorError``: an error the device reported."""


_NO_CUDA = ("Torch not compiled with CUDA enabled: ember runs on a GPU through CuPy "
            "(pip install 'ember[cuda]', needs an NVIDIA GPU)")
_initialized = False


def is_available():
    return cuda_available()


def _lazy_init():
    global _initialized
    if not cuda_available():
        raise AssertionError(_NO_CUDA)
    _initialized = True


def is_initialized():
    return _initialized


def init():
    _lazy_init()


def device_count():
    return cuda_info("count") if cuda_available() else 0


def current_device():
    _lazy_init()
    return cuda_info("current")


def set_device(device):
    _lazy_init()
    cuda_info("set", _index(device))


def _index(device):
    if device is None:
        return None
    if isinstance(device, int):
        return device
    from .._backend import device as _device
    return _device(device).index or 0


def get_device_name(device=None):
    _lazy_init()
    return cuda_info("name", _index(device))


def get_device_capability(device=None):
    _lazy_init()
    return cuda_info("capability", _index(device))


class _DeviceProperties:
    def __init__(self, index):
        self.name = cuda_info("name", index)
        self.major, self.minor = cuda_info("capability", index)
        self.total_memory = cuda_info("total_memory", index)

    def __repr__(self):
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, minor={self.minor}, "
                f"total_memory={self.total_memory // (1 << 20)}MB)")


def get_device_properties(device=None):
    _lazy_init()
    return _DeviceProperties(_index(device))


def is_bf16_supported(including_emulation=True):
    return False  # ember's GPU path (CuPy) has no bfloat16 arrays


def synchronize(device=None):
    _lazy_init()
    cuda_info("sync", _index(device))


# memory: CuPy's default memory pool stands for torch's caching allocator
def memory_allocated(device=None):
    return cuda_info("allocated", _index(device)) if _initialized else 0


def memory_reserved(device=None):
    return cuda_info("reserved", _index(device)) if _initialized else 0


_peak = {"allocated": 0, "reserved": 0}


def max_memory_allocated(device=None):
    _peak["allocated"] = max(_peak["allocated"], memory_allocated(device))
    return _peak["allocated"]


def max_memory_reserved(device=None):
    _peak["reserved"] = max(_peak["reserved"], memory_reserved(device))
    return _peak["reserved"]


def reset_peak_memory_stats(device=None):
    _lazy_init()
    _peak.update(allocated=0, reserved=0)


reset_max_memory_allocated = reset_peak_memory_stats


def memory_stats(device=None):
    if not _initialized:
        return {}
    return {"allocated_bytes.all.current": memory_allocated(device), "reserved_bytes.all.current": memory_reserved(device)}


def empty_cache():
    if _initialized:
        cuda_info("empty_cache")


def mem_get_info(device=None):
    _lazy_init()
    total = cuda_info("total_memory", _index(device))
    return total - memory_reserved(device), total


def get_arch_list():
    return []


def memory_summary(device=None, abbreviated=False):
    _lazy_init()
    return (f"ember (CuPy memory pool): {memory_allocated(device)} bytes allocated, "
            f"{memory_reserved(device)} bytes reserved")


def set_per_process_memory_fraction(fraction, device=None):
    _lazy_init()  # (CuPy's pool grows as needed; the fraction is not enforced)


def initial_seed():
    _lazy_init()
    from .. import random
    return random.initial_seed()


def current_stream(device=None):
    _lazy_init()
    raise NotImplementedError("torch.cuda streams are not supported by ember: CuPy runs ember's ops on the "
                              "default stream")


stream = current_stream


# seeding: ember's CUDA tensors draw from the CPU generator (bit for bit torch's CPU numbers), so the
# CUDA seeds have nothing of their own to set; torch also queues them silently without a GPU
def manual_seed(seed):
    pass


def manual_seed_all(seed):
    pass


def seed():
    pass


def seed_all():
    pass


class device(contextlib.ContextDecorator):
    """``with torch.cuda.device(i):`` makes GPU i current inside the block."""

    def __init__(self, device):
        self.idx = _index(device)
        self.prev = None

    def __enter__(self):
        if self.idx is not None and self.idx >= 0:
            self.prev = current_device()
            set_device(self.idx)
        return self

    def __exit__(self, *exc):
        if self.prev is not None:
            set_device(self.prev)
        return False


def __getattr__(name):
    # torch.cuda.FloatTensor & co. (legacy types) and torch.cuda.amp load on first use
    from .. import _legacy
    if name in _legacy.CUDA_TYPES:
        return _legacy.CUDA_TYPES[name]
    if name == "amp":
        import importlib
        return importlib.import_module(f"{__name__}.amp")
    raise AttributeError(f"module 'ember.cuda' has no attribute '{name}'")
