"""Indexing: ``x[...]``, item assignment, gather/scatter and friends."""
import numpy as np

from .._tensor import Tensor, _wrap, _wrap_dim, _inplace
from ..autograd.function import Op
from ..autograd import grad_mode


def _index_arrays(index):
    """A NumPy index from a torch one: tensors become arrays (bool masks stay masks)."""
    if isinstance(index, tuple):
        return tuple(_index_arrays(i) for i in index)
    if isinstance(index, Tensor):
        if index._data.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return index._data
    if isinstance(index, list) and any(isinstance(i, Tensor) for i in index):
        return np.asarray([_index_arrays(i) for i in index])
    return index


def _is_basic(index):
    """True when NumPy returns a view for this index (ints, slices, None, Ellipsis only)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, slice, np.integer)) and not isinstance(i, bool)
               for i in items)


def _check_bounds(shape, index):
    """torch raises IndexError naming the dimension for an out-of-range integer index."""
    items = index if isinstance(index, tuple) else (index,)
    d = 0
    for i in items:
        if i is None:
            continue
        if i is Ellipsis:
            d = len(shape) - sum(1 for j in items[items.index(i) + 1:] if j is not None)
            continue
        if isinstance(i, (int, np.integer)) and not isinstance(i, bool):
            if d >= len(shape):
                raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
            if not -shape[d] <= i < shape[d]:
                raise IndexError(f"index {i} is out of bounds for dimension {d} with size {shape[d]}")
        d += 1


class BasicIndex(Op):
    view, save = True, False

    def forward(self, x, index):
        self.index = index
        return x[index]

    def backward(self, gy):
        return _index_grad(gy, self.inputs[0]._data.shape, self.index), None


class AdvancedIndex(Op):
    save = False

    def forward(self, x, index):
        self.index = index
        return x[index]

    def backward(self, gy):
        return _index_grad(gy, self.inputs[0]._data.shape, self.index), None


class IndexGrad(Op):
    """Scatter-add `g` into zeros of `shape` at `index`: the gradient of indexing."""
    save = False

    def forward(self, g, shape, index):
        self.index = index
        out = np.zeros(shape, dtype=g.dtype)
        if _is_basic(index):
            out[index] = g
        else:
            np.add.at(out, index, g)  # repeated indices must add up
        return out

    def backward(self, gy):
        return gy[self.index] if _is_basic(self.index) else AdvancedIndex.apply(gy, self.index), None, None


def _index_grad(g, shape, index):
    return IndexGrad.apply(g, shape, index)


def getitem(x, index):
    idx = _index_arrays(index)
    if _is_basic(idx):
        _check_bounds(x._data.shape, idx)
        return BasicIndex.apply(x, idx)
    try:
        return AdvancedIndex.apply(x, idx)
    except IndexError as e:
        raise IndexError(str(e)) from None


class IndexPut(Op):
    """``out = x.clone(); out[index] = v``, out of place (item assignment under autograd)."""
    save = False

    def forward(self, x, index, v):
        self.index = index
        out = x.copy()
        out[index] = v
        return out

    def backward(self, gy):
        gx = IndexPut.apply(gy, self.index, 0)
        gv = gy[self.index] if _is_basic(self.index) else AdvancedIndex.apply(gy, self.index)
        return gx, None, gv


def index_put(x, index, value):
    return IndexPut.apply(x, index, value)


def setitem(x, index, value):
    idx = _index_arrays(index)
    if isinstance(value, Tensor):
        if value._data.dtype != x._data.dtype:
            value = value.to(x.dtype)
    recording = grad_mode.state.enabled and (x._rg or (isinstance(value, Tensor) and value._rg))
    if not recording:
        if _is_basic(idx):
            _check_bounds(x._data.shape, idx)
        x._data[idx] = value._data if isinstance(value, Tensor) else value
        x._version[0] += 1
        return
    _inplace(x, index_put, idx, value)


def _along(index, dim):
    """The full NumPy index that addresses ``x[..., index, ...]`` element by element along `dim`."""
    grids = np.ogrid[tuple(slice(s) for s in index.shape)]
    grids[dim] = index
    return tuple(grids)


def _check_index_dtype(index, name):
    if index._data.dtype != np.int64:
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")


class Gather(Op):
    save = False

    def forward(self, x, dim, index):
        self.dim, self.index = dim, index
        return x[_along(index, dim)]

    def backward(self, gy):
        return _scatter_add_zeros(gy, self.inputs[0]._data.shape, self.dim, self.index), None, None


class ScatterAddZeros(Op):
    save = False

    def forward(self, g, shape, dim, index):
        self.dim, self.index = dim, index
        out = np.zeros(shape, dtype=g.dtype)
        np.add.at(out, _along(index, dim), g)
        return out

    def backward(self, gy):
        return Gather.apply(gy, self.dim, _wrap(self.index)), None, None, None


def _scatter_add_zeros(g, shape, dim, index):
    return ScatterAddZeros.apply(g, shape, dim, index)


def gather(input, dim, index, *, sparse_grad=False):
    _check_index_dtype(index, "gather")
    d = _wrap_dim(dim, input._data.ndim)
    if index._data.ndim != input._data.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for k, (si, sx) in enumerate(zip(index._data.shape, input._data.shape)):
        if k != d and si > sx:
            raise RuntimeError(f"Size does not match at dimension {k} expected index {list(index.shape)} to be "
                               f"smaller than self {list(input.shape)} apart from dimension {d}")
    return Gather.apply(input, d, index._data)


def take_along_dim(input, indices, dim=None):
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    d = _wrap_dim(dim, input._data.ndim)
    shape = list(np.broadcast_shapes(input._data.shape[:d] + (1,) + input._data.shape[d + 1:],
                                     indices._data.shape[:d] + (1,) + indices._data.shape[d + 1:]))
    xs, ids = list(shape), list(shape)
    xs[d], ids[d] = input._data.shape[d], indices._data.shape[d]
    return gather(input.expand(*xs), d, indices.expand(*ids))


class Scatter(Op):
    save = False

    def forward(self, x, dim, index, src, reduce):
        self.dim, self.index = dim, index
        out = x.copy()
        at = _along(index, dim)
        if reduce is None:
            out[at] = src[tuple(slice(s) for s in index.shape)] if np.ndim(src) else src
        elif reduce in ("add", "sum"):
            np.add.at(out, at, src[tuple(slice(s) for s in index.shape)] if np.ndim(src) else src)
        elif reduce in ("multiply", "prod"):
            np.multiply.at(out, at, src[tuple(slice(s) for s in index.shape)] if np.ndim(src) else src)
        else:
            raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}")
        self.reduce = reduce
        return out

    def backward(self, gy):
        at = _wrap(self.index)
        if self.reduce is None:
            gx = Scatter.apply(gy, self.dim, self.index, 0.0, None)
        else:
            gx = gy
        src = self.inputs[3]
        gsrc = None
        if isinstance(src, Tensor) and src._rg:
            gsrc = Gather.apply(gy, self.dim, at)
            if gsrc._data.shape != src._data.shape:
                gsrc = _PadTo.apply(gsrc, src._data.shape)
        return gx, None, None, gsrc, None


class _PadTo(Op):
    save = False

    def forward(self, g, shape):
        out = np.zeros(shape, dtype=g.dtype)
        out[tuple(slice(s) for s in g.shape)] = g
        return out

    def backward(self, gy):
        return gy[tuple(slice(s) for s in self.inputs[0]._data.shape)], None


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    _check_index_dtype(index, "scatter")
    d = _wrap_dim(dim, input._data.ndim)
    s = value if src is None else src
    if isinstance(s, Tensor) and s._data.dtype != input._data.dtype:
        raise RuntimeError(f"scatter(): Expected self.dtype to be equal to src.dtype")
    return Scatter.apply(input, d, index._data, s, reduce)


def scatter_add(input, dim, index, src):
    return scatter(input, dim, index, src, reduce="add")


def index_select(input, dim, index):
    d = _wrap_dim(dim, input._data.ndim)
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    idx = (slice(None),) * d + (index._data.reshape(-1),)
    return AdvancedIndex.apply(input, idx)


def index_add(input, dim, index, source, *, alpha=1):
    d = _wrap_dim(dim, input._data.ndim)
    idx = (slice(None),) * d + (index._data,)
    return input + IndexGrad.apply(source * alpha if alpha != 1 else source, input._data.shape, idx)


def index_copy(input, dim, index, source):
    d = _wrap_dim(dim, input._data.ndim)
    return IndexPut.apply(input, (slice(None),) * d + (index._data,), source)


def index_fill(input, dim, index, value):
    d = _wrap_dim(dim, input._data.ndim)
    return IndexPut.apply(input, (slice(None),) * d + (index._data,), value)


def masked_fill(input, mask, value):
    from .pointwise import where
    if mask._data.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {mask.dtype}")
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        value = value.to(input.dtype)
    out = where(mask, value, input)
    return out if out._data.dtype == input._data.dtype else out.to(input.dtype)


def masked_select(input, mask):
    from .shape import broadcast_tensors
    x, m = broadcast_tensors(input, mask)
    return AdvancedIndex.apply(x, m._data)


def masked_scatter(input, mask, source):
    from .shape import broadcast_tensors
    x, m = broadcast_tensors(input, mask)
    n = int(m._data.sum())
    return IndexPut.apply(x.contiguous(), m._data, source.reshape(-1)[:n])


def nonzero(input, *, as_tuple=False):
    idx = np.nonzero(input._data)
    if as_tuple:
        return tuple(_wrap(i.astype(np.int64)) for i in idx) if input._data.ndim else (_wrap(np.zeros(int(bool(input._data)), np.int64)),)
    return _wrap(np.stack(idx, axis=1).astype(np.int64) if input._data.ndim else np.zeros((int(bool(input._data)), 0), np.int64))


def argwhere(input):
    return nonzero(input)


def take(input, index):
    return AdvancedIndex.apply(input.reshape(-1), index._data)
