"""torch.special against torch (and SciPy as a second oracle where torch's own float64 kernels are
less accurate): values over wide grids, float32/float64/integer inputs, gradients (some second
order), which results carry no gradient, torch's errors, and the top-level aliases."""
import math

import numpy as np
import pytest
import scipy.special as sc
import torch

import ember
from helpers import assert_close

GRID = np.concatenate([np.linspace(-30, 30, 241), [0.0, 0.5, 1e-3, 1e-8, -1e-8, 50, 100, 700, -0.5, -2.5, -3.0,
                                                   1.0, 2.0, np.inf, -np.inf, np.nan]])
POS = np.concatenate([np.geomspace(1e-6, 80, 120), [0.0, 1.0, 2.0, 100.0, 500.0, np.inf, np.nan]])
UNIT = np.concatenate([np.linspace(0, 1, 101), [1e-300, 1e-20, 1e-10, 1 - 1e-10, -0.1, 1.1, np.nan]])


def both(name, *arrays, **kw):
    e = getattr(ember.special, name)(*[ember.tensor(a) if isinstance(a, np.ndarray) else a for a in arrays], **kw)
    t = getattr(torch.special, name)(*[torch.tensor(a) if isinstance(a, np.ndarray) else a for a in arrays], **kw)
    return e, t


# name: (inputs, rtol, atol) in float64; torch's kernels are the oracle to these tolerances
UNARY = {
    "gammaln": (GRID, 1e-13, 1e-13), "digamma": (GRID, 1e-12, 1e-12), "psi": (GRID, 1e-12, 1e-12),
    "erf": (GRID, 1e-15, 1e-15), "erfc": (GRID, 1e-13, 1e-300), "erfcx": (GRID, 1e-13, 1e-300),
    "erfinv": (np.linspace(-1, 1, 41), 1e-13, 1e-13), "expit": (GRID, 1e-15, 1e-300), "exp2": (GRID, 1e-15, 0),
    "expm1": (GRID, 1e-15, 0), "log1p": (POS, 1e-15, 0), "ndtr": (GRID, 1e-13, 1e-300),
    "log_ndtr": (GRID, 1e-13, 1e-13), "ndtri": (UNIT, 1e-13, 1e-13), "logit": (UNIT, 1e-13, 1e-13),
    "entr": (GRID, 1e-14, 1e-14), "sinc": (GRID, 1e-14, 1e-15), "round": (GRID, 0, 0),
    "i0": (GRID, 1e-13, 1e-300), "i0e": (GRID, 1e-13, 1e-300), "i1": (GRID, 1e-13, 1e-300),
    "i1e": (GRID, 1e-13, 1e-300), "modified_bessel_i0": (GRID, 1e-13, 1e-300),
    "modified_bessel_i1": (GRID, 1e-13, 1e-300), "modified_bessel_k0": (POS, 1e-13, 1e-300),
    "modified_bessel_k1": (POS, 1e-13, 1e-300), "scaled_modified_bessel_k0": (POS, 1e-13, 1e-300),
    "scaled_modified_bessel_k1": (POS, 1e-13, 1e-300), "spherical_bessel_j0": (GRID, 1e-14, 1e-15),
    # torch's float64 J/Y/Ai kernels are themselves off by up to ~1e-6 (absolute, e.g. J0(-5.25), Ai(-2.25));
    # ember's are checked against SciPy to ~1e-13 below
    "bessel_j0": (GRID, 1e-7, 2e-6), "bessel_j1": (GRID, 1e-7, 2e-6), "bessel_y0": (POS, 1e-7, 2e-6),
    "bessel_y1": (POS, 1e-7, 2e-6), "airy_ai": (np.concatenate([GRID, np.linspace(-200, -30, 50)]), 1e-7, 2e-6),
}


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_float64(name):
    x, rtol, atol = UNARY[name]
    e, t = both(name, x)
    assert_close(e, t, rtol, atol)


SCIPY = {"bessel_j0": sc.j0, "bessel_j1": sc.j1, "bessel_y0": sc.y0, "bessel_y1": sc.y1,
         "airy_ai": lambda x: sc.airy(x)[0], "erfcx": sc.erfcx, "ndtri": sc.ndtri, "log_ndtr": sc.log_ndtr,
         "modified_bessel_k0": sc.k0, "modified_bessel_k1": sc.k1, "i0e": sc.i0e, "i1": sc.i1}


@pytest.mark.parametrize("name", list(SCIPY))
def test_against_scipy(name):
    # ember's kernels are more accurate than torch's for some: SciPy (Cephes) checks them tightly
    x = UNIT if name == "ndtri" else POS if "k" in name or "y" in name else GRID
    x = x[np.isfinite(x)]
    e = getattr(ember.special, name)(ember.tensor(x)).numpy()
    ref = SCIPY[name](x)
    big = np.abs(x) >= 12 if name.startswith("bessel") else np.zeros(x.shape, bool)
    # J/Y above 12 use Hankel's expansion (error ~1e-10 at 12); near zeros of an oscillating function
    # the error is absolute
    np.testing.assert_allclose(e[~big], ref[~big], rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(e[big], ref[big], rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("name", ["gammaln", "digamma", "erfcx", "log_ndtr", "ndtri", "i0", "i0e", "i1", "i1e",
                                  "bessel_j0", "bessel_y1", "modified_bessel_k0", "airy_ai", "entr", "ndtr"])
def test_float32_and_int(name):
    x = (UNIT if name == "ndtri" else POS if "k0" in name or "y1" in name else GRID).astype(np.float32)
    e, t = both(name, x)
    # torch's float32 kernels for the oscillating functions lose up to ~3e-6 (absolute) at large |x|
    assert_close(e, t, 2e-6, 1e-5 if name in ("bessel_j0", "bessel_y1", "airy_ai") else 1e-6)
    ints = np.arange(-3, 6) if name not in ("ndtri",) else np.arange(0, 2)
    e, t = both(name, ints)
    assert_close(e, t, 2e-6, 1e-6)


def test_polygamma_zeta_multigammaln():
    x = np.concatenate([np.linspace(0.05, 20, 60), [-0.5, -2.5, 0.0, np.inf]])
    for n in range(5):
        e, t = both("polygamma", n, x)
        assert_close(e, t, 1e-9, 1e-12)  # torch's trigamma kernel is off by ~5e-10 relative
        np.testing.assert_allclose(e.numpy()[:60], sc.polygamma(n, x[:60]), rtol=1e-13)
    q = np.linspace(-3.5, 20, 40)
    for s in (1.0, 1.5, 2.0, 3.0, 7.5):
        e, t = both("zeta", np.full_like(q, s), q)
        assert_close(e, t, 1e-12, 1e-14)
    e, t = both("zeta", 2.0, q)
    assert_close(e, t, 1e-12, 1e-14)
    for p in (1, 2, 5):
        e, t = both("multigammaln", np.linspace(3, 10, 8), p)
        assert_close(e, t, 1e-13, 1e-13)


def test_incomplete_gamma():
    a = np.array([0.0, 0.5, 1, 2, 5, 10, 30, 100.0])
    x = np.array([0.0, 0.1, 1, 3, 5, 10, 40, 90.0, np.inf])
    A, X = np.meshgrid(a, x)
    for name in ("gammainc", "gammaincc"):
        e, t = both(name, A, X)
        assert_close(e, t, 1e-9, 1e-300)  # torch's own igamma is ~7e-10 off SciPy at a = x = 100
        ok = A > 0
        np.testing.assert_allclose(e.numpy()[ok], getattr(sc, name)(A, X)[ok], rtol=1e-12, atol=1e-300)
    e, t = both("gammainc", np.array([-1.0, 1.0]), np.array([1.0, -1.0]))
    assert_close(e, t)


def test_binary_and_reductions():
    x, y = np.linspace(-2, 3, 11), np.linspace(-0.9, 4, 11)
    x[3] = 0.0
    for name in ("xlogy", "xlog1py"):
        e, t = both(name, x, y)
        assert_close(e, t, 1e-14, 1e-14)
        e, t = both(name, 2.0, y)
        assert_close(e, t, 1e-14, 1e-14)
    m = np.random.default_rng(0).standard_normal((3, 4))
    for name, kw in (("logsumexp", {"dim": 1}), ("softmax", {"dim": 0}), ("log_softmax", {"dim": -1})):
        e, t = both(name, m, **kw)
        assert_close(e, t)
    e, t = both("softmax", m.astype(np.float32), dim=1)
    assert_close(e, t)
    e = ember.special.log_softmax(ember.tensor(m.astype(np.float32)), 1, dtype=ember.float64)
    t = torch.special.log_softmax(torch.tensor(m.astype(np.float32)), 1, dtype=torch.float64)
    assert_close(e, t)
    e, t = both("round", np.array([0.125, 2.675, -1.5]), decimals=2)
    assert_close(e, t)


POLY = {"chebyshev_polynomial_t": (-1.2, 1.2), "chebyshev_polynomial_u": (-1.2, 1.2),
        "chebyshev_polynomial_v": (-1.2, 1.2), "chebyshev_polynomial_w": (-1.2, 1.2),
        "shifted_chebyshev_polynomial_t": (-0.2, 1.2), "shifted_chebyshev_polynomial_u": (-0.2, 1.2),
        "shifted_chebyshev_polynomial_v": (-0.2, 1.2), "shifted_chebyshev_polynomial_w": (-0.2, 1.2),
        "hermite_polynomial_h": (-3, 3), "hermite_polynomial_he": (-3, 3), "laguerre_polynomial_l": (0, 10),
        "legendre_polynomial_p": (-1, 1)}


@pytest.mark.parametrize("name", list(POLY))
def test_polynomials(name):
    lo, hi = POLY[name]
    x = np.concatenate([np.linspace(lo, hi, 25), [-1.0, 0.0, 1.0]])
    n = np.array([-1, 0, 1, 2, 3, 5, 7, 9, 12])
    X, N = np.meshgrid(x, n)
    e, t = both(name, X, N)
    assert_close(e, t, 1e-10, 1e-10)
    e, t = both(name, x.astype(np.float32), 4)
    assert_close(e, t, 1e-5, 1e-5)
    e, t = both(name, 0.5, n)
    assert_close(e, t, 1e-5, 1e-5)
    assert not e.requires_grad


# ---------------------------------------------------------------- gradients
def grad_check(fn, *arrays, rtol=1e-10, atol=1e-12, second=False):
    res = []
    for lib in (ember, torch):
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        y = fn(lib, *xs)
        w = lib.tensor(np.random.default_rng(1).standard_normal(tuple(y.shape)))
        gs = lib.autograd.grad((y * w).sum(), xs, create_graph=second)
        out = [y, *gs]
        if second:
            out += list(lib.autograd.grad(sum((g * g).sum() for g in gs), xs))
        res.append(out)
    for e, t in zip(*res):
        assert_close(e, t, rtol, atol)


GRADS = {
    "gammaln": np.array([0.3, 1.5, 4.0, 10.0, -0.5]), "digamma": np.array([0.3, 1.5, 4.0, 10.0, -0.5]),
    "erfcx": np.array([-2.0, -0.3, 0.5, 3.0, 30.0]), "log_ndtr": np.array([-30.0, -3.0, 0.0, 2.0, 8.0]),
    "ndtri": np.array([1e-10, 0.1, 0.5, 0.9]), "ndtr": np.array([-3.0, 0.0, 1.5]),
    "i0": np.array([-3.0, 0.0, 0.5, 10.0]), "i0e": np.array([-3.0, 0.5, 10.0, 40.0]),
    "i1": np.array([-3.0, 0.0, 0.5, 10.0]), "i1e": np.array([-3.0, 0.0, 0.5, 40.0]),
    "entr": np.array([0.1, 1.0, 3.0]), "expit": np.array([-2.0, 0.0, 3.0]), "logit": np.array([0.1, 0.5, 0.8]),
    "sinc": np.array([-1.5, 0.3, 2.0]), "erf": np.array([-1.0, 0.5]), "erfc": np.array([-1.0, 0.5]),
    "erfinv": np.array([-0.5, 0.9]), "expm1": np.array([-1.0, 2.0]), "exp2": np.array([-1.0, 2.0]),
    "log1p": np.array([-0.5, 2.0]), "psi": np.array([0.7, 3.0]),
}


@pytest.mark.parametrize("name", list(GRADS))
def test_gradients(name):
    grad_check(lambda lib, x: getattr(lib.special, name)(x), GRADS[name], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["gammaln", "digamma", "i0", "i1e", "erfcx", "log_ndtr", "ndtri"])
def test_second_order(name):
    grad_check(lambda lib, x: getattr(lib.special, name)(x), GRADS[name][:3], rtol=1e-8, atol=1e-12, second=True)


def test_gradients_two_arguments():
    x, q = np.array([2.0, 3.5]), np.array([0.7, 4.0])
    grad_check(lambda lib, a, b: lib.special.polygamma(2, a) + lib.special.xlog1py(a, b) + lib.special.xlogy(a, b),
               x, q, rtol=1e-9)
    grad_check(lambda lib, a, b: lib.special.multigammaln(a, 3) * b, np.array([2.5, 4.0]), q)
    res = []
    for lib in (ember, torch):
        a = lib.tensor([1.5, 3.0])
        xx = lib.tensor([0.5, 4.0], requires_grad=True)
        s = lib.tensor([2.0, 3.0])
        (lib.special.gammainc(a, xx) + 2 * lib.special.gammaincc(a, xx) + lib.special.zeta(s, xx)).sum().backward()
        res.append(xx.grad)
    assert_close(res[0], res[1], 1e-9, 1e-12)


def test_errors_and_no_grad():
    for lib in (ember, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        for name in ("bessel_j0", "airy_ai", "modified_bessel_k1", "spherical_bessel_j0"):
            assert not getattr(lib.special, name)(x).requires_grad
        with pytest.raises(NotImplementedError, match="the derivative for 'igamma: input' is not implemented."):
            lib.special.gammainc(x, lib.tensor([1.0, 2.0])).sum().backward()
        with pytest.raises(NotImplementedError, match="the derivative for 'igammac: input' is not implemented."):
            lib.special.gammaincc(x, lib.tensor([1.0, 2.0])).sum().backward()
        with pytest.raises(NotImplementedError, match="the derivative for 'zeta' is not implemented."):
            lib.special.zeta(x, lib.tensor([1.0, 2.0])).sum().backward()
        with pytest.raises(RuntimeError, match="polygamma\\(n, x\\) does not support negative n."):
            lib.special.polygamma(-1, x)


def test_top_level_aliases():
    x = np.array([0.5, 1.5, 7.0])
    for name, args in (("lgamma", ()), ("digamma", ()), ("i0", ())):
        assert_close(getattr(ember, name)(ember.tensor(x)), getattr(torch, name)(torch.tensor(x)), 1e-13, 1e-13)
    assert_close(ember.polygamma(1, ember.tensor(x)), torch.polygamma(1, torch.tensor(x)), 1e-9)
    assert_close(ember.mvlgamma(ember.tensor(x + 2), p=2), torch.mvlgamma(torch.tensor(x + 2), p=2), 1e-13)
    for name in ("igamma", "igammac"):
        assert_close(getattr(ember, name)(ember.tensor(x), ember.tensor(x * 2)),
                     getattr(torch, name)(torch.tensor(x), torch.tensor(x * 2)))
    assert ember.special.i0(ember.tensor([1, 2])).dtype == ember.float32
