"""Indexing: ``x[...]``, item assignment, gather/scatter and friends."""
import re

import numpy as np

from .._tensor import Tensor, _wrap, _wrap_dim, _inplace
from ..autograd.function import Op
from ..autograd import grad_mode, trace as _trace
from .._backend import add_at, get_array_module, is_array as _is_array
from .pointwise import _tname
from . import pointwise as P

_NOT_ARRAY = (int, slice, type(None), type(Ellipsis))


# ---------------------------------------------------------------- torch's index -> NumPy's
def _item(i):
    """One entry of a torch index as NumPy takes it (tensors and lists become arrays)."""
    if isinstance(i, _NOT_ARRAY) and not isinstance(i, bool):
        if isinstance(i, slice) and i.step is not None and i.step <= 0:
            raise ValueError("step must be greater than zero" if i.step else "slice step cannot be zero")
        return i
    if isinstance(i, Tensor):
        a = i._data
        k = a.dtype.kind
        if a.dtype == np.int64 or a.dtype == np.int32:
            return int(a) if a.ndim == 0 else a  # a 0-d integer tensor selects, as an int does
        if k == "b" or a.dtype == np.uint8:
            return a.astype(bool, copy=False)  # uint8 indices are (deprecated) masks in torch
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if isinstance(i, (np.integer, np.bool_, bool)):
        return i.item() if isinstance(i, np.integer) else np.asarray(i)
    if isinstance(i, (list, np.ndarray)):
        a = np.asarray([_item(j) if isinstance(j, Tensor) else j for j in i] if isinstance(i, list) else i)
        if a.dtype.kind not in "biu":
            if a.size:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            a = a.astype(np.int64)  # [] indexes nothing
        return a
    raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                     f"valid indices (got {type(i).__name__})")


def _seq_as_tuple(index):
    """torch (still) reads a short list holding sequences, slices, None, ... or tensors as a tuple."""
    return len(index) < 32 and any(isinstance(i, (list, tuple, slice, Tensor, type(None), type(Ellipsis)))
                                   for i in index)


def _convert(index):
    """A torch index as ``(basic, advanced)`` NumPy indices, applied one after the other.

    ``basic`` (ints, slices, None, ...) gives a view; ``advanced`` (arrays) a copy. torch applies
    the ints first and then the tensors on the dims that remain, which differs from NumPy's rule
    only when ints or None mix with arrays; only then are both parts used.
    """
    if not isinstance(index, tuple):
        index = tuple(index) if isinstance(index, list) and _seq_as_tuple(index) else (index,)
    items = tuple(_item(i) for i in index)
    arrays = [_is_array(i) for i in items]
    if not any(arrays):
        if not any(i is Ellipsis for i in items):
            items += (Ellipsis,)  # keeps an all-int index a 0-d view rather than a NumPy scalar
        return items, None
    if not any(i is None or isinstance(i, int) for i in items):
        return None, items
    basic, adv = [], []
    for i, is_array in zip(items, arrays):
        if is_array:
            basic += [slice(None)] * (i.ndim if i.dtype == np.bool_ else 1)
            adv.append(i)
        else:
            basic.append(i)
            if not isinstance(i, int):  # a slice or None already applied, or the ...
                adv.append(Ellipsis if i is Ellipsis else slice(None))
    return tuple(basic), tuple(adv)


def _torch_error(e, shape, items):
    """NumPy's IndexError, reworded as torch words it."""
    msg = str(e)
    if msg.startswith("too many indices"):
        if not shape:
            return ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in "
                    "C++ to convert a 0-dim tensor to a number")
        return f"too many indices for tensor of dimension {len(shape)}"
    if msg.startswith("boolean index did not match"):
        return _mask_error(shape, items) or msg
    if msg.startswith("shape mismatch"):
        shapes = re.findall(r"\(([\d, ]*)\)", msg)
        return ("shape mismatch: indexing tensors could not be broadcast together with shapes " +
                ", ".join(_shape_list(s) for s in shapes))
    return msg.replace("for axis", "for dimension")


def _mask_error(shape, items):
    d = 0
    for k, i in enumerate(items):
        if i is Ellipsis:
            d = len(shape) - sum(1 if not _is_array(j) or j.dtype != np.bool_ else j.ndim
                                 for j in items[k + 1:] if j is not None)
        elif _is_array(i) and i.dtype == np.bool_:
            for j, s in enumerate(i.shape):
                if d + j >= len(shape) or shape[d + j] != s:
                    return (f"The shape of the mask {list(i.shape)} at index {j} does not match the shape of the "
                            f"indexed tensor {list(shape)} at index {d + j}")
            d += i.ndim
        elif i is not None:
            d += 1
    return None


# ---------------------------------------------------------------- x[index]
class BasicIndex(Op):
    """Ints, slices, None and ...: a view."""
    view, save = True, False

    def forward(self, x, index):
        self.index = index
        return x[index]

    def backward(self, gy):
        return IndexGrad.apply(gy, self.inputs[0]._data.shape, self.index), None


class AdvancedIndex(Op):
    """Integer and boolean arrays: a copy."""
    save = False

    def forward(self, x, index):
        self.index = index
        return x[index]

    def backward(self, gy):
        return IndexGrad.apply(gy, self.inputs[0]._data.shape, self.index), None


class IndexGrad(Op):
    """Zeros of `shape` with `g` added at `index` (repeated indices add up): indexing's gradient."""
    save = False

    def forward(self, g, shape, index):
        self.index = index
        out = np.zeros_like(g, shape=shape, order="C")
        if not any(_is_array(i) for i in index):
            out[index] = g
            return out
        return _index_add(out, index, g)

    def backward(self, gy):
        op = AdvancedIndex if any(_is_array(i) for i in self.index) else BasicIndex
        return op.apply(gy, self.index), None, None


def _index_add(out, index, g):
    """``out[index] += g`` where repeated indices add up (as ``np.add.at``, but faster)."""
    ints = [k for k, i in enumerate(index) if _is_array(i) and i.dtype != np.bool_]
    if not ints:  # masks only: no position repeats
        out[index] = g
        return out
    k = ints[0]
    if len(ints) == 1 and all(i is Ellipsis or (isinstance(i, slice) and i == slice(None))
                              for j, i in enumerate(index) if j != k):
        # one integer array along one dim (embedding lookups, index_select): sum rows at once
        d = out.ndim - (len(index) - k) if any(i is Ellipsis for i in index[:k]) else k
        idx = index[k].reshape(-1)
        n = out.shape[d]
        if idx.size and idx.min() < 0:
            idx = idx % n
        pre, post = int(np.prod(out.shape[:d])), int(np.prod(out.shape[d + 1:]))
        _add_rows(out.reshape(pre, n, post), idx, g.reshape(pre, idx.size, post))
        return out
    add_at(out, index, g)
    return out


def _add_rows(out, idx, g):
    """``out[:, idx] += g`` for out (pre, n, post), g (pre, N, post), idx (N,) >= 0, in place,
    with repeated rows adding up."""
    pre, n, post = out.shape
    xp = get_array_module(out)
    idx = xp.asarray(idx)
    if pre == post == 1:  # single elements already
        add_at(out.reshape(-1), idx, g.reshape(-1))
    elif idx.size and xp.bincount(idx, minlength=n).max() > 1:
        # np.add.at is fast on a flat array with flat positions (NumPy >= 1.25) and slow on rows,
        # so address single elements; it adds in index order, exactly as np.add.at on rows would
        pos = ((xp.arange(pre)[:, None] * n + idx)[:, :, None] * post + xp.arange(post)).reshape(-1)
        add_at(out.reshape(-1), pos, g.reshape(-1))
    else:  # no repeats: a plain (vectorised) addition
        out[:, idx] += g


def getitem(x, index):
    if type(index) is int:  # the hot paths: x[i], and ints and slices (a view)
        basic, adv = (index, Ellipsis), None
    elif type(index) is tuple and all([type(i) is int or type(i) is slice and i.step is None for i in index]):
        basic, adv = index + (Ellipsis,), None
    else:
        basic, adv = _convert(index)
    if basic is not None:
        x = _index(BasicIndex, x, basic)
    return x if adv is None else _index(AdvancedIndex, x, adv)


def _index(op, x, index):
    try:
        return op.apply(x, index)
    except IndexError as e:
        raise IndexError(_torch_error(e, x._data.shape, index)) from None


# ---------------------------------------------------------------- x[index] = value
class IndexPut(Op):
    """``out = x.clone(); out[index] = v``, out of place (item assignment under autograd)."""
    save = False

    def forward(self, x, basic, adv, v):
        self.index = (basic, adv)
        out = x.copy()
        _assign(out, basic, adv, v)
        return out

    def backward(self, gy):
        basic, adv = self.index
        v = self.inputs[3]
        gx = IndexPut.apply(gy, basic, adv, 0) if self.needs_input_grad[0] else None
        gv = None
        if self.needs_input_grad[3]:
            gv = gy if basic is None else BasicIndex.apply(gy, basic)
            gv = gv if adv is None else AdvancedIndex.apply(gv, adv)
            if gv._data.ndim < v._data.ndim:  # torch drops a value's leading 1-dims to fit the target
                gv = gv.reshape((1,) * (v._data.ndim - gv._data.ndim) + gv._data.shape)
        return gx, None, None, gv


def _assign(a, basic, adv, v):
    """``a[basic][adv] = v`` in place, with torch's errors for a value that does not fit."""
    try:
        if basic is not None:
            a = a[basic]
        if adv is None:
            a[...] = v
        else:
            a[adv] = v
    except ValueError as e:
        msg = str(e)
        if "read-only" in msg:
            raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers "
                               "to a single memory location. Please clone() the tensor before performing the "
                               "operation.") from None
        shapes = re.findall(r"shape \(([\d, ]*)\)", msg)
        if len(shapes) != 2:
            raise RuntimeError(msg) from None
        raise RuntimeError(f"shape mismatch: value tensor of shape {_shape_list(shapes[0])} cannot be broadcast "
                           f"to indexing result of shape {_shape_list(shapes[1])}") from None


def index_put(input, indices, values, accumulate=False):
    basic, adv = _convert(tuple(indices))
    if not accumulate:
        return IndexPut.apply(input, basic, adv, values)
    if basic is not None:
        raise RuntimeError("index_put(accumulate=True) takes a tuple of index tensors")
    target = np.broadcast_to(np.empty((), input._data.dtype), input._data.shape)[adv].shape
    return input + IndexGrad.apply(values.expand(target), input._data.shape, adv)


def setitem(x, index, value):
    basic, adv = _convert(index)
    if isinstance(value, Tensor) and value._data.dtype != x._data.dtype:
        if adv is not None:
            raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                               f"{_tname(x._data.dtype)} for the destination and {_tname(value._data.dtype)} for "
                               "the source.")
        value = value.to(x.dtype)
    try:
        if grad_mode.state.enabled and (x._rg or (isinstance(value, Tensor) and value._rg)) \
                or _trace.active is not None:
            _inplace(x, IndexPut.apply, basic, adv, value)  # recorded: out of place, then written back
        else:
            _assign(x._data, basic, adv, value._data if isinstance(value, Tensor) else value)
            x._version[0] += 1
    except IndexError as e:
        raise IndexError(_torch_error(e, x._data.shape, adv or basic)) from None


def _shape_list(text):
    """'2, 3' or '3,' (a NumPy shape's inside) as torch prints a shape: [2, 3] or [3]."""
    return str([int(n) for n in text.replace(" ", "").split(",") if n])


# ---------------------------------------------------------------- gather / scatter
def _along(index, dim):
    """The full NumPy index that addresses ``x[..., index, ...]`` element by element along `dim`."""
    grids = list(get_array_module(index).ogrid[tuple(slice(s) for s in index.shape)])
    grids[dim] = index
    return tuple(grids)


def _flat_along(index, dim, shape):
    """The flat (C-order) positions in an array of `shape` that `_along(index, dim)` addresses."""
    pos = 0
    stride = 1
    grids = _along(index, dim)
    for k in range(len(shape) - 1, -1, -1):
        pos = pos + grids[k] * stride
        stride *= shape[k]
    return get_array_module(index).broadcast_to(pos, index.shape)


def _check_index(name, input, dim, index, src=None):
    """torch's checks for gather/scatter: dtype, rank, sizes and bounds of the index."""
    if index._data.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    n = input._data.ndim
    d = _wrap_dim(dim, n)
    ix = index._data
    if ix.ndim != max(n, 1) and not (n == 0 and ix.ndim == 0):
        raise RuntimeError("Index tensor must have the same number of dimensions as "
                           + ("input tensor" if name == "gather" else "self tensor"))
    if src is not None and src._data.ndim != ix.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    xs = input._data.shape or (1,)
    for k, (si, sx) in enumerate(zip(ix.shape, xs)):
        if name == "gather" and k != d and si > sx:
            raise RuntimeError(f"Size does not match at dimension {k} expected index {list(index.shape)} to be "
                               f"no larger than self {list(input.shape)} apart from dimension {d}")
        if name != "gather" and ((k != d and si > sx) or (src is not None and si > src._data.shape[k])):
            raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self {list(input.shape)} "
                               f"apart from dimension {d}" + (f" and to be no larger size than src "
                                                              f"{list(src.shape)}" if src is not None else ""))
    if ix.size:
        lo, hi = int(ix.min()), int(ix.max())
        if lo < 0 or hi >= xs[d]:
            raise RuntimeError(f"index {lo if lo < 0 else hi} is out of bounds for dimension {d} with size {xs[d]}")
    return d


class Gather(Op):
    save = False

    def forward(self, x, dim, index):
        self.dim, self.index = dim, index
        return x[_along(index, dim)]

    def backward(self, gy):
        return ScatterAddZeros.apply(gy, self.inputs[0]._data.shape, self.dim, self.index), None, None


class ScatterAddZeros(Op):
    """Zeros of `shape` with `g` added at ``_along(index, dim)``: gather's gradient."""
    save = False

    def forward(self, g, shape, dim, index):
        self.dim, self.index = dim, index
        return _scatter_add(np.zeros_like(g, shape=shape, order="C"), dim, index, g)

    def backward(self, gy):
        return Gather.apply(gy, self.dim, self.index), None, None, None


def _scatter_add(out, dim, index, src):
    """``out[_along(index, dim)] += src`` in place (out is C-contiguous), repeated positions adding up."""
    if index.size:
        pos = _flat_along(index, dim, out.shape).reshape(-1)
        src = get_array_module(src).ascontiguousarray(src)  # (np.ascontiguousarray does not dispatch to CuPy)
        _add_rows(out.reshape(1, -1, 1), pos, src.reshape(1, -1, 1))
    return out


def gather(input, dim, index, *, sparse_grad=False):
    d = _check_index("gather", input, dim, index)
    if input._data.ndim == 0:
        return Gather.apply(input.reshape(1), 0, index._data.reshape(1)).reshape(())
    return Gather.apply(input, d, index._data)


def take_along_dim(input, indices, dim=None):
    if indices._data.dtype != np.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_tname(indices._data.dtype)}")
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))  # (here torch does not wrap negative indices)
    if input._data.ndim != indices._data.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {input._data.ndim} dimensions for input, and {indices._data.ndim} dimensions "
                           f"for indices")
    d = _wrap_dim(dim, input._data.ndim)
    a = input._data.shape[:d] + (1,) + input._data.shape[d + 1:]
    b = indices._data.shape[:d] + (1,) + indices._data.shape[d + 1:]
    for k, (sa, sb) in enumerate(zip(a, b)):  # both broadcast, except along dim
        if sa != sb and sa != 1 and sb != 1:
            raise RuntimeError(f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) at "
                               f"non-singleton dimension {k}")
    shape = list(np.broadcast_shapes(a, b))
    xs, ids = list(shape), list(shape)
    xs[d], ids[d] = input._data.shape[d], indices._data.shape[d]
    ix = indices._data
    if ix.size and ix.min() < 0:  # torch counts negative indices from the end here (gather does not)
        indices = _wrap(np.where(ix < 0, ix + input._data.shape[d], ix))
    return gather(input.expand(*xs), d, indices.expand(*ids))


class Scatter(Op):
    """``out = x.clone(); out[along(index, dim)] = src`` (or ``+=`` for scatter_add)."""
    save = False

    def forward(self, x, dim, index, src, reduce):
        self.dim, self.index, self.reduce = dim, index, reduce
        out = x.copy()
        at = _along(index, dim)
        s = src[tuple(slice(k) for k in index.shape)] if np.ndim(src) else np.broadcast_to(src, index.shape)
        if reduce is None:
            out[at] = s
        elif reduce in ("add", "scatter_add"):
            _scatter_add(out, dim, index, s)
        elif reduce == "multiply":
            np.multiply.at(out, at, s)
        return out

    def backward(self, gy):
        if self.reduce not in (None, "scatter_add"):  # as torch, for the deprecated reduce argument
            raise RuntimeError("derivative for aten::scatter is not implemented")
        gx = Scatter.apply(gy, self.dim, self.index, 0.0, None) if self.reduce is None else gy
        src = self.inputs[3]
        gsrc = None
        if isinstance(src, Tensor) and self.needs_input_grad[3]:
            gsrc = Gather.apply(gy, self.dim, self.index)
            if gsrc._data.shape != src._data.shape:  # src may be larger than index: its rest gets zeros
                gsrc = _PadTo.apply(gsrc, src._data.shape)
        return gx, None, None, gsrc, None


class _PadTo(Op):
    save = False

    def forward(self, g, shape):
        out = np.zeros_like(g, shape=shape, order="C")
        out[tuple(slice(s) for s in g.shape)] = g
        return out

    def backward(self, gy):
        return gy[tuple(slice(s) for s in self.inputs[0]._data.shape)], None


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    s = value if src is None else src
    if isinstance(s, Tensor) and s._data.ndim == 0 and src is not None:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    d = _check_index("scatter", input, dim, index, s if isinstance(s, Tensor) and s._data.ndim else None)
    if isinstance(s, Tensor):
        if s._data.ndim == 0:
            s = s.item()
        elif s._data.dtype != input._data.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    return Scatter.apply(input, d, index._data, s, reduce)


def scatter_add(input, dim, index, src):
    d = _check_index("scatter_add", input, dim, index, src)
    if src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    return Scatter.apply(input, d, index._data, src, "scatter_add")


# ---------------------------------------------------------------- index_* and masks
def _check_vector_index(name, index, size, dim=0):
    if name == "index_copy" and index._data.dtype != np.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {_tname(index._data.dtype)}")
    if index._data.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{name}(): Expected dtype int32 or int64 for index")
    if index._data.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    ix = index._data
    if ix.size and (ix.min() < (-size if name == "index_fill" else 0) or ix.max() >= size):
        # only index_fill counts negative indices from the end; each op words its error its own way
        bad = int(ix.min()) if ix.min() < 0 else int(ix.max())
        where = f"index {bad} is out of bounds for dimension {dim} with size {size}"
        if name == "index_add":
            raise RuntimeError(where)
        if name in ("index_copy", "index_fill"):
            raise IndexError(("index_copy_(): " if name == "index_copy" else "") + where)
        if name == "index_select" and dim != 0:
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={size}")
        raise IndexError("index out of range in self")
    return ix if ix.ndim == 1 else ix.reshape(-1)  # (the index itself: ember.compile replays it from its slot)


def _as_1d(t):
    return t.reshape(1) if isinstance(t, Tensor) and t._data.ndim == 0 else t


def index_select(input, dim, index):
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d] if input._data.ndim else 1
    ix = _check_vector_index("index_select", index, size, d)
    if input._data.ndim == 0:
        return AdvancedIndex.apply(input.reshape(1), (ix,)).reshape(())
    return AdvancedIndex.apply(input, (slice(None),) * d + (ix, Ellipsis))


def index_add(input, dim, index, source, *, alpha=1):
    if input._data.ndim == 0:  # a 0-d tensor is indexed as one of shape [1]
        return index_add(input.reshape(1), dim, index, _as_1d(source), alpha=alpha).reshape(())
    d = _wrap_dim(dim, input._data.ndim)
    ix = _check_vector_index("index_add", index, input._data.shape[d] if input._data.ndim else 1, d)
    src = source * alpha if alpha != 1 else source
    return input + IndexGrad.apply(src, input._data.shape, (slice(None),) * d + (ix, Ellipsis))


def index_copy(input, dim, index, source):
    if input._data.ndim == 0:
        return index_copy(input.reshape(1), dim, index, _as_1d(source)).reshape(())
    d = _wrap_dim(dim, input._data.ndim)
    ix = _check_vector_index("index_copy", index, input._data.shape[d] if input._data.ndim else 1, d)
    return IndexPut.apply(input, None, (slice(None),) * d + (ix, Ellipsis), source)


def index_fill(input, dim, index, value):
    if input._data.ndim == 0:
        return index_fill(input.reshape(1), dim, index, value).reshape(())
    d = _wrap_dim(dim, input._data.ndim)
    ix = _check_vector_index("index_fill", index, input._data.shape[d] if input._data.ndim else 1, d)
    if isinstance(value, Tensor) and value._data.dtype != input._data.dtype:
        value = value.to(input.dtype)
    return IndexPut.apply(input, None, (slice(None),) * d + (ix, Ellipsis), value)


def masked_fill(input, mask, value):
    from .pointwise import where
    if mask._data.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_tname(mask._data.dtype).lower()}")
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        value = value.to(input.dtype)
    out = where(mask, value, input)
    return out if out._data.dtype == input._data.dtype else out.to(input.dtype)


def masked_select(input, mask):
    from .shape import broadcast_tensors
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    x, m = broadcast_tensors(input, mask)
    return AdvancedIndex.apply(x, (m._data,))


def masked_scatter(input, mask, source):
    from .shape import broadcast_tensors
    x, m = broadcast_tensors(input, mask)
    if _trace.host is not None:  # ember.compile: the mask's count is read
        _trace.host(mask)
    n = int(m._data.sum())
    return IndexPut.apply(x.contiguous(), None, (m._data,), source.reshape(-1)[:n])


def nonzero(input, *, as_tuple=False):
    if _trace.host is not None:  # ember.compile: the values set the result's size
        _trace.host(input)
    a = input._data if input._data.ndim else input._data.reshape(1)
    idx = np.nonzero(a)
    if as_tuple:
        return tuple(_wrap(i.astype(np.int64)) for i in idx)
    out = np.stack(idx, axis=1).astype(np.int64)
    return _wrap(out if input._data.ndim else out[:, :0])


def argwhere(input):
    return nonzero(input)


def take(input, index):
    if index._data.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {_tname(index._data.dtype)}")
    ix = index._data
    n = input._data.size
    if ix.size and (ix.min() < -n or ix.max() >= n):
        bad = int(ix.min()) if ix.min() < -n else int(ix.max())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return AdvancedIndex.apply(input.reshape(-1), (ix,))


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    t = test_elements._data if isinstance(test_elements, Tensor) else None
    e = elements._data if isinstance(elements, Tensor) else None
    xp = get_array_module(e if e is not None else t)  # a scalar side joins the tensor's device
    t = xp.asarray(test_elements) if t is None else t
    e = xp.asarray(elements) if e is None else e
    return _wrap(np.isin(e, t, invert=invert))


# ---------------------------------------------------------------- scatter_reduce and the composites on it
_REDUCE_IDENTITY = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}


class ScatterReduce(Op):
    """``x`` with ``src`` reduced into the positions ``_along(index, dim)`` (sum, prod, mean, amax, amin)."""
    save, saves_output = True, True

    def forward(self, x, dim, index, src, reduce, include_self):
        at = _along(index, dim)
        s = src[tuple(slice(k) for k in index.shape)]
        out = x.copy()
        if not include_self:
            ident = _REDUCE_IDENTITY[reduce]
            if x.dtype.kind in "iub" and reduce in ("amax", "amin"):
                info = np.iinfo(x.dtype) if x.dtype.kind != "b" else None
                ident = (info.min if reduce == "amax" else info.max) if info else (reduce == "amin")
            out[at] = ident
        if reduce in ("sum", "mean"):
            np.add.at(out, at, s)
        elif reduce == "prod":
            np.multiply.at(out, at, s)
        else:
            (np.maximum if reduce == "amax" else np.minimum).at(out, at, s)
        if reduce == "mean":
            count = self.count = self._count(x, at, include_self)
            out = out / count.astype(out.dtype) if out.dtype.kind in "fc" else np.floor_divide(out, count)
        return out

    @staticmethod
    def _count(x, at, include_self):
        count = np.full(x.shape, 1 if include_self else 0, dtype=np.int64)
        np.add.at(count, at, 1)
        return np.maximum(count, 1)

    def backward(self, gy):
        x, dim, index, src, reduce, include_self = self.inputs
        unscattered = None if include_self else _wrap(_mask_of(x._data.shape, dim, index))
        if reduce == "sum":
            gx, gsrc = gy, Gather.apply(gy, dim, index)
        elif reduce == "mean":
            g = gy / _wrap(self.count.astype(gy._data.dtype))
            gx, gsrc = g, Gather.apply(g, dim, index)
        elif reduce == "prod":
            # torch's formula: zeros in x are taken out of the product (replaced by 1); a src position
            # that is the only zero of its group gets the product of the others
            r = self.out()
            s = src[tuple(slice(k) for k in index.shape)]
            masked_x = P.where(x == 0, 1.0, x).to(x.dtype)
            gx = gy * ScatterReduce.apply(masked_x, dim, index, src, reduce, include_self) / masked_x
            s_zero = (s == 0)
            n_zeros = Gather.apply(ScatterAddZeros.apply(s_zero.to(gy.dtype), x._data.shape, dim, index), dim, index)
            single = s_zero & (n_zeros == 1)
            masked_src = P.where(single, 1.0, src[tuple(slice(k) for k in index.shape)]).to(x.dtype)
            other = ScatterReduce.apply(x, dim, index, masked_src, reduce, include_self)
            gsrc = P.where(single, Gather.apply(gy * other, dim, index),
                           Gather.apply(gy * r, dim, index) / P.where(s_zero, 1.0, s).to(x.dtype))
        else:
            r = self.out()
            value = Gather.apply(r, dim, index)
            s = src[tuple(slice(k) for k in index.shape)]
            x_is = (x == r).to(gy.dtype)  # (torch counts x even when include_self is False)
            s_is = (s == value).to(gy.dtype)
            n = x_is + ScatterAddZeros.apply(s_is, x._data.shape, dim, index)
            g = gy / n
            gx, gsrc = x_is * g, s_is * Gather.apply(g, dim, index)
        if unscattered is not None:
            gx = gx * unscattered
        if gsrc is not None and gsrc._data.shape != src._data.shape:
            gsrc = _PadTo.apply(gsrc, src._data.shape)
        return gx, None, None, gsrc, None, None


def _mask_of(shape, dim, index):
    """1 where no index points (the positions scatter leaves alone), 0 where one does."""
    m = np.ones(shape, dtype=bool)
    m[_along(index, dim)] = False
    return m


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    if reduce not in _REDUCE_IDENTITY:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    d = _check_index("scatter_reduce", input, dim, index, src)
    if src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    return ScatterReduce.apply(input, d, index._data, src, reduce, include_self)


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    if input._data.ndim == 0:
        return index_reduce(input.reshape(1), dim, index, _as_1d(source), reduce, include_self=include_self).reshape(())
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    d = _wrap_dim(dim, input._data.ndim)
    ix = _check_vector_index("index_reduce", index, input._data.shape[d] if input._data.ndim else 1)
    shape = [1] * max(source._data.ndim, 1)
    shape[d] = -1
    idx = _wrap(ix % max(input._data.shape[d] if input._data.ndim else 1, 1)).reshape(shape).expand(*source.shape)
    return scatter_reduce(input, d, idx, source, reduce, include_self=include_self)


def put(input, index, source, accumulate=False):
    n = input._data.size
    ix = index._data.reshape(-1)
    if ix.size and (ix.min() < -n or ix.max() >= n):
        bad = int(ix.min()) if ix.min() < -n else int(ix.max())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    if source._data.size != ix.size:
        raise RuntimeError(f"put_(): Expected source and index to have the same number of elements, but got "
                           f"source.numel() = {source._data.size}, index.numel() = {ix.size}")
    flat = index_put(input.reshape(-1), (_wrap(ix),), source.reshape(-1), accumulate)
    return flat.reshape(input.shape)


def fill_diagonal(input, fill_value, wrap=False):
    """`input` with its main diagonal set to `fill_value` (what ``Tensor.fill_diagonal_`` writes)."""
    shape = input._data.shape
    if input._data.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if input._data.ndim > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    # the diagonal's flat positions are `step` apart; wrap continues past the first square block
    step = sum(int(np.prod(shape[k + 1:])) for k in range(len(shape)))
    end = input._data.size if (wrap and len(shape) == 2) else min(shape) * step
    pos = np.arange(0, min(end, input._data.size), step)
    from .creation import full
    v = full((len(pos),), fill_value, dtype=input.dtype)
    return index_put(input.reshape(-1), (_wrap(pos),), v).reshape(shape)


def nonzero_static(input, *, size, fill_value=-1):
    nz = nonzero(input)
    k = nz._data.shape[0]
    if k >= size:
        return nz[:size]
    pad = np.full((size - k, nz._data.shape[1]), fill_value, dtype=np.int64)
    return _wrap(np.concatenate([nz._data, pad]))
