"""AdaptiveLogSoftmaxWithLoss: an efficient softmax over many classes (Grave et al., 2016).

Frequent classes (below the first cutoff) sit in a head softmax together with one entry per
cluster of rarer classes; a rare class's log-probability is its cluster's head entry plus its
log-probability inside the cluster, computed by a smaller projection (in_features divided by
div_value per cluster) only for the rows whose target falls in that cluster.
"""
from collections import namedtuple
from itertools import pairwise

import numpy as np

from .._tensor import _wrap
from ..ops.shape import cat
from .activation import log_softmax
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Head softmax over the frequent classes and cluster tokens, tail softmaxes per cluster."""

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False, device=None, dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in an increasing order, "
                             "where each value is between 1 and n_classes-1")
        factory = {"device": device, "dtype": dtype}
        self.in_features, self.n_classes = in_features, n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value, self.head_bias = div_value, head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, **factory)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(in_features // (div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hsz, bias=False, **factory),
                                        Linear(hsz, osz, bias=False, **factory)))

    def reset_parameters(self):
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, input_, target_):
        """(log-probability of each target, mean negative log-likelihood) as torch's _ASMoutput."""
        if target_.dim() == 1:
            if input_.size(0) != target_.size(0):
                raise RuntimeError("Input and target should have the same size in the batch dimension.")
            if input_.dim() != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with size "
                                   f"{input_.size()}")
        elif target_.dim() == 0:
            if input_.dim() != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with size "
                                   f"{input_.size()}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = target_.dim() > 0
        input = input_ if batched else input_.unsqueeze(0)
        target = np.asarray((target_ if batched else target_.unsqueeze(0))._data).astype(np.int64)
        output = input.new_zeros(len(target))
        gather_inds = np.zeros(len(target), dtype=np.int64)   # each row's head entry: its class or its cluster
        used = 0
        bounds = [0] + self.cutoffs
        for i in range(len(bounds) - 1):
            rows = np.nonzero((target >= bounds[i]) & (target < bounds[i + 1]))[0]
            if rows.size == 0:
                continue
            if i == 0:
                gather_inds[rows] = target[rows]
            else:
                cluster = log_softmax(self.tail[i - 1](input[_wrap(rows)]), dim=1)
                local = cluster.gather(1, _wrap((target[rows] - bounds[i])[:, None]))
                gather_inds[rows] = self.shortlist_size + i - 1
                output = output.index_copy(0, _wrap(rows), local.squeeze(1))
            used += rows.size
        if used != len(target):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                               f"[{target.min()}, {target.max()}] were found. ")
        head = log_softmax(self.head(input), dim=1)
        output = output + head.gather(1, _wrap(gather_inds[:, None])).squeeze()
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _get_full_log_prob(self, input, head_output):
        head = log_softmax(head_output, dim=1)
        parts = [head[:, :self.shortlist_size]]
        for i, _ in enumerate(pairwise(self.cutoffs)):
            cluster = log_softmax(self.tail[i](input), dim=1)
            parts.append(cluster + head[:, self.shortlist_size + i].unsqueeze(1))
        return cat(parts, 1)

    def log_prob(self, input):
        """Log-probabilities of every class, (N, n_classes)."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input):
        """The most likely class of each row (the full distribution only for rows that need it)."""
        head_output = self.head(input)
        output = head_output.argmax(dim=1)
        rare = output >= self.shortlist_size
        if not rare.any():
            return output
        if rare.all():
            return self._get_full_log_prob(input, head_output).argmax(dim=1)
        output[rare] = self._get_full_log_prob(input[rare], head_output[rare]).argmax(dim=1)
        return output
