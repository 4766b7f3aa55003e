"""torch's top-level names that ember gained late (norm_except_dim, lu_unpack, gradient, binomial,
embedding_renorm_, from_file, signal.windows, nn.DataParallel), each against torch."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_close, check, check_error

rng = np.random.default_rng(0)


def _flat(lib, outs):
    return lib.cat([o.reshape(-1) for o in outs])


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("p", [2, 1, 3])
def test_norm_except_dim(dim, p):
    v = rng.standard_normal((3, 4, 2)).astype(np.float32)
    check(lambda lib, x: lib.norm_except_dim(x, p, dim), v)


def test_norm_except_dim_defaults():
    v = rng.standard_normal((3, 4))
    check(lambda lib, x: lib.norm_except_dim(x), v)


@pytest.mark.parametrize("shape", [(4, 4), (2, 5, 3), (3, 3, 5)])
def test_lu_unpack(shape):
    a = rng.standard_normal(shape)

    def fn(lib, x):
        LU, piv = lib.linalg.lu_factor(x)
        P, L, U = lib.lu_unpack(LU, piv)
        assert P.dtype == L.dtype == U.dtype
        return _flat(lib, (P, L, U))
    check(fn, a)


def test_lu_unpack_parts():
    a = rng.standard_normal((2, 4, 3))
    for kw in ({"unpack_data": False}, {"unpack_pivots": False}):
        outs = []
        for lib in (ember, torch):
            LU, piv = lib.linalg.lu_factor(lib.tensor(a))
            outs.append(lib.lu_unpack(LU, piv, **kw))
        assert_close(outs[0], outs[1])


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("spacing,dim", [(1, None), (0.5, None), ([2.0, 0.5], None), (1.5, 1), (2.0, [0]),
                                         ([0.25], -1)])
def test_gradient_uniform(edge_order, spacing, dim):
    f = rng.standard_normal((5, 6)).astype(np.float32)
    check(lambda lib, x: _flat(lib, lib.gradient(x, spacing=spacing, dim=dim, edge_order=edge_order)), f)


@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient_coordinates(edge_order):
    f = rng.standard_normal((5, 4))
    x0 = np.cumsum(rng.uniform(0.2, 1.0, 5))
    x1 = np.cumsum(rng.uniform(0.2, 1.0, 4))

    def fn(lib, t):
        return _flat(lib, lib.gradient(t, spacing=(lib.tensor(x0), lib.tensor(x1)), edge_order=edge_order))
    check(fn, f)


def test_gradient_int_input_and_errors():
    f = np.array([1, 2, 4, 8, 16])
    check(lambda lib, x: lib.gradient(x)[0], f, grad=False)
    check_error(lambda lib, x: lib.gradient(x, edge_order=2), np.array([1.0, 2.0]))
    check_error(lambda lib, x: lib.gradient(x, spacing=[1.0, 2.0]), np.array([1.0, 2.0, 3.0]))


def test_binomial_draws():
    count = rng.integers(0, 40, (3, 5)).astype(np.float32)
    prob = rng.uniform(0, 1, (3, 5)).astype(np.float32)
    ember.manual_seed(7)
    torch.manual_seed(7)
    e = ember.binomial(ember.tensor(count), ember.tensor(prob))
    t = torch.binomial(torch.tensor(count), torch.tensor(prob))
    assert_close(e, t)


@pytest.mark.parametrize("norm_type", [2.0, 1.0])
def test_embedding_renorm_(norm_type):
    w = rng.standard_normal((6, 3)).astype(np.float32) * 2
    idx = np.array([0, 2, 2, 5])
    we, wt = ember.tensor(w), torch.tensor(w)
    re = ember.embedding_renorm_(we, ember.tensor(idx), 1.0, norm_type)
    rt = torch.embedding_renorm_(wt, torch.tensor(idx), 1.0, norm_type)
    assert re is we and rt is wt
    assert_close(we, wt)


@pytest.mark.parametrize("shared", [False, True])
def test_from_file(tmp_path, shared):
    data = rng.standard_normal(10).astype(np.float32)
    path = tmp_path / "x.bin"
    data.tofile(path)
    e = ember.from_file(str(path), shared=shared, size=8, dtype=ember.float32)
    t = torch.from_file(str(path), shared=shared, size=8, dtype=torch.float32)
    assert_close(e, t)
    if shared:
        e[0] = 5.0
        assert np.fromfile(path, dtype=np.float32)[0] == 5.0


_WINDOWS = [("bartlett", {}), ("blackman", {}), ("cosine", {}), ("exponential", {"tau": 2.0}), ("gaussian", {"std": 0.7}),
            ("general_cosine", {"a": [0.5, 0.3, 0.2]}), ("general_hamming", {"alpha": 0.6}), ("hamming", {}),
            ("hann", {}), ("kaiser", {"beta": 5.0}), ("nuttall", {})]


@pytest.mark.parametrize("name,kw", _WINDOWS)
@pytest.mark.parametrize("M", [0, 1, 2, 7, 16])
@pytest.mark.parametrize("sym", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_signal_windows(name, kw, M, sym, dtype):
    import torch.signal.windows as tw

    import ember.signal.windows as ew
    e = getattr(ew, name)(M, sym=sym, dtype=getattr(ember, dtype), **kw)
    t = getattr(tw, name)(M, sym=sym, dtype=getattr(torch, dtype), **kw)
    assert_close(e, t, rtol=1e-5 if dtype == "float32" else 1e-12, atol=1e-6 if dtype == "float32" else 1e-12)


def test_signal_windows_defaults_and_errors():
    assert_close(ember.signal.windows.exponential(6, center=1.5, sym=False),
                 torch.signal.windows.exponential(6, center=1.5, sym=False))
    assert_close(ember.signal.windows.hann(9), torch.signal.windows.hann(9))
    for fn, args, kw in [("hann", (-1,), {}), ("hann", (4,), {"dtype": "int64"}), ("gaussian", (4,), {"std": 0.0}),
                         ("kaiser", (4,), {"beta": -1.0}), ("exponential", (4,), {"center": 1.0})]:
        with pytest.raises(ValueError):
            getattr(torch.signal.windows, fn)(*args, **{k: getattr(torch, v) if k == "dtype" else v
                                                         for k, v in kw.items()})
        with pytest.raises(ValueError):
            getattr(ember.signal.windows, fn)(*args, **{k: getattr(ember, v) if k == "dtype" else v
                                                         for k, v in kw.items()})


def test_data_parallel_wraps_the_module():
    w = rng.standard_normal((3, 4)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    outs = {}
    for lib in (ember, torch):
        lin = lib.nn.Linear(4, 3)
        with lib.no_grad():
            lin.weight.copy_(lib.tensor(w))
            lin.bias.copy_(lib.tensor(b))
        dp = lib.nn.DataParallel(lin)
        assert dp.module is lin and dp.device_ids == []
        y = dp(lib.tensor(x))
        y.sum().backward()
        outs[lib.__name__] = (dp, y, lin.weight.grad)
    (de, ye, ge), (dt, yt, gt) = outs["ember"], outs["torch"]
    assert_close(ye, yt)
    assert_close(ge, gt)
    assert list(de.state_dict()) == list(dt.state_dict()) == ["module.weight", "module.bias"]
    assert repr(de) == repr(dt)
    assert ember.nn.parallel.DataParallel is ember.nn.DataParallel


def _align(e, t):
    """Singular vectors are defined up to sign: flip ember's columns onto torch's."""
    e, t = np.array(e.detach()._data), t.detach().numpy()
    return e * np.sign(np.sum(e * t, axis=-2, keepdims=True)), t


@pytest.mark.parametrize("fn,shape,kw", [("svd_lowrank", (2, 8, 5), {"q": 3}), ("svd_lowrank", (5, 9), {}),
                                         ("pca_lowrank", (7, 4), {}), ("pca_lowrank", (6, 5), {"q": 2, "center": False}),
                                         ("svd_lowrank", (6, 4), {"q": 2, "niter": 0})])
def test_lowrank(fn, shape, kw):
    a = rng.standard_normal(shape)
    ember.manual_seed(3)
    torch.manual_seed(3)
    e = getattr(ember, fn)(ember.tensor(a), **kw)
    t = getattr(torch, fn)(torch.tensor(a), **kw)
    assert_close(e[1], t[1], rtol=1e-8, atol=1e-10)
    for ev, tv in ((e[0], t[0]), (e[2], t[2])):
        assert ev.shape == tuple(tv.shape) and ev.dtype == ember.float64
        x, y = _align(ev, tv)
        np.testing.assert_allclose(x, y, rtol=1e-7, atol=1e-9)


def test_lowrank_gradient_and_errors():
    a = rng.standard_normal((6, 4))

    def fn(lib, x):
        lib.manual_seed(5)
        return lib.svd_lowrank(x, q=3)[1]
    check(fn, a, rtol=1e-7, atol=1e-9)
    check_error(lambda lib, x: lib.pca_lowrank(x, q=9), a)
    check_error(lambda lib, x: lib.pca_lowrank(x, niter=-1), a)


_MASK = np.array([[True, False, True, True], [False, False, False, False], [True, True, False, True]])
_MASKED = [("sum", (1,), {}), ("sum", (None,), {}), ("sum", ((0, 1),), {"keepdim": True}), ("prod", (1,), {}),
           ("amax", (1,), {}), ("amin", (0,), {"keepdim": True}), ("argmax", (1,), {}), ("argmin", (0,), {}),
           ("mean", (1,), {}), ("mean", (None,), {}), ("median", (1,), {}), ("logsumexp", (1,), {}),
           ("norm", (2.0, 1), {}), ("norm", (1.0, 0), {}), ("var", (1,), {}), ("var", (0,), {"unbiased": False}),
           ("std", (1,), {"correction": 0, "keepdim": True}), ("cumsum", (1,), {}), ("cumprod", (0,), {}),
           ("softmax", (1,), {}), ("log_softmax", (1,), {}), ("softmin", (0,), {}), ("normalize", (2.0, 1), {})]


@pytest.mark.parametrize("name,args,kw", _MASKED)
def test_masked(name, args, kw):
    x = rng.standard_normal((3, 4))
    grad = name not in ("argmax", "argmin", "median")

    def fn(lib, t, m):
        out = getattr(lib.masked, name)(t, *args, mask=m, **kw)
        return out if not grad else lib.where(lib.isnan(out) | lib.isinf(out), lib.zeros_like(out), out)
    check(fn, x, _MASK, grad=grad)


def test_masked_broadcast_mask_and_logaddexp():
    x = rng.standard_normal((3, 4))
    check(lambda lib, t, m: lib.masked.sum(t, 1, mask=m), x, np.array([True, False, True, True]))
    check(lambda lib, t, m: lib.masked.amax(t, 0), x, _MASK, grad=False)
    y = rng.standard_normal((3, 4))
    check(lambda lib, a, b, m: lib.masked.logaddexp(a, b, input_mask=m, other_mask=~m).exp(), x, y, _MASK)


@pytest.mark.parametrize("kw", [{"bins": 4}, {"bins": [3, 5], "range": [-1.0, 1.0, -2.0, 2.0]},
                                {"bins": 3, "density": True}, {"bins": [2, 3, 4], "weight": True},
                                {"bins": [np.array([-2.0, 0.0, 1.0, 3.0]), np.array([-1.0, 1.0])]}])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_histogramdd(kw, dtype):
    n = len(kw["bins"]) if isinstance(kw["bins"], list) else 2
    x = rng.standard_normal((4, 15, n)).astype(dtype)
    w = rng.uniform(0, 2, (4, 15)).astype(dtype)
    outs = []
    for lib in (ember, torch):
        k = dict(kw)
        if isinstance(k["bins"], list):
            k["bins"] = [lib.tensor(b.astype(dtype)) if isinstance(b, np.ndarray) else b for b in k["bins"]]
        if k.pop("weight", False):
            k["weight"] = lib.tensor(w)
        outs.append(lib.histogramdd(lib.tensor(x), **k))
    (he, ee), (ht, et) = outs
    assert_close(he, ht)
    assert len(ee) == len(et)
    assert_close(list(ee), list(et), rtol=1e-6 if dtype == np.float32 else 1e-14)


def test_histogramdd_errors():
    check_error(lambda lib, x: lib.histogramdd(x, bins=3), np.zeros(5))
    check_error(lambda lib, x: lib.histogramdd(x, bins=[3, 3]), np.zeros((5, 3)))


def test_histogramdd_degenerate_range():
    e = ember.histogramdd(ember.ones(3, 1), bins=2)
    t = torch.histogramdd(torch.ones(3, 1), bins=2)
    assert_close(e.hist, t.hist)
    assert_close(list(e.bin_edges), list(t.bin_edges))


@pytest.mark.parametrize("name", ["uint16", "uint32", "uint64"])
def test_shell_uint_dtypes(name):
    v = np.array([0, 1, 7, 200], dtype=name)
    e, t = ember.tensor(v, dtype=getattr(ember, name)), torch.tensor(v, dtype=getattr(torch, name))
    de, dt = getattr(ember, name), getattr(torch, name)
    assert (de.is_signed, de.is_floating_point, de.itemsize) == (dt.is_signed, dt.is_floating_point, dt.itemsize)
    assert ember.iinfo(de).max == torch.iinfo(dt).max and ember.iinfo(de).bits == torch.iinfo(dt).bits
    assert_close(e, t)
    for f in (lambda lib, x: x == 7, lambda lib, x: x * x, lambda lib, x: x.double(), lambda lib, x: x.to(lib.int64),
              lambda lib, x: lib.cat([x, x[1:]]), lambda lib, x: x.sum(), lambda lib, x: x.cumsum(0),
              lambda lib, x: lib.zeros(3, dtype=x.dtype), lambda lib, x: x.float() + 1):
        assert_close(f(ember, e), f(torch, t))
    assert_close(ember.tensor([1.5, 2.7]).to(de), torch.tensor([1.5, 2.7]).to(dt))
    assert repr(e).replace("ember.", "torch.") == repr(t)
    assert ember.promote_types(de, ember.float32) is ember.float32
    for other in ("int8", "uint8", "int64", "bool"):
        with pytest.raises(RuntimeError) as te:
            torch.promote_types(dt, getattr(torch, other))
        with pytest.raises(RuntimeError) as ee:
            ember.promote_types(de, getattr(ember, other))
        assert str(ee.value) == str(te.value)
    with pytest.raises(RuntimeError):
        e + ember.tensor([1, 2, 3, 4])


@pytest.mark.parametrize("kw", [{}, {"scramble": True, "seed": 3}, {"scramble": True}])
@pytest.mark.parametrize("dim", [1, 5])
def test_sobol_engine(kw, dim):
    ember.manual_seed(11)
    torch.manual_seed(11)
    e, t = ember.quasirandom.SobolEngine(dim, **kw), torch.quasirandom.SobolEngine(dim, **kw)
    assert repr(e) == repr(t)
    assert_close(e.draw(), t.draw())
    assert_close(e.draw(6), t.draw(6))
    assert_close(e.draw(3, dtype=ember.float64), t.draw(3, dtype=torch.float64))
    e.fast_forward(5)
    t.fast_forward(5)
    assert_close(e.draw(4), t.draw(4))
    assert e.num_generated == t.num_generated
    e.reset()
    t.reset()
    assert_close(e.draw_base2(3), t.draw_base2(3))
    assert_close(e.sobolstate, t.sobolstate)
    with pytest.raises(ValueError):
        e.draw_base2(2)
    with pytest.raises(ValueError):
        ember.quasirandom.SobolEngine(0)


def test_sobol_engine_fast_forward_first():
    e, t = ember.quasirandom.SobolEngine(3), torch.quasirandom.SobolEngine(3)
    e.fast_forward(5)
    t.fast_forward(5)
    assert_close(e.draw(2), t.draw(2))
