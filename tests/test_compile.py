"""ember.compile: a compiled function gives the numbers eager ember gives (bit for bit: replay runs
the same array work), and leaves .grad, state_dict, optimizer state and the RNG as eager does;
signature changes recapture, host reads and random draws outside dropout run eagerly. The eager
runs are the ones the rest of the suite checks against torch; the lecture's loop is also
compared with torch here."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import assert_close

RNG = np.random.default_rng(0)


def same(a, b):
    np.testing.assert_array_equal(np.asarray(a._data if isinstance(a, ember.Tensor) else a),
                                  np.asarray(b._data if isinstance(b, ember.Tensor) else b))


def same_state(m1, m2):
    s1, s2 = m1.state_dict(), m2.state_dict()
    assert list(s1) == list(s2)
    for k in s1:
        same(s1[k], s2[k])


def same_grads(m1, m2):
    for p, q in zip(m1.parameters(), m2.parameters()):
        assert (p.grad is None) == (q.grad is None)
        if p.grad is not None:
            same(p.grad, q.grad)


def same_optim(o1, o2):
    s1, s2 = o1.state_dict(), o2.state_dict()
    assert s1["param_groups"] == s2["param_groups"]
    for k in s1["state"]:
        for name, v in s1["state"][k].items():
            same(v, s2["state"][k][name])


# ---------------------------------------------------------------- the lecture's loops
def test_lecture_autograd_loop_matches_eager_and_torch():
    xs = RNG.uniform(-1, 1, 100).astype(np.float32)
    ys = (2 + 3 * xs + 0.1 * RNG.standard_normal(100)).astype(np.float32)

    def run(lib, compile_):
        x, y = lib.tensor(xs), lib.tensor(ys)
        w0, w1 = lib.zeros(1, requires_grad=True), lib.zeros(1, requires_grad=True)

        def step(x, y):
            loss = ((w0 + w1 * x - y) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                w0.sub_(0.1 * w0.grad)
                w1.sub_(0.1 * w1.grad)
            w0.grad.zero_()
            w1.grad.zero_()
            return loss
        step = compile_(step)
        losses = [step(x, y) for _ in range(60)]
        return losses, w0, w1

    le, w0e, w1e = run(ember, lambda f: f)
    lc, w0c, w1c = run(ember, ember.compile)
    lt, w0t, w1t = run(torch, lambda f: f)
    for a, b, t in zip(le, lc, lt):
        same(a, b)
        assert_close(b, t)
    same(w0e, w0c), same(w1e, w1c)
    same(w0e.grad, w0c.grad)
    assert_close(w1c, w1t)


def _model_loop(lib, make, steps, compile_, batch=16, features=8, opt=None, loss_fn=None, dtype=np.float32):
    lib.manual_seed(0)
    model = make(lib)
    o = (opt or (lambda p: lib.optim.SGD(p, lr=0.05, momentum=0.9)))(model.parameters())
    loss_fn = loss_fn or lib.nn.MSELoss()
    data = [(lib.tensor(RNG_DATA[i][0][:batch, :features].astype(dtype)), lib.tensor(RNG_DATA[i][1][:batch].astype(dtype)))
            for i in range(steps)]

    def step(x, y):
        o.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        o.step()
        return loss
    step = compile_(step)
    losses = [step(x, y) for x, y in data]
    return model, o, losses, step


RNG_DATA = [(np.random.default_rng(i).standard_normal((16, 8)).astype(np.float32),
             np.random.default_rng(100 + i).standard_normal((16, 1)).astype(np.float32)) for i in range(40)]


def test_lecture_model_loop():
    make = lambda L: L.nn.Sequential(L.nn.Linear(8, 16), L.nn.ReLU(), L.nn.Linear(16, 1))  # noqa: E731
    me, oe, le, _ = _model_loop(ember, make, 30, lambda f: f)
    mc, oc, lc, step = _model_loop(ember, make, 30, ember.compile)
    for a, b in zip(le, lc):
        same(a, b)
    same_state(me, mc), same_grads(me, mc), same_optim(oe, oc)
    assert step._count == 1 and step.why_eager is None  # captured once, then replayed
    mt, _, lt, _ = _model_loop(torch, make, 30, lambda f: f)
    for b, t in zip(lc, lt):
        assert_close(b, t, rtol=1e-4, atol=1e-5)


def test_dropout_and_batchnorm_identical_with_rng():
    def make(L):
        return L.nn.Sequential(L.nn.Linear(8, 16), L.nn.BatchNorm1d(16), L.nn.ReLU(), L.nn.Dropout(0.3),
                               L.nn.Linear(16, 1))
    adam = lambda p: ember.optim.Adam(p, lr=1e-2)  # noqa: E731
    me, oe, le, _ = _model_loop(ember, make, 25, lambda f: f, opt=adam)
    rng_e = ember.get_rng_state()
    mc, oc, lc, step = _model_loop(ember, make, 25, ember.compile, opt=adam)
    rng_c = ember.get_rng_state()
    assert step.why_eager is None and step._count == 1
    for a, b in zip(le, lc):
        same(a, b)
    same_state(me, mc), same_grads(me, mc), same_optim(oe, oc)
    same(rng_e, rng_c)  # the generator advanced exactly as in eager
    # eval mode is another program (a guard on `training`); still the same numbers
    me.eval(), mc.eval()
    x = ember.tensor(RNG_DATA[0][0])
    f = ember.compile(lambda x: mc(x))
    for _ in range(3):
        same(me(x), f(x))


def test_clip_grad_and_scheduler_in_the_step():
    make = lambda L: L.nn.Sequential(L.nn.Linear(8, 32), L.nn.Tanh(), L.nn.Linear(32, 1))  # noqa: E731
    def loop(compile_):
        lib = ember
        lib.manual_seed(0)
        model = make(lib)
        o = lib.optim.SGD(model.parameters(), lr=0.1)
        sched = lib.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5)
        loss_fn = lib.nn.MSELoss()

        def step(x, y):
            o.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            norm = lib.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            o.step()
            sched.step()
            return loss, norm
        step = compile_(step)
        out = [step(lib.tensor(x), lib.tensor(y)) for x, y in RNG_DATA[:20]]
        return model, o, sched, out, step

    me, oe, se, oute, _ = loop(lambda f: f)
    mc, oc, sc, outc, step = loop(ember.compile)
    assert step.why_eager is None
    for (l1, n1), (l2, n2) in zip(oute, outc):
        same(l1, l2), same(n1, n2)
    same_state(me, mc), same_grads(me, mc), same_optim(oe, oc)
    assert se.state_dict() == sc.state_dict() and oc.param_groups[0]["lr"] == oe.param_groups[0]["lr"]


# ---------------------------------------------------------------- signatures, guards, graph breaks
def test_signature_change_recaptures_and_limit_falls_back():
    lin = ember.nn.Linear(4, 3)
    f = ember.compile(lambda x: lin(x).relu().sum(1))
    for n in (2, 3, 2, 5):
        x = ember.tensor(RNG.standard_normal((n, 4)).astype(np.float32))
        same(f(x), lin(x).relu().sum(1))
    assert f._count == 3
    x64 = ember.tensor(RNG.standard_normal((2, 4)))  # float64 input: another signature (and torch's error)
    with pytest.raises(RuntimeError):
        f(x64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n in range(6, 16):
            x = ember.tensor(RNG.standard_normal((n, 4)).astype(np.float32))
            same(f(x), lin(x).relu().sum(1))
    assert f._count == ember.compiler.recompile_limit


def test_host_read_runs_eagerly_and_fullgraph_raises():
    w = ember.ones(3, requires_grad=True)

    def f(x):
        s = (x * w).sum()
        if s.item() > 0:  # Python branching on a value: the call must run eagerly
            return s * 2
        return s * 3
    g = ember.compile(f)
    for v in (1.0, -1.0, 2.0, -3.0):
        x = ember.full((3,), v)
        same(g(x), f(x))
    assert g.why_eager is not None
    h = ember.compile(f, fullgraph=True)
    with pytest.raises(RuntimeError, match="fullgraph"):
        h(ember.ones(3))


def test_random_draw_outside_dropout_runs_eagerly():
    f = ember.compile(lambda x: x + ember.rand(3))
    ember.manual_seed(1)
    a = [f(ember.zeros(3)) for _ in range(3)]
    ember.manual_seed(1)
    b = [ember.zeros(3) + ember.rand(3) for _ in range(3)]
    for x, y in zip(a, b):
        same(x, y)
    assert f.why_eager is not None


def test_compiled_module_trains_outside():
    """torch's usual form: compile the model, run loss and backward outside (a graph replay)."""
    def make():
        ember.manual_seed(0)
        return ember.nn.Sequential(ember.nn.Linear(8, 16), ember.nn.GELU(), ember.nn.LayerNorm(16),
                                   ember.nn.Dropout(0.2), ember.nn.Linear(16, 2))
    m1, m2 = make(), make()
    cm = ember.compile(m2)
    assert isinstance(cm, ember.nn.Module) and cm._orig_mod is m2
    assert list(cm.state_dict()) == ["_orig_mod." + k for k in m2.state_dict()]
    o1, o2 = ember.optim.SGD(m1.parameters(), lr=0.1), ember.optim.SGD(cm.parameters(), lr=0.1)
    for i, (x, y) in enumerate(RNG_DATA[:8]):
        x = ember.tensor(x)
        for m, o in ((m1, o1), (cm, o2)):
            ember.manual_seed(i)  # the same dropout masks for both
            o.zero_grad()
            out = m(x)
            assert out.requires_grad and out.grad_fn is not None
            (out ** 2).mean().backward()
            o.step()
        same_grads(m1, m2), same_state(m1, m2)
    (prog,), = cm._compiled._cache.values()
    assert prog.graph  # replayed on tensors, making the graph the loss's backward runs through


def test_returned_loss_cannot_backward_twice():
    lin = ember.nn.Linear(3, 1)

    def step(x):
        loss = lin(x).sum()
        loss.backward()
        return loss
    f = ember.compile(step)
    x = ember.ones(2, 3)
    f(x)
    loss = f(x)
    assert loss.requires_grad
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()


def test_decorator_forms_and_options():
    @ember.compile(mode="reduce-overhead", dynamic=False, backend="inductor")
    def f(x):
        return (x * 2).exp()

    @ember.compile
    def g(x):
        return (x * 2).exp()
    x = ember.ones(3)
    for _ in range(2):
        same(f(x), g(x))
    assert ember.compile(f, disable=True) is f
    ember.compiler.reset()
    assert len(g._cache) == 0 and g._count == 0


def test_guard_states_keep_their_programs():
    """Switching train/eval (or freezing parameters) back and forth reuses one program per state."""
    ember.manual_seed(0)
    m = ember.nn.Sequential(ember.nn.Linear(4, 4), ember.nn.BatchNorm1d(4))
    f = ember.compile(m)
    x = ember.tensor(RNG.standard_normal((6, 4)).astype(np.float32))
    ember.manual_seed(0)
    m2 = ember.nn.Sequential(ember.nn.Linear(4, 4), ember.nn.BatchNorm1d(4))
    for i in range(6):
        for mm in (m, m2):
            mm.train(i % 2 == 0)
        same(f(x), m2(x))
        same_state(m, m2)  # running statistics updated in training mode only, as eager
    assert f._compiled._count == 2


def test_python_scalars_in_the_closure_are_guarded():
    """A float the function reads from its closure is baked into the program: a new value captures again."""
    lin = ember.nn.Linear(3, 2)
    scale = 2.0

    def f(x):
        return lin(x) * scale
    g = ember.compile(f)
    x = ember.ones(4, 3)
    for v in (2.0, 2.0, 3.0, 3.0, 2.0):
        scale = v
        same(g(x), f(x))
    assert g._count == 2


def test_unused_ops_pruned_and_constant_gradients_folded():
    """An op whose result nothing reads is dropped from the program (the backward still finds
    each node); the mean's gradient of the seed is computed once and kept, and still reaches
    .grad as a fresh array each step, also when .grad was set to None (no aliasing)."""
    xs = RNG.standard_normal((5, 3)).astype(np.float32)

    def run(compile_):
        w = ember.ones(3, 1, requires_grad=True)
        b = ember.zeros(1, requires_grad=True)
        x = ember.tensor(xs)

        def step():
            unused = x * 3  # noqa: F841
            loss = (x @ w + b).mean() + ((x @ w) ** 2).sum() / 7
            loss.backward()
            return loss

        f = ember.compile(step) if compile_ else step
        out = []
        for i in range(7):
            out.append((f().detach(), w.grad.clone(), b.grad.clone()))
            if i % 3 == 1:
                w.grad, b.grad = None, None
            elif i % 3 == 2:
                b.grad.add_(1.0)  # in place: a kept constant must not be .grad's memory
            else:
                b.grad.fill_(0.5)
        return out

    got, want = run(True), run(False)
    for g, e in zip(got, want):
        for a, c in zip(g, e):
            same(a, c)


def test_zero_and_fill_in_the_step():
    x = ember.tensor(RNG.standard_normal(6).astype(np.float32))
    acc = ember.ones(6)

    def step(x):
        acc.fill_(2.0)
        acc.mul_(x)
        y = acc.clone()
        acc.zero_()
        return y

    f = ember.compile(step)
    for _ in range(3):
        same(f(x), x * 2.0)
        same(acc, np.zeros(6, np.float32))


class _Mixed:
    """Models whose ops take the lowered replay (Linear on matrices, matmul, relu, squared error)
    and the cases next to them that must not (no bias, a 3-D input, float64, a sum loss)."""

    @staticmethod
    def make(lib, kind):
        class M(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = lib.nn.Linear(8, 16, bias=kind != "nobias")
                self.w = lib.nn.Parameter(lib.randn(16, 4) * 0.3)
                self.b = lib.nn.Linear(4, 1)

            def forward(self, x):
                if kind == "3d":
                    x = x.reshape(4, 4, 8)
                h = lib.relu(self.a(x))
                h = (h @ self.w) if kind != "3d" else lib.matmul(h, self.w)
                out = self.b(lib.relu(h))
                return out.reshape(16, 1)
        m = M()
        return m.double() if kind == "float64" else m


@pytest.mark.parametrize("kind", ["plain", "nobias", "3d", "float64", "sumloss"])
def test_lowered_ops_match_eager(kind):
    def run(compile_):
        return _model_loop(ember, lambda L: _Mixed.make(L, kind), 12, compile_,
                           opt=lambda p: ember.optim.SGD(p, lr=0.02, momentum=0.9),
                           loss_fn=ember.nn.MSELoss(reduction="sum" if kind == "sumloss" else "mean"),
                           dtype=np.float64 if kind == "float64" else np.float32)

    me, oe, le, _ = run(lambda f: f)
    mc, oc, lc, f = run(ember.compile)
    assert f._count == 1 and f.why_eager is None
    for a, b in zip(le, lc):
        same(a, b)
    same_state(me, mc), same_grads(me, mc), same_optim(oe, oc)


_X = RNG.standard_normal((6, 5)).astype(np.float32)
_TARGETS = {  # (loss of a (6, 5) tensor w and an argument a, the argument's maker)
    "cross_entropy": (lambda w, a: ember.nn.functional.cross_entropy(w, a), lambda r: r.integers(0, 5, 6)),
    "ignore_index": (lambda w, a: ember.nn.functional.cross_entropy(w, a, ignore_index=1), lambda r: r.integers(0, 5, 6)),
    "all_ignored": (lambda w, a: ember.nn.functional.cross_entropy(w, a, ignore_index=1),
                    lambda r: np.ones(6, np.int64) if r.integers(0, 2) else r.integers(0, 5, 6)),
    "label_smoothing": (lambda w, a: ember.nn.functional.cross_entropy(w, a, label_smoothing=0.1),
                        lambda r: r.integers(0, 5, 6)),
    "nll_loss": (lambda w, a: ember.nn.functional.nll_loss(ember.nn.functional.log_softmax(w, 1), a),
                 lambda r: r.integers(0, 5, 6)),
    "multi_margin": (lambda w, a: ember.nn.functional.multi_margin_loss(w, a), lambda r: r.integers(0, 5, 6)),
    "multilabel_margin": (lambda w, a: ember.nn.functional.multilabel_margin_loss(w, a),
                          lambda r: r.integers(-1, 5, (6, 5))),
    "index_select": (lambda w, a: w.index_select(0, a).sum(), lambda r: r.integers(0, 6, 4)),
    "one_hot": (lambda w, a: (w * ember.nn.functional.one_hot(a, 5).float()).sum(), lambda r: r.integers(0, 5, 6)),
    "view_of_input": (lambda w, a: (w * ember.tensor(a.numpy().reshape(6, 5))).sum(), lambda r: r.integers(0, 5, 30)),
    "bool_mask": (lambda w, a: w[a].sum(), lambda r: r.random((6, 5)) > 0.5),
    "masked_select": (lambda w, a: w.masked_select(a).sum(), lambda r: r.random((6, 5)) > 0.5),
    "nonzero": (lambda w, a: w[a.nonzero()[:, 0]].sum(), lambda r: r.random((6, 5)) > 0.5),
    "smooth_l1": (lambda w, a: ember.nn.functional.smooth_l1_loss(w, a), lambda r: r.standard_normal((6, 5)).astype(np.float32)),
    "zeros_inside": (lambda w, a: (w + ember.zeros(6, 5) + ember.arange(5.0) * a).sum(),
                     lambda r: r.standard_normal((6, 5)).astype(np.float32)),
}


@pytest.mark.parametrize("name", sorted(_TARGETS))
def test_arrays_derived_from_arguments_follow_each_call(name):
    """What ember derives from an argument outside its ops (a loss's class weights, a one-hot
    matrix, an index) is computed again at each replay: each call with new targets gives eager's
    loss and gradient, never the first call's."""
    fn, make = _TARGETS[name]
    w = ember.tensor(_X, requires_grad=True)

    def step(a):
        loss = fn(w, a)
        loss.backward()
        return loss
    r = np.random.default_rng(5)
    args = [ember.tensor(make(r)) for _ in range(6)]
    compiled = ember.compile(step)
    for a in args:
        w.grad = None
        got, got_grad = compiled(a).detach(), w.grad.clone()
        w.grad = None
        want = step(a).detach()
        np.testing.assert_array_equal(got.numpy(), want.numpy())
        np.testing.assert_array_equal(got_grad.numpy(), w.grad.numpy())
