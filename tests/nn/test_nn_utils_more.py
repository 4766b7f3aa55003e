"""nn.utils against torch: packed sequences through every RNN, parametrize and parametrizations,
the older weight_norm/spectral_norm hooks, conv/linear-BN fusion, stateless.functional_call,
parameters_to_vector/vector_to_parameters."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import assert_close

rng = np.random.default_rng(0)


# ---------------------------------------------------------------- packed sequences
RNNS = [
    ("RNN", {}), ("RNN", dict(nonlinearity="relu", num_layers=2)), ("RNN", dict(bidirectional=True)),
    ("GRU", {}), ("GRU", dict(num_layers=2, bidirectional=True)), ("GRU", dict(bias=False, batch_first=True)),
    ("LSTM", {}), ("LSTM", dict(num_layers=2, bidirectional=True)), ("LSTM", dict(proj_size=2, batch_first=True)),
]


@pytest.mark.parametrize("cls,kw", RNNS)
@pytest.mark.parametrize("enforce_sorted", [False, True])
def test_packed_sequence_through_rnn(cls, kw, enforce_sorted):
    bf = kw.get("batch_first", False)
    lengths = [6, 5, 4, 2] if enforce_sorted else [4, 6, 2, 5]
    x = rng.standard_normal((6, 4, 3))
    if bf:
        x = x.transpose(1, 0, 2).copy()
    ndir = 2 if kw.get("bidirectional") else 1
    layers = kw.get("num_layers", 1)
    h0 = rng.standard_normal((layers * ndir, 4, kw.get("proj_size", 5)))
    c0 = rng.standard_normal((layers * ndir, 4, 5))
    res = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        m = getattr(lib.nn, cls)(3, 5, **kw).double()
        xi = lib.tensor(x, requires_grad=True)
        hi = lib.tensor(h0, requires_grad=True)
        ci = lib.tensor(c0, requires_grad=True)
        p = lib.nn.utils.rnn.pack_padded_sequence(xi, lengths, batch_first=bf, enforce_sorted=enforce_sorted)
        out, h = m(p, (hi, ci) if cls == "LSTM" else hi)
        pad, n = lib.nn.utils.rnn.pad_packed_sequence(out, batch_first=bf, total_length=7, padding_value=-1.0)
        hs = h if cls != "LSTM" else h[0].sum() + h[1].sin().sum()
        (pad.sin().sum() + hs.cos().sum()).backward()
        res.append([out.data, out.batch_sizes, pad, n, h, xi.grad, hi.grad] + [q.grad for q in m.parameters()]
                   + ([ci.grad] if cls == "LSTM" else []))
        assert type(out).__name__ == "PackedSequence"
        assert (out.sorted_indices is None) == enforce_sorted
    for a, b in zip(*res):
        assert_close(a, b, rtol=1e-8, atol=1e-10)


def test_packed_sequence_indices_and_unbatched_state():
    lengths = ember.tensor([2, 5, 3])
    x = rng.standard_normal((5, 3, 2))
    pe = ember.nn.utils.rnn.pack_padded_sequence(ember.tensor(x), lengths, enforce_sorted=False)
    pt = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), torch.tensor([2, 5, 3]), enforce_sorted=False)
    for a, b in zip(pe, pt):
        assert_close(a, b)
    assert pe.batch_sizes.dtype == ember.int64
    # default hidden state: zeros; packed input and the padded batch agree on the longest sequence
    for lib in (ember, torch):
        lib.manual_seed(1)
    me, mt = ember.nn.GRU(2, 3).double(), torch.nn.GRU(2, 3).double()
    with torch.no_grad():
        for p, q in zip(me.parameters(), mt.parameters()):
            p.data = ember.tensor(q.numpy().copy())
    pe2 = ember.nn.utils.rnn.pack_padded_sequence(ember.tensor(x), [2, 5, 3], enforce_sorted=False)
    assert_close(me(pe2)[1], mt(pt)[1])
    assert_close(me(pe2)[0].data, mt(pt)[0].data)


def test_pad_pack_sequence_helpers():
    seqs = [rng.standard_normal((n, 3)) for n in (4, 2, 5)]
    for bf in (False, True):
        for side in ("right", "left"):
            e = ember.nn.utils.rnn.pad_sequence([ember.tensor(s) for s in seqs], batch_first=bf, padding_value=9.0,
                                                padding_side=side)
            t = torch.nn.utils.rnn.pad_sequence([torch.tensor(s) for s in seqs], batch_first=bf, padding_value=9.0,
                                                padding_side=side)
            assert_close(e, t)
    es = [ember.tensor(s, requires_grad=True) for s in seqs]
    ts = [torch.tensor(s, requires_grad=True) for s in seqs]
    pe = ember.nn.utils.rnn.pack_sequence(es, enforce_sorted=False)
    pt = torch.nn.utils.rnn.pack_sequence(ts, enforce_sorted=False)
    for a, b in zip(pe, pt):
        assert_close(a, b)
    (pe.data * ember.tensor(np.arange(pe.data.numel()).reshape(pe.data.shape))).sum().backward()
    (pt.data * torch.tensor(np.arange(pt.data.numel()).reshape(pt.data.shape))).sum().backward()
    for a, b in zip(es, ts):
        assert_close(a.grad, b.grad)
    for a, b in zip(ember.nn.utils.rnn.unpack_sequence(pe), torch.nn.utils.rnn.unpack_sequence(pt)):
        assert_close(a, b)
    padded = rng.standard_normal((5, 3, 2))
    for a, b in zip(ember.nn.utils.rnn.unpad_sequence(ember.tensor(padded), ember.tensor([5, 2, 3])),
                    torch.nn.utils.rnn.unpad_sequence(torch.tensor(padded), torch.tensor([5, 2, 3]))):
        assert_close(a, b)
    pe = ember.nn.utils.rnn.pack_sequence([ember.tensor(s) for s in seqs], enforce_sorted=False).double()
    assert pe.data.dtype == ember.float64 and isinstance(pe, ember.nn.utils.rnn.PackedSequence)
    assert_close(ember.nn.utils.rnn.invert_permutation(ember.tensor([2, 0, 1])),
                 torch.nn.utils.rnn.invert_permutation(torch.tensor([2, 0, 1])))


def test_packed_sequence_errors():
    x = rng.standard_normal((4, 3, 2))
    for lib in (ember, torch):
        with pytest.raises(RuntimeError):
            lib.nn.utils.rnn.pack_padded_sequence(lib.tensor(x), [2, 4, 3])  # not sorted
        with pytest.raises(RuntimeError):
            lib.nn.utils.rnn.pack_padded_sequence(lib.tensor(x), [4, 0, 0], enforce_sorted=False)
        p = lib.nn.utils.rnn.pack_padded_sequence(lib.tensor(x), [4, 3, 1])
        with pytest.raises(ValueError):
            lib.nn.utils.rnn.pad_packed_sequence(p, total_length=3)
        with pytest.raises(RuntimeError):
            lib.nn.LSTM(3, 4).double()(p)  # input_size mismatch


# ---------------------------------------------------------------- parametrize
class _Symmetric:
    """A symmetric-matrix parametrization with a right inverse, written once for both libraries."""

    @staticmethod
    def make(lib):
        class Symmetric(lib.nn.Module):
            def forward(self, x):
                return x.triu() + x.triu(1).transpose(-1, -2)

            def right_inverse(self, a):
                return a.triu()

        class Scale(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.s = lib.nn.Parameter(lib.tensor(2.0, dtype=lib.float64))

            def forward(self, x):
                return x * self.s

        return Symmetric, Scale


def test_register_parametrization_against_torch():
    w = rng.standard_normal((4, 4))
    x = rng.standard_normal((3, 4))
    res = []
    for lib in (ember, torch):
        P = lib.nn.utils.parametrize
        Symmetric, Scale = _Symmetric.make(lib)
        m = lib.nn.Linear(4, 4).double()
        with lib.no_grad():
            m.weight.copy_(lib.tensor(w))
        P.register_parametrization(m, "weight", Symmetric())
        P.register_parametrization(m, "weight", Scale())
        info = (type(m).__name__, P.type_before_parametrizations(m).__name__, P.is_parametrized(m),
                P.is_parametrized(m, "weight"), P.is_parametrized(m, "bias"), list(m.state_dict()),
                [n for n, _ in m.named_parameters()])
        y = m(lib.tensor(x))
        y.sum().backward()
        grads = [p.grad for p in m.parameters()]
        with P.cached():
            assert m.weight is m.weight
        assert m.weight is not m.weight
        with pytest.raises(RuntimeError):  # assigning needs every right_inverse: Scale has none
            m.weight = lib.tensor(w)
        res.append((info, y, grads))
    assert res[0][0] == res[1][0]
    assert_close(res[0][1], res[1][1])
    for a, b in zip(res[0][2], res[1][2]):
        assert_close(a, b)


def test_parametrize_setter_and_remove():
    w = rng.standard_normal((3, 3))
    res = []
    for lib in (ember, torch):
        P = lib.nn.utils.parametrize
        Symmetric, _ = _Symmetric.make(lib)
        m = lib.nn.Linear(3, 3).double()
        P.register_parametrization(m, "weight", Symmetric())
        original = m.parametrizations.weight.original
        m.weight = lib.tensor(w)
        assert m.parametrizations.weight.original is original  # stored in place
        v1 = m.weight.detach().clone()
        P.remove_parametrizations(m, "weight")
        info = (type(m).__name__, hasattr(m, "parametrizations"), list(m.state_dict()),
                isinstance(m.weight, lib.nn.Parameter))
        m2 = lib.nn.Linear(3, 3).double()
        P.register_parametrization(m2, "weight", Symmetric())
        m2.weight = lib.tensor(w)
        P.remove_parametrizations(m2, "weight", leave_parametrized=False)
        res.append((info, v1, m.weight, m2.weight))
    assert res[0][0] == res[1][0]
    for a, b in zip(res[0][1:], res[1][1:]):
        assert_close(a, b)
    for lib in (ember, torch):
        m = lib.nn.Linear(3, 3)
        with pytest.raises(ValueError):
            lib.nn.utils.parametrize.remove_parametrizations(m, "weight")
        with pytest.raises(ValueError):
            lib.nn.utils.parametrize.register_parametrization(m, "nothing", lib.nn.Identity())

        class Wrong(lib.nn.Module):
            def forward(self, x):
                return x[0]
        with pytest.raises(ValueError):
            lib.nn.utils.parametrize.register_parametrization(m, "weight", Wrong())


# ---------------------------------------------------------------- parametrizations
def _train(lib, make, setup, x, steps=3):
    lib.manual_seed(0)
    m = make(lib).double()
    setup(lib, m)
    keys = list(m.state_dict())
    opt = lib.optim.SGD(m.parameters(), lr=0.1)
    outs = []
    for _ in range(steps):
        opt.zero_grad()
        y = m(lib.tensor(x))
        y.pow(2).sum().backward()
        opt.step()
        outs.append(y.detach())
    m.eval()
    outs.append(m(lib.tensor(x)).detach())
    return keys, type(m).__name__, outs, list(m.state_dict().values())


PZ = lambda lib: lib.nn.utils.parametrizations  # noqa: E731
SETUPS = {
    "weight_norm": lambda lib, m: PZ(lib).weight_norm(m),
    "weight_norm_dim1": lambda lib, m: PZ(lib).weight_norm(m, dim=1),
    "weight_norm_none": lambda lib, m: PZ(lib).weight_norm(m, dim=None),
    "spectral_norm": lambda lib, m: PZ(lib).spectral_norm(m),
    "spectral_norm_3it_dim1": lambda lib, m: PZ(lib).spectral_norm(m, n_power_iterations=3, dim=1),
    "orthogonal": lambda lib, m: PZ(lib).orthogonal(m),
    "orthogonal_cayley": lambda lib, m: PZ(lib).orthogonal(m, orthogonal_map="cayley"),
    "orthogonal_matrix_exp": lambda lib, m: PZ(lib).orthogonal(m, orthogonal_map="matrix_exp"),
    "orthogonal_householder_no_trivialization": lambda lib, m: PZ(lib).orthogonal(m, use_trivialization=False),
    "old_weight_norm": lambda lib, m: lib.nn.utils.weight_norm(m),
    "old_weight_norm_dim_none": lambda lib, m: lib.nn.utils.weight_norm(m, dim=None),
    "old_spectral_norm": lambda lib, m: lib.nn.utils.spectral_norm(m),
    "old_spectral_norm_2it": lambda lib, m: lib.nn.utils.spectral_norm(m, n_power_iterations=2),
}


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("name", list(SETUPS))
@pytest.mark.parametrize("shape", [(5, 4), (4, 5), (4, 4)])
def test_parametrizations_linear(name, shape):
    x = rng.standard_normal((3, shape[0]))
    e = _train(ember, lambda lib: lib.nn.Linear(*shape), SETUPS[name], x)
    t = _train(torch, lambda lib: lib.nn.Linear(*shape), SETUPS[name], x)
    assert e[:2] == t[:2]
    assert_close(e[2], t[2], rtol=1e-7, atol=1e-9)
    assert_close(e[3], t[3], rtol=1e-7, atol=1e-9)


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("name", ["weight_norm", "spectral_norm", "old_weight_norm", "old_spectral_norm"])
@pytest.mark.parametrize("cls", ["Conv2d", "ConvTranspose2d"])
def test_parametrizations_conv(name, cls):
    x = rng.standard_normal((2, 3, 5, 5))
    e = _train(ember, lambda lib: getattr(lib.nn, cls)(3, 4, 3), SETUPS[name], x, steps=2)
    t = _train(torch, lambda lib: getattr(lib.nn, cls)(3, 4, 3), SETUPS[name], x, steps=2)
    assert e[:2] == t[:2]
    assert_close(e[2], t[2], rtol=1e-7, atol=1e-9)
    assert_close(e[3], t[3], rtol=1e-7, atol=1e-9)


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_old_hooks_remove_and_errors():
    x = rng.standard_normal((2, 4))
    res = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        a = lib.nn.utils.weight_norm(lib.nn.Linear(4, 3).double())
        b = lib.nn.utils.spectral_norm(lib.nn.Linear(4, 3).double())
        ya, yb = a(lib.tensor(x)), b(lib.tensor(x))
        lib.nn.utils.remove_weight_norm(a)
        lib.nn.utils.remove_spectral_norm(b)
        res.append((ya, yb, a(lib.tensor(x)), b(lib.tensor(x)), list(a.state_dict()), list(b.state_dict())))
        with pytest.raises(ValueError):
            lib.nn.utils.remove_weight_norm(a)
        with pytest.raises(ValueError):
            lib.nn.utils.remove_spectral_norm(b)
        c = lib.nn.utils.weight_norm(lib.nn.Linear(4, 3))
        with pytest.raises(RuntimeError):
            lib.nn.utils.weight_norm(c)
        with pytest.raises(ValueError):
            lib.nn.utils.spectral_norm(lib.nn.Linear(4, 3), n_power_iterations=0)
    assert res[0][4:] == res[1][4:]
    assert_close(list(res[0][:4]), list(res[1][:4]), rtol=1e-8, atol=1e-10)


# ---------------------------------------------------------------- fusion, stateless, vectors
@pytest.mark.parametrize("cls,transpose", [("Conv2d", False), ("ConvTranspose2d", True), ("Conv1d", False)])
def test_fuse_conv_bn_eval(cls, transpose):
    nd = 1 if cls == "Conv1d" else 2
    x = rng.standard_normal((2, 3) + (6,) * nd).astype(np.float32)
    res = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        conv = getattr(lib.nn, cls)(3, 4, 3)
        bn = getattr(lib.nn, f"BatchNorm{nd}d")(4)
        bn(conv(lib.tensor(x)))  # some running statistics
        conv.eval(), bn.eval()
        fused = lib.nn.utils.fuse_conv_bn_eval(conv, bn, transpose=transpose)
        res.append((fused(lib.tensor(x)), bn(conv(lib.tensor(x))), fused.weight, fused.bias,
                    type(fused.weight).__name__))
        with pytest.raises(AssertionError):
            lib.nn.utils.fuse_conv_bn_eval(conv.train(), bn)
    assert res[0][4] == res[1][4] == "Parameter"
    assert_close(list(res[0][:4]), list(res[1][:4]), rtol=1e-5, atol=1e-5)
    assert_close(res[0][0], res[0][1], rtol=1e-4, atol=1e-5)


def test_fuse_linear_bn_eval_and_weights():
    x = rng.standard_normal((5, 4)).astype(np.float32)
    res = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        lin, bn = lib.nn.Linear(4, 3), lib.nn.BatchNorm1d(3)
        bn(lin(lib.tensor(x)))
        lin.eval(), bn.eval()
        fused = lib.nn.utils.fuse_linear_bn_eval(lin, bn)
        w, b = lib.nn.utils.fuse_conv_bn_weights(lib.ones(3, 2, 2, 2), None, bn.running_mean, bn.running_var, 1e-3,
                                                 None, None)
        res.append((fused(lib.tensor(x)), fused.weight, fused.bias, w, b))
        with pytest.raises(AssertionError):
            lib.nn.utils.fuse_linear_bn_eval(lin, lib.nn.BatchNorm1d(5).eval())
    assert_close(list(res[0]), list(res[1]), rtol=1e-5, atol=1e-6)


def test_stateless_functional_call_and_vectors():
    x = rng.standard_normal((2, 4)).astype(np.float32)
    w = rng.standard_normal((3, 4)).astype(np.float32)
    res = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        m = lib.nn.Linear(4, 3)
        wt = lib.tensor(w, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y = lib.nn.utils.stateless.functional_call(m, {"weight": wt}, (lib.tensor(x),))
        y.sum().backward()
        vec = lib.nn.utils.parameters_to_vector(m.parameters())
        lib.nn.utils.vector_to_parameters(vec * 2, m.parameters())
        res.append((y, wt.grad, vec, m.weight, m.bias, m.weight.grad is None,
                    sorted({c.category.__name__ for c in caught})))
    assert res[0][5:] == res[1][5:]
    assert_close(list(res[0][:5]), list(res[1][:5]), atol=1e-6)


def test_parametrized_state_dict_from_torch():
    """A torch checkpoint of a parametrized module loads into the same ember module."""
    x = rng.standard_normal((2, 4)).astype(np.float32)
    for make in ("weight_norm", "spectral_norm", "orthogonal"):
        t = getattr(torch.nn.utils.parametrizations, make)(torch.nn.Linear(4, 4))
        e = getattr(ember.nn.utils.parametrizations, make)(ember.nn.Linear(4, 4))
        e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
        t.eval(), e.eval()
        assert_close(e(ember.tensor(x)), t(torch.tensor(x)), atol=1e-6)
