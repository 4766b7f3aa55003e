"""set_num_threads / get_num_threads for NumPy's BLAS, without a dependency.

threadpoolctl does this properly when installed; otherwise ember finds the OpenBLAS that
NumPy loaded (Linux: /proc/self/maps) and calls its own setter through ctypes.
"""
import ctypes
import functools
import os

_n = None


@functools.lru_cache(maxsize=None)  # reading /proc/self/maps costs ~0.4 ms
def _openblas():
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower() and line.strip().endswith(".so")
                     or ("openblas" in line.lower() and ".so" in line)}
    except OSError:
        return None, None
    for p in paths:
        lib = ctypes.CDLL(p)
        for prefix in ("scipy_openblas_", "openblas_", "scipy_openblas64_"):
            for suffix in ("64_", ""):
                setter = getattr(lib, f"{prefix}set_num_threads{suffix}", None)
                getter = getattr(lib, f"{prefix}get_num_threads{suffix}", None)
                if setter is not None and getter is not None:
                    return setter, getter
    return None, None


def set_num_threads(n):
    global _n
    n = int(n)
    if n < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(n)
    except ImportError:
        setter, _ = _openblas()
        if setter is not None:
            setter(n)
    _n = n


def get_num_threads():
    if _n is not None:
        return _n
    _, getter = _openblas()
    if getter is not None:
        return int(getter())
    return os.cpu_count() or 1
