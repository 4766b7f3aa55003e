"""Shape operations: views (reshape, permute, expand...) and joins (cat, stack, split...)."""
import math

import numpy as np

from .. import _dtype
from .._backend import get_array_module, to_device, device_of
from .._tensor import Tensor, _wrap, _wrap_dim
from ..autograd.function import Op
from ..autograd import trace as _trace
from ..autograd.engine import sum_to
from .indexing import BasicIndex, AdvancedIndex, IndexGrad


def _shape_arg(size):
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` like torch."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return tuple(int(s) for s in size)


def _infer(shape, numel):
    """Resolve one -1 in `shape` and check the element count, with torch's errors."""
    if -1 in shape:
        if shape.count(-1) > 1:
            raise RuntimeError("only one dimension can be inferred")
        rest = math.prod(s for s in shape if s != -1)
        if rest == 0 and numel == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                               "unspecified dimension size -1 can be any value and is ambiguous")
        if rest == 0 or numel % rest:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        return tuple(numel // rest if s == -1 else s for s in shape)
    if math.prod(shape) != numel or any(s < 0 for s in shape):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


class Reshape(Op):
    view, save, arrays = True, False, True

    def forward(self, x, shape):
        return x.reshape(shape)

    def backward(self, gy):
        return gy.reshape(self.xs[0].shape), None


def reshape(input, *shape):
    shape = _infer(_shape_arg(shape), input._data.size)
    if not _viewable(input._data, shape):
        # as torch: a copy when no view exists (so the result does not share memory with input)
        from .pointwise import clone
        input = clone(input)
    return Reshape.apply(input, shape)


def view(input, *shape):
    if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
        return _wrap_view_dtype(input, shape[0])
    shape = _infer(_shape_arg(shape), input._data.size)
    if not _viewable(input._data, shape):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                           "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
    return Reshape.apply(input, shape)


def _viewable(a, shape):
    if a.flags.c_contiguous or a.shape == shape:
        return True
    try:
        a.reshape(shape, copy=False)  # NumPy refuses exactly when a copy would be needed
        return True
    except ValueError:
        return False
    except TypeError:  # NumPy 2.0 and CuPy have no copy=: setting the shape refuses the same way
        try:
            a.view().shape = shape
            return True
        except AttributeError:
            return False


def _wrap_view_dtype(input, dt):
    t = Tensor.__new__(Tensor)
    t._init(input._data.view(dt.np))
    t._version, t._base = input._version, input
    return t


class Permute(Op):
    view, save, arrays = True, False, True

    def forward(self, x, dims):
        self.dims = dims
        return x.transpose(dims)

    def backward(self, gy):
        return Permute.on(gy, tuple(np.argsort(self.dims).tolist())), None


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
    d0, d1 = _wrap_dim(dim0, n), _wrap_dim(dim1, n)
    if n == 0:
        return Reshape.apply(input, ())
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
    src = list(source) if isinstance(source, (tuple, list)) else [source]
    dst = list(destination) if isinstance(destination, (tuple, list)) else [destination]
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain "
                           f"the same number of dims as destination ({dst} dims)")
    src, dst = [_wrap_dim(d, n) for d in src], [_wrap_dim(d, n) for d in dst]
    for name, ds in (("source", src), ("destination", dst)):
        if len(set(ds)) != len(ds):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({ds})")
    order = [d for d in range(n) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return Permute.apply(input, tuple(order))


moveaxis = movedim


def _broadcast(x, shape):
    """np.broadcast_to, several times faster for the common case of a contiguous NumPy array
    (a zero-stride view built directly; this runs in the backward of every sum and mean)."""
    if x.__class__ is not np.ndarray or not x.flags.c_contiguous or x.ndim > len(shape):
        return np.broadcast_to(x, shape)
    lead = len(shape) - x.ndim
    strides = [0] * lead
    for s, n, st in zip(x.shape, shape[lead:], x.strides):
        if s != n and s != 1:
            return np.broadcast_to(x, shape)  # let NumPy raise its error
        strides.append(0 if s != n else st)
    y = np.ndarray(shape, x.dtype, x, 0, strides)
    y.flags.writeable = False
    return y


class Expand(Op):
    view, save, arrays = True, False, True

    def forward(self, x, shape):
        if x.size == math.prod(shape) and x.size:
            return x.reshape(shape)  # only size-1 dims added: a view that may be written to, as in torch
        return _broadcast(x, shape)  # read-only, so writes to a broadcast view fail as torch's do

    def backward(self, gy):
        shape = self.xs[0].shape
        return (SumTo.on(gy, shape) if gy.shape != shape else gy), None


def expand_grad(g, shape):
    """`g` broadcast to `shape` in a backward: expand() on a tensor; a small array is copied
    into a new one (several times faster to make than a zero-stride view)."""
    if isinstance(g, Tensor) or g.__class__ is not np.ndarray and not isinstance(g, np.generic) \
            or math.prod(shape) > 4096:
        return Expand.on(g, shape)
    y = np.empty(shape, g.dtype)
    y[...] = g
    return y


def expand(input, *sizes):
    sizes = _shape_arg(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand({input.dtype}{{{list(shape)}}}, size=[{len(sizes)}]): the number of sizes "
                           f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in "
                           f"the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    for i in range(lead):
        if sizes[i] < 0:
            raise RuntimeError(f"The expanded size of the tensor ({sizes[i]}) isn't allowed in a leading, "
                               f"non-existing dimension {i}")
    out = sizes[:lead] + tuple(s if s != -1 else shape[i] for i, s in enumerate(sizes[lead:]))
    for i, s in enumerate(shape):
        if s != 1 and s != out[lead + i]:
            raise RuntimeError(f"The expanded size of the tensor ({out[lead + i]}) must match the existing size "
                               f"({s}) at non-singleton dimension {lead + i}.  Target sizes: {list(sizes)}.  "
                               f"Tensor sizes: {list(shape)}")
    if out == shape:
        return Reshape.apply(input, shape)
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
    save, arrays = False, True

    def forward(self, x, shape):
        return sum_to(x, shape)

    def backward(self, gy):
        return expand_grad(gy, self.xs[0].shape), None


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
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in sizes if s != -1)
    if (-1 in sizes and (known == 0 or shape[d] % known)) or (-1 not in sizes and known != shape[d]):
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {d} "
                           f"({shape[d]}) in the input tensor")
    return reshape(input, shape[:d] + _infer(sizes, shape[d]) + shape[d + 1:])


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
        self.dim, self.shapes = dim, [x.shape for x in xs]
        # torch skips legacy empty 1-D tensors of shape (0,) when joining tensors of other ranks
        kept = [x for x in xs if x.shape != (0,)] or xs[:1]
        return np.concatenate(kept, axis=dim)

    def backward(self, gy):
        grads, start, d = [], 0, self.dim
        for s in self.shapes:
            if s == (0,) and gy._data.ndim != 1:
                grads.append(_wrap(get_array_module(gy._data).zeros(s, gy._data.dtype)))
            else:
                grads.append(narrow(gy, d, start, s[d]))
                start += s[d]
        return tuple(grads)


def cat(tensors, dim=0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    from .pointwise import cast
    dt = _dtype.result_type(*tensors)
    ts = [t if t._data.dtype == dt else cast(t, dt) for t in tensors]
    kept = [(i, t._data.shape) for i, t in enumerate(ts) if t._data.shape != (0,)] or [(0, ts[0]._data.shape)]
    for i, s in kept:
        if not s:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    ref = kept[0][1]
    n = len(ref)
    d = _wrap_dim(dim, n)
    for i, s in kept:
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
    if not tensors:
        raise RuntimeError("hstack expects a non-empty TensorList")
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


def _slice_at(dim, key):
    """The index that applies `key` (an int or a slice) along `dim`; the trailing ... keeps a 0-d
    result a view rather than a NumPy scalar."""
    return (slice(None),) * dim + (key, Ellipsis)


def narrow(input, dim, start, length):
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    start, length = int(start), int(length)
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return BasicIndex.apply(input, _slice_at(d, slice(start, start + length)))


def select(input, dim, index):
    n = input._data.ndim
    if n == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, n)
    size = input._data.shape[d]
    index = int(index)
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
                         f"dimension {d}")
    return BasicIndex.apply(input, _slice_at(d, index))


def split(tensor, split_size_or_sections, dim=0):
    d = _wrap_dim(dim, tensor._data.ndim)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        step = int(split_size_or_sections)
        if step < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
        if step == 0 and size:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
        sizes = [min(step, size - i) for i in range(0, size, step)] if size else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != size or any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                               f"size at dimension {d}), but got split_sizes={sizes}")
    out, start = [], 0
    for s in sizes:
        out.append(BasicIndex.apply(tensor, _slice_at(d, slice(start, start + s))))
        start += s
    return tuple(out)


def tensor_split(input, indices_or_sections, dim=0):
    if isinstance(indices_or_sections, Tensor):  # a 0-d tensor is a number of sections, a 1-d one indices
        t = indices_or_sections
        indices_or_sections = int(t.item()) if t._data.ndim == 0 else [int(i) for i in t.tolist()]
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        q, r = divmod(size, n)
        sizes = [q + 1] * r + [q] * (n - r)
    else:
        bounds = [0] + [min(max(i, 0), size) for i in indices_or_sections] + [size]
        sizes = [max(b - a, 0) for a, b in zip(bounds, bounds[1:])]
    return split(input, sizes, d)


def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if size == 0:  # torch returns `chunks` empty pieces here
        return split(input, [0] * chunks, d)
    return split(input, -(-size // chunks), d)


def unbind(input, dim=0):
    if input._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _wrap_dim(dim, input._data.ndim)
    return tuple(BasicIndex.apply(input, _slice_at(d, i)) for i in range(input._data.shape[d]))


def _dim_list(dims, ndim):
    """Wrapped, distinct dims, with torch's error for a repeated one."""
    out = tuple(_wrap_dim(d, ndim) for d in dims)
    for i, d in enumerate(out):
        if d in out[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return out


class Flip(Op):
    save = False

    def forward(self, x, dims):
        self.dims = dims
        return np.flip(x, dims).copy()  # torch's flip copies (NumPy's is a view)

    def backward(self, gy):
        return Flip.apply(gy, self.dims), None


def flip(input, dims):
    dims = dims if isinstance(dims, (tuple, list)) else (dims,)
    return Flip.apply(input, _dim_list(dims, input._data.ndim))


def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


class Roll(Op):
    save = False

    def forward(self, x, shifts, dims):
        self.args = (shifts, dims)
        return np.roll(x, shifts, dims)

    def backward(self, gy):
        shifts, dims = self.args
        return Roll.apply(gy, tuple(-s for s in shifts), dims), None, None


def roll(input, shifts, dims=None):
    shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    dims = () if dims is None else tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if not dims:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        # no dims: roll the flattened tensor and restore its shape
        return reshape(Roll.apply(reshape(input, -1), shifts, (0,)), input._data.shape)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    if input._data.ndim == 0:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    return Roll.apply(input, tuple(int(s) for s in shifts), tuple(_wrap_dim(d, input._data.ndim) for d in dims))


class Repeat(Op):
    save = False

    def forward(self, x, reps):
        self.shape = x.shape
        return np.tile(x, reps)  # always a copy, as torch's repeat

    def backward(self, gy):
        # the output is the input tiled: view it as (r0, s0, r1, s1, ...) and sum the r axes
        inter = tuple(v for r, s in zip(self.inputs[1], self.shape) for v in (r, s))
        return gy.reshape(inter).sum(tuple(range(0, len(inter), 2))), None


def repeat(input, *sizes):
    sizes = _shape_arg(sizes)
    n = input._data.ndim
    if len(sizes) < n:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: {list(sizes)}")
    x = input if len(sizes) == n else reshape(input, (1,) * (len(sizes) - n) + input._data.shape)
    return Repeat.apply(x, sizes)


def tile(input, dims):
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(dims) < input._data.ndim:
        dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    from .indexing import index_select
    if repeats is None:  # repeat_interleave(repeats): each index repeated by its own count
        r = input._data
        if r.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if r.size and r.min() < 0:
            raise RuntimeError("repeats can not be negative")
        counts = to_device(r, "cpu")  # the output's length depends on them: computed on the host
        return _wrap(to_device(np.repeat(np.arange(len(counts)), counts), device_of(r)))
    x = reshape(input, (-1,)) if dim is None else input
    d = 0 if dim is None else _wrap_dim(dim, x._data.ndim)
    size = x._data.shape[d] if x._data.ndim else 1
    if isinstance(repeats, Tensor):
        reps = repeats._data
        if reps.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if reps.size != 1 and reps.shape != (size,):
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {reps.size} and input.size({d}) = {size}")
        reps = to_device(reps, "cpu").reshape(-1)
    else:
        reps = np.asarray(repeats).reshape(-1)
    if reps.size and reps.min() < 0:
        raise RuntimeError("Repeats must be non-negative" if not isinstance(repeats, Tensor) else
                           "repeats can not be negative")
    idx = np.repeat(np.arange(size), reps if reps.size != 1 else int(reps[0]))
    if x._data.ndim == 0:
        x = reshape(x, (1,))
    return index_select(x, d, _wrap(to_device(idx, device_of(x._data))))


def _tri(input, name, mask):
    from .pointwise import where
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    mask = get_array_module(input._data).asarray(mask)  # on the input's device
    return where(_wrap(mask), input, False if input._data.dtype == np.bool_ else 0)


def tril(input, diagonal=0):
    if _trace.active is not None:  # (the mask is NumPy's: one recorded step)
        return _trace.opaque("tril", (input, diagonal), {}, lambda: tril(input, diagonal))
    return _tri(input, "tril", np.tri(*input._data.shape[-2:], k=diagonal, dtype=bool))


def triu(input, diagonal=0):
    if _trace.active is not None:
        return _trace.opaque("triu", (input, diagonal), {}, lambda: triu(input, diagonal))
    return _tri(input, "triu", ~np.tri(*input._data.shape[-2:], k=diagonal - 1, dtype=bool))


def _writable_diagonal(x, offset, d1, d2):
    y = np.diagonal(x, offset, d1, d2)
    if isinstance(y, np.ndarray) and x.flags.writeable and not y.flags.writeable:
        y.flags.writeable = True  # NumPy's diagonal view is read-only by default; torch's may be written to
    return y


class Diagonal(Op):
    view, save = True, False

    def forward(self, x, offset, dim1, dim2):
        self.args = (offset, dim1, dim2)
        return _writable_diagonal(x, offset, dim1, dim2)

    def backward(self, gy):
        offset, d1, d2 = self.args
        return _DiagEmbed.apply(gy, self.inputs[0]._data.shape, offset, d1, d2), None, None, None


class _DiagEmbed(Op):
    """Zeros of `shape` with `g` on the diagonal (offset, d1, d2): diagonal's gradient and diag_embed."""
    save = False

    def forward(self, g, shape, offset, d1, d2):
        self.args = (offset, d1, d2)
        out = get_array_module(g).zeros(shape, dtype=g.dtype)
        _writable_diagonal(out, offset, d1, d2)[...] = g
        return out

    def backward(self, gy):
        offset, d1, d2 = self.args
        return Diagonal.apply(gy, offset, d1, d2), None, None, None, None


def diagonal(input, offset=0, dim1=0, dim2=1):
    n = input._data.ndim
    d1, d2 = _wrap_dim(dim1, n), _wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, int(offset), d1, d2)


def diag(input, diagonal=0):
    if input._data.ndim == 1:
        n = input._data.shape[0] + abs(diagonal)
        return _DiagEmbed.apply(input, (n, n), diagonal, 0, 1)
    if input._data.ndim == 2:
        from .pointwise import clone
        return clone(globals()["diagonal"](input, diagonal, 0, 1))  # torch's diag copies
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input._data.ndim}D")


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    n = input._data.shape[-1] + abs(offset)
    shape = input._data.shape[:-1] + (n, n)
    d1, d2 = _wrap_dim(dim1, len(shape)), _wrap_dim(dim2, len(shape))
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    # the new dims go to d1 and d2; the input's dims fill the others in order
    rest = [i for i in range(len(shape)) if i not in (d1, d2)]
    out_shape = [0] * len(shape)
    for i, s in zip(rest, input._data.shape[:-1]):
        out_shape[i] = s
    out_shape[d1] = out_shape[d2] = n
    return _DiagEmbed.apply(input, tuple(out_shape), offset, d1, d2)


# ---------------------------------------------------------------- more composites
def atleast_3d(input):
    x = atleast_2d(input)
    return unsqueeze(x, -1) if x._data.ndim == 2 else x


def meshgrid(*tensors, indexing="ij"):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    ts = list(tensors)
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    n = len(ts)
    shape = tuple(t._data.size for t in ts)
    out = [expand(reshape(t, tuple(-1 if i == k else 1 for i in range(n))), shape) for k, t in enumerate(ts)]
    if swap:  # 'xy' is 'ij' on the first two inputs swapped, with the first two outputs swapped back
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def rot90(input, k=1, dims=(0, 1)):
    k %= 4
    d0, d1 = dims
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return flip(transpose(input, d0, d1), (d1,))
    return input.clone()


def diff(input, n=1, dim=-1, prepend=None, append=None):
    d = _wrap_dim(dim, input._data.ndim)
    x = cat([t for t in (prepend, input, append) if t is not None], d) if prepend is not None or append is not None \
        else input
    for _ in range(n):
        size = x._data.shape[d]
        a, b = narrow(x, d, 1, size - 1), narrow(x, d, 0, size - 1)
        x = (a != b) if x._data.dtype == np.bool_ else a - b
    return x


def diagflat(input, offset=0):
    return diag(reshape(input, (-1,)), offset)


def block_diag(*tensors):
    from .creation import zeros
    from .. import _dtype
    mats = [reshape(t, (1, -1)) if t._data.ndim < 2 else t for t in tensors]
    dt = _dtype.from_np(_dtype.result_type(*mats))
    rows = sum(m._data.shape[0] for m in mats)
    cols = sum(m._data.shape[1] for m in mats)
    out, r, c = zeros(rows, cols, dtype=dt), 0, 0
    from .indexing import index_put
    for m in mats:
        h, w = m._data.shape
        out = index_put(out, (slice(r, r + h), slice(c, c + w)), m.to(dt))
        r, c = r + h, c + w
    return out


def cartesian_prod(*tensors):
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, (-1,)) for g in grids], 1)


def _tri_indices(row, col, offset, upper):
    from .._tensor import _wrap
    m = np.tri(row, col, k=offset - 1 if upper else offset, dtype=bool)
    r, c = np.nonzero(~m if upper else m)
    return _wrap(np.stack([r, c]).astype(np.int64))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tri_indices(row, col, offset, False)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tri_indices(row, col, offset, True)


# ---------------------------------------------------------------- strided views: as_strided, unfold
def _ptr(a):
    return a.data.ptr if hasattr(a.data, "ptr") else a.__array_interface__["data"][0]  # CuPy / NumPy


def _storage(a):
    """The array that owns `a`'s memory, flat, and a's offset into it in elements (torch's
    storage and storage_offset)."""
    root = a
    while isinstance(root.base, type(a)):
        root = root.base
    if not root.flags.c_contiguous:
        return a.reshape(-1) if a.flags.c_contiguous else np.ascontiguousarray(a).reshape(-1), 0
    flat = root.reshape(-1)
    return flat, (_ptr(a) - _ptr(root)) // a.itemsize if a.size else 0


def _positions(size, stride, offset):
    """The storage position of each element of a strided view."""
    xp = np
    pos = xp.full(size, offset, dtype=np.int64)
    for d, (n, s) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[d] = n
        pos = pos + (xp.arange(n, dtype=np.int64) * s).reshape(shape)
    return pos


class AsStrided(Op):
    """A view of the input's storage with the given sizes and strides (in elements)."""
    view, save = True, False

    def forward(self, x, size, stride, offset):
        flat, own = _storage(x)
        self.flat_size, self.own = flat.size, (x.shape, tuple(s // x.itemsize for s in x.strides), own)
        need = offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1 if all(size) else 0
        if need > flat.size:
            raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                               f"{offset}, and itemsize {x.itemsize} requiring a storage size of "
                               f"{need * x.itemsize} are out of bounds for storage of size "
                               f"{flat.size * x.itemsize}")
        return np.lib.stride_tricks.as_strided(flat[offset:] if offset < flat.size else flat[:0], size,
                                               tuple(s * x.itemsize for s in stride))

    def backward(self, gy):
        # scatter into the storage (overlapping positions add up), then read the input's positions
        size, stride, offset = self.inputs[1:]
        shape, own_stride, own = self.own
        g = IndexGrad.apply(gy, (self.flat_size,), (to_device(_positions(size, stride, offset), device_of(gy._data)),))
        return AdvancedIndex.apply(g, (to_device(_positions(shape, own_stride, own), device_of(gy._data)),)), \
            None, None, None


def as_strided(input, size, stride, storage_offset=None):
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError("as_strided: Negative strides are not supported at the moment, got strides: "
                           f"{list(stride)}")
    offset = _storage(input._data)[1] if storage_offset is None else int(storage_offset)
    return AsStrided.apply(input, size, stride, offset)


def unfold(input, dimension, size, step):
    """All slices of `size` elements along `dimension`, `step` apart, in a new last dimension (a view)."""
    n = input._data.ndim
    d = _wrap_dim(dimension, n)
    length = input._data.shape[d] if n else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {length} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    st = input.stride() if n else ()
    shape = list(input._data.shape)
    if n:
        shape[d] = (length - size) // step + 1
    strides = list(st)
    if n:
        strides[d] = st[d] * step
    return as_strided(input, tuple(shape) + (size,), tuple(strides) + ((st[d] if n else 1),),
                      _storage(input._data)[1])


# ---------------------------------------------------------------- x with one view of it replaced by src
def _scatter_into(input, src, view_fn):
    from .pointwise import clone
    out = clone(input)
    view_fn(out).copy_(src)
    return out


def select_scatter(input, src, dim, index):
    return _scatter_into(input, src, lambda y: select(y, dim, index))


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    d = _wrap_dim(dim, input._data.ndim)
    return _scatter_into(input, src, lambda y: BasicIndex.apply(y, _slice_at(d, slice(start, end, step))))


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    return _scatter_into(input, src, lambda y: diagonal(y, offset, dim1, dim2))


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    return _scatter_into(input, src, lambda y: as_strided(y, size, stride, storage_offset))


# ---------------------------------------------------------------- splits by dimension
def split_with_sizes(input, split_sizes, dim=0):
    return split(input, list(split_sizes), dim)


def hsplit(input, indices_or_sections):
    return _dim_split(input, indices_or_sections, 1 if input._data.ndim > 1 else 0, "hsplit", 1)


def vsplit(input, indices_or_sections):
    return _dim_split(input, indices_or_sections, 0, "vsplit", 2)


def dsplit(input, indices_or_sections):
    return _dim_split(input, indices_or_sections, 2, "dsplit", 3)


def _dim_split(input, sections, d, name, min_dims):
    if input._data.ndim < min_dims:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a tensor "
                           f"with {input._data.ndim} dimensions!")
    if isinstance(sections, int) and (sections == 0 or input._data.shape[d] % sections):
        raise RuntimeError(f"torch.{name} attempted to split along dimension {d}, but the size of the dimension "
                           f"{input._data.shape[d]} is not divisible by the split_size {sections}!")
    return tensor_split(input, sections, d)


unsafe_split, unsafe_chunk, unsafe_split_with_sizes = split, chunk, split_with_sizes


# ---------------------------------------------------------------- torch.<view>_copy: the view's values in new memory
def _copy_of(view_fn):
    def fn(input, *args, **kwargs):
        from .pointwise import clone
        out = view_fn(input, *args, **kwargs)
        return tuple(clone(o) for o in out) if isinstance(out, tuple) else clone(out)
    fn.__name__ = fn.__qualname__ = view_fn.__name__.lstrip("_") + "_copy"
    return fn


def _alias(input):
    return input


def _slice(input, dim=0, start=None, end=None, step=1):
    return BasicIndex.apply(input, _slice_at(_wrap_dim(dim, input._data.ndim), slice(start, end, step)))


def _detach(input):
    return input.detach()


def _view_as_real(input):
    from ..fft import view_as_real  # (torch.view_as_real lives with torch.fft's code in ember)
    return view_as_real(input)


def _view_as_complex(input):
    from ..fft import view_as_complex
    return view_as_complex(input)


alias_copy, slice_copy, detach_copy = _copy_of(_alias), _copy_of(_slice), _copy_of(_detach)
(as_strided_copy, diagonal_copy, expand_copy, narrow_copy, permute_copy, select_copy, split_copy,
 split_with_sizes_copy, squeeze_copy, t_copy, transpose_copy, unbind_copy, unfold_copy, unsqueeze_copy,
 view_copy, view_as_real_copy, view_as_complex_copy) = map(_copy_of, (
    as_strided, diagonal, expand, narrow, permute, select, split, split_with_sizes, squeeze, t, transpose, unbind,
    unfold, unsqueeze, view, _view_as_real, _view_as_complex))
