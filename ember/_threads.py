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


# ---------------------------------------------------------------- splitting NumPy work over threads
# NumPy releases the GIL inside its loops, so large elementwise and row-wise work split into
# a few contiguous pieces runs on several cores at once. The pool is made on first use and
# sized by set_num_threads (the calling thread takes the first piece itself).
_pool = None
_pool_size = 0


def parallel_rows(fn, rows, min_rows=1):
    """fn(start, stop) over [0, rows), in up to get_num_threads() pieces of >= min_rows rows each."""
    global _pool, _pool_size
    k = min(get_num_threads(), rows // max(min_rows, 1))
    if k <= 1:
        fn(0, rows)
        return
    if _pool is None or _pool_size < k - 1:
        from concurrent.futures import ThreadPoolExecutor
        _pool, _pool_size = ThreadPoolExecutor(k - 1, thread_name_prefix="ember"), k - 1
    cuts = [rows * i // k for i in range(k + 1)]
    futures = [_pool.submit(fn, cuts[i], cuts[i + 1]) for i in range(1, k)]
    fn(cuts[0], cuts[1])
    for f in futures:
        f.result()
