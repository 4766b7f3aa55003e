"""torch.nn.utils.prune through ember and torch: the same masks, parameters, buffers, hooks and errors."""
import importlib

import numpy as np
import pytest
import torch

import ember

from helpers import assert_close


def P(lib):
    return importlib.import_module(lib.__name__ + ".nn.utils.prune")


def net(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Conv2d(2, 4, 3), lib.nn.ReLU(), lib.nn.Flatten(), lib.nn.Linear(4 * 4 * 4, 5))


X = np.random.default_rng(0).standard_normal((3, 2, 6, 6)).astype(np.float32)

STEPS = {
    "identity": lambda p, m: p.identity(m[0], "weight"),
    "random_unstructured": lambda p, m: p.random_unstructured(m[0], "weight", amount=0.3),
    "l1_unstructured": lambda p, m: p.l1_unstructured(m[3], "weight", amount=17),
    "random_structured": lambda p, m: p.random_structured(m[0], "weight", amount=0.5, dim=0),
    "ln_structured": lambda p, m: p.ln_structured(m[0], "weight", amount=2, n=1, dim=1),
    "ln_structured_inf": lambda p, m: p.ln_structured(m[3], "weight", amount=0.4, n=float("inf"), dim=0),
    "global_unstructured": lambda p, m: p.global_unstructured([(m[0], "weight"), (m[3], "weight"), (m[3], "bias")],
                                                              pruning_method=p.L1Unstructured, amount=0.25),
    "custom_from_mask": lambda p, m: p.custom_from_mask(m[3], "bias", mask=(m[3].bias.detach() > 0).float()),
    "iterative": lambda p, m: (p.l1_unstructured(m[3], "weight", amount=0.2), p.ln_structured(m[3], "weight", 0.5, 2, 0),
                               p.random_unstructured(m[3], "weight", amount=0.1)),
    "importance_scores": lambda p, m: p.l1_unstructured(m[0], "weight", amount=0.5,
                                                        importance_scores=m[0].weight.detach().flip(0)),
}


@pytest.mark.parametrize("name", sorted(STEPS))
def test_pruning_methods(name):
    out = []
    for lib in (ember, torch):
        m = net(lib)
        STEPS[name](P(lib), m)
        y = m(lib.tensor(X))
        y.sum().backward()
        params = dict(m.named_parameters())
        bufs = dict(m.named_buffers())
        grads = {k: v.grad for k, v in params.items()}
        out.append((y, sorted(params), sorted(bufs), [bufs[k] for k in sorted(bufs)], [grads[k] for k in sorted(grads)],
                    P(lib).is_pruned(m), sorted(m.state_dict()),
                    [type(h).__name__ for mod in m.modules() for h in mod._forward_pre_hooks.values()]))
    (ye, pe, be, bve, ge, ie, se, he), (yt, pt, bt, bvt, gt, it, st, ht) = out
    assert (pe, be, ie, se, he) == (pt, bt, it, st, ht)
    assert_close(bve, bvt)
    assert_close(ye, yt, rtol=1e-4, atol=1e-5)
    assert_close(ge, gt, rtol=1e-4, atol=1e-5)


def test_remove_makes_pruning_permanent():
    out = []
    for lib in (ember, torch):
        p = P(lib)
        m = net(lib)
        p.l1_unstructured(m[3], "weight", amount=0.5)
        p.random_unstructured(m[3], "weight", amount=0.2)
        p.remove(m[3], "weight")
        with pytest.raises(ValueError):
            p.remove(m[3], "weight")
        out.append((m[3].weight, sorted(dict(m.named_parameters())), sorted(dict(m.named_buffers())),
                    len(m[3]._forward_pre_hooks), p.is_pruned(m), type(m[3].weight).__name__))
    (we, *re), (wt, *rt) = out
    assert re == rt
    assert_close(we, wt)


def test_amount_errors():
    kinds = []
    for lib in (ember, torch):
        p = P(lib)
        for kw, err in [(dict(amount=-0.1), ValueError), (dict(amount=1.5), ValueError), (dict(amount=10 ** 6), ValueError),
                        (dict(amount="a"), TypeError)]:
            with pytest.raises(err):
                p.l1_unstructured(net(lib)[3], "weight", **kw)
        with pytest.raises((TypeError, ValueError)) as e:
            p.global_unstructured([(net(lib)[3], "weight")], pruning_method=p.RandomStructured, amount=0.1)
        kinds.append((type(e.value), str(e.value).replace(lib.__name__ + ".", "")))
    assert kinds[0] == kinds[1]
