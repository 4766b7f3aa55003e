"""Gradients of complex inputs against torch. torch's convention for a function of complex z:
grad_z = grad_out * conj(d out / d z) for holomorphic functions, so that gradient descent on a
real loss moves z downhill; every pointwise primitive's backward conjugates its derivative
when the gradient is complex."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_close

rng = np.random.default_rng(0)


def cplx(*shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def check_complex(fn, *arrays, rtol=1e-10, atol=1e-12, dtype=np.complex128):
    """fn(lib, *tensors) -> real scalar loss; compare the loss and every input's gradient."""
    res = []
    for lib in (ember, torch):
        xs = [lib.tensor(a.astype(dtype) if a.dtype.kind == "c" else a, requires_grad=True) for a in arrays]
        loss = fn(lib, *xs)
        loss.backward()
        res.append((loss, [x.grad for x in xs]))
    (le, ge), (lt, gt) = res
    assert_close(le, lt, rtol, atol)
    for e, t in zip(ge, gt):
        assert_close(e, t, rtol, atol)


A, B = cplx(3, 4), cplx(3, 4)
POS = (rng.uniform(0.5, 2.0, (3, 4)) + 1j * rng.uniform(-1, 1, (3, 4)))  # right half-plane: no branch cuts
SMALL = cplx(3, 4) * 0.4                                                # inside the unit disc

UNARY = {
    "exp": (lambda x: x.exp(), A), "log": (lambda x: x.log(), POS), "log2": (lambda x: x.log2(), POS),
    "log10": (lambda x: x.log10(), POS), "log1p": (lambda x: x.log1p(), POS), "expm1": (lambda x: x.expm1(), A),
    "sqrt": (lambda x: x.sqrt(), POS), "rsqrt": (lambda x: x.rsqrt(), POS), "sin": (lambda x: x.sin(), A),
    "cos": (lambda x: x.cos(), A), "tan": (lambda x: x.tan(), SMALL), "asin": (lambda x: x.asin(), SMALL),
    "acos": (lambda x: x.acos(), SMALL), "atan": (lambda x: x.atan(), SMALL), "sinh": (lambda x: x.sinh(), A),
    "cosh": (lambda x: x.cosh(), A), "tanh": (lambda x: x.tanh(), SMALL), "asinh": (lambda x: x.asinh(), SMALL),
    "acosh": (lambda x: x.acosh(), POS + 2), "atanh": (lambda x: x.atanh(), SMALL),
    "sigmoid": (lambda x: x.sigmoid(), SMALL), "reciprocal": (lambda x: x.reciprocal(), POS),
    "square": (lambda x: x.square(), A), "neg": (lambda x: -x, A), "conj": (lambda x: x.conj() * x.conj(), A),
    "pow2": (lambda x: x ** 2, A), "pow3": (lambda x: x ** 3, A), "pow_half": (lambda x: x ** 0.5, POS),
    "pow_complex": (lambda x: x ** (1.5 - 0.5j), POS), "scalar_mul": (lambda x: x * (2 - 3j), A),
    "scalar_div": (lambda x: (1 + 2j) / x, POS), "exp2": (lambda x: x.exp2(), A),
}


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_complex_gradient(name):
    f, x = UNARY[name]
    # a loss that is not holomorphic in the output: |f(z)|^2 and Re/Im parts, so every part of the gradient counts
    check_complex(lambda lib, z: (f(z).abs() ** 2).sum() + f(z).real.sum() * 0.5 - f(z).imag.sum() * 0.25, x)


@pytest.mark.parametrize("name,f", [
    ("mul", lambda a, b: a * b), ("div", lambda a, b: a / b), ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b), ("pow", lambda a, b: a ** (b * 0.3)),
])
def test_binary_complex_gradient(name, f):
    b = POS if name in ("div", "pow") else B
    a = POS if name == "pow" else A
    check_complex(lambda lib, x, y: f(x, y).abs().sum(), a, b)
    check_complex(lambda lib, x, y: (f(x, y) * (0.5 - 1j)).real.sum(), a, b)


def test_mixed_real_and_complex_operands():
    r = rng.standard_normal((3, 4))
    check_complex(lambda lib, x, y: (x * y).abs().sum(), A, r)           # real y: its gradient is real
    check_complex(lambda lib, x, y: (x / y).imag.sum(), A, r + 3)
    check_complex(lambda lib, x, y: (y / x).abs().sum(), POS, r)


def test_chains_and_real_to_complex_functions():
    check_complex(lambda lib, a, b: ((a * b).exp().log() / b).abs().sum(), SMALL, POS)
    check_complex(lambda lib, a: (a.sin() * a.cos() + a.tanh()).abs().pow(2).sum(), SMALL)
    check_complex(lambda lib, a: a.abs().sum() + a.angle().sum() + (a * a.conj()).real.sum(), A)
    check_complex(lambda lib, a: lib.view_as_real(a.exp()).sum(), A)
    check_complex(lambda lib, a, b: (a @ b.mT).abs().sum(), A, B)


@pytest.mark.parametrize("zero", [False, True])
def test_products_and_einsum(zero):
    z = cplx(3, 4)
    if zero:
        z[1, 2] = 0  # the zero-safe product gradients
    check_complex(lambda lib, a: a.prod(1).abs().sum() + (a.prod() * 1j).real, z)
    check_complex(lambda lib, a: a.cumprod(1).abs().sum(), z)
    check_complex(lambda lib, a, b: lib.einsum("ij,kj->ik", a, b).abs().sum(), z, B)


def test_sgn():
    z = cplx(3, 4)
    z[1, 2] = 0  # sgn(0) = 0, with a zero gradient there
    check_complex(lambda lib, a: (lib.sgn(a) * (1 + 2j)).real.sum() + (a.sgn() * (0.5 - 1j)).imag.sum(), z)
    r = rng.standard_normal((3, 4))
    r[0, 0] = 0
    assert_close(ember.tensor(r).sgn(), torch.tensor(r).sgn())


def test_complex64_and_second_order():
    check_complex(lambda lib, a, b: (a * b).exp().abs().sum(), SMALL, SMALL, rtol=1e-5, atol=1e-6,
                  dtype=np.complex64)
    res = []
    for lib in (ember, torch):
        z = lib.tensor(POS, requires_grad=True)
        (g,) = lib.autograd.grad((z.log() * z).abs().sum(), z, create_graph=True)
        (gg,) = lib.autograd.grad(g.abs().sum(), z)
        res.append((g, gg))
    assert_close(res[0][0], res[1][0])
    assert_close(res[0][1], res[1][1], rtol=1e-9, atol=1e-10)
