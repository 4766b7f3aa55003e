"""Making tensors: from data, filled, ranges, and random (torch's generator, bit for bit)."""
import math

import numpy as np

from .._tensor import Tensor, _wrap
from .. import _dtype
from .._backend import to_device, device as _device
from .. import random as _random
from .. import _runtime
from ..autograd import trace as _trace
from ..autograd.function import Op


def _finish(a, device, requires_grad):
    if device is None:
        device = _runtime.default_device  # torch.set_default_device / `with torch.device(...)`
    t = _wrap(a if device is None or _device(device).type == "cpu" else to_device(a, device))
    if requires_grad:
        t.requires_grad = True
    return t


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    for s in size:
        if not isinstance(s, (int, np.integer)):
            raise TypeError(f"expected a sequence of integers or a single integer, got '{size}'")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(int(s) for s in size)


def _infer_dtype(data):
    """The dtype torch.tensor infers: NumPy arrays keep theirs; Python floats take the default."""
    if isinstance(data, (np.ndarray, np.generic)):
        return data.dtype
    a = np.asarray(data)
    if a.dtype.kind == "f" and a.dtype != np.float64:
        return a.dtype  # came from tensors or NumPy scalars of that dtype
    if a.dtype == np.float64:
        return _dtype.get_default_dtype().np if not _has_float64_tensor(data) else a.dtype
    if a.dtype.kind in "iu":
        return a.dtype if _has_tensor(data) else np.dtype(np.int64)
    if a.dtype.kind == "c":
        return np.dtype(np.complex64) if _dtype.get_default_dtype() is _dtype.float32 else np.dtype(np.complex128)
    return a.dtype


def _has_tensor(data):
    if isinstance(data, Tensor):
        return True
    return isinstance(data, (list, tuple)) and len(data) > 0 and _has_tensor(data[0])


def _has_float64_tensor(data):
    if isinstance(data, Tensor):
        return data._data.dtype == np.float64
    return isinstance(data, (list, tuple)) and len(data) > 0 and _has_float64_tensor(data[0])


def _to_array(data):
    if isinstance(data, Tensor):
        return to_device(data._data, "cpu")
    if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in data):
        return np.asarray([_to_array(d) for d in data])
    return np.asarray(data)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of `data` (nested lists, numbers, arrays or tensors)."""
    dt = _dtype.to_np(dtype) if dtype is not None else _infer_dtype(data)
    try:
        a = np.array(_to_array(data), dtype=dt, copy=True)
    except (ValueError, TypeError) as e:
        raise (ValueError if "sequence" in str(e) or "inhomogeneous" in str(e) else TypeError)(
            f"could not build a tensor from {type(data).__name__}: {e}") from None
    return _finish(a, device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like tensor(), but shares memory with a NumPy array or tensor when no conversion is needed."""
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=device) if (dtype or device) else data
    if isinstance(data, np.ndarray) and (dtype is None or _dtype.to_np(dtype) == data.dtype) and device is None:
        return _wrap(data)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with `ndarray`."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_np(ndarray.dtype)
    return _wrap(ndarray)


def _filled(fill, size, dtype, device, requires_grad):
    dt = _dtype.to_np(dtype) or _dtype.get_default_dtype().np
    out = _finish(fill(_size(size), dtype=dt), device, requires_grad)
    if _trace.active is not None:  # (sizes may come from an input's: export computes them)
        _trace.active("full", (_size(size), 1 if fill is np.ones else 0), {"dtype": dt}, out)
    return out


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _filled(np.zeros, size, dtype, device, requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _filled(np.ones, size, dtype, device, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    # zeros rather than np.empty: uninitialised memory would make runs irreproducible
    return _filled(np.zeros, size, dtype, device, requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if dtype is None:
        dt = _dtype.scalar_dtype(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    else:
        dt = _dtype.to_np(dtype)
    v = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    out = _finish(np.full(_size((size,) if isinstance(size, int) else tuple(size)), v, dtype=dt),
                  device, requires_grad)
    if _trace.active is not None:
        _trace.active("full", (_size((size,) if isinstance(size, int) else tuple(size)), v), {"dtype": dt}, out)
    return out


def _like(fn, input, dtype, device, requires_grad, *args):
    return fn(input._data.shape, *args, dtype=dtype or input.dtype,
              device=device if device is not None else _dev_or_none(input), requires_grad=requires_grad)


def _dev_or_none(t):
    d = t.device
    return None if d.type == "cpu" else d


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(zeros, input, dtype, device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(ones, input, dtype, device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(zeros, input, dtype, device, requires_grad)


class Fill(Op):
    """``x.fill_(value)`` / ``x.zero_()`` under autograd or a trace: every element becomes `value`,
    whatever x held (inf or NaN too), and the old value gets a zero gradient, as in torch."""
    save, arrays = False, True

    def forward(self, x, value):
        y = np.empty_like(x)
        y.fill(value)  # (full_like takes a Python layer several times as long)
        return y

    def backward(self, gy):
        return gy * 0, None


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return full(input._data.shape, fill_value, dtype=dtype or input.dtype,
                device=device if device is not None else _dev_or_none(input), requires_grad=requires_grad)


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in vals)
        dt = _dtype.get_default_dtype().np if is_float else np.dtype(np.int64)
    else:
        dt = _dtype.to_np(dtype)
    s, e, st = vals
    # torch computes the length as ceil((end - start) / step) in double precision
    n = max(int(math.ceil((e - s) / st)), 0)
    a = (s + np.arange(n, dtype=np.float64) * st).astype(dt) if dt.kind == "f" or isinstance(s, float) or \
        isinstance(st, float) else np.arange(s, e, st, dtype=dt)
    out = _finish(a, device, requires_grad)
    if _trace.active is not None:  # (a range over a size: export computes it)
        _trace.active("arange", (s, e, st), {"dtype": dt}, out)
    return out


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated torch.range: includes `end`."""
    return arange(start, end + step / 2 if end is not None else start, step, dtype=dtype or _dtype.get_default_dtype(),
                  device=device, requires_grad=requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    dt = _dtype.to_np(dtype) or _dtype.get_default_dtype().np
    s, e = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    # torch fills the first half from start and the second half from end (symmetric rounding)
    if steps == 1:
        a = np.array([s], dtype=np.float64)
    else:
        step = (e - s) / (steps - 1)
        i = np.arange(steps, dtype=np.float64)
        half = steps // 2
        a = np.where(i < half, s + step * i, e - step * (steps - 1 - i))
    if dt.kind in "iu":
        a = np.trunc(a)
    return _finish(a.astype(dt), device, requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    dt = _dtype.to_np(dtype) or _dtype.get_default_dtype().np
    exps = linspace(start, end, steps, dtype=_dtype.float64)._data
    return _finish(np.power(base, exps).astype(dt), device, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    dt = _dtype.to_np(dtype) or _dtype.get_default_dtype().np
    return _finish(np.eye(n, n if m is None else m, dtype=dt), device, requires_grad)


def complex(real, imag):
    return real + imag * 1j


def polar(abs, angle):
    from . import pointwise as P
    return abs * P.cos(angle) + (abs * P.sin(angle)) * 1j


# ---------------------------------------------------------------- random
def _gen(generator):
    return _random.default_generator if generator is None else generator


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    dt = _dtype.to_np(dtype) or _dtype.get_default_dtype().np
    return _finish(_gen(generator).uniform(_size(size), dt), device, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    dt = _dtype.to_np(dtype) or _dtype.get_default_dtype().np
    return _finish(_gen(generator).normal(_size(size), dt), device, requires_grad)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return rand(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return randn(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False):
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    dt = _dtype.to_np(dtype) or np.dtype(np.int64)
    return _finish(_gen(generator).randint(int(low), int(high), _size((size,) if isinstance(size, int) else size), dt),
                   device, requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, dtype=dtype or input.dtype)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    dt = _dtype.to_np(dtype) or np.dtype(np.int64)
    return _finish(_gen(generator).randperm(int(n), dt), device, requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    g = _gen(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        dt = (mean if isinstance(mean, Tensor) else std)._data.dtype
        if isinstance(std, Tensor) and (std._data < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        return _finish(g.normal(shape, dt, m, s), device, requires_grad)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dt = _dtype.to_np(dtype) or _dtype.get_default_dtype().np
    return _finish(g.normal(_size((size,) if isinstance(size, int) else size), dt, mean, std), device, requires_grad)


def bernoulli(input, p=None, *, generator=None, out=None):
    probs = input._data if p is None else p
    return _wrap(_gen(generator).bernoulli(probs, input._data.shape, input._data.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    if not replacement and num_samples > input._data.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    return _wrap(_gen(generator).multinomial(input._data, num_samples, replacement))


def poisson(input, generator=None):
    rs = np.random.RandomState(int(_gen(generator).randint(0, 2 ** 31, (), np.int64)))
    return _wrap(rs.poisson(input._data).astype(input._data.dtype))


# ---------------------------------------------------------------- more constructors
def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor with the given strides (in elements), over zeroed memory just large enough."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    n = 1 + sum((s - 1) * st for s, st in zip(size, stride)) if all(size) else 0
    flat = empty(n, dtype=dtype, device=device)
    a = np.lib.stride_tricks.as_strided(flat._data, size, tuple(s * flat._data.itemsize for s in stride))
    t = _wrap(a)
    t.requires_grad_(requires_grad)
    return t


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return tensor(s, dtype=dtype or _dtype.get_default_dtype(), device=device, requires_grad=requires_grad)


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    a = np.frombuffer(buffer, dtype=_dtype.to_np(dtype), count=count, offset=offset)
    t = _wrap(a)
    t.requires_grad_(requires_grad)
    return t


class finfo:
    """Facts about a float dtype (torch.finfo): bits, eps, max, min, tiny, resolution."""

    def __init__(self, type=None):
        self.dtype = type if type is not None else _dtype.get_default_dtype()
        i = np.finfo(_dtype.to_np(self.dtype))
        self.bits, self.eps, self.max, self.min = int(i.bits), float(i.eps), float(i.max), float(i.min)
        self.tiny = self.smallest_normal = float(i.tiny)
        self.resolution = float(i.resolution)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution}, min={self.min:e}, max={self.max:e}, eps={self.eps:e}, "
                f"smallest_normal={self.tiny:e}, tiny={self.tiny:e}, dtype={self.dtype.name})")


class iinfo:
    """Facts about an integer dtype (torch.iinfo): bits, min, max."""

    def __init__(self, type):
        self.dtype = type
        i = np.iinfo(_dtype.to_np(type))
        self.bits, self.min, self.max = int(i.bits), int(i.min), int(i.max)

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype.name})"


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    """An empty tensor whose memory holds its dims in the order `physical_layout`."""
    size, order = tuple(size), tuple(physical_layout)
    t = empty(*[size[d] for d in order], dtype=dtype, device=device)
    inverse = [order.index(d) for d in sorted(order)]  # (order is a permutation of 0 .. n-1)
    out = t.permute(*inverse)
    out.requires_grad_(requires_grad)
    return out


def from_dlpack(ext_tensor):
    """A tensor on the memory of any DLPack producer (a NumPy array, a torch tensor ...)."""
    return _wrap(np.from_dlpack(ext_tensor))


def to_dlpack(tensor):
    return tensor._data.__dlpack__()
