"""torch.func's transforms through ember.func and torch.func: the same values, shapes and errors."""
import numpy as np
import pytest
import torch
import torch.func

import ember
import ember.func

from helpers import assert_close, to_np

R = np.random.default_rng(0)
X = R.standard_normal(4)
Y = R.standard_normal(4)
M = R.standard_normal((3, 4))


def f_scalar(lib, x, y):
    return (lib.sin(x) * y).sum() + (x ** 2 * y.exp()).sum()


def f_vec(lib, x):
    return lib.tanh(x[:3] * x[1:]) * x.sum()


def run(fn):
    """fn(lib, F) with F = lib.func, through both libraries."""
    return fn(ember, ember.func), fn(torch, torch.func)


def t(lib, a, grad=False):
    return lib.tensor(a, requires_grad=grad)


@pytest.mark.parametrize("argnums", [0, 1, (0, 1)])
def test_grad_and_value(argnums):
    e, tt = run(lambda lib, F: F.grad_and_value(lambda x, y: f_scalar(lib, x, y), argnums=argnums)(t(lib, X), t(lib, Y)))
    assert_close(list(e[0]) if isinstance(argnums, tuple) else e[0], list(tt[0]) if isinstance(argnums, tuple) else tt[0])
    assert_close(e[1], tt[1])


def test_grad_has_aux_and_pytrees():
    def f(lib, p, x):
        out = (p["w"] @ x + p["b"]).pow(2).sum()
        return out, {"out": out.detach() * 2}
    e, tt = run(lambda lib, F: F.grad(lambda p, x: f(lib, p, x), has_aux=True)(
        {"w": t(lib, M), "b": t(lib, Y[:3])}, t(lib, X)))
    assert_close([e[0]["w"], e[0]["b"], e[1]["out"]], [tt[0]["w"], tt[0]["b"], tt[1]["out"]])


def test_nested_grad_and_errors():
    e, tt = run(lambda lib, F: F.grad(F.grad(lambda x: (x ** 3).sin() * x))(t(lib, 0.7)))
    assert_close(e, tt)
    for lib, F in ((ember, ember.func), (torch, torch.func)):
        with pytest.raises(RuntimeError, match="Expected f\\(\\*args\\) to return a scalar Tensor"):
            F.grad(lambda x: x * 2)(lib.ones(3))


def test_vjp_and_jvp():
    e, tt = run(lambda lib, F: (lambda o: (o[0], o[1](t(lib, Y[:3]))))(F.vjp(lambda x: f_vec(lib, x), t(lib, X))))
    assert_close(e[0], tt[0])
    assert_close(list(e[1]), list(tt[1]))
    e, tt = run(lambda lib, F: F.jvp(lambda x, y: f_vec(lib, x * y), (t(lib, X), t(lib, Y)), (t(lib, Y), t(lib, X))))
    assert_close(list(e), list(tt))
    for lib, F in ((ember, ember.func), (torch, torch.func)):
        with pytest.raises(RuntimeError):
            F.jvp(lambda x: x, (lib.ones(3),), (lib.ones(2),))
        with pytest.raises(RuntimeError):
            F.jvp(lambda x: x, [lib.ones(3)], [lib.ones(3)])


@pytest.mark.parametrize("name", ["jacrev", "jacfwd"])
def test_jacobians(name):
    e, tt = run(lambda lib, F: getattr(F, name)(lambda x: f_vec(lib, x))(t(lib, X)))
    assert_close(e, tt)
    e, tt = run(lambda lib, F: getattr(F, name)(lambda x, y: f_vec(lib, x * y), argnums=(0, 1))(t(lib, X), t(lib, Y)))
    assert_close(list(e), list(tt))
    e, tt = run(lambda lib, F: getattr(F, name)(lambda m, x: lib.tanh(m @ x))(t(lib, M), t(lib, X)))
    assert_close(e, tt)


def test_hessian():
    e, tt = run(lambda lib, F: F.hessian(lambda x: f_scalar(lib, x, x.cos()))(t(lib, X)))
    assert_close(e, tt)
    e, tt = run(lambda lib, F: F.hessian(lambda m: (lib.tanh(m @ t(lib, X)) ** 2).sum())(t(lib, M)))
    assert_close(e, tt)


def test_vmap():
    B = R.standard_normal((5, 3, 4))
    v = R.standard_normal((5, 4))
    e, tt = run(lambda lib, F: F.vmap(lambda a, b: a @ b)(t(lib, B), t(lib, v)))
    assert_close(e, tt)
    e, tt = run(lambda lib, F: F.vmap(lambda a, b: (a * b).sum(), in_dims=(1, None))(t(lib, M), t(lib, Y[:3])))
    assert_close(e, tt)
    e, tt = run(lambda lib, F: F.vmap(lambda a: (a.sum(0), a * 2), out_dims=(0, 1))(t(lib, B)))
    assert_close(list(e), list(tt))
    # per-sample gradients, the classic use
    e, tt = run(lambda lib, F: F.vmap(F.grad(lambda w, x: (lib.tanh(w @ x) ** 2).sum()), in_dims=(None, 0))(
        t(lib, M), t(lib, v)))
    assert_close(e, tt)
    e, tt = run(lambda lib, F: F.vmap(F.vmap(lambda a, b: a * b), in_dims=(0, None))(t(lib, M), t(lib, X)))
    assert_close(e, tt)
    for lib, F in ((ember, ember.func), (torch, torch.func)):
        with pytest.raises(ValueError):
            F.vmap(lambda a, b: a + b)(lib.ones(2, 3), lib.ones(3, 3))
        with pytest.raises(ValueError):
            F.vmap(lambda a: a, in_dims=2)(lib.ones(2, 3))


def _mlp(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.BatchNorm1d(3), lib.nn.Tanh(), lib.nn.Linear(3, 2))


def test_functional_call_and_stack_module_state():
    xs = R.standard_normal((6, 4)).astype(np.float32)
    out = []
    for lib, F in ((ember, ember.func), (torch, torch.func)):
        m = _mlp(lib)
        params = {k: v.detach() * 1.5 for k, v in m.named_parameters()}
        y = F.functional_call(m, (params, dict(m.named_buffers())), (lib.tensor(xs),))
        # the module's own parameters are back afterwards
        y0 = m(lib.tensor(xs))
        m.eval()  # torch's grad transform refuses BatchNorm's in-place running-stat update
        g = F.grad(lambda p: F.functional_call(m, p, lib.tensor(xs)).pow(2).sum())(
            {k: v.detach() for k, v in m.named_parameters()})
        models = [_mlp(lib) for _ in range(3)]
        p, b = F.stack_module_state(models)
        out.append((y, y0, [g[k] for k in sorted(g)], [p[k] for k in sorted(p)], [b[k] for k in sorted(b)],
                    sorted(p), [p[k].requires_grad for k in sorted(p)]))
        with pytest.raises(RuntimeError):
            F.functional_call(m, {"0.weight": lib.zeros(3, 4)}, (lib.tensor(xs),), strict=True)
    (ey, ey0, eg, ep, eb, ek, er), (ty, ty0, tg, tp, tb, tk, tr) = out
    assert_close(ey, ty)
    assert_close(ey0, ty0)
    assert_close(eg, tg, rtol=1e-4, atol=1e-5)
    assert_close(ep, tp)
    assert_close(eb, tb)
    assert ek == tk and er == tr


def test_linearize_functionalize_and_batch_norm_replacement():
    e, tt = run(lambda lib, F: (lambda o: (o[0], o[1](t(lib, Y))))(F.linearize(lambda x: f_vec(lib, x), t(lib, X))))
    assert_close(list(e), list(tt))
    e, tt = run(lambda lib, F: F.functionalize(lambda x: x.clone().add_(1).mul_(2))(t(lib, X)))
    assert_close(e, tt)
    for lib, F in ((ember, ember.func), (torch, torch.func)):
        m = F.replace_all_batch_norm_modules_(_mlp(lib))
        assert m[1].running_mean is None and m[1].track_running_stats is False
        assert F.debug_unwrap(lib.ones(2)).shape == (2,)


@pytest.mark.parametrize("pattern,lengths", [("b (h w) c -> b h w c", dict(h=2)), ("b n c -> c (b n)", {}),
                                             ("... c -> c ...", {}), ("b n c -> b n c 1", {}),
                                             ("b (h w) c -> (b w) h c", dict(w=3))])
def test_rearrange(pattern, lengths):
    x = R.standard_normal((2, 6, 3))
    e, tt = run(lambda lib, F: F.rearrange(t(lib, x), pattern, **lengths))
    assert_close(e, tt)


def test_vmap_randomness():
    x = R.standard_normal((3, 4))
    same = []
    for lib, F in ((ember, ember.func), (torch, torch.func)):
        with pytest.raises(RuntimeError, match="randomness error mode"):
            F.vmap(lambda a: a + lib.rand(4))(t(lib, x))
        lib.manual_seed(0)
        out = F.vmap(lambda a: a * 0 + lib.rand(4), randomness="same")(t(lib, x))
        np.testing.assert_array_equal(to_np(out[0]), to_np(out[2]))  # every element drew the same numbers
        same.append((out, lib.rand(2)))  # torch's numbers, and the generator left where torch leaves it
        out = F.vmap(lambda a: a * 0 + lib.rand(4), randomness="different")(t(lib, x))
        assert not np.array_equal(to_np(out[0]), to_np(out[2]))
        with pytest.raises(RuntimeError):
            F.vmap(lambda a: a, randomness="other")
    assert_close(list(same[0]), list(same[1]))
