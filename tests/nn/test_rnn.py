"""RNN, LSTM, GRU and their cells against torch: seeded init, outputs, and gradients w.r.t.
inputs, initial states and every parameter."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import assert_close

pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
rng = np.random.default_rng(0)


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def make(name, *args, seed=0, **kwargs):
    """The same module built by ember and torch after the same seed."""
    ember.manual_seed(seed)
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(ember.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)


def assert_same_init(me, mt):
    se, st = me.state_dict(), mt.state_dict()
    assert list(se) == list(st)
    for k in st:
        assert np.array_equal(se[k].numpy(), st[k].numpy()), k  # bit for bit


def flat(out):
    """(output, h) or (output, (h, c)) as a flat list."""
    o, h = out if isinstance(out, tuple) else (out, None)
    if isinstance(o, tuple):  # LSTMCell returns (h, c)
        return list(o)
    return [o] + (list(h) if isinstance(h, tuple) else [] if h is None else [h])


def compare(me, mt, arrays, call=lambda m, x, *h: m(x, *h), rtol=1e-5, atol=1e-5):
    """Run both modules on the same inputs; compare outputs and all gradients."""
    ins = []
    for lib in (ember, torch):
        ins.append([lib.tensor(a, requires_grad=True) for a in arrays])
    oe = flat(call(me, *_pack(ins[0], me)))
    ot = flat(call(mt, *_pack(ins[1], mt)))
    assert len(oe) == len(ot)
    for e, t in zip(oe, ot):
        assert_close(e, t, rtol, atol)
    gs = [rng.standard_normal(t.shape).astype(np.float32) for t in ot]
    sum((e * ember.tensor(g)).sum() for e, g in zip(oe, gs)).backward()
    sum((t * torch.tensor(g)).sum() for t, g in zip(ot, gs)).backward()
    for e, t in zip(ins[0], ins[1]):
        assert_close(e.grad, t.grad, rtol, atol)
    for (k, pe), (_, pt) in zip(me.named_parameters(), mt.named_parameters()):
        assert_close(pe.grad, pt.grad, rtol, atol)


def _pack(tensors, m):
    # an LSTM takes its initial state as one (h0, c0) pair
    if len(tensors) == 3 and isinstance(m, (ember.nn.LSTM, torch.nn.LSTM, ember.nn.LSTMCell, torch.nn.LSTMCell)):
        return [tensors[0], (tensors[1], tensors[2])]
    return tensors


CONFIGS = [
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2}),
    ("RNN", {"bias": False, "batch_first": True}),
    ("LSTM", {}),
    ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"proj_size": 3, "batch_first": True}),
    ("LSTM", {"proj_size": 2, "num_layers": 2, "bidirectional": True, "bias": False}),
    ("GRU", {}),
    ("GRU", {"num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("GRU", {"bias": False}),
]


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=[f"{n}-{'-'.join(k)}" for n, k in CONFIGS])
@pytest.mark.parametrize("with_state", [False, True])
def test_rnn(name, kwargs, with_state):
    me, mt = make(name, 4, 6, **kwargs)
    assert_same_init(me, mt)
    assert str(me) == str(mt).replace("torch.", "ember.")
    T, B = 5, 3
    x = randn(B, T, 4) if kwargs.get("batch_first") else randn(T, B, 4)
    arrays = [x]
    if with_state:
        d = 2 if kwargs.get("bidirectional") else 1
        n = kwargs.get("num_layers", 1) * d
        arrays.append(randn(n, B, kwargs.get("proj_size") or 6))
        if name == "LSTM":
            arrays.append(randn(n, B, 6))
    compare(me, mt, arrays)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_rnn_unbatched(name):
    me, mt = make(name, 3, 4, num_layers=2, bidirectional=True)
    h = [randn(4, 4)] + ([randn(4, 4)] if name == "LSTM" else [])
    compare(me, mt, [randn(5, 3)] + h)
    compare(me, mt, [randn(5, 3)])


CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu", "bias": False}), ("LSTMCell", {}),
         ("LSTMCell", {"bias": False}), ("GRUCell", {}), ("GRUCell", {"bias": False})]


@pytest.mark.parametrize("name,kwargs", CELLS, ids=[f"{n}-{'-'.join(k)}" for n, k in CELLS])
def test_cell(name, kwargs):
    me, mt = make(name, 4, 5, **kwargs)
    assert_same_init(me, mt)
    assert str(me) == str(mt)
    states = 2 if name == "LSTMCell" else 1
    compare(me, mt, [randn(3, 4)] + [randn(3, 5) for _ in range(states)])
    compare(me, mt, [randn(3, 4)])
    compare(me, mt, [randn(4)] + [randn(5) for _ in range(states)])  # unbatched


def test_cell_loop_equals_layer():
    # an LSTM layer is its cell applied step by step, with the same weights
    me, _ = make("LSTM", 3, 4)
    cell = ember.nn.LSTMCell(3, 4)
    cell.load_state_dict({k[:-3]: v for k, v in me.state_dict().items()})
    x = ember.tensor(randn(6, 2, 3))
    out, (h, c) = me(x)
    hc = None
    for t in range(6):
        hc = cell(x[t], hc)
        assert_close(hc[0], out[t].detach(), atol=1e-6)
    assert_close(hc[1], c[0].detach(), atol=1e-6)


def test_long_sequence_gradient():
    # the unbinding of time steps is one node: backward stays linear in the sequence length
    me, mt = make("GRU", 2, 3)
    compare(me, mt, [randn(60, 2, 2)], rtol=1e-4, atol=1e-5)


def _raises(fn):
    with pytest.raises(Exception) as te:
        fn(torch.nn, torch)
    with pytest.raises(type(te.value)) as ee:
        fn(ember.nn, ember)
    assert str(ee.value).replace("ember.", "torch.") == str(te.value)


ERRORS = {
    "input_size": lambda nn, lib: nn.LSTM(4, 5)(lib.zeros(3, 2, 3)),
    "input_dim": lambda nn, lib: nn.GRU(4, 5)(lib.zeros(3, 2, 3, 4)),
    "rnn_input_dim": lambda nn, lib: nn.RNN(4, 5)(lib.zeros(4)),
    "lstm_input_dim": lambda nn, lib: nn.LSTM(4, 5)(lib.zeros(4)),
    "hidden_size": lambda nn, lib: nn.RNN(4, 5)(lib.zeros(3, 2, 4), lib.zeros(1, 3, 5)),
    "hidden_dim": lambda nn, lib: nn.GRU(4, 5)(lib.zeros(3, 2, 4), lib.zeros(3, 5)),
    "lstm_cell_size": lambda nn, lib: nn.LSTM(4, 5)(lib.zeros(3, 2, 4), (lib.zeros(1, 2, 5), lib.zeros(1, 2, 4))),
    "lstm_state_dims": lambda nn, lib: nn.LSTM(4, 5)(lib.zeros(3, 2, 4), (lib.zeros(2, 5), lib.zeros(2, 5))),
    "dtype": lambda nn, lib: nn.RNN(4, 5)(lib.zeros(3, 2, 4, dtype=lib.float64)),
    "proj_gru": lambda nn, lib: nn.GRU(4, 5, proj_size=2),
    "proj_too_big": lambda nn, lib: nn.LSTM(4, 5, proj_size=5),
    "nonlinearity": lambda nn, lib: nn.RNN(4, 5, nonlinearity="sigmoid"),
    "dropout": lambda nn, lib: nn.LSTM(4, 5, dropout=1.5),
    "cell_input_dim": lambda nn, lib: nn.GRUCell(4, 5)(lib.zeros(1, 2, 4)),
    "lstm_cell_state_dim": lambda nn, lib: nn.LSTMCell(4, 5)(lib.zeros(2, 4), (lib.zeros(1, 2, 5), lib.zeros(2, 5))),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors(name):
    _raises(ERRORS[name])


def test_dropout_warning():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        ember.nn.LSTM(3, 4, dropout=0.5)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_dropout_between_layers(name):
    # training mode: the same elements drop as in torch after the same seed
    me, mt = make(name, 4, 6, num_layers=3, dropout=0.4, bidirectional=True)
    x = randn(5, 3, 4)
    ember.manual_seed(5)
    torch.manual_seed(5)
    compare(me, mt, [x])
    me.eval()
    mt.eval()
    compare(me, mt, [x])  # no dropout in eval mode
