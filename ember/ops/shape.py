"""Shape operations: views (reshape, permute, expand...) and joins (cat, stack, split...)."""
import numpy as np

from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Op


def _shape_arg(size):
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` like torch."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return tuple(int(s) for s in size)


def _infer(shape, numel, src):
    """Resolve one -1 in `shape` and check the element count, with torch's error."""
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if -1 in shape:
        rest = 1
        for s in shape:
            if s != -1:
                rest *= s
        i = shape.index(-1)
        if rest == 0 or numel % rest:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape[i] = numel // rest
    n = 1
    for s in shape:
        n *= s
    if n != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


class Reshape(Op):
    view, save = True, False

    def forward(self, x, shape):
        return x.reshape(shape)

    def backward(self, gy):
        return reshape(gy, self.inputs[0]._data.shape), None


def reshape(input, *shape):
    shape = _infer(_shape_arg(shape), input._data.size, input._data.shape)
    if shape == input._data.shape:
        return Reshape.apply(input, shape)
    return Reshape.apply(input, shape)


def view(input, *shape):
    from .. import _dtype
    if len(shape) == 1 and (isinstance(shape[0], _dtype.dtype)):
        return _wrap_view_dtype(input, shape[0])
    shape = _infer(_shape_arg(shape), input._data.size, input._data.shape)
    if not _viewable(input._data, shape):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                           "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
    return Reshape.apply(input, shape)


def _viewable(a, shape):
    if a.flags.c_contiguous:
        return True
    try:
        v = a.view()
        v.shape = shape  # NumPy refuses exactly when a copy would be needed
        return True
    except AttributeError:
        return False


def _wrap_view_dtype(input, dt):
    t = Tensor.__new__(Tensor)
    t._init(input._data.view(dt.np))
    t._version, t._base = input._version, input
    return t


class Permute(Op):
    view, save = True, False

    def forward(self, x, dims):
        self.dims = dims
        return x.transpose(dims)

    def backward(self, gy):
        return permute(gy, tuple(np.argsort(self.dims))), None


def permute(input, *dims):
    dims = _shape_arg(dims)
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                           f"the length of the desired ordering of dimensions i.e. input.dim() = {n} is not "
                           f"equal to len(dims) = {len(dims)}")
    dims = tuple(_wrap_dim(d, n) for d in dims)
    if len(set(dims)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


def transpose(input, dim0, dim1):
    n = input._data.ndim
    if n == 0:
        return input.view_as(input) if hasattr(input, "view_as") else input
    d0, d1 = _wrap_dim(dim0, n), _wrap_dim(dim1, n)
    dims = list(range(n))
    dims[d0], dims[d1] = d1, d0
    return Permute.apply(input, tuple(dims))


swapaxes = swapdims = transpose


def t(input):
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D")
    return transpose(input, 0, 1) if input._data.ndim == 2 else Reshape.apply(input, input._data.shape)


def adjoint(input):
    return transpose(input, -2, -1).conj()


def movedim(input, source, destination):
    n = input._data.ndim
    src = [_wrap_dim(d, n) for d in (source if isinstance(source, (tuple, list)) else [source])]
    dst = [_wrap_dim(d, n) for d in (destination if isinstance(destination, (tuple, list)) else [destination])]
    order = [d for d in range(n) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return Permute.apply(input, tuple(order))


moveaxis = movedim


class Expand(Op):
    view, save = True, False

    def forward(self, x, shape):
        return np.broadcast_to(x, shape)

    def backward(self, gy):
        return sum_to_size(gy, self.inputs[0]._data.shape), None


def expand(input, *sizes):
    sizes = _shape_arg(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand({input.dtype}{{{list(shape)}}}, size=[{len(sizes)}]): the number of sizes "
                           f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in "
                           f"the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    out = tuple(s if s != -1 else shape[i - lead] for i, s in enumerate(sizes))
    for i, s in enumerate(shape):
        if s != 1 and s != out[lead + i]:
            raise RuntimeError(f"The expanded size of the tensor ({out[lead + i]}) must match the existing size "
                               f"({s}) at non-singleton dimension {lead + i}.  Target sizes: {list(sizes)}.  "
                               f"Tensor sizes: {list(shape)}")
    return Expand.apply(input, out)


def expand_as(input, other):
    return expand(input, other._data.shape)


def broadcast_to(input, shape):
    return expand(input, tuple(shape))


def broadcast_shapes(*shapes):
    from .._tensor import Size
    try:
        return Size(np.broadcast_shapes(*[tuple(s) if not isinstance(s, int) else (s,) for s in shapes]))
    except ValueError:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape: {shapes}") from None


def broadcast_tensors(*tensors):
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(expand(t, shape) for t in tensors)


class SumTo(Op):
    save = False

    def forward(self, x, shape):
        # sum the broadcast (leading and size-1) axes away: the un-broadcasting rule
        lead = x.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1)
        y = x.sum(axis=axes, keepdims=True) if axes else x
        return y.reshape(shape) if lead else y

    def backward(self, gy):
        return expand(gy, self.inputs[0]._data.shape), None


def sum_to_size(input, *size):
    shape = _shape_arg(size)
    if input._data.shape == shape:
        return input
    return SumTo.apply(input, shape)


def flatten(input, start_dim=0, end_dim=-1):
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    s, e = _wrap_dim(start_dim, len(shape)), _wrap_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    n = 1
    for d in shape[s:e + 1]:
        n *= d
    return reshape(input, shape[:s] + (n,) + shape[e + 1:])


def ravel(input):
    return reshape(input, (-1,))


def unflatten(input, dim, sizes):
    shape = input._data.shape
    d = _wrap_dim(dim, len(shape))
    sizes = _infer(tuple(sizes), shape[d], shape)
    return reshape(input, shape[:d] + sizes + shape[d + 1:])


def squeeze(input, dim=None):
    shape = input._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = {_wrap_dim(d, len(shape)) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
        new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    return Reshape.apply(input, new)


def unsqueeze(input, dim):
    shape = input._data.shape
    d = _wrap_dim(dim, len(shape) + 1)
    return Reshape.apply(input, shape[:d] + (1,) + shape[d:])


def atleast_1d(input):
    return reshape(input, (1,)) if input._data.ndim == 0 else input


def atleast_2d(input):
    return reshape(input, (1,) * (2 - input._data.ndim) + input._data.shape) if input._data.ndim < 2 else input


def view_as(input, other):
    return view(input, other._data.shape)


def reshape_as(input, other):
    return reshape(input, other._data.shape)


class Cat(Op):
    save = False

    def forward(self, *xs, dim):
        self.dim = dim
        self.sizes = [x.shape[dim] for x in xs]
        return np.concatenate(xs, axis=dim)

    def backward(self, gy):
        return tuple(split(gy, self.sizes, self.dim))


def cat(tensors, dim=0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    from .pointwise import cast
    from .. import _dtype
    dt = _dtype.result_type(*tensors)
    # torch skips legacy empty 1-D tensors of shape (0,) in cat
    ts = [t if t._data.dtype == dt else cast(t, dt) for t in tensors
          if not (t._data.ndim == 1 and t._data.shape[0] == 0)] or tensors[:1]
    n = ts[0]._data.ndim
    if n == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = _wrap_dim(dim, n)
    ref = ts[0]._data.shape
    for i, t in enumerate(ts):
        s = t._data.shape
        if len(s) != n:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {n} and {len(s)}")
        for k in range(n):
            if k != d and s[k] != ref[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref[k]} but got size {s[k]} for tensor number {i} in the list.")
    return Cat.apply(*ts, dim=d)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                               f"and {list(t._data.shape)} at entry {i}")
    d = _wrap_dim(dim, len(shape) + 1)
    return cat([unsqueeze(t, d) for t in tensors], d)


def hstack(tensors):
    tensors = [atleast_1d(t) for t in tensors]
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    return cat([atleast_2d(t) for t in tensors], 0)


row_stack = vstack


def dstack(tensors):
    ts = [atleast_2d(t) for t in tensors]
    ts = [unsqueeze(t, -1) if t._data.ndim == 2 else t for t in ts]
    return cat(ts, 2)


def column_stack(tensors):
    return hstack([reshape(t, (-1, 1)) if t._data.ndim <= 1 else t for t in tensors])


class Narrow(Op):
    view, save = True, False

    def forward(self, x, dim, start, length):
        self.args = (dim, start, length)
        idx = [slice(None)] * x.ndim
        idx[dim] = slice(start, start + length)
        return x[tuple(idx)]

    def backward(self, gy):
        dim, start, length = self.args
        shape = self.inputs[0]._data.shape
        pad = [(0, 0)] * len(shape)
        pad[dim] = (start, shape[dim] - start - length)
        return _pad_zeros(gy, pad), None, None, None


class _PadZeros(Op):
    save = False

    def forward(self, x, pad):
        self.pad = pad
        return np.pad(x, pad)

    def backward(self, gy):
        idx = tuple(slice(a, gy._data.shape[i] - b) for i, (a, b) in enumerate(self.pad))
        return gy[idx], None


def _pad_zeros(x, pad):
    return _PadZeros.apply(x, tuple(pad))


def narrow(input, dim, start, length):
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    start = int(start)
    if start < 0:
        start += size
    if not (0 <= start <= size and 0 <= length and start + length <= size):
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return Narrow.apply(input, d, start, int(length))


def split(tensor, split_size_or_sections, dim=0):
    d = _wrap_dim(dim, tensor._data.ndim)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        sizes = [min(step, size - i) for i in range(0, size, step)] if size else [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                               f"size at dimension {d}), but got split_sizes={sizes}")
    out, start = [], 0
    for s in sizes:
        out.append(Narrow.apply(tensor, d, start, s))
        start += s
    return tuple(out)


def tensor_split(input, indices_or_sections, dim=0):
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        q, r = divmod(size, n)
        sizes = [q + 1] * r + [q] * (n - r)
    else:
        bounds = [0] + [min(max(i, 0), size) for i in indices_or_sections] + [size]
        sizes = [max(b - a, 0) for a, b in zip(bounds, bounds[1:])]
    return split(input, sizes, d)


def chunk(input, chunks, dim=0):
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    step = -(-size // chunks) if size else 1
    return split(input, step, d) if size else split(input, [0], d)


def unbind(input, dim=0):
    d = _wrap_dim(dim, input._data.ndim)
    return tuple(select(input, d, i) for i in range(input._data.shape[d]))


def select(input, dim, index):
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
                         f"dimension {d}")
    return squeeze(narrow(input, d, index % size, 1), d)


class Flip(Op):
    view, save = True, False

    def forward(self, x, dims):
        self.dims = dims
        return np.flip(x, dims)

    def backward(self, gy):
        return flip(gy, self.dims), None


def flip(input, dims):
    dims = dims if isinstance(dims, (tuple, list)) else (dims,)
    return Flip.apply(input, tuple(_wrap_dim(d, input._data.ndim) for d in dims))


def fliplr(input):
    return flip(input, (1,))


def flipud(input):
    return flip(input, (0,))


class Roll(Op):
    save = False

    def forward(self, x, shifts, dims):
        self.args = (shifts, dims)
        return np.roll(x, shifts, dims)

    def backward(self, gy):
        shifts, dims = self.args
        neg = tuple(-s for s in shifts) if isinstance(shifts, tuple) else -shifts
        return roll(gy, neg, dims), None, None


def roll(input, shifts, dims=None):
    if dims is None:
        return reshape(Roll.apply(reshape(input, -1), shifts, 0), input._data.shape)
    if isinstance(shifts, (list, tuple)):
        shifts, dims = tuple(shifts), tuple(dims)
    return Roll.apply(input, shifts, dims)


def repeat(input, *sizes):
    sizes = _shape_arg(sizes)
    n = input._data.ndim
    if len(sizes) < n:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    x = reshape(input, (1,) * (len(sizes) - n) + input._data.shape)
    # tile as expand + reshape: one differentiable view and one copy
    shape = x._data.shape
    inter = []
    for r, s in zip(sizes, shape):
        inter += [r, s]
    y = expand(reshape(x, tuple(v for s in shape for v in (1, s))), tuple(inter))
    return reshape(y, tuple(r * s for r, s in zip(sizes, shape)))


def tile(input, dims):
    dims = tuple(dims)
    if len(dims) < input._data.ndim:
        dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    from .indexing import index_select
    from .creation import tensor as _tensor
    if repeats is None:  # repeat_interleave(repeats_tensor): indices repeated by their own counts
        r = input._data
        return _tensor(np.repeat(np.arange(len(r)), r))
    x = reshape(input, (-1,)) if dim is None else input
    d = 0 if dim is None else _wrap_dim(dim, x._data.ndim)
    reps = repeats._data if isinstance(repeats, Tensor) else repeats
    idx = np.repeat(np.arange(x._data.shape[d]), reps)
    return index_select(x, d, _tensor(idx))


def tril(input, diagonal=0):
    from .pointwise import where
    m = np.tri(*input._data.shape[-2:], k=diagonal, dtype=bool)
    return where(_const(m), input, 0) if input._data.dtype != np.bool_ else where(_const(m), input, False)


def triu(input, diagonal=0):
    from .pointwise import where
    m = ~np.tri(*input._data.shape[-2:], k=diagonal - 1, dtype=bool)
    return where(_const(m), input, 0) if input._data.dtype != np.bool_ else where(_const(m), input, False)


def _const(a):
    from .._tensor import _wrap
    return _wrap(a)


class Diagonal(Op):
    view, save = True, False

    def forward(self, x, offset, dim1, dim2):
        self.args = (offset, dim1, dim2)
        return np.diagonal(x, offset, dim1, dim2)

    def backward(self, gy):
        offset, d1, d2 = self.args
        return _diag_embed_like(gy, self.inputs[0]._data.shape, offset, d1, d2), None, None, None


class _DiagEmbed(Op):
    save = False

    def forward(self, g, shape, offset, d1, d2):
        self.args = (offset, d1, d2)
        return _fill_diag(np.zeros(shape, dtype=g.dtype), g, offset, d1, d2)

    def backward(self, gy):
        offset, d1, d2 = self.args
        return diagonal(gy, offset, d1, d2), None, None, None, None, None


def _fill_diag(out, g, offset, d1, d2):
    n = g.shape[-1]
    i = np.arange(n)
    rows, cols = (i, i + offset) if offset >= 0 else (i - offset, i)
    moved = np.moveaxis(out, (d1, d2), (-2, -1))
    moved[..., rows, cols] = g
    return out


def _diag_embed_like(g, shape, offset, d1, d2):
    return _DiagEmbed.apply(g, shape, offset, d1, d2)


def diagonal(input, offset=0, dim1=0, dim2=1):
    n = input._data.ndim
    return Diagonal.apply(input, offset, _wrap_dim(dim1, n), _wrap_dim(dim2, n))


def diag(input, diagonal=0):
    if input._data.ndim == 1:
        n = input._data.shape[0] + abs(diagonal)
        return _DiagEmbed.apply(input, (n, n), diagonal, 0, 1)
    if input._data.ndim == 2:
        return globals()["diagonal"](input, diagonal, 0, 1)
    raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{input._data.ndim}D")


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    n = input._data.shape[-1] + abs(offset)
    shape = input._data.shape[:-1] + (n, n)
    return _DiagEmbed.apply(input, shape, offset, dim1 % len(shape), dim2 % len(shape))
