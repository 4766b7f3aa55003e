"""torch.autograd.graph through ember and torch: saved-tensor hooks (what is packed, with grad
off; what backward gets back), disable_saved_tensors_hooks, save_on_cpu, gradient edges and
increment_version."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_close
from test_runtime import _Square

RNG = np.random.default_rng(0)
X, W = RNG.standard_normal(4).astype(np.float32), RNG.standard_normal(4).astype(np.float32)


def _graph(lib, pack, unpack):
    x, w = lib.tensor(X, requires_grad=True), lib.tensor(W, requires_grad=True)
    with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
        loss = (x * w).sum() + lib.exp(x).sum() + lib.relu(w).sum()
    loss.backward()
    return x.grad, w.grad


def test_pack_and_unpack_see_what_torch_sees():
    log = {}
    for lib in (ember, torch):
        calls = log[lib.__name__] = []

        def pack(t, calls=calls, lib=lib):
            calls.append(("pack", tuple(t.shape), lib.is_grad_enabled(), t.requires_grad))
            return t

        def unpack(p, calls=calls):
            calls.append(("unpack", tuple(p.shape)))
            return p
        gx, gw = _graph(lib, pack, unpack)
        log[lib.__name__ + "grads"] = (gx, gw)
    assert sorted(log["ember"]) == sorted(log["torch"])
    for a, b in zip(log["embergrads"], log["torchgrads"]):
        assert_close(a, b)


def test_backward_uses_what_unpack_returns():
    """A pack hook that keeps twice the tensor: every saved value doubles, in both libraries."""
    grads = [_graph(lib, lambda t: t * 2, lambda p: p) for lib in (ember, torch)]
    for a, b in zip(*grads):
        assert_close(a, b)
    plain = _graph(ember, lambda t: t, lambda p: p)
    assert not np.allclose(grads[0][0].numpy(), plain[0].numpy())  # the hook changed the gradient


def test_save_on_cpu_and_custom_function():
    for lib in (ember, torch):
        Square = _Square.build(lib, wrong=False)  # saves its input, returns x * x
        seen = []
        x = lib.tensor(X, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: seen.append(1) or t * 3, lambda p: p):
            y = Square.apply(x).sum()
        y.backward()
        assert seen  # the Function's saved tensor went through pack
        assert_close(x.grad, torch.tensor(6 * X))
        x2 = lib.tensor(X, requires_grad=True)
        with lib.autograd.graph.save_on_cpu():
            (x2 * x2).sum().backward()
        assert_close(x2.grad, torch.tensor(2 * X))


def test_disable_saved_tensors_hooks_raises_the_message():
    for lib in (ember, torch):
        with lib.autograd.graph.disable_saved_tensors_hooks("not here"):
            with pytest.raises(RuntimeError, match="not here"):
                with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda p: p):
                    pass
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda p: p):  # allowed again
            pass


def test_gradient_edge_and_increment_version():
    for lib in (ember, torch):
        x = lib.tensor(X, requires_grad=True)
        y = (x * 2).sum()
        e = lib.autograd.graph.get_gradient_edge(y)
        assert e.node is y.grad_fn and e.output_nr == 0
        assert isinstance(y.grad_fn, lib.autograd.graph.Node)
        assert lib.autograd.graph.get_gradient_edge(x).output_nr == 0
        with pytest.raises(RuntimeError):
            lib.autograd.graph.get_gradient_edge(lib.tensor(X))
        z = x * 1
        (z * z).sum()  # saves z
        lib.autograd.graph.increment_version(z)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            w = x * 1
            out = (w * w).sum()
            lib.autograd.graph.increment_version(w)
            out.backward()


def test_compiled_step_with_hooks_runs_eagerly():
    w = ember.tensor(W, requires_grad=True)
    packs = []

    def step(x):
        with ember.autograd.graph.saved_tensors_hooks(lambda t: packs.append(1) or t, lambda p: p):
            loss = (x * w).sum()
        loss.backward()
        return loss
    step(ember.tensor(X))
    per_call = len(packs)
    f = ember.compile(step)
    for _ in range(3):
        f(ember.tensor(X))
    assert per_call and len(packs) == 4 * per_call and "saved_tensors_hooks" in f.why_eager
