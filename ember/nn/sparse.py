"""Embedding (a lookup table) with F.embedding, and F.one_hot.

Embedding is a primitive: its forward is one fancy-index, and its backward one scatter-add
of the output gradient into a zero table (with padding_idx's row left at zero); traced
through generic indexing it would also build an index-gradient node per call.
"""
import numpy as np

from .._backend import get_array_module, to_device
from .._tensor import _wrap
from ..autograd.function import Op
from ..autograd import trace as _trace
from ..autograd.grad_mode import no_grad
from ..ops import creation as C
from ..ops.shape import cat
from . import init
from .module import Module
from .parameter import Parameter


class EmbeddingOp(Op):
    """weight[idx], whose gradient is a scatter-add into the table."""
    save = False

    def forward(self, w, idx, padding_idx, scale_grad_by_freq):
        self.idx, self.num = idx, w.shape[0]
        return w[idx]

    def backward(self, gy):
        _, idx, padding_idx, scale = self.inputs
        return EmbeddingBackward.apply(gy, idx, self.num, padding_idx, scale), None, None, None

    def name(self):
        return "EmbeddingBackward0"


class EmbeddingBackward(Op):
    """The weight gradient: rows of g added into a (num, dim) table at idx."""
    save = False

    def forward(self, g, idx, num, padding_idx, scale):
        xp = get_array_module(g)
        flat = idx.ravel()
        g2 = g.reshape(flat.size, g.shape[-1])
        self.factor = None
        if scale:  # scale_grad_by_freq: divide each row by how often its index occurs in the batch
            counts = xp.bincount(flat, minlength=num)
            self.factor = (1.0 / counts[flat]).astype(g.dtype).reshape(idx.shape + (1,))
            g2 = g2 * self.factor.reshape(-1, 1)
        out = xp.zeros((num, g2.shape[1]), dtype=g.dtype)
        xp.add.at(out, flat, g2)
        if padding_idx is not None and padding_idx >= 0:
            out[padding_idx] = 0
        return out

    def backward(self, ggw):
        _, idx, _, padding_idx, _ = self.inputs
        r = EmbeddingOp.apply(ggw, idx, -1, False)
        mask = idx != padding_idx if padding_idx is not None and padding_idx >= 0 else None
        if mask is not None:
            r = r * _wrap(mask[..., None].astype(ggw._data.dtype))
        if self.factor is not None:
            r = r * _wrap(self.factor)
        return r, None, None, None, None


def _renorm_(weight, idx, max_norm, norm_type):
    """torch.embedding_renorm_: rows used by idx with norm > max_norm are scaled down, in place."""
    w = weight._data
    xp = get_array_module(w)
    rows = xp.unique(idx.ravel())
    norms = xp.linalg.norm(w[rows], ord=norm_type, axis=1)  # in the weight's dtype, as torch
    big = norms > max_norm
    scale = (max_norm / (norms[big].astype(np.float64) + 1e-7)).astype(w.dtype)
    w[rows[big]] *= scale[:, None]
    weight._version[0] += 1


def _padding_index(padding_idx, n, name="Padding_idx"):
    """padding_idx as a row (negative ones count from the end), or None; torch's AssertionError
    (its message capitalised as each caller words it) past either end."""
    if padding_idx is None:
        return None
    if padding_idx > 0 and padding_idx >= n or padding_idx < -n:
        raise AssertionError(f"{name} must be within num_embeddings")
    return padding_idx + n if padding_idx < 0 else padding_idx


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of `weight` picked by the integer tensor `input`."""
    if input._data.dtype != np.int64 and input._data.dtype != np.int32:
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {input.type()} instead (while checking arguments for embedding)")
    n = weight._data.shape[0]
    padding_idx = _padding_index(padding_idx, n)
    if padding_idx is None:
        padding_idx = -1
    idx = input._data
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        with no_grad():
            _renorm_(weight, idx, max_norm, norm_type)
    return EmbeddingOp.apply(weight, idx, padding_idx, scale_grad_by_freq)


def one_hot(tensor, num_classes=-1):
    """An int64 tensor with a 1 at each value's position along a new last dim."""
    if num_classes == -1 and _trace.host is not None:  # ember.compile: the values set the shape
        _trace.host(tensor)
    return _one_hot(tensor, num_classes)


@_trace.replayed  # (ember.compile computes it again from each call's values)
def _one_hot(tensor, num_classes):
    x = tensor._data
    if x.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if x.size and x.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(x.max()) + 1 if x.size else 0
        if not x.size:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    elif x.size and x.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    xp = get_array_module(x)
    return _wrap((x[..., None] == xp.arange(num_classes)).astype(np.int64))


class Embedding(Module):
    """A lookup table of num_embeddings vectors of size embedding_dim."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        padding_idx = _padding_index(padding_idx, num_embeddings)
        self.padding_idx, self.max_norm, self.norm_type = padding_idx, max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = Parameter(C.empty((num_embeddings, embedding_dim), device=device, dtype=dtype),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self):
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input):
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):
        s = "{num_embeddings}, {embedding_dim}"
        if self.padding_idx is not None:
            s += ", padding_idx={padding_idx}"
        if self.max_norm is not None:
            s += ", max_norm={max_norm}"
        if self.norm_type != 2:
            s += ", norm_type={norm_type}"
        if self.scale_grad_by_freq is not False:
            s += ", scale_grad_by_freq={scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s.format(**self.__dict__)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        """An Embedding whose weight is `embeddings` (shared, frozen unless freeze=False)."""
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(rows, cols, _weight=embeddings, _freeze=freeze, padding_idx=padding_idx, max_norm=max_norm,
                   norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


# ---------------------------------------------------------------- EmbeddingBag
class _BagGather(Op):
    """table[pos]: the rows of each bag laid out as (bags, longest bag, dim), missing entries (short
    bags, padding_idx) reading the table's last row. The layout is computed from the indices and
    offsets inside forward, so a replayed capture (ember.compile) computes it again."""
    save = False

    def forward(self, table, idx, offsets, bounds, padding_idx):
        if offsets is None:  # 2-D input: rows of equal length
            starts = np.arange(bounds[0], dtype=np.int64) * bounds[1]
            ends = starts + bounds[1]
        else:
            off = np.asarray(to_device(offsets, "cpu")).astype(np.int64)
            starts = off[:-1] if bounds else off           # bounds: include_last_offset
            ends = off[1:] if bounds else np.append(off[1:], idx.size)
        counts = ends - starts
        width = max(int(counts.max()) if counts.size else 0, 1)
        pos = starts[:, None] + np.arange(width)
        valid = np.arange(width) < counts[:, None]
        if padding_idx is not None and idx.size:
            flat = np.asarray(to_device(idx, "cpu")).reshape(-1)
            valid &= flat[np.minimum(pos, flat.size - 1)] != padding_idx
        self.pos = get_array_module(table).asarray(np.where(valid, pos, table.shape[0] - 1))
        self.shape = table.shape
        return table[self.pos]

    def backward(self, gy):
        from ..ops.indexing import IndexGrad
        return IndexGrad.apply(gy, self.shape, (self.pos,)), None, None, None, None


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """The sum, mean or max of the embeddings in each bag: the rows of a 2-D `input`, or the runs
    of a 1-D one starting at `offsets`.

    The rows are looked up once (F.embedding), laid out as (bags, longest bag, dim) through one
    gather in which missing entries (short bags, padding_idx) read an extra neutral row (0 for
    sums, -inf for max), and reduced over the bag dim.
    """
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        bounds = tuple(input.shape)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        off = np.asarray(offsets._data).astype(np.int64)
        if off.size and off[0] != 0:
            raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                               f"position 0. However, got {int(off[0])}")
        if off.size and off[-1] > input.shape[0]:
            raise RuntimeError(f"offsets[-1] can not be greater than input's length ({input.shape[0]}), but got "
                               f"offsets[-1] of {int(off[-1])}")
        bounds = bool(include_last_offset)
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                      f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                                      "on GitHub.")
        if tuple(per_sample_weights.shape) != tuple(input.shape):
            raise ValueError(f"embedding_bag: If per_sample_weights ({tuple(per_sample_weights.shape)}) is not None, "
                             f"then it must have the same shape as the input ({tuple(input.shape)})")
    num = weight.shape[0]
    if padding_idx is not None and padding_idx < 0:
        padding_idx += num
    flat = input.reshape(-1)
    rows = embedding(flat, weight, None, max_norm, norm_type, scale_grad_by_freq)      # (N, D)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1, 1)
    # one more column of ones counts each bag's entries; one more row (0 for sums, -inf for max,
    # count 0) stands for the missing entries
    d = weight.shape[1]
    ones = C.ones((rows.shape[0], 1), dtype=rows.dtype, device=rows.device)
    extra = C.full((1, d + 1), -np.inf if mode == "max" else 0.0, dtype=rows.dtype, device=rows.device)
    extra[0, d] = 0.0
    bags = _BagGather.apply(cat([cat([rows, ones], 1), extra]), input, offsets, bounds, padding_idx)  # (B, L, D+1)
    if mode == "max":
        from ..ops.pointwise import where
        top = bags.max(1).values
        return where(top[:, d:] > 0, top[:, :d], 0.0)  # empty bags give 0
    total = bags.sum(1)
    if mode == "mean":
        return total[:, :d] / total[:, d:].clamp(min=1)
    return total[:, :d]


class EmbeddingBag(Module):
    """Sums, means or maxima of bags of embeddings, without the intermediate per-index rows."""

    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                 mode="mean", sparse=False, _weight=None, include_last_offset=False, padding_idx=None, device=None,
                 dtype=None):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.max_norm, self.norm_type, self.scale_grad_by_freq = max_norm, norm_type, scale_grad_by_freq
        self.padding_idx = _padding_index(padding_idx, num_embeddings, "padding_idx")
        if _weight is None:
            self.weight = Parameter(C.empty((num_embeddings, embedding_dim), device=device, dtype=dtype))
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = Parameter(_weight)
        self.mode, self.sparse, self.include_last_offset = mode, sparse, include_last_offset

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input, offsets=None, per_sample_weights=None):
        return embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type, self.scale_grad_by_freq,
                             self.mode, self.sparse, per_sample_weights, self.include_last_offset, self.padding_idx)

    def extra_repr(self):
        s = "{num_embeddings}, {embedding_dim}"
        if self.max_norm is not None:
            s += ", max_norm={max_norm}"
        if self.norm_type != 2:
            s += ", norm_type={norm_type}"
        if self.scale_grad_by_freq is not False:
            s += ", scale_grad_by_freq={scale_grad_by_freq}"
        s += ", mode={mode}"
        if self.padding_idx is not None:
            s += ", padding_idx={padding_idx}"
        return s.format(**{k: repr(v) if k == "mode" else v for k, v in self.__dict__.items()})

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                        mode="mean", sparse=False, include_last_offset=False, padding_idx=None):
        """An EmbeddingBag whose weight is `embeddings` (frozen unless freeze=False)."""
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        bag = cls(rows, cols, _weight=embeddings, max_norm=max_norm, norm_type=norm_type,
                  scale_grad_by_freq=scale_grad_by_freq, mode=mode, sparse=sparse,
                  include_last_offset=include_last_offset, padding_idx=padding_idx)
        bag.weight.requires_grad = not freeze
        return bag
