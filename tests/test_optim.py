"""Optimizers: the same model, data and steps through ember.optim and torch.optim give the same parameters."""
import copy
import io
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.optim

from helpers import to_np

RNG = np.random.default_rng(0)
SHAPES = [(16, 4), (16,), (3, 16), (3,)]
INIT = [RNG.standard_normal(s).astype(np.float32) * 0.5 for s in SHAPES]
X = RNG.standard_normal((32, 4)).astype(np.float32)
Y = RNG.standard_normal((32, 3)).astype(np.float32)


def make_params(lib, dtype=np.float32):
    return [lib.tensor(a.astype(dtype), requires_grad=True) for a in INIT]


def loss_fn(lib, ps, sign=1.0):
    """A small MLP (tanh hidden layer) with a mean-squared-error loss.

    The forward runs in float64 (the gradients come back in the parameters' dtype), so that
    both libraries hand their optimizers the same gradients: the differences that remain are
    the optimizers' own.
    """
    w1, b1, w2, b2 = (p.double() for p in ps)
    x, y = lib.tensor(X.astype(np.float64)), lib.tensor(Y.astype(np.float64))
    h = lib.tanh(x @ w1.T + b1)
    return ((h @ w2.T + b2 - y) ** 2).mean() * sign


def train(lib, ps, opt, steps, sign=1.0):
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(lib, ps, sign).backward()
        opt.step()


def run(lib, name, kwargs, steps=100, dtype=np.float32, groups=None):
    ps = make_params(lib, dtype)
    params = ps if groups is None else [dict(g, params=[ps[i] for i in g["params"]]) for g in groups]
    opt = getattr(lib.optim, name)(params, **kwargs)
    # maximizing the negated loss trains the model as minimizing the loss does
    train(lib, ps, opt, steps, sign=-1.0 if kwargs.get("maximize") else 1.0)
    return ps, opt


def assert_params_close(pe, pt, rtol=1e-5, atol=1e-6):
    for e, t in zip(pe, pt):
        np.testing.assert_allclose(to_np(e), to_np(t), rtol=rtol, atol=atol)


# learning rates kept in the stable range: past it, training amplifies float32 rounding
# differences (torch uses FMA and approximate AVX-512 sqrt) exponentially
CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, weight_decay=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.2, amsgrad=True, maximize=True)),
    ("RMSprop", dict(lr=0.005)),
    ("RMSprop", dict(lr=0.002, alpha=0.95, eps=1e-6, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.002, centered=True)),
    ("RMSprop", dict(lr=0.002, momentum=0.9)),
    ("RMSprop", dict(lr=0.002, centered=True, momentum=0.5, weight_decay=0.05, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, eps=1e-8, weight_decay=0.05)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
    ("Adadelta", dict(lr=1.0)),
    ("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-4, weight_decay=0.1, maximize=True)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.004)),
    ("NAdam", dict(lr=0.004, momentum_decay=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.004, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.9), weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_100_steps_match_torch(name, kwargs):
    pe, oe = run(ember, name, kwargs)
    pt, ot = run(torch, name, kwargs)  # on the CPU torch runs its single-tensor (foreach=False) code
    assert_params_close(pe, pt)
    # the state matches too: same keys, same values, the step count as torch keeps it
    se, st = oe.state_dict()["state"], ot.state_dict()["state"]
    assert se.keys() == st.keys()
    for i in st:
        assert list(se[i].keys()) == list(st[i].keys())
        for k, v in st[i].items():
            assert ember.is_tensor(se[i][k]) and se[i][k].shape == tuple(v.shape)
            assert str(se[i][k].dtype).split(".")[1] == str(v.dtype).split(".")[1]
            scale = max(1.0, float(np.abs(to_np(v)).max()))
            np.testing.assert_allclose(to_np(se[i][k]), to_np(v), rtol=1e-4, atol=1e-5 * scale)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad", "NAdam", "RAdam"])
def test_float64_matches_torch(name):
    kwargs = dict(lr=0.01, momentum=0.9) if name == "SGD" else dict(lr=0.01)
    pe, oe = run(ember, name, kwargs, steps=30, dtype=np.float64)
    pt, ot = run(torch, name, dict(kwargs, foreach=False), steps=30, dtype=np.float64)
    assert_params_close(pe, pt, rtol=1e-12, atol=1e-13)
    assert pe[0].dtype == ember.float64


def test_param_groups_with_own_options():
    groups = [dict(params=[0, 1], lr=0.02, weight_decay=0.1), dict(params=[2, 3], betas=(0.5, 0.9))]
    pe, oe = run(ember, "Adam", dict(lr=0.01), groups=groups)
    pt, ot = run(torch, "Adam", dict(lr=0.01), groups=groups)
    assert_params_close(pe, pt)
    # every group has every default filled in, with the same keys and values as torch's
    for ge, gt in zip(oe.param_groups, ot.param_groups):
        assert {k: v for k, v in ge.items() if k != "params"} == {k: v for k, v in gt.items() if k != "params"}
        assert list(ge.keys()) == list(gt.keys())


def test_params_without_grad_are_skipped():
    pe, pt = make_params(ember), make_params(torch)
    oe, ot = ember.optim.Adam(pe, lr=0.1), torch.optim.Adam(pt, lr=0.1)
    for lib, ps, opt in ((ember, pe, oe), (torch, pt, ot)):
        x = lib.tensor(X)
        (lib.tanh(x @ ps[0].T) ** 2).mean().backward()  # only ps[0] gets a gradient
        opt.step()
    assert_params_close(pe, pt)
    assert np.array_equal(to_np(pe[1]), INIT[1])
    assert len(oe.state) == len(ot.state) == 1


def test_state_dict_layout_matches_torch():
    pe, oe = run(ember, "Adam", dict(lr=0.01, amsgrad=True), steps=3)
    pt, ot = run(torch, "Adam", dict(lr=0.01, amsgrad=True), steps=3)
    se, st = oe.state_dict(), ot.state_dict()
    assert se["param_groups"] == st["param_groups"]
    assert list(se["state"]) == [0, 1, 2, 3]
    step = se["state"][0]["step"]
    assert step.dtype == ember.float32 and step.shape == () and step.item() == 3.0
    assert step.device == ember.device("cpu")


def test_plain_sgd_keeps_no_state():
    _, oe = run(ember, "SGD", dict(lr=0.1), steps=2)
    _, ot = run(torch, "SGD", dict(lr=0.1, foreach=False), steps=2)
    assert oe.state_dict()["state"] == ot.state_dict()["state"] == {}


def test_adagrad_state_exists_before_the_first_step():
    oe = ember.optim.Adagrad(make_params(ember), initial_accumulator_value=0.5)
    ot = torch.optim.Adagrad(make_params(torch), initial_accumulator_value=0.5)
    se, st = oe.state_dict()["state"], ot.state_dict()["state"]
    assert list(se) == list(st) == [0, 1, 2, 3]
    assert np.array_equal(to_np(se[2]["sum"]), to_np(st[2]["sum"]))


def _torch_to_ember(obj):
    if isinstance(obj, torch.Tensor):
        return ember.tensor(obj.numpy())
    if isinstance(obj, dict):
        return {k: _torch_to_ember(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_torch_to_ember(v) for v in obj]
    return obj


def _ember_to_torch(obj):
    if isinstance(obj, ember.Tensor):
        return torch.tensor(to_np(obj))
    if isinstance(obj, dict):
        return {k: _ember_to_torch(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_ember_to_torch(v) for v in obj]
    return obj


@pytest.mark.parametrize("name,kwargs", [("Adam", dict(lr=0.01, amsgrad=True)), ("SGD", dict(lr=0.05, momentum=0.9)),
                                         ("NAdam", dict(lr=0.004)), ("RMSprop", dict(lr=0.002, centered=True)),
                                         ("Adagrad", dict(lr=0.1))])
def test_state_dict_moves_between_torch_and_ember(name, kwargs):
    # torch trains 20 steps; its state goes into ember, which trains 20 more; so does torch
    pt, ot = run(torch, name, dict(kwargs, foreach=False), steps=20)
    pe = [ember.tensor(p.detach().numpy().copy(), requires_grad=True) for p in pt]
    oe = getattr(ember.optim, name)(pe, **kwargs)
    oe.load_state_dict(_torch_to_ember(copy.deepcopy(ot.state_dict())))
    assert all(ember.is_tensor(v) for v in oe.state[pe[0]].values())
    train(ember, pe, oe, 20)
    train(torch, pt, ot, 20)
    assert_params_close(pe, pt)
    # and back: ember's state into a fresh torch optimizer
    pt2 = [torch.tensor(to_np(p).copy(), requires_grad=True) for p in pe]
    ot2 = getattr(torch.optim, name)(pt2, **dict(kwargs, foreach=False))
    ot2.load_state_dict(_ember_to_torch(oe.state_dict()))
    train(torch, pt2, ot2, 10)
    train(ember, pe, oe, 10)
    assert_params_close(pe, pt2)


def test_state_dict_from_a_torch_file():
    pt, ot = run(torch, "AdamW", dict(lr=0.01, foreach=False), steps=5)
    buf = io.BytesIO()
    torch.save(ot.state_dict(), buf)
    buf.seek(0)
    sd = ember.load(buf)
    pe = [ember.tensor(p.detach().numpy().copy(), requires_grad=True) for p in pt]
    oe = ember.optim.AdamW(pe, lr=0.01)
    oe.load_state_dict(sd)
    train(ember, pe, oe, 10)
    train(torch, pt, ot, 10)
    assert_params_close(pe, pt)


def test_load_state_dict_restores_options_and_checks_sizes():
    ps = make_params(ember)
    opt = ember.optim.SGD(ps, lr=0.1)
    other = ember.optim.SGD(make_params(ember), lr=0.5, momentum=0.9)
    opt.load_state_dict(other.state_dict())
    assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["params"] == ps
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="doesn't match the size"):
        opt.load_state_dict(ember.optim.SGD(ps[:2]).state_dict())


def test_old_checkpoint_step_as_number():
    pe, oe = run(ember, "Adam", dict(lr=0.01), steps=2)
    sd = oe.state_dict()
    for s in sd["state"].values():
        s["step"] = 2
    oe.load_state_dict(sd)
    assert ember.is_tensor(oe.state[pe[0]]["step"]) and oe.state[pe[0]]["step"].dtype == ember.float32


def test_zero_grad():
    ps = make_params(ember)
    opt = ember.optim.SGD(ps, lr=0.1)
    loss_fn(ember, ps).backward()
    opt.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in ps)
    opt.zero_grad()
    assert all(p.grad is None for p in ps)


def test_step_with_closure():
    calls = []
    for lib in (ember, torch):
        ps = make_params(lib)
        opt = lib.optim.SGD(ps, lr=0.1)

        def closure():
            opt.zero_grad()
            loss = loss_fn(lib, ps)
            loss.backward()  # needs recording: the closure runs under enable_grad
            return loss
        with lib.no_grad():
            loss = opt.step(closure)
        calls.append((loss.item(), [to_np(p).copy() for p in ps]))
    assert np.isclose(calls[0][0], calls[1][0], rtol=1e-6)
    assert_params_close(calls[0][1], calls[1][1])


def test_step_bumps_version_and_keeps_grad():
    ps = make_params(ember)
    opt = ember.optim.Adam(ps, lr=0.1, weight_decay=0.1, maximize=True)
    loss_fn(ember, ps).backward()
    v, g = ps[0]._version[0], to_np(ps[0].grad).copy()
    opt.step()
    assert ps[0]._version[0] == v + 1
    assert np.array_equal(to_np(ps[0].grad), g)  # weight decay and maximize work on a copy


def test_add_param_group_fills_defaults_and_refuses_duplicates():
    ps = make_params(ember)
    opt = ember.optim.Adam(ps[:2], lr=0.01)
    opt.add_param_group({"params": ps[2], "lr": 0.1})
    g = opt.param_groups[1]
    assert g["params"] == [ps[2]] and g["lr"] == 0.1 and g["betas"] == (0.9, 0.999) and g["amsgrad"] is False
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [ps[0]]})
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {ps[3]}})
    with pytest.warns(UserWarning, match="duplicate parameters"):
        ember.optim.SGD([ps[0], ps[0]])


def test_named_parameters():
    pe, pt = make_params(ember), make_params(torch)
    oe = ember.optim.SGD([("w", pe[0]), ("b", pe[1])], lr=0.1)
    ot = torch.optim.SGD([("w", pt[0]), ("b", pt[1])], lr=0.1)
    assert oe.param_groups[0]["param_names"] == ["w", "b"]
    assert oe.state_dict()["param_groups"] == ot.state_dict()["param_groups"]
    with pytest.raises(ValueError, match="Some param names are missing"):
        ember.optim.SGD([("w", pe[0]), pe[1]])


ERRORS = [
    (lambda lib, ps: lib.optim.SGD([]), ValueError, "optimizer got an empty parameter list"),
    (lambda lib, ps: lib.optim.SGD(ps[0]), TypeError, "should be an iterable of Tensors or dicts"),
    (lambda lib, ps: lib.optim.SGD([1.0]), TypeError, "optimizer can only optimize Tensors"),
    (lambda lib, ps: lib.optim.SGD([ps[0] * 2]), ValueError, "can't optimize a non-leaf Tensor"),
    (lambda lib, ps: lib.optim.SGD(ps, lr=-1), ValueError, "Invalid learning rate: -1"),
    (lambda lib, ps: lib.optim.SGD(ps, momentum=-0.1), ValueError, "Invalid momentum value: -0.1"),
    (lambda lib, ps: lib.optim.SGD(ps, weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    (lambda lib, ps: lib.optim.SGD(ps, lr=0.1, nesterov=True), ValueError, "Nesterov momentum requires"),
    (lambda lib, ps: lib.optim.Adam(ps, eps=-1), ValueError, "Invalid epsilon value: -1"),
    (lambda lib, ps: lib.optim.Adam(ps, betas=(1.0, 0.9)), ValueError, "Invalid beta parameter at index 0: 1.0"),
    (lambda lib, ps: lib.optim.AdamW(ps, betas=(0.9, -0.1)), ValueError, "Invalid beta parameter at index 1"),
    (lambda lib, ps: lib.optim.Adam(ps, betas=(0, 0.9)), ValueError, "betas must be either both floats"),
    (lambda lib, ps: lib.optim.RMSprop(ps, alpha=-1), ValueError, "Invalid alpha value: -1"),
    (lambda lib, ps: lib.optim.Adagrad(ps, lr_decay=-1), ValueError, "Invalid lr_decay value: -1"),
    (lambda lib, ps: lib.optim.Adagrad(ps, initial_accumulator_value=-1), ValueError,
     "Invalid initial_accumulator_value value: -1"),
    (lambda lib, ps: lib.optim.Adadelta(ps, rho=1.5), ValueError, "Invalid rho value: 1.5"),
    (lambda lib, ps: lib.optim.NAdam(ps, momentum_decay=-1), ValueError, "Invalid momentum_decay value: -1"),
    (lambda lib, ps: lib.optim.SGD({"params": ps}), TypeError, "optimizer can only optimize Tensors"),
]


@pytest.mark.parametrize("fn,exc,msg", ERRORS)
def test_errors_as_torch(fn, exc, msg):
    with pytest.raises(exc, match=msg) as te:
        fn(torch, make_params(torch))
    with pytest.raises(exc, match=msg) as ee:
        fn(ember, make_params(ember))
    # (a tensor's legacy type name is torch's own, 'torch.FloatTensor', as x.type() gives it)
    assert str(ee.value) in (str(te.value), str(te.value).replace("torch.", "ember."))


def test_compat_flags_are_accepted():
    ps = make_params(ember)
    opt = ember.optim.Adam(ps, foreach=True, fused=False, capturable=False, differentiable=False)
    assert opt.param_groups[0]["foreach"] is True
    ember.optim.SGD(ps, foreach=False, fused=None, differentiable=False)


def test_tensor_lr():
    pe, pt = make_params(ember), make_params(torch)
    oe = ember.optim.SGD(pe, lr=ember.tensor(0.1))
    ot = torch.optim.SGD(pt, lr=torch.tensor(0.1), foreach=False)
    train(ember, pe, oe, 10)
    train(torch, pt, ot, 10)
    assert_params_close(pe, pt)


def test_repr():
    opt = ember.optim.SGD(make_params(ember), lr=0.1)
    assert repr(opt) == repr(torch.optim.SGD(make_params(torch), lr=0.1))


def test_with_nn_linear():
    nn = pytest.importorskip("ember.nn")
    if not hasattr(nn, "Linear"):
        pytest.skip("ember.nn.Linear not available yet")
    torch.manual_seed(0)
    mt = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    le1, le2 = nn.Linear(4, 8), nn.Linear(8, 3)
    for le, lt in ((le1, mt[0]), (le2, mt[2])):
        le.weight.data = ember.tensor(lt.weight.detach().numpy().copy())
        le.bias.data = ember.tensor(lt.bias.detach().numpy().copy())
    params = list(le1.parameters()) + list(le2.parameters())
    oe, ot = ember.optim.AdamW(params, lr=0.01), torch.optim.AdamW(mt.parameters(), lr=0.01, foreach=False)
    x, y = X, Y
    for _ in range(50):
        oe.zero_grad()
        ot.zero_grad()
        ((le2(ember.tanh(le1(ember.tensor(x)))) - ember.tensor(y)) ** 2).mean().backward()
        ((mt(torch.tensor(x)) - torch.tensor(y)) ** 2).mean().backward()
        oe.step()
        ot.step()
    assert_params_close(params, list(mt.parameters()))
    assert isinstance(oe.param_groups[0]["params"][0], nn.Parameter)


def test_custom_optimizer_subclass():
    class Sign(ember.optim.Optimizer):
        """A user optimizer written against torch's API only."""

        def __init__(self, params, lr=0.01):
            super().__init__(params, dict(lr=lr))

        @ember.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self.state[p]["n"] = self.state[p].get("n", 0) + 1
                        p.add_(p.grad.sign(), alpha=-group["lr"])

    ps = make_params(ember)
    opt = Sign(ps)
    loss_fn(ember, ps).backward()
    g = to_np(ps[0].grad).copy()
    opt.step()
    np.testing.assert_allclose(to_np(ps[0]), INIT[0] - 0.01 * np.sign(g), rtol=1e-6)
    assert opt.state_dict()["state"][0] == {"n": 1}


def test_warning_free():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run(ember, "Adam", dict(lr=0.01), steps=2)


def test_step_count_dtype_follows_default_dtype():
    got = []
    for lib in (ember, torch):
        lib.set_default_dtype(lib.float64)
        try:
            p = lib.tensor(INIT[1], requires_grad=True)
            p.grad = lib.tensor(INIT[1])
            opt = lib.optim.NAdam([p])
            opt.step()
            got.append([str(v.dtype).split(".")[1] for v in opt.state[p].values()])
        finally:
            lib.set_default_dtype(lib.float32)
    assert got[0] == got[1] == ["float64", "float64", "float32", "float32"]


def test_complex_parameters_are_refused():
    p = ember.tensor(np.ones(2, np.complex64), requires_grad=True)
    p.grad = ember.tensor(np.ones(2, np.complex64))
    with pytest.raises(NotImplementedError, match="complex"):
        ember.optim.Adam([p]).step()


@pytest.mark.parametrize("name,kwargs", [("Adam", {}), ("Adam", dict(amsgrad=True, weight_decay=0.1)),
                                         ("AdamW", dict(maximize=True, amsgrad=True))])
def test_adam_on_a_large_parameter(name, kwargs):
    """A parameter past one cache-sized piece (ember updates it piece by piece), given the same
    gradients each step in both libraries."""
    rng = np.random.default_rng(1)
    p0 = rng.standard_normal((300, 700)).astype(np.float32)
    grads = [rng.standard_normal(p0.shape).astype(np.float32) for _ in range(5)]
    out = []
    for lib in (ember, torch):
        p = lib.tensor(p0.copy(), requires_grad=True)
        opt = getattr(lib.optim, name)([p], lr=0.01, **kwargs)
        for g in grads:
            p.grad = lib.tensor(g)
            opt.step()
        out.append((to_np(p), to_np(opt.state[p]["exp_avg_sq"])))
    for e, t in zip(*out):
        np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-7)
