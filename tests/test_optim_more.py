"""The rest of torch.optim (Rprop, ASGD, Adafactor, SparseAdam, LBFGS, swa_utils, optimizer hooks):
the same model, data and steps through ember and torch give the same parameters and state."""
import importlib

import numpy as np
import pytest
import torch

import ember
import ember.optim

from helpers import assert_close, to_np
from test_optim import X, Y, make_params, loss_fn, run, assert_params_close

CASES = [
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.005, etas=(0.3, 1.5), step_sizes=(1e-4, 0.1))),
    ("Rprop", dict(lr=0.01, maximize=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, lambd=1e-3, alpha=0.5, t0=20, weight_decay=0.01)),
    ("ASGD", dict(lr=0.05, t0=10, maximize=True)),
    ("Adafactor", dict(lr=0.01)),
    ("Adafactor", dict(lr=0.02, beta2_decay=-0.5, eps=(1e-3, 1e-3), d=2.0, weight_decay=0.01)),
    ("Adafactor", dict(lr=0.01, maximize=True)),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_100_steps_match_torch(name, kwargs):
    pe, oe = run(ember, name, kwargs)
    pt, ot = run(torch, name, kwargs)
    assert_params_close(pe, pt, rtol=1e-4, atol=1e-5)
    se, st = oe.state_dict(), ot.state_dict()
    assert se["param_groups"] == st["param_groups"]
    assert se["state"].keys() == st["state"].keys()
    for i in st["state"]:
        assert list(se["state"][i]) == list(st["state"][i])
        for k, v in st["state"][i].items():
            e = se["state"][i][k]
            assert tuple(e.shape) == tuple(v.shape) and str(e.dtype).split(".")[1] == str(v.dtype).split(".")[1]
            scale = max(1.0, float(np.abs(to_np(v)).max()))
            np.testing.assert_allclose(to_np(e), to_np(v), rtol=1e-4, atol=1e-5 * scale)


@pytest.mark.parametrize("name", ["Rprop", "ASGD", "Adafactor"])
def test_float64_matches_torch(name):
    kwargs = dict(lr=0.01, t0=5) if name == "ASGD" else dict(lr=0.01)
    pe, _ = run(ember, name, kwargs, steps=30, dtype=np.float64)
    pt, _ = run(torch, name, dict(kwargs, foreach=False), steps=30, dtype=np.float64)
    assert_params_close(pe, pt, rtol=1e-10, atol=1e-12)


def test_argument_errors():
    for lib in (ember, torch):
        ps = make_params(lib)
        for name, kw in [("Rprop", dict(etas=(1.5, 1.2))), ("Rprop", dict(lr=-1.0)), ("ASGD", dict(weight_decay=-1)),
                         ("Adafactor", dict(beta2_decay=0.5)), ("Adafactor", dict(d=0.5)), ("SparseAdam", dict(lr=0.0)),
                         ("SparseAdam", dict(betas=(1.0, 0.9))), ("LBFGS", dict(lr=-1.0))]:
            with pytest.raises(ValueError):
                getattr(lib.optim, name)(ps, **kw)
        with pytest.raises(ValueError, match="doesn't support per-parameter options"):
            lib.optim.LBFGS([{"params": ps[:2]}, {"params": ps[2:]}])


def test_sparse_adam_refuses_dense_gradients():
    msgs = []
    for lib in (ember, torch):
        ps = make_params(lib)
        opt = lib.optim.SparseAdam(ps, lr=0.01)
        loss_fn(lib, ps).backward()
        with pytest.raises(RuntimeError) as e:
            opt.step()
        msgs.append(str(e.value))
        assert len(opt.state) == 0
    assert msgs[0] == msgs[1]


# --------------------------------------------------------------------------------------- LBFGS
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kwargs", [dict(), dict(line_search_fn="strong_wolfe"),
                                    dict(lr=0.5, max_iter=5, history_size=3),
                                    dict(max_iter=8, history_size=4, line_search_fn="strong_wolfe", tolerance_grad=1e-5)],
                         ids=["plain", "strong_wolfe", "short_history", "wolfe_short"])
def test_lbfgs_matches_torch(kwargs, dtype):
    out = []
    for lib in (ember, torch):
        ps = make_params(lib, dtype)
        opt = lib.optim.LBFGS(ps, **kwargs)
        evals = [0]

        def closure():
            opt.zero_grad()
            loss = loss_fn(lib, ps)
            loss.backward()
            evals[0] += 1
            return loss
        losses = [float(opt.step(closure)) for _ in range(4 if dtype == np.float64 else 1)]
        st = opt.state[ps[0]]
        out.append((ps, losses, evals[0], st["func_evals"], st["n_iter"], sorted(st), opt.state_dict()))
    (pe, le, ee, fe, ne, ke, sde), (pt, lt, et, ft, nt, kt, sdt) = out
    # float32: dot products summed in another order (NumPy's and torch's BLAS) move the iterates by
    # rounding, and L-BFGS's history amplifies it (1e-5 after 20 iterations, 1e-2 after 80), so float32
    # runs one step(); float64 agrees to the last digits over four
    tol = dict(rtol=1e-7, atol=1e-9) if dtype == np.float64 else dict(rtol=1e-3, atol=1e-4)
    assert_params_close(pe, pt, **tol)
    np.testing.assert_allclose(le, lt, **tol)
    if dtype == np.float64:
        assert (ee, fe, ne) == (et, ft, nt)
    assert ke == kt
    assert list(sde["state"]) == list(sdt["state"]) and sde["param_groups"] == sdt["param_groups"]


def test_lbfgs_fits_a_quadratic_like_torch():
    A = np.random.default_rng(1).standard_normal((6, 6))
    A = A @ A.T + np.eye(6)
    b = np.random.default_rng(2).standard_normal(6)
    res = []
    for lib in (ember, torch):
        x = lib.zeros(6, dtype=lib.float64, requires_grad=True)
        opt = lib.optim.LBFGS([x], lr=1, max_iter=50, line_search_fn="strong_wolfe")
        At, bt = lib.tensor(A), lib.tensor(b)

        def closure():
            opt.zero_grad()
            loss = 0.5 * x @ At @ x - bt @ x
            loss.backward()
            return loss
        opt.step(closure)
        res.append(x)
    assert_close(res[0], res[1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(to_np(res[0]), np.linalg.solve(A, b), rtol=1e-4)


# ------------------------------------------------------------------------------------ swa_utils
def _net(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.BatchNorm1d(8), lib.nn.ReLU(), lib.nn.Linear(8, 3))


@pytest.mark.parametrize("how", ["swa", "ema_multi", "ema_avg_fn", "swa_multi", "use_buffers"])
def test_averaged_model(how):
    out = []
    for lib in (ember, torch):
        U = lib.optim.swa_utils
        net = _net(lib)
        kw = {"swa": {}, "ema_multi": dict(multi_avg_fn=U.get_ema_multi_avg_fn(0.9)),
              "ema_avg_fn": dict(avg_fn=U.get_ema_avg_fn(0.8)), "swa_multi": dict(multi_avg_fn=U.get_swa_multi_avg_fn()),
              "use_buffers": dict(use_buffers=True, multi_avg_fn=U.get_ema_multi_avg_fn(0.7))}[how]
        avg = U.AveragedModel(net, **kw)
        opt = lib.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        sched = U.SWALR(opt, swa_lr=0.05, anneal_epochs=3, anneal_strategy="linear" if how == "swa" else "cos")
        lrs = []
        x, y = lib.tensor(X), lib.tensor(Y)
        for _ in range(6):
            opt.zero_grad()
            ((net(x) - y) ** 2).mean().backward()
            opt.step()
            avg.update_parameters(net)
            sched.step()
            lrs.append(sched.get_last_lr()[0])
        U.update_bn([x[:16], x[16:]], avg)
        avg.eval()
        out.append(([p for p in avg.parameters()] + [b for b in avg.buffers()], lrs, avg(x), sorted(avg.state_dict())))
    (pe, le, ye, ke), (pt, lt, yt, kt) = out
    assert_close(pe, pt, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(le, lt, rtol=1e-12)
    assert_close(ye, yt, rtol=1e-4, atol=1e-5)
    assert ke == kt


def test_swa_errors():
    for lib in (ember, torch):
        U = lib.optim.swa_utils
        opt = lib.optim.SGD(_net(lib).parameters(), lr=0.1)
        with pytest.raises(ValueError):
            U.SWALR(opt, swa_lr=0.05, anneal_strategy="exp")
        with pytest.raises(ValueError):
            U.SWALR(opt, swa_lr=0.05, anneal_epochs=-1)
        with pytest.raises(ValueError):
            U.get_ema_multi_avg_fn(1.5)
        with pytest.raises(AssertionError):
            U.AveragedModel(_net(lib), avg_fn=U.get_swa_avg_fn(), multi_avg_fn=U.get_swa_multi_avg_fn())


# ---------------------------------------------------------------------------------------- hooks
def test_step_hooks_and_state_dict_hooks():
    logs = []
    for lib in (ember, torch):
        log = []
        ps = make_params(lib)
        opt = lib.optim.Adam(ps, lr=0.01)
        h1 = opt.register_step_pre_hook(lambda o, a, k: log.append(("pre", len(a), sorted(k))))
        opt.register_step_post_hook(lambda o, a, k: log.append(("post", type(o).__name__)))
        g = importlib.import_module(lib.__name__ + ".optim.optimizer").register_optimizer_step_pre_hook(lambda o, a, k: log.append("global-pre"))
        opt.register_state_dict_pre_hook(lambda o: log.append("sd-pre"))
        opt.register_state_dict_post_hook(lambda o, sd: dict(sd, extra=1))
        opt.register_load_state_dict_pre_hook(lambda o, sd: {k: v for k, v in sd.items() if k != "extra"})
        opt.register_load_state_dict_post_hook(lambda o: log.append("load-post"), prepend=True)
        loss_fn(lib, ps).backward()
        opt.step()
        h1.remove()
        g.remove()
        opt.step()
        sd = opt.state_dict()
        log.append(sorted(sd))
        opt.load_state_dict(sd)
        # a pre-hook may replace the arguments: here, a closure
        opt.register_step_pre_hook(lambda o, a, k: ((o,), {"closure": lambda: lib.tensor(7.0)}))
        log.append(float(opt.step()))
        # LBFGS has its own step, and still runs the hooks
        lb = lib.optim.LBFGS(make_params(lib), max_iter=1)
        lb.register_step_post_hook(lambda o, a, k: log.append("lbfgs-post"))
        lb.step(lambda: loss_fn(lib, lb.param_groups[0]["params"]))
        logs.append(log)
    assert logs[0] == logs[1]


@pytest.mark.parametrize("name,kwargs", [("Rprop", dict(lr=0.01)), ("ASGD", dict(lr=0.05, t0=5)),
                                         ("Adafactor", dict(lr=0.01))])
def test_param_group_edits_between_steps(name, kwargs):
    # lr halved mid-training and a second group added later, as torch allows; the trajectories still agree
    out = []
    for lib in (ember, torch):
        ps = make_params(lib)
        opt = getattr(lib.optim, name)(ps[:2], **kwargs)
        for step in range(40):
            if step == 15:
                for g in opt.param_groups:
                    g["lr"] = g["lr"] / 2
            if step == 25:
                opt.add_param_group({"params": ps[2:], "lr": 0.003})
            opt.zero_grad()
            loss_fn(lib, ps).backward()
            opt.step()
        out.append((ps, opt.state_dict()["param_groups"]))
    assert_params_close(out[0][0], out[1][0], rtol=1e-4, atol=1e-5)
    assert out[0][1] == out[1][1]


# ----------------------------------------------------------------------------------------- Muon
MATS = [np.random.default_rng(10).standard_normal((16, 4)).astype(np.float32) * 0.5,
        np.random.default_rng(11).standard_normal((3, 16)).astype(np.float32) * 0.5]


@pytest.mark.parametrize("kwargs", [dict(lr=0.02), dict(lr=0.02, nesterov=False, weight_decay=0.0, momentum=0.9),
                                    dict(lr=0.01, adjust_lr_fn="match_rms_adamw", ns_steps=3)])
def test_muon_matches_torch(kwargs):
    out = []
    for lib in (ember, torch):
        ps = [lib.tensor(a, requires_grad=True) for a in MATS]
        opt = lib.optim.Muon(ps, **kwargs)
        x, y = lib.tensor(X), lib.tensor(Y)
        for _ in range(10):
            opt.zero_grad()
            ((lib.tanh(x @ ps[0].T) @ ps[1].T - y) ** 2).mean().backward()
            opt.step()
        out.append((ps, opt.state_dict()))
    # the Newton-Schulz iterate is bfloat16 in both and agrees to 1e-7 for 10 steps; later a product summed
    # in another order can round to the neighbouring bfloat16, and the orthogonalization amplifies that
    assert_params_close(out[0][0], out[1][0], rtol=1e-5, atol=1e-6)
    se, st = out[0][1], out[1][1]
    assert se["param_groups"] == [dict(g, ns_coefficients=tuple(g["ns_coefficients"])) for g in st["param_groups"]]
    assert [list(v) for v in se["state"].values()] == [list(v) for v in st["state"].values()]


def test_muon_errors():
    for lib in (ember, torch):
        with pytest.raises(ValueError, match="Muon only supports 2D parameters"):
            lib.optim.Muon([lib.zeros(3, requires_grad=True)])
        with pytest.raises(ValueError):
            lib.optim.Muon([lib.zeros(3, 3, requires_grad=True)], adjust_lr_fn="other")


def test_swap_in_optimizer_params_and_state():
    out = []
    for lib in (ember, torch):
        ps = make_params(lib)
        opt = lib.optim.Adam(ps, lr=0.01)
        for _ in range(3):
            opt.zero_grad()
            loss_fn(lib, ps).backward()
            opt.step()
        saved = opt.state_dict()
        other = {f"p{i}": p.detach().clone().requires_grad_() for i, p in enumerate(ps)}
        with lib.optim.swap_in_optimizer_params_and_state(opt, other, saved):
            opt.zero_grad()
            loss_fn(lib, list(other.values())).backward()
            opt.step()
            inside = [float(v["step"]) for v in opt.state.values()]
        out.append((list(other.values()), ps, inside, [float(v["step"]) for v in opt.state.values()],
                    opt.param_groups[0]["params"][0] is ps[0]))
        with pytest.raises(RuntimeError):
            with lib.optim.swap_in_optimizer_params_and_state(lib.optim.Adam(ps), other, saved):
                pass
    (oe, pe, ie, ae, be), (ot, pt, it, at, bt) = out
    assert_params_close(oe, ot)
    assert_params_close(pe, pt)
    # the swapped-in state holds the state_dict's own tensors, which are the live ones: both advance
    assert (ie, ae, be) == (it, at, bt) == ([4.0] * 4, [4.0] * 4, True)
