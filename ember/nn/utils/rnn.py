"""torch.nn.utils.rnn: PackedSequence and the functions that pack, pad and unpad sequences.

A PackedSequence holds a batch of sequences of different lengths, sorted longest first,
time step by time step: ``data`` is step 0 of every sequence, then step 1 of those at least
2 long, and so on; ``batch_sizes[t]`` says how many sequences are still running at step t.
RNN, LSTM and GRU take it and run each step on the running sequences only. Packing and
padding are one differentiable gather each (an index computed in NumPy).
"""
from collections import namedtuple

import numpy as np

from ..._tensor import Tensor, _wrap
from ...ops import creation as C
from ...ops.shape import cat, stack


class PackedSequence(namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices",
                                                    "unsorted_indices"])):
    """Sequences of different lengths packed step by step (see the module's docstring)."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is not None:  # PackedSequence(data, batch_sizes, ...)
            return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)
        return super().__new__(cls, data[0], data[1], sorted_indices, unsorted_indices)  # a (data, sizes) pair

    def _with_data(self, data):
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else self._with_data(data)

    def cpu(self):
        return self._with_data(self.data.cpu())

    def cuda(self, *args, **kwargs):
        return self._with_data(self.data.cuda(*args, **kwargs))

    def double(self):
        return self._with_data(self.data.double())

    def float(self):
        return self._with_data(self.data.float())

    def half(self):
        return self._with_data(self.data.half())

    def long(self):
        return self._with_data(self.data.long())

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def invert_permutation(permutation):
    """The permutation that undoes `permutation` (None stays None)."""
    if permutation is None:
        return None
    p = np.asarray(permutation._data)
    inv = np.empty_like(p)
    inv[p] = np.arange(p.size, dtype=p.dtype)
    return _wrap(inv)


def _lengths(lengths):
    # a host read (tolist): the layout depends on the values, so ember.compile runs this eagerly
    if isinstance(lengths, Tensor):
        return np.asarray(lengths.tolist(), dtype=np.int64).reshape(-1)
    return np.asarray(lengths, dtype=np.int64).reshape(-1)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded (T, B, *) batch (B, T, * if batch_first) of sequences of the given lengths."""
    n = _lengths(lengths)
    if enforce_sorted:
        if np.any(n[:-1] < n[1:]):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
                               "to sidestep this requirement if you do not need ONNX exportability.")
        sorted_indices = None
        order = np.arange(n.size)
    else:
        order = np.argsort(-n, kind="stable")
        sorted_indices = _wrap(order.astype(np.int64))
        n = n[order]
    if n.size and n[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that "
                           "is <= 0")
    if batch_first:
        input = input.transpose(0, 1)
    t_max, b = input.shape[0], input.shape[1]
    if n.size != b:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {n.size} "
                           f"(batch_size={b})")
    if n[0] > t_max:
        raise RuntimeError(f"Expected sequence length to be larger than 0 in RNN")
    batch_sizes = (n[None, :] > np.arange(n[0])[:, None]).sum(1)          # running sequences per step
    # row t*B + order[j] of the (T*B, *) input, for the first batch_sizes[t] sorted sequences j
    rows = np.concatenate([t * b + order[:k] for t, k in enumerate(batch_sizes)])
    data = input.reshape((t_max * b,) + tuple(input.shape[2:]))[_wrap(rows)]
    return PackedSequence(data, _wrap(batch_sizes.astype(np.int64)), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo pack_padded_sequence: (padded batch in the original order, lengths)."""
    sizes = _lengths(sequence.batch_sizes)
    t_max = sizes.size
    if total_length is not None:
        if total_length < t_max:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, but "
                             f"got total_length={total_length} and max sequence length being {t_max}")
        t_max = total_length
    b = int(sizes[0])
    data = sequence.data
    # every padded position reads its packed row, or an extra row holding the padding value
    pos = np.full((t_max, b), data.shape[0], dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    for t, (s, k) in enumerate(zip(start, sizes)):
        pos[t, :k] = np.arange(s, s + k)
    lengths = (sizes[None, :] > np.arange(b)[:, None]).sum(1)
    fill = C.full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
    padded = cat([data, fill])[_wrap(pos.T if batch_first else pos)]
    lengths = _wrap(lengths.astype(np.int64))
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices]
    return padded, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shape (L_i, *) into (T, B, *) (B, T, * if batch_first), padding the short ones."""
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    t_max = max(s.shape[0] for s in sequences)
    out = []
    for s in sequences:
        k = t_max - s.shape[0]
        if k:
            fill = C.full((k,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype, device=s.device)
            s = cat([s, fill] if padding_side == "right" else [fill, s])
        out.append(s)
    return stack(out, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of unpadded sequences of a padded batch."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[i, :int(n)] for i, n in enumerate(_lengths(lengths))]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of tensors of shape (L_i, *)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences a PackedSequence holds, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
