"""The autograd engine against torch: backward, grad, hooks, custom Functions, grad modes,
in-place rules, graph freeing and deep graphs."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_close


def both(a, requires_grad=True):
    return ember.tensor(a, requires_grad=requires_grad), torch.tensor(a, requires_grad=requires_grad)


A = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
B = np.random.default_rng(1).standard_normal((4,)).astype(np.float32)


def test_accumulation_and_zero():
    for lib, x in zip((ember, torch), both(A)):
        (x * 2).sum().backward()
        (x * x).sum().backward()
        if lib is ember:
            ge = x.grad.clone()
        else:
            gt = x.grad.clone()
    assert_close(ge, gt)
    xe, xt = both(A)
    (xe * 3).sum().backward()
    xe.grad.zero_()
    assert np.all(xe.grad.numpy() == 0)


def test_backward_with_gradient_argument_and_broadcast():
    (xe, xt), (ye, yt) = both(A), both(B)
    g = np.random.default_rng(2).standard_normal((3, 4)).astype(np.float32)
    (xe * ye).backward(ember.tensor(g))
    (xt * yt).backward(torch.tensor(g))
    assert_close(xe.grad, xt.grad)
    assert_close(ye.grad, yt.grad)


def test_nonscalar_backward_needs_gradient():
    xe, xt = both(A)
    with pytest.raises(RuntimeError, match="implicitly created only for scalar"):
        (xe * 2).backward()
    with pytest.raises(RuntimeError, match="implicitly created only for scalar"):
        (xt * 2).backward()


def test_second_backward_raises_without_retain_graph():
    for x in both(A):
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()  # allowed: the graph was retained the first time
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.backward()


def test_graph_is_freed_after_backward():
    xe, _ = both(A)
    y = (xe * xe).sum()
    mul = y.grad_fn.next_functions[0][0]  # MulBackward saved x: freed after backward
    y.backward()
    assert mul._freed and mul.inputs is None


def test_backward_on_tensor_without_grad_raises():
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="does not require grad"):
            lib.ones(3).sum().backward()


def test_autograd_grad_and_double_backward():
    for lib, x in zip((ember, torch), both(A)):
        y = (x ** 3).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        assert x.grad is None  # grad() does not accumulate
        if lib is ember:
            ge, gge = g, gg
        else:
            gt, ggt = g, gg
    assert_close(ge, gt)
    assert_close(gge, ggt)


def test_double_backward_through_backward():
    for lib, x in zip((ember, torch), both(A)):
        y = (x.tanh() * x.exp()).sum()
        y.backward(create_graph=True)
        g = x.grad
        x.grad = None
        (g * g).sum().backward()
        if lib is ember:
            e = x.grad
        else:
            t = x.grad
    assert_close(e, t, rtol=1e-4, atol=1e-5)


def test_grad_allow_unused_and_nonleaf_inputs():
    for lib, (x, y) in ((ember, both(A)[:1] + both(B)[:1]), (torch, both(A)[1:] + both(B)[1:])):
        h = x * 2
        out = (h * 3).sum()
        with pytest.raises(RuntimeError):
            lib.autograd.grad(out, [h, y], retain_graph=True)
        gh, gy = lib.autograd.grad(out, [h, y], allow_unused=True)
        assert gy is None
        np.testing.assert_allclose(np.asarray(gh.detach()), 3 * np.ones((3, 4)))


def test_no_grad_enable_grad_set_grad_enabled_inference_mode():
    for lib in (ember, torch):
        x = lib.ones(2, requires_grad=True)
        with lib.no_grad():
            assert not (x * 2).requires_grad
            with lib.enable_grad():
                assert (x * 2).requires_grad
        with lib.set_grad_enabled(False):
            assert not (x * 2).requires_grad
        assert (x * 2).requires_grad
        with lib.inference_mode():
            assert not (x * 2).requires_grad

        @lib.no_grad()
        def f(v):
            return v * 2
        assert not f(x).requires_grad
        assert lib.is_grad_enabled()
        prev = lib.set_grad_enabled(False)
        assert not lib.is_grad_enabled()
        lib.set_grad_enabled(True)
        del prev


class CubeE(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x, k):
        ctx.save_for_backward(x)
        ctx.k = k
        return x ** 3 * k

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        assert ctx.needs_input_grad == (True, False)
        return gy * 3 * x ** 2 * ctx.k, None


class CubeT(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, k):
        ctx.save_for_backward(x)
        ctx.k = k
        return x ** 3 * k

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy * 3 * x ** 2 * ctx.k, None


def test_custom_function():
    xe, xt = both(A)
    ye, yt = CubeE.apply(xe, 2.0), CubeT.apply(xt, 2.0)
    assert_close(ye, yt)
    assert ye.grad_fn is not None and "CubeE" in ye.grad_fn.name()
    ye.sum().backward()
    yt.sum().backward()
    assert_close(xe.grad, xt.grad)


class SplitE(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        idx = x.argmax()
        ctx.mark_non_differentiable(idx)
        return x * 2, x * 3, idx

    @staticmethod
    def backward(ctx, g1, g2, gidx):
        return g1 * 2 + g2 * 3


def test_custom_function_multiple_outputs_and_non_differentiable():
    xe, xt = both(B)
    a, b, idx = SplitE.apply(xe)
    assert not idx.requires_grad
    (a.sum() + 0 * b.sum()).backward()  # b's gradient is zeros
    np.testing.assert_allclose(xe.grad.numpy(), np.full(4, 2.0))
    xe.grad = None
    a, b, _ = SplitE.apply(xe)
    b.sum().backward()  # a gets no gradient: materialized as zeros
    np.testing.assert_allclose(xe.grad.numpy(), np.full(4, 3.0))


def test_hooks_and_retain_grad():
    for lib, x in zip((ember, torch), both(A)):
        seen = []
        h = x * 2
        h.retain_grad()
        h.register_hook(lambda g: seen.append(g.clone()) or g * 10)
        handle = x.register_hook(lambda g: g + 1)
        (h * h).sum().backward()
        if lib is ember:
            he, xe, se = h.grad, x.grad, seen[0]
        else:
            ht, xt, st = h.grad, x.grad, seen[0]
        handle.remove()
    assert_close(se, st)
    assert_close(xe, xt)
    assert_close(he, ht)


def test_is_leaf_grad_fn_requires_grad():
    for lib in (ember, torch):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        assert x.is_leaf and not y.is_leaf and y.requires_grad and x.grad_fn is None
        assert lib.ones(2).is_leaf
        z = y.detach()
        assert z.is_leaf and not z.requires_grad
        with pytest.raises(RuntimeError):
            lib.ones(2, dtype=lib.int64).requires_grad_()
        w = lib.zeros(3)
        w.requires_grad_()
        assert w.requires_grad


def test_inplace_on_leaf_requiring_grad_raises():
    for lib in (ember, torch):
        x = lib.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            x.add_(1)
        with lib.no_grad():
            x.add_(1)  # allowed: optimizers do this
        assert float(x.sum()) == 6.0


def test_modified_saved_tensor_is_detected():
    for lib, x in zip((ember, torch), both(A)):
        y = x.exp()
        z = y * 2
        y.add_(1)  # exp saved its output, which is now changed
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            (y.sum() + z.sum()).backward()
    for lib, x in zip((ember, torch), both(A)):
        a = x * 1
        b = a * a  # mul saved a
        a.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            b.sum().backward()


def test_inplace_on_nonleaf_rebases_history():
    for lib, x in zip((ember, torch), both(A)):
        y = x * 2
        y.mul_(3)
        y.add_(x).relu_()
        y.sum().backward()
        if lib is ember:
            e, ge = y, x.grad
        else:
            t, gt = y, x.grad
    assert_close(e, t)
    assert_close(ge, gt)


def test_setitem_under_autograd():
    (xe, xt), (ve, vt) = both(A), both(B[:3].copy())
    for x, v in ((xe, ve), (xt, vt)):
        y = x * 1
        y[:, 1] = v * 2
        y[0, 0] = 5.0
        (y * y).sum().backward()
    assert_close(xe.grad, xt.grad)
    assert_close(ve.grad, vt.grad)


def test_deep_chain_has_no_recursion_limit():
    x = ember.ones(1, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0001 ** 10_000], rtol=1e-3)


def test_grad_dtype_matches_input_under_promotion():
    xe = ember.ones(3, requires_grad=True)
    ye = ember.ones(3, dtype=ember.float64, requires_grad=True)
    (xe * ye).sum().backward()
    assert xe.grad.dtype == ember.float32 and ye.grad.dtype == ember.float64


def test_backward_inputs_argument():
    for lib, (x, y) in ((ember, both(A)[:1] + both(A)[:1]), (torch, both(A)[1:] + both(A)[1:])):
        (x * y).sum().backward(inputs=[x])
        assert x.grad is not None and y.grad is None


def test_version_counter_shared_by_views():
    for lib in (ember, torch):
        x = lib.zeros(4)
        v = x[1:3]
        version = (lambda: x._version_counter) if lib is ember else (lambda: x._version)
        v0 = version()
        v.add_(1)
        assert version() > v0 and x.tolist() == [0, 1, 1, 0]


def test_requires_grad_flag_propagation_and_detach_shares_memory():
    for lib in (ember, torch):
        x = lib.ones(3, requires_grad=True)
        d = x.detach()
        d[0] = 7
        assert float(x[0]) == 7.0
        assert not (lib.ones(3) * 2).requires_grad
        assert (lib.ones(3) * x).requires_grad


def test_inplace_through_views_rebases_the_base():
    a_np = np.random.default_rng(3).random((3, 4)).astype(np.float32)
    out = []
    for lib in (ember, torch):
        a = lib.tensor(a_np, requires_grad=True)
        h = a * 2
        v = h[0]
        v[1] = 5                       # item assignment on a view
        h.diagonal().mul_(3)           # in place on a strided view
        h[:, 2:].add_(a[:, :2] * 2)    # in place on a slice, with a value that has history
        h.view(-1)[3:5].relu_()        # a view of a view
        (h * h).sum().backward()
        out.append((h, a.grad))
    assert_close(out[0][0], out[1][0])
    assert_close(out[0][1], out[1][1])


def test_gradients_flowing_as_arrays_never_alias():
    # without create_graph the engine passes raw arrays; one array may reach several leaves
    # (add passes its gradient to both inputs) or a retained grad and a leaf: each .grad
    # must still be its own tensor, as in torch
    for lib in (ember, torch):
        a, b = (lib.tensor(A, requires_grad=True) for _ in range(2))
        s = a + b
        s.retain_grad()
        s.sum().backward()
        a.grad.add_(1)
        assert float(b.grad.sum()) == 12.0 and float(s.grad.sum()) == 12.0, lib.__name__


def test_graph_runs_in_creation_order_with_shared_subgraphs():
    # a diamond whose branches have different lengths: every contribution must arrive
    # before a node runs (the engine orders nodes by when they were made)
    def f(lib, x):
        h = x.tanh()
        long = ((h * 2).exp() * h).sin()
        return (long + h.pow(3) + x * h).sum()
    e, t = both(A)
    f(ember, e).backward()
    f(torch, t).backward()
    assert_close(e.grad, t.grad)


FAST_PATH_EXPRESSIONS = [  # the dunders' and reductions' fast paths, next to the general ones
    lambda x, y: x + y, lambda x, y: x - y, lambda x, y: x * y, lambda x, y: x / y,
    lambda x, y: x + 2, lambda x, y: 3 * x, lambda x, y: 2.5 + x, lambda x, y: x / 4,
    lambda x, y: x ** 2, lambda x, y: x ** 3, lambda x, y: x.abs() ** 0.5,
    lambda x, y: (x * y).sum(), lambda x, y: (x - y).mean(), lambda x, y: x[1, 1:3] * y[0, :2],
    lambda x, y: 2 - x, lambda x, y: 1.5 / y, lambda x, y: x[1, 2] * y[2:, 0:-1], lambda x, y: x ** y.abs(),
    lambda x, y: x @ y.T, lambda x, y: (x.T @ y).tanh(),
]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("k", range(len(FAST_PATH_EXPRESSIONS)))
@pytest.mark.parametrize("grad", [False, True])
def test_fast_paths_agree_with_torch(k, dtype, grad):
    f = FAST_PATH_EXPRESSIONS[k]
    a, b = A.astype(dtype), (A[::-1] + 2).astype(dtype)
    out = {}
    for lib in (ember, torch):
        x, y = (lib.tensor(v, requires_grad=grad) for v in (a, b))
        r = f(x, y)
        if grad:
            r.sum().backward(create_graph=True)
            if k < 4:  # a second backward through the recorded gradient, into the same .grad
                (x.grad * y).sum().backward()
        out[lib] = (r, x.grad, y.grad)
    (re, xe, ye), (rt, xt, yt) = out[ember], out[torch]
    tol = 1e-2 if dtype == "float16" else 1e-5
    assert_close(re, rt, atol=tol, rtol=tol)
    if grad:
        for ge, gt in ((xe, xt), (ye, yt)):
            assert (ge is None) == (gt is None)
            if ge is not None:
                assert_close(ge, gt, atol=tol, rtol=tol)


def test_basic_index_fast_path_makes_views():
    # x[ints and slices] outside autograd is a view: shared memory and version, writes show
    # through, out-of-range raises torch's IndexError, all ints give a 0-d tensor
    out = {}
    for lib in (ember, torch):
        x = lib.tensor(A.copy())
        v = x[1, 1:3]
        s = x[2, 0]
        v.mul_(10)
        x[0, 0:2] = 7.0
        with pytest.raises(IndexError) as e:
            x[1, A.shape[1]]
        w = lib.tensor(A.copy(), requires_grad=True)
        with lib.no_grad():
            u = w[0, 1:]
        version = v._version if lib is torch else v._version[0]  # (ember keeps a shared list)
        out[lib] = (x, version, s.shape, v._base is x, u.requires_grad, u._base is w, str(e.value))
    (xe, *re), (xt, *rt) = out[ember], out[torch]
    assert_close(xe, xt)
    assert re == rt


def test_backward_after_a_failed_backward_is_clean():
    # an error mid-way (here a hook) must leave no gradient waiting in the graph for the next call
    out = {}
    for lib, x in zip((ember, torch), both(A)):
        a = x * 3
        b = a.sin()
        c = (b + a).sum()  # when b's hook fails, a's node already holds the gradient through "+ a"

        def fail(g):
            raise ValueError("boom")
        handle = b.register_hook(fail)
        with pytest.raises(ValueError):
            c.backward(retain_graph=True)
        handle.remove()
        c.backward()
        out[lib] = x.grad
    assert_close(out[ember], out[torch])


def test_double_backward_through_grad_outputs():
    # a Hessian-vector product: the given grad_outputs tensor keeps its own history
    out = {}
    for lib in (ember, torch):
        x = lib.tensor(A.copy(), requires_grad=True)
        v = lib.tensor(A[::-1].copy(), requires_grad=True)
        g, = lib.autograd.grad((x ** 3).sum() * 1.0 + (x * x).sum(), x, create_graph=True)
        hv, = lib.autograd.grad(g, x, grad_outputs=v, create_graph=True)
        (hv * hv).sum().backward()
        y = x.tanh()
        y.backward(v * 2, create_graph=True)
        out[lib] = (hv, v.grad, x.grad)
    for e, t in zip(out[ember], out[torch]):
        assert_close(e, t, atol=1e-5, rtol=1e-5)


def test_fill_and_zero_under_autograd_overwrite_inf_and_nan():
    # the old value gets a zero gradient, and inf/NaN in it do not leak into the filled value
    out = {}
    for lib in (ember, torch):
        a = lib.tensor([1.0, float("inf"), float("nan")], requires_grad=True)
        b, c = a * 2, a * 3
        b.zero_()
        c.fill_(2.5)
        (b + c + a).sum().backward()
        out[lib.__name__] = (b.detach().numpy(), c.detach().numpy(), a.grad.numpy())
    for e, t in zip(out["ember"], out["torch"]):
        np.testing.assert_array_equal(e, t)
