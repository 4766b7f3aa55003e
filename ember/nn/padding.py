"""F.pad and the padding modules (constant/zero, reflection, replication, circular).

``pad`` takes torch's flat list: (left, right) for the last dim first, then the dim before.
Constant padding is a primitive whose adjoint is itself with the pads negated (a crop);
the other modes gather along each padded dim with an index array, so their gradient is
the index-select gradient.
"""
import numpy as np

from .._backend import get_array_module
from ..autograd.function import Op
from ..ops import creation as C
from .module import Module


class ConstantPad(Op):
    """Pad (or, for negative amounts, crop) the trailing dims by (before, after) pairs."""
    save = False

    def forward(self, x, pads, value):
        self.pads = pads
        xp = get_array_module(x)
        lead = x.ndim - len(pads)
        shape = x.shape[:lead] + tuple(s + a + b for s, (a, b) in zip(x.shape[lead:], pads))
        if any(s < 0 for s in shape):
            raise RuntimeError(f"The input size {x.shape[lead:]}, plus negative padding {pads} resulted in a "
                               f"negative output size, which is invalid. Check dimension of your input.")
        out = xp.full(shape, value, dtype=x.dtype)
        src, dst = [], []
        for s, (a, b) in zip(x.shape[lead:], pads):
            src.append(slice(max(-a, 0), s - max(-b, 0)))
            dst.append(slice(max(a, 0), max(a, 0) + max(s - max(-a, 0) - max(-b, 0), 0)))
        out[(Ellipsis,) + tuple(dst)] = x[(Ellipsis,) + tuple(src)]
        return out

    def backward(self, gy):
        return ConstantPad.apply(gy, tuple((-a, -b) for a, b in self.pads), 0), None, None


def _pairs(pad, ndim):
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {ndim}")
    # torch lists the last dim first
    return tuple((int(pad[2 * i]), int(pad[2 * i + 1])) for i in range(len(pad) // 2))[::-1]


def _index(n, a, b, mode):
    j = np.arange(-a, n + b)
    if mode == "reflect":
        if a >= n or b >= n:
            return None
        j = np.abs(j)
        j = np.where(j > n - 1, 2 * (n - 1) - j, j)
    elif mode == "replicate":
        j = np.clip(j, 0, n - 1)
    else:  # circular: negative pads crop first, then the rest wraps around what remains (as torch)
        lo, hi = max(-a, 0), n - max(-b, 0)
        j = lo + np.arange(-max(a, 0), hi - lo + max(b, 0)) % (hi - lo)
    return j


def pad(input, pad, mode="constant", value=None):
    """Pad the trailing dims of input; pad = (left, right, top, bottom, ...), last dim first."""
    pairs = _pairs(pad, input._data.ndim)
    if mode == "constant":
        return ConstantPad.apply(input, pairs, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument.')
    nd = input._data.ndim
    if not len(pairs) + 1 <= nd <= len(pairs) + 2:
        raise NotImplementedError("Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now")
    out = input
    lead = nd - len(pairs)
    for i, (a, b) in enumerate(pairs):
        if a == 0 and b == 0:
            continue
        d = lead + i
        n = out._data.shape[d]
        if mode == "circular" and (a > n or b > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        j = _index(n, a, b, mode)
        if j is None:
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({a}, {b}) at dimension {d} of input {list(input.shape)}")
        out = out.index_select(d, C.tensor(j, device=input.device))
    return out


def _ntuple(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


class _ConstantPadNd(Module):
    """Pad with a constant value."""
    _nd = 1

    def __init__(self, padding, value):
        super().__init__()
        self.padding, self.value = _ntuple(padding, 2 * self._nd), value

    def forward(self, input):
        return pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    _nd = 1


class ConstantPad2d(_ConstantPadNd):
    _nd = 2


class ConstantPad3d(_ConstantPadNd):
    _nd = 3


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class _ModePadNd(Module):
    """Pad by reflection, replication or wrapping around."""
    _nd, _mode = 1, "reflect"

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple(padding, 2 * self._nd)

    def forward(self, input):
        return pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_ModePadNd):
    _nd, _mode = 1, "reflect"


class ReflectionPad2d(_ModePadNd):
    _nd, _mode = 2, "reflect"


class ReflectionPad3d(_ModePadNd):
    _nd, _mode = 3, "reflect"


class ReplicationPad1d(_ModePadNd):
    _nd, _mode = 1, "replicate"


class ReplicationPad2d(_ModePadNd):
    _nd, _mode = 2, "replicate"


class ReplicationPad3d(_ModePadNd):
    _nd, _mode = 3, "replicate"


class CircularPad1d(_ModePadNd):
    _nd, _mode = 1, "circular"


class CircularPad2d(_ModePadNd):
    _nd, _mode = 2, "circular"


class CircularPad3d(_ModePadNd):
    _nd, _mode = 3, "circular"
