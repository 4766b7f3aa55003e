"""Recurrent layers: RNN, LSTM, GRU and their single-step cells, with torch's parameters.

A layer runs in three steps: project the inputs of all time steps with one matmul, loop over
time applying the cell (the loop is inherent: step t needs step t - 1), stack the outputs.
The cells are composites of ember ops, so autograd gives their backward.
"""
import math
import numbers
import warnings

from .. import ops
from ..autograd.function import Function
from ..ops import pointwise as P
from ..ops.shape import stack, cat
from . import init
from .dropout import dropout
from .linear import linear
from .module import Module
from .parameter import Parameter
from .utils.rnn import PackedSequence


class _Unbind(Function):
    """``x.unbind(dim)`` as one graph node whose backward stacks the gradients in one pass.

    (Separate slices would each pad their gradient to the size of x: O(T^2) for T steps.)
    """

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return x.unbind(dim)

    @staticmethod
    def backward(ctx, *gs):
        return stack(gs, ctx.dim), None


def _unbind(x, dim=0):
    return _Unbind.apply(x, dim)


# ---------------------------------------------------------------- one time step of each cell
# gi is the input's share of the gates, x @ W_ih^T + b_ih, computed for all steps at once.
def _rnn_step(gi, h, w_hh, b_hh, act):
    return act(gi + linear(h, w_hh, b_hh))


def _lstm_step(gi, h, c, w_hh, b_hh, w_hr):
    g = gi + linear(h, w_hh, b_hh)
    i, f, gg, o = _unbind(g.reshape(g.shape[0], 4, -1), 1)  # torch's gate order: i, f, g, o
    c = P.sigmoid(f) * c + P.sigmoid(i) * P.tanh(gg)
    h = P.sigmoid(o) * P.tanh(c)
    return (h if w_hr is None else linear(h, w_hr)), c


def _gru_step(gi, h, w_hh, b_hh):
    gh = linear(h, w_hh, b_hh)
    i_r, i_z, i_n = _unbind(gi.reshape(gi.shape[0], 3, -1), 1)  # torch's gate order: r, z, n
    h_r, h_z, h_n = _unbind(gh.reshape(gh.shape[0], 3, -1), 1)
    r = P.sigmoid(i_r + h_r)
    z = P.sigmoid(i_z + h_z)
    n = P.tanh(i_n + r * h_n)  # the reset gate scales W_hn h + b_hn, as torch (and cuDNN) do
    return (1 - z) * n + z * h


_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ---------------------------------------------------------------- multi-layer modules
class RNNBase(Module):
    """The shared machinery of RNN, LSTM and GRU: parameters, checks, the layer loop."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=2)
        for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                                  ("input_size", input_size, int), ("hidden_size", hidden_size, int)):
            if not isinstance(value, kind):
                raise TypeError(f"{name} should be of type {kind.__name__}, got: {type(value).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size

        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        num_directions = 2 if bidirectional else 1
        factory = {"device": device, "dtype": dtype}
        self._flat_weights_names, self._all_weights = [], []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = {"weight_ih": (gate_size, layer_input), "weight_hh": (gate_size, real_hidden)}
                if bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if proj_size > 0:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                names = [name + suffix for name in shapes]
                for name, shape in zip(names, shapes.values()):
                    setattr(self, name, Parameter(ops.creation.empty(shape, **factory)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():  # in registration order, so seeded values equal torch's
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self):
        """A no-op: torch packs the weights into one buffer for cuDNN; ember has nothing to pack."""

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # ------------------------------------------------------------------ checks
    def _forward_one_state(self, input, hx, name):
        """RNN's and GRU's forward: one hidden state (LSTM has two)."""
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        x, batched = self._batched(input, name)
        if hx is not None and hx.dim() != (3 if batched else 2):
            raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor"
                               if batched else
                               f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor")
        h0 = self._hidden(hx, x, self.hidden_size, batched)
        out, h, _ = self._run(x, h0)
        return _finish(self, out, batched), (h if batched else h.squeeze(1))

    def _batched(self, input, name):
        """Input as (T, B, I), with whether it came with a batch dim."""
        if input.dim() not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D"
                             + (" tensor instead" if name == "RNN" else " instead"))
        batched = input.dim() == 3
        if not batched:
            input = input.unsqueeze(0 if self.batch_first else 1)
        if self.batch_first:
            input = input.transpose(0, 1)
        w = self._flat_weights[0]
        if input.dtype != w.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({w.dtype}). "
                             f"Convert input: input.to({w.dtype}), or convert model: model.to({input.dtype})")
        if input.size(-1) != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.size(-1)}")
        return input, batched

    def _hidden(self, hx, input, size, batched, msg="Expected hidden size {}, got {}"):
        """The initial state (zeros if None), checked against (layers * directions, B, size)."""
        want = (self.num_layers * (2 if self.bidirectional else 1), input.shape[1], size)
        if hx is None:
            return ops.creation.zeros(want, dtype=input.dtype, device=input.device)
        if not batched:
            hx = hx.unsqueeze(1)
        if tuple(hx.shape) != want:
            raise RuntimeError(msg.format(want, list(hx.shape)))
        return hx

    # ------------------------------------------------------------------ the computation
    def _run(self, x, h0, c0=None, sizes=None):
        """All layers over (T, B, I) input (packed (N, I) data with `sizes`); returns (output, h_n, c_n)."""
        num_directions = 2 if self.bidirectional else 1
        h0 = _unbind(h0, 0)
        c0 = None if c0 is None else _unbind(c0, 0)
        hs, cs = [], []
        for layer in range(self.num_layers):
            outs = []
            for direction in range(num_directions):
                k = layer * num_directions + direction
                args = (x, h0[k], None if c0 is None else c0[k], self.all_weights[k], direction == 1)
                out, h, c = self._layer(*args) if sizes is None else self._layer_packed(*args, sizes)
                outs.append(out)
                hs.append(h)
                cs.append(c)
            x = outs[0] if num_directions == 1 else cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = dropout(x, self.dropout, True)
        return x, stack(hs), (stack(cs) if c0 is not None else None)

    def _layer(self, x, h, c, weights, reverse):
        """One direction of one layer: (T, B, I) -> (T, B, H), last h and c."""
        w_ih, w_hh = weights[0], weights[1]
        b_ih, b_hh = (weights[2], weights[3]) if self.bias else (None, None)
        w_hr = weights[-1] if self.proj_size > 0 else None
        steps = _unbind(linear(x, w_ih, b_ih), 0)  # the input projection of every step in one matmul
        outs = [None] * len(steps)
        order = range(len(steps) - 1, -1, -1) if reverse else range(len(steps))
        mode = self.mode
        for t in order:
            if mode == "LSTM":
                h, c = _lstm_step(steps[t], h, c, w_hh, b_hh, w_hr)
            elif mode == "GRU":
                h = _gru_step(steps[t], h, w_hh, b_hh)
            else:
                h = _rnn_step(steps[t], h, w_hh, b_hh, P.tanh if mode == "RNN_TANH" else P.relu)
            outs[t] = h
        return stack(outs), h, c

    # ------------------------------------------------------------------ packed sequences
    def _layer_packed(self, x, h, c, weights, reverse, sizes):
        """_layer over packed (N, I) data: step t runs on the first sizes[t] (still running) sequences;
        the others keep their state, so each one's last state is its own final one."""
        w_ih, w_hh = weights[0], weights[1]
        b_ih, b_hh = (weights[2], weights[3]) if self.bias else (None, None)
        w_hr = weights[-1] if self.proj_size > 0 else None
        steps = linear(x, w_ih, b_ih).split(sizes)
        outs = [None] * len(steps)
        order = range(len(steps) - 1, -1, -1) if reverse else range(len(steps))
        mode = self.mode
        for t in order:
            n = sizes[t]
            if mode == "LSTM":
                hn, cn = _lstm_step(steps[t], h[:n], c[:n], w_hh, b_hh, w_hr)
                c = cn if n == c.shape[0] else cat([cn, c[n:]])
            elif mode == "GRU":
                hn = _gru_step(steps[t], h[:n], w_hh, b_hh)
            else:
                hn = _rnn_step(steps[t], h[:n], w_hh, b_hh, P.tanh if mode == "RNN_TANH" else P.relu)
            outs[t] = hn
            h = hn if n == h.shape[0] else cat([hn, h[n:]])
        return cat(outs), h, c

    def _forward_packed(self, packed, hx):
        """forward for a PackedSequence: states are permuted into the packed (sorted) order and back."""
        data, batch_sizes, sorted_indices, unsorted_indices = packed
        w = self._flat_weights[0]
        if data.dtype != w.dtype:
            raise ValueError(f"RNN input dtype ({data.dtype}) does not match weight dtype ({w.dtype}). "
                             f"Convert input: input.to({w.dtype}), or convert model: model.to({data.dtype})")
        if data.size(-1) != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {data.size(-1)}")
        sizes = [int(s) for s in batch_sizes.tolist()]
        lstm = self.mode == "LSTM"
        h0, c0 = (hx if hx is not None else (None, None)) if lstm else (hx, None)
        layers = self.num_layers * (2 if self.bidirectional else 1)

        def initial(state, size, msg):
            want = (layers, sizes[0], size)
            if state is None:
                return ops.creation.zeros(want, dtype=data.dtype, device=data.device)
            if sorted_indices is not None:
                state = state.index_select(1, sorted_indices)
            if tuple(state.shape) != want:
                raise RuntimeError(msg.format(want, list(state.shape)))
            return state
        h0 = initial(h0, self.proj_size or self.hidden_size, "Expected hidden size {}, got {}" if not lstm
                     else "Expected hidden[0] size {}, got {}")
        c0 = initial(c0, self.hidden_size, "Expected hidden[1] size {}, got {}") if lstm else None
        out, h, c = self._run(data, h0, c0, sizes)
        if unsorted_indices is not None:
            h = h.index_select(1, unsorted_indices)
            c = c.index_select(1, unsorted_indices) if lstm else None
        return PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices), ((h, c) if lstm else h)


class RNN(RNNBase):
    """Elman RNN: ``h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` with act tanh or relu."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:  # RNN(input_size, hidden_size, num_layers, nonlinearity, ...)
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", *args, **kwargs)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        return self._forward_one_state(input, hx, "RNN")


class GRU(RNNBase):
    """Gated recurrent unit, gates r, z, n in torch's order."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        return self._forward_one_state(input, hx, "GRU")


class LSTM(RNNBase):
    """Long short-term memory, gates i, f, g, o in torch's order; ``proj_size`` projects h."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input, hx=None):
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        x, batched = self._batched(input, "LSTM")
        if hx is not None:
            h0, c0 = hx
            if batched and (h0.dim() != 3 or c0.dim() != 3):
                raise RuntimeError(f"For batched 3-D input, hx and cx should also be 3-D but got "
                                   f"({h0.dim()}-D, {c0.dim()}-D) tensors")
            if not batched and (h0.dim() != 2 or c0.dim() != 2):
                raise RuntimeError(f"For unbatched 2-D input, hx and cx should also be 2-D but got "
                                   f"({h0.dim()}-D, {c0.dim()}-D) tensors")
        else:
            h0 = c0 = None
        h0 = self._hidden(h0, x, self.proj_size or self.hidden_size, batched, "Expected hidden[0] size {}, got {}")
        c0 = self._hidden(c0, x, self.hidden_size, batched, "Expected hidden[1] size {}, got {}")
        out, h, c = self._run(x, h0, c0)
        if not batched:
            h, c = h.squeeze(1), c.squeeze(1)
        return _finish(self, out, batched), (h, c)


def _finish(rnn, out, batched):
    """(T, B, H) back to the caller's layout."""
    if not batched:
        return out.squeeze(1)
    return out.transpose(0, 1) if rnn.batch_first else out


# ---------------------------------------------------------------- single-step cells
class RNNCellBase(Module):
    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        factory = {"device": device, "dtype": dtype}
        self.weight_ih = Parameter(ops.creation.empty((num_chunks * hidden_size, input_size), **factory))
        self.weight_hh = Parameter(ops.creation.empty((num_chunks * hidden_size, hidden_size), **factory))
        if bias:
            self.bias_ih = Parameter(ops.creation.empty(num_chunks * hidden_size, **factory))
            self.bias_hh = Parameter(ops.creation.empty(num_chunks * hidden_size, **factory))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.bias is not True:
            s += ", bias={bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _check(self, input, hx, name):
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for i, h in enumerate(hx if isinstance(hx, tuple) else (hx,)):
            if h is not None and h.dim() not in (1, 2):
                what = f"hx[{i}]" if isinstance(hx, tuple) else "hidden"
                raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {h.dim()}D instead")
        return input.dim() == 2

    def _input_gates(self, x):
        return linear(x, self.weight_ih, self.bias_ih)

    def _zeros(self, x):
        return ops.creation.zeros((x.shape[0], self.hidden_size), dtype=x.dtype, device=x.device)


class RNNCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        batched = self._check(input, hx, "RNNCell")
        x = input if batched else input.unsqueeze(0)
        h = self._zeros(x) if hx is None else (hx if batched else hx.unsqueeze(0))
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        act = P.tanh if self.nonlinearity == "tanh" else P.relu
        h = _rnn_step(self._input_gates(x), h, self.weight_hh, self.bias_hh, act)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        batched = self._check(input, tuple(hx) if hx is not None else (None,), "LSTMCell")
        x = input if batched else input.unsqueeze(0)
        if hx is None:
            h = c = self._zeros(x)
        else:
            h, c = hx if batched else (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        h, c = _lstm_step(self._input_gates(x), h, c, self.weight_hh, self.bias_hh, None)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        batched = self._check(input, hx, "GRUCell")
        x = input if batched else input.unsqueeze(0)
        h = self._zeros(x) if hx is None else (hx if batched else hx.unsqueeze(0))
        h = _gru_step(self._input_gates(x), h, self.weight_hh, self.bias_hh)
        return h if batched else h.squeeze(0)
