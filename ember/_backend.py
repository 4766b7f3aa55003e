"""The one backend seam: NumPy on the CPU, CuPy on a GPU. No other module imports CuPy."""
import numpy as np

try:  # CuPy is optional: without it ember is a CPU-only framework.
    import cupy as _cp
except Exception:  # ImportError, or a CuPy without a usable CUDA driver
    _cp = None


def _tune_allocator():
    """Keep large freed blocks in the process (glibc): otherwise every big temporary of a
    training step is mapped fresh from the OS and page-faulted, which made convolution
    backward 3-25x slower here. torch keeps its own caching allocator for the same reason."""
    import ctypes
    import sys
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: blocks under 32 MiB come from the heap
        libc.mallopt(-1, 1 << 30)   # M_TRIM_THRESHOLD: do not hand freed heap back below 1 GiB
    except (OSError, AttributeError):
        pass  # not glibc: nothing to tune


_tune_allocator()


def get_array_module(x):
    """The array module (numpy or cupy) that owns array `x`."""
    if _cp is not None and isinstance(x, _cp.ndarray):
        return _cp
    return np


def is_array(x):
    """True for a NumPy or a CuPy array (an index, a mask, a tensor's data)."""
    return isinstance(x, np.ndarray) or (_cp is not None and isinstance(x, _cp.ndarray))


def as_strided(x, shape, strides):
    """A read-only strided view of `x` (CuPy's as_strided has no read-only flag)."""
    if isinstance(x, np.ndarray):
        return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)
    return _cp.lib.stride_tricks.as_strided(x, shape, strides)


def add_at(out, index, g):
    """``out[index] += g`` in place, repeated indices adding up (NumPy's ``np.add.at`` does not
    dispatch to CuPy's)."""
    (np if isinstance(out, np.ndarray) else _cp).add.at(out, index, g)


def special(name, x):
    """cupyx.scipy.special's `name` (erf, erfc, erfinv) on a CuPy array; None for a NumPy one,
    which ember computes itself (to torch's numbers)."""
    if isinstance(x, np.ndarray) or _cp is None or not isinstance(x, _cp.ndarray):
        return None
    import cupyx.scipy.special
    return getattr(cupyx.scipy.special, name)(x)


def cuda_available():
    if _cp is None:
        return False
    try:
        return _cp.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def cuda_info(what, index=None):
    """torch.cuda's questions, answered by CuPy (ember.cuda asks only where a GPU is available):
    "count", "current", "name", "capability", "total_memory", "allocated", "reserved", "sync",
    "empty_cache", "set"."""
    rt = _cp.cuda.runtime
    if what == "count":
        return rt.getDeviceCount()
    if what == "current":
        return _cp.cuda.Device().id
    if what == "set":
        return _cp.cuda.Device(index).use()
    i = _cp.cuda.Device().id if index is None else index
    if what in ("name", "capability", "total_memory"):
        p = rt.getDeviceProperties(i)
        name = p["name"].decode() if isinstance(p["name"], bytes) else p["name"]
        return {"name": name, "capability": (p["major"], p["minor"]), "total_memory": p["totalGlobalMem"]}[what]
    pool = _cp.get_default_memory_pool()
    if what == "allocated":
        return pool.used_bytes()
    if what == "reserved":
        return pool.total_bytes()
    if what == "empty_cache":
        return pool.free_all_blocks()
    if what == "sync":
        with _cp.cuda.Device(i):
            return _cp.cuda.runtime.deviceSynchronize()
    raise ValueError(what)


_OTHER_DEVICES = {"mps", "xpu", "mtia", "ipu", "xla", "hpu", "vulkan", "maia", "meta", "lazy", "ve", "fpga",
                  "mkldnn", "opengl", "opencl", "ideep", "hip", "privateuseone"}


class device:
    """Where a tensor's memory lives: ``device('cpu')`` or ``device('cuda', 0)``."""
    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif ":" in type:
            type, i = type.split(":")
            index = int(i)
        if type not in ("cpu", "cuda"):
            if type in _OTHER_DEVICES:  # torch's names for devices ember has no backend for
                raise NotImplementedError(f"device type '{type}' is not supported by ember: its tensors live in "
                                          "NumPy (CPU) or CuPy (CUDA) arrays")
            raise RuntimeError(f"Expected one of cpu, cuda device type at start of device string: {type}")
        self.type, self.index = type, index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index or 0) == (other.type, other.index or 0)

    def __hash__(self):
        return hash((self.type, self.index or 0))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        idx = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{idx})"

    def __enter__(self):  # `with torch.device("cuda"):` makes it the default device in the block
        from . import _runtime
        _runtime.enter_device(self)
        return self

    def __exit__(self, *exc):
        from . import _runtime
        _runtime.exit_device()


CPU = device("cpu")


def device_of(x):
    return CPU if get_array_module(x) is np else device("cuda", int(x.device.id))


def to_device(x, dev):
    """Copy array `x` to device `dev` (returns `x` itself when it is already there)."""
    dev = dev if isinstance(dev, device) else device(dev)
    if dev.type == "cpu":
        return x if get_array_module(x) is np else _cp.asnumpy(x)
    if _cp is None:
        raise RuntimeError("ember was asked for a CUDA device, but CuPy is not installed: "
                           "pip install 'ember[cuda]' (needs an NVIDIA GPU)")
    with _cp.cuda.Device(dev.index or 0):
        return _cp.asarray(x)
