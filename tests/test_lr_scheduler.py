"""LR schedulers: the same schedule through ember and torch gives the same float sequence."""
import copy
import math
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.optim
from ember.optim import lr_scheduler as ember_sched

S = {ember: ember_sched, torch: torch.optim.lr_scheduler}


def make_optimizer(lib, kind="SGD"):
    """Two param groups with different lrs."""
    a = lib.tensor(np.ones(3, np.float32), requires_grad=True)
    b = lib.tensor(np.ones(2, np.float32), requires_grad=True)
    groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
    if kind == "SGD":
        return lib.optim.SGD(groups, lr=0.1, momentum=0.9)
    if kind == "Adam":
        return lib.optim.Adam(groups, lr=0.1)
    return lib.optim.Adagrad(groups, lr=0.1)


def snapshot(opt, sched):
    """What a step changes: the last lrs, and every group's lr, momentum and betas."""
    groups = [(g["lr"], g.get("momentum"), g.get("betas")) for g in opt.param_groups]
    return list(sched.get_last_lr()), groups


def run(lib, make, steps, kind="SGD", metrics=None):
    opt = make_optimizer(lib, kind)
    sched = make(S[lib], opt)
    seq = [snapshot(opt, sched)]
    for i in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        seq.append(snapshot(opt, sched))
    return seq, opt, sched


SCHEDULES = {
    "StepLR": (lambda s, o: s.StepLR(o, step_size=7, gamma=0.5), 60, "SGD"),
    "MultiStepLR": (lambda s, o: s.MultiStepLR(o, milestones=[10, 25, 25, 60], gamma=0.3), 80, "SGD"),
    "ExponentialLR": (lambda s, o: s.ExponentialLR(o, gamma=0.97), 100, "SGD"),
    "CosineAnnealingLR": (lambda s, o: s.CosineAnnealingLR(o, T_max=20, eta_min=0.001), 150, "SGD"),
    "CosineAnnealingLR-odd": (lambda s, o: s.CosineAnnealingLR(o, T_max=33), 150, "Adam"),
    "WarmRestarts": (lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=1e-4), 160, "SGD"),
    "WarmRestarts-1": (lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=7), 60, "SGD"),
    "LinearLR": (lambda s, o: s.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=30), 50, "SGD"),
    "ConstantLR": (lambda s, o: s.ConstantLR(o, factor=0.5, total_iters=12), 30, "SGD"),
    "PolynomialLR": (lambda s, o: s.PolynomialLR(o, total_iters=40, power=2.0), 60, "SGD"),
    "LambdaLR": (lambda s, o: s.LambdaLR(o, lambda e: 0.95 ** e), 50, "SGD"),
    "LambdaLR-list": (lambda s, o: s.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9 ** e]), 50, "SGD"),
    "MultiplicativeLR": (lambda s, o: s.MultiplicativeLR(o, lambda e: 0.98), 50, "SGD"),
    "OneCycleLR": (lambda s, o: s.OneCycleLR(o, max_lr=[0.5, 1.0], total_steps=100), 100, "SGD"),
    "OneCycleLR-linear-Adam": (lambda s, o: s.OneCycleLR(o, max_lr=0.3, epochs=6, steps_per_epoch=50,
                                                         anneal_strategy="linear", pct_start=0.25), 300, "Adam"),
    "OneCycleLR-three-phase": (lambda s, o: s.OneCycleLR(o, max_lr=1.0, total_steps=90, three_phase=True,
                                                         div_factor=10.0, final_div_factor=100.0), 90, "SGD"),
    "OneCycleLR-no-momentum": (lambda s, o: s.OneCycleLR(o, max_lr=1.0, total_steps=50, cycle_momentum=False),
                               50, "Adagrad"),
    "CyclicLR": (lambda s, o: s.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=10), 100, "SGD"),
    "CyclicLR-triangular2": (lambda s, o: s.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=7,
                                                     step_size_down=13, mode="triangular2"), 150, "SGD"),
    "CyclicLR-exp-Adam": (lambda s, o: s.CyclicLR(o, base_lr=0.001, max_lr=0.1, step_size_up=8, mode="exp_range",
                                                  gamma=0.99, base_momentum=0.7, max_momentum=0.95), 120, "Adam"),
    "CyclicLR-scale-fn": (lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=5, scale_fn=lambda x: 1 / (x + 1),
                                                  scale_mode="iterations", cycle_momentum=False), 60, "Adagrad"),
    "SequentialLR": (lambda s, o: s.SequentialLR(o, [s.LinearLR(o, start_factor=0.1, total_iters=10),
                                                     s.ExponentialLR(o, gamma=0.9)], milestones=[10]), 40, "SGD"),
    "SequentialLR-cosine": (lambda s, o: s.SequentialLR(o, [s.ConstantLR(o, factor=0.25, total_iters=5),
                                                            s.CosineAnnealingLR(o, T_max=30, eta_min=0.01),
                                                            s.StepLR(o, 5, 0.5)], milestones=[5, 40]), 80, "SGD"),
    "ChainedScheduler": (lambda s, o: s.ChainedScheduler([s.ConstantLR(o, factor=0.3, total_iters=8),
                                                          s.ExponentialLR(o, gamma=0.95)]), 40, "SGD"),
    "ChainedScheduler-cosine": (lambda s, o: s.ChainedScheduler([s.LinearLR(o, 0.5, total_iters=10),
                                                                 s.CosineAnnealingLR(o, T_max=25)], o), 70, "Adam"),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_same_sequence_as_torch(name):
    make, steps, kind = SCHEDULES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns when its optimizer steps without gradients
        se, oe, _ = run(ember, make, steps, kind)
        st, ot, _ = run(torch, make, steps, kind)
    assert se == st  # exact: the same float operations in the same order
    for ge, gt in zip(oe.param_groups, ot.param_groups):
        assert {k: v for k, v in ge.items() if k != "params"}.keys() == {k: v for k, v in gt.items()
                                                                         if k != "params"}.keys()
        assert ge["initial_lr"] == gt["initial_lr"]


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_state_dict_round_trip(name):
    make, steps, kind = SCHEDULES[name]
    half = steps // 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full, _, _ = run(torch, make, steps, kind)
        # ember runs half the schedule, saves, and a fresh optimizer and scheduler go on from there
        _, oe, se = run(ember, make, half, kind)
        saved_opt, saved_sched = copy.deepcopy(oe.state_dict()), copy.deepcopy(se.state_dict())
        assert "optimizer" not in saved_sched
        opt = make_optimizer(ember, kind)
        sched = make(ember_sched, opt)
        opt.load_state_dict(saved_opt)
        sched.load_state_dict(saved_sched)
        assert snapshot(opt, sched) == full[half]
        for i in range(half, steps):
            opt.step()
            sched.step()
            assert snapshot(opt, sched) == full[i + 1]


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "OneCycleLR", "CyclicLR-triangular2",
                                  "SequentialLR", "WarmRestarts", "LambdaLR"])
def test_torch_state_dict_loads_into_ember(name):
    make, steps, kind = SCHEDULES[name]
    half = steps // 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full, ot, st = run(torch, make, steps, kind)
        _, ot, st = run(torch, make, half, kind)
        opt = make_optimizer(ember, kind)
        sched = make(ember_sched, opt)
        opt.load_state_dict(ot.state_dict())  # no tensors in an optimizer without steps
        sched.load_state_dict(copy.deepcopy(st.state_dict()))
        for i in range(half, steps):
            opt.step()
            sched.step()
            assert snapshot(opt, sched) == full[i + 1]


PLATEAU = {
    "min-rel": dict(),
    "min-abs-cooldown": dict(threshold=0.05, threshold_mode="abs", patience=2, cooldown=3, factor=0.5),
    "max-rel": dict(mode="max", patience=3, factor=0.7, min_lr=[0.02, 0.001]),
    "max-abs": dict(mode="max", threshold=0.1, threshold_mode="abs", patience=0, min_lr=0.003, eps=1e-3),
}


@pytest.mark.parametrize("name", list(PLATEAU))
def test_reduce_lr_on_plateau(name):
    rng = np.random.default_rng(1)
    # a noisy, slowly improving then flat metric
    metrics = list(np.concatenate([np.linspace(1.0, 0.5, 40), np.full(80, 0.5)]) + rng.normal(0, 0.02, 120))
    make = lambda s, o: s.ReduceLROnPlateau(o, **PLATEAU[name])  # noqa: E731
    se, _, sched_e = run(ember, make, 120, metrics=metrics)
    st, _, sched_t = run(torch, make, 120, metrics=metrics)
    assert se == st
    assert len(set(lr for lrs, _ in se for lr in lrs)) > 2  # the lr did change
    # state_dict round trip, both ways
    assert sched_e.state_dict().keys() == sched_t.state_dict().keys()
    opt = make_optimizer(ember)
    fresh = make(ember_sched, opt)
    fresh.load_state_dict(sched_t.state_dict())
    assert fresh.best == sched_t.best and fresh.num_bad_epochs == sched_t.num_bad_epochs
    assert fresh._is_better(-math.inf if fresh.mode == "min" else math.inf, fresh.best)


def test_step_with_epoch_uses_closed_form():
    seqs = []
    for lib in (ember, torch):
        opt = make_optimizer(lib)
        scheds = [S[lib].StepLR(opt, 3, 0.5), S[lib].MultiStepLR(opt, [2, 5]), S[lib].ExponentialLR(opt, 0.9),
                  S[lib].CosineAnnealingLR(opt, 10), S[lib].LinearLR(opt), S[lib].ConstantLR(opt),
                  S[lib].PolynomialLR(opt, 8), S[lib].LambdaLR(opt, lambda e: 1 / (e + 1))]
        seq = []
        for epoch in [4, 7, 2, 11]:
            for s in scheds:
                with pytest.warns(UserWarning, match="epoch parameter"):
                    s.step(epoch)
                seq.append(s.get_last_lr())
        seqs.append(seq)
    assert seqs[0] == seqs[1]


def test_warm_restarts_fractional_epochs():
    seqs = []
    for lib in (ember, torch):
        opt = make_optimizer(lib)
        sched = S[lib].CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.001)
        seq = []
        for epoch in range(25):
            for i in range(4):
                sched.step(epoch + i / 4)
                seq.append((sched.get_last_lr(), sched.T_cur, sched.T_i, sched.last_epoch))
        seqs.append(seq)
    assert seqs[0] == seqs[1]


def test_tensor_lr_is_filled_in_place():
    opt = ember.optim.SGD([ember.tensor(np.ones(2, np.float32), requires_grad=True)], lr=ember.tensor(0.1))
    lr = opt.param_groups[0]["lr"]
    sched = ember_sched.StepLR(opt, 1, 0.5)
    sched.step()
    assert opt.param_groups[0]["lr"] is lr and np.isclose(lr.item(), 0.05)
    assert ember.is_tensor(sched.get_last_lr()[0]) and sched.get_last_lr()[0] is not lr


ERRORS = [
    (lambda s, o: s.StepLR(object(), 3), TypeError),
    (lambda s, o: s.ConstantLR(o, factor=1.5), ValueError),
    (lambda s, o: s.LinearLR(o, start_factor=0), ValueError),
    (lambda s, o: s.LinearLR(o, end_factor=1.5), ValueError),
    (lambda s, o: s.StepLR(o, 3, last_epoch=5), KeyError),
    (lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=0), ValueError),
    (lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=1.5), ValueError),
    (lambda s, o: s.OneCycleLR(o, 1.0), ValueError),
    (lambda s, o: s.OneCycleLR(o, 1.0, total_steps=10, pct_start=1.5), ValueError),
    (lambda s, o: s.OneCycleLR(o, 1.0, total_steps=10, anneal_strategy="exp"), ValueError),
    (lambda s, o: s.OneCycleLR(o, [1.0], total_steps=10), ValueError),
    (lambda s, o: s.CyclicLR(o, 0.1, 1.0, mode="sawtooth"), ValueError),
    (lambda s, o: s.ReduceLROnPlateau(o, factor=1.0), ValueError),
    (lambda s, o: s.ReduceLROnPlateau(o, mode="best"), ValueError),
    (lambda s, o: s.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError),
    (lambda s, o: s.SequentialLR(o, [s.StepLR(o, 2)], milestones=[3]), ValueError),
    (lambda s, o: s.SequentialLR(o, [], milestones=[]), ValueError),
    (lambda s, o: s.ChainedScheduler([s.ReduceLROnPlateau(o)]), ValueError),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_as_torch(i):
    fn, exc = ERRORS[i]
    with pytest.raises(exc) as te:
        fn(S[torch], make_optimizer(torch))
    with pytest.raises(exc) as ee:
        fn(S[ember], make_optimizer(ember))
    assert str(ee.value) == str(te.value)


def test_cycle_momentum_needs_momentum():
    for lib in (torch, ember):
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            S[lib].CyclicLR(make_optimizer(lib, "Adagrad"), 0.01, 0.1)


def test_one_cycle_past_the_end():
    for lib in (torch, ember):
        opt = make_optimizer(lib)
        sched = S[lib].OneCycleLR(opt, 1.0, total_steps=5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(5):
                sched.step()
            with pytest.raises(ValueError, match="Tried to step 6 times"):
                sched.step()
