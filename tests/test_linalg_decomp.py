"""torch.linalg's decompositions and the functions built on them, against torch: values (on
sign-invariant quantities where a factor is unique only up to sign or phase), gradients (some
second order), dtypes, batching, named-tuple fields and torch's errors."""
import math

import numpy as np
import pytest
import torch

import ember
from helpers import assert_close, to_np

rng = np.random.default_rng(0)


def r(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def spd(*shape, dtype=np.float64):
    """Symmetric positive-definite matrices (batched) with well-separated eigenvalues."""
    n = shape[-1]
    a = rng.standard_normal(shape)
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(dtype)


def sym(*shape, dtype=np.float64):
    a = rng.standard_normal(shape)
    return ((a + np.swapaxes(a, -1, -2)) / 2).astype(dtype)


def cplx(*shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex128)


def run(fn, arrays, lib, grad):
    xs = [lib.tensor(a, requires_grad=grad and a.dtype.kind in "fc") if isinstance(a, np.ndarray) else a
          for a in arrays]
    out = fn(lib, *xs)
    return xs, (out if isinstance(out, (tuple, list)) else (out,))


def check_multi(fn, *arrays, rtol=1e-7, atol=1e-8, grad=True):
    """fn(lib, *tensors) returns a tensor or a tuple of them: compare each, then the gradient of
    sum(out_i * w_i) for fixed random weights w_i."""
    xe, oe = run(fn, arrays, ember, grad)
    xt, ot = run(fn, arrays, torch, grad)
    assert len(oe) == len(ot)
    for e, t in zip(oe, ot):
        assert_close(e, t, rtol, atol)
    if not grad:
        return
    g = np.random.default_rng(5)
    ws = [g.standard_normal(tuple(t.shape)).astype(to_np(t).real.dtype) for t in ot]
    le = sum(((e.real if e.is_complex() else e) * ember.tensor(w)).sum() for e, w in zip(oe, ws) if e.requires_grad)
    lt = sum(((t.real if t.is_complex() else t) * torch.tensor(w)).sum() for t, w in zip(ot, ws) if t.requires_grad)
    le.backward()
    lt.backward()
    for e, t in zip(xe, xt):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            assert_close(e.grad, t.grad, rtol, atol)


def check_second(fn, *arrays, rtol=1e-6, atol=1e-7):
    """Second order: the gradient of <grad f, v> against torch."""
    res = []
    for lib in (ember, torch):
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        y = fn(lib, *xs)
        gs = lib.autograd.grad(y, xs, create_graph=True)
        v = [lib.tensor(np.random.default_rng(3 + i).standard_normal(a.shape)) for i, a in enumerate(arrays)]
        gg = lib.autograd.grad(sum((a * b).sum() for a, b in zip(gs, v)), xs)
        res.append((gs, gg))
    for e, t in zip(res[0][0] + res[0][1], res[1][0] + res[1][1]):
        assert_close(e, t, rtol, atol)


W = np.random.default_rng(9).standard_normal(8)


# ---------------------------------------------------------------- SVD
def svd_inv(lib, a, full=False):
    U, S, Vh = lib.linalg.svd(a, full_matrices=full)
    k = S.shape[-1]
    w = lib.tensor(W[:k].astype(to_np(S).dtype))
    return S, (U[..., :k] * w) @ Vh[..., :k, :], U.abs(), Vh.abs()


@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 4, 4), (2, 1, 3, 2)])
def test_svd(shape):
    check_multi(svd_inv, r(*shape))


def test_svd_full_matrices_float32_and_fields():
    check_multi(lambda lib, a: svd_inv(lib, a, True), r(5, 3, dtype=np.float32), rtol=1e-4, atol=1e-4)
    res = ember.linalg.svd(ember.tensor(r(4, 3)))
    assert type(res).__name__ == "linalg_svd" and res.U.shape == (4, 4) and res.Vh.shape == (3, 3)
    assert res.S.dtype == ember.float64


def test_svdvals_and_second_order():
    check_multi(lambda lib, a: lib.linalg.svdvals(a), r(2, 4, 3))
    check_second(lambda lib, a: lib.linalg.svdvals(a).sum(), r(3, 3))
    check_second(lambda lib, a: svd_inv(lib, a)[1].sum(), r(4, 3))


def test_svd_repeated_singular_values_give_nan_as_torch():
    for lib in (ember, torch):
        a = lib.eye(3, dtype=lib.float64, requires_grad=True)
        U = lib.linalg.svd(a)[0]
        U.sum().backward()
        assert np.isnan(to_np(a.grad)).all()
        b = lib.eye(3, dtype=lib.float64, requires_grad=True)
        lib.linalg.svdvals(b).sum().backward()  # singular values alone are fine
        assert_close(b.grad, torch.eye(3, dtype=torch.float64))


def test_svd_complex():
    # (U[:, :1] @ Vh[:1]) does not change when u_1 and v_1 share a phase
    check_multi(lambda lib, a: (lambda U, S, Vh: (S, (U[:, :1] @ Vh[:1]).abs(), U.abs()))(*lib.linalg.svd(a, False)),
                cplx(4, 3))
    for lib in (ember, torch):
        a = lib.tensor(cplx(3, 3), requires_grad=True)
        with pytest.raises(RuntimeError, match="specified up to multiplication by e\\^{i phi}"):
            lib.linalg.svd(a)[0].real.sum().backward()


# ---------------------------------------------------------------- eigenvalues
def eigh_inv(lib, a, uplo="L"):
    L, V = lib.linalg.eigh(a, UPLO=uplo)
    w = lib.tensor(W[:L.shape[-1]].astype(to_np(L).dtype))
    return L, (V * w) @ V.mT, V.abs()


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)])
def test_eigh(shape):
    check_multi(eigh_inv, sym(*shape))
    check_multi(lambda lib, a: lib.linalg.eigvalsh(a), sym(*shape))


def test_eigh_uplo_float32_second_order():
    check_multi(lambda lib, a: eigh_inv(lib, a, "U"), r(4, 4))  # reads the upper triangle only
    check_multi(eigh_inv, sym(3, 3, dtype=np.float32), rtol=1e-4, atol=1e-4)
    check_second(lambda lib, a: eigh_inv(lib, a)[1].sum(), sym(3, 3))
    check_second(lambda lib, a: lib.linalg.eigvalsh(a).pow(2).sum(), sym(3, 3))


def test_eigh_repeated_eigenvalues_and_complex_phase():
    for lib in (ember, torch):
        a = lib.eye(3, dtype=lib.float64, requires_grad=True)
        lib.linalg.eigh(a)[1].sum().backward()
        assert np.isnan(to_np(a.grad)).all()
        c = cplx(3, 3)
        h = lib.tensor(c + c.conj().T, requires_grad=True)
        with pytest.raises(RuntimeError, match="linalg_eigh_backward: The eigenvectors in the complex case"):
            lib.linalg.eigh(h)[1].real.sum().backward()


def eig_inv(lib, a):
    L, V = lib.linalg.eig(a)
    return L, V.abs()


def test_eig():
    a = r(2, 4, 4)
    check_multi(eig_inv, a)
    check_multi(lambda lib, a: lib.linalg.eigvals(a).abs(), r(3, 3))
    e, t = ember.linalg.eig(ember.tensor(r(3, 3, dtype=np.float32))), torch.linalg.eig(torch.tensor(r(3, 3)))
    assert e.eigenvalues.dtype == ember.complex64 and type(e).__name__ == "linalg_eig"
    # a matrix with real eigenvalues still gives complex results
    assert ember.linalg.eigvals(ember.eye(2)).dtype == ember.complex64 == getattr(ember, str(
        torch.linalg.eigvals(torch.eye(2)).dtype).split(".")[1])


# ---------------------------------------------------------------- QR
@pytest.mark.parametrize("shape,mode", [((5, 3), "reduced"), ((3, 3), "complete"), ((3, 5), "reduced"),
                                        ((2, 4, 2), "reduced"), ((5, 3), "complete")])
def test_qr(shape, mode):
    check_multi(lambda lib, a: tuple(lib.linalg.qr(a, mode)), r(*shape), grad=not (mode == "complete"
                                                                                  and shape[0] > shape[1]))


def test_qr_r_mode_float32_errors():
    check_multi(lambda lib, a: lib.linalg.qr(a, "r").R, r(4, 3), grad=False)
    assert ember.linalg.qr(ember.ones(3, 2), "r").Q.shape == torch.linalg.qr(torch.ones(3, 2), "r").Q.shape
    check_multi(lambda lib, a: tuple(lib.linalg.qr(a)), r(4, 3, dtype=np.float32), rtol=1e-4, atol=1e-4)
    check_second(lambda lib, a: lib.linalg.qr(a).Q.sum() + lib.linalg.qr(a).R.pow(2).sum(), r(4, 3))
    for lib in (ember, torch):
        a = lib.tensor(r(3, 3), requires_grad=True)
        with pytest.raises(RuntimeError, match="The derivative of linalg.qr depends on Q"):
            lib.linalg.qr(a, "r").R.sum().backward()
        a = lib.tensor(r(4, 3), requires_grad=True)
        with pytest.raises(RuntimeError, match="not differentiable when mode='complete' and nrows > ncols"):
            lib.linalg.qr(a, "complete").Q.sum().backward()


# ---------------------------------------------------------------- Cholesky
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(upper):
    check_multi(lambda lib, a: lib.linalg.cholesky(a, upper=upper), spd(2, 3, 3))
    check_second(lambda lib, a: lib.linalg.cholesky(a, upper=upper).pow(3).sum(), spd(3, 3))


def test_cholesky_ex_and_errors():
    check_multi(lambda lib, a: tuple(lib.linalg.cholesky_ex(a)), spd(3, 3, dtype=np.float32), rtol=1e-5, atol=1e-5)
    bad = np.stack([spd(3, 3), np.diag([1.0, -1.0, 1.0])])
    assert_close(ember.linalg.cholesky_ex(ember.tensor(bad)).info, torch.linalg.cholesky_ex(torch.tensor(bad)).info)
    for lib in (ember, torch):
        with pytest.raises(lib.linalg.LinAlgError, match="\\(Batch element 1\\): The factorization could not be "
                           "completed because the input is not positive-definite \\(the leading minor of order 2 "
                           "is not positive-definite\\)."):
            lib.linalg.cholesky(lib.tensor(bad))
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)


# ---------------------------------------------------------------- inverse, solve, det
def test_inv_ex_solve_ex_slogdet():
    a = spd(2, 3, 3)
    check_multi(lambda lib, a: tuple(lib.linalg.inv_ex(a)), a)
    check_multi(lambda lib, a, b: tuple(lib.linalg.solve_ex(a, b)), a, r(2, 3, 2))
    sing = np.stack([np.eye(3), np.ones((3, 3))])
    assert_close(ember.linalg.inv_ex(ember.tensor(sing)).info, torch.linalg.inv_ex(torch.tensor(sing)).info)
    assert_close(ember.linalg.solve_ex(ember.tensor(sing), ember.ones(2, 3, 1, dtype=ember.float64)).info,
                 torch.linalg.solve_ex(torch.tensor(sing), torch.ones(2, 3, 1, dtype=torch.float64)).info)
    m = r(2, 4, 4)
    check_multi(lambda lib, a: tuple(lib.linalg.slogdet(a)), m)
    check_second(lambda lib, a: lib.linalg.slogdet(a).logabsdet.sum(), r(3, 3))
    assert type(ember.linalg.slogdet(ember.tensor(m))).__name__ == "linalg_slogdet"


@pytest.mark.parametrize("upper,left,unit", [(True, True, False), (False, True, True), (True, False, False),
                                             (False, False, False)])
def test_solve_triangular(upper, left, unit):
    a = r(2, 3, 3) + 3 * np.eye(3)
    b = r(2, 3, 4) if left else r(2, 4, 3)
    check_multi(lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=upper, left=left, unitriangular=unit),
                a, b)


# ---------------------------------------------------------------- LU
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 5), (5, 3), (2, 4, 4)])
def test_lu(shape):
    check_multi(lambda lib, a: tuple(lib.linalg.lu(a)), r(*shape))
    check_multi(lambda lib, a: tuple(lib.linalg.lu_factor(a)), r(*shape))
    check_multi(lambda lib, a: tuple(lib.linalg.lu_factor_ex(a)), r(*shape))


def test_lu_second_order_and_solve():
    check_second(lambda lib, a: lib.linalg.lu(a).U.pow(2).sum() + lib.linalg.lu(a).L.sum(), r(3, 3))
    a, b = r(2, 3, 3), r(2, 3, 2)
    for left in (True, False):
        for adjoint in (False, True):
            bb = b if left else np.swapaxes(b, -1, -2)
            check_multi(lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b, left=left,
                                                              adjoint=adjoint), a, bb)
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="U\\[2,2\\] is zero"):
            lib.linalg.lu_factor(lib.tensor([[1.0, 2.0], [2.0, 4.0]]))


# ---------------------------------------------------------------- LDL
@pytest.mark.parametrize("seed", range(4))
def test_ldl_factor_solve(seed):
    g = np.random.default_rng(seed)
    a = g.standard_normal((2, 5, 5))
    a = a + np.swapaxes(a, -1, -2)  # symmetric indefinite: 1x1 and 2x2 pivots
    a[1, 0, 0] = 0.0
    check_multi(lambda lib, a: tuple(lib.linalg.ldl_factor(a)), a, grad=False)
    check_multi(lambda lib, a: tuple(lib.linalg.ldl_factor_ex(a)), a, grad=False)
    b = g.standard_normal((2, 5, 2))
    check_multi(lambda lib, a, b: lib.linalg.ldl_solve(*lib.linalg.ldl_factor(a), b), a, b, grad=False)


def test_ldl_hermitian():
    c = cplx(4, 4)
    h = c + c.conj().T
    check_multi(lambda lib, a: tuple(lib.linalg.ldl_factor(a, hermitian=True)), h, grad=False)
    b = cplx(4, 1)
    check_multi(lambda lib, a, b: lib.linalg.ldl_solve(*lib.linalg.ldl_factor(a, hermitian=True), b,
                                                       hermitian=True), h, b, grad=False)


# ---------------------------------------------------------------- pinv, lstsq, rank, cond
@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3)])
def test_pinv(shape):
    check_multi(lambda lib, a: lib.linalg.pinv(a), r(*shape))
    check_second(lambda lib, a: lib.linalg.pinv(a).pow(2).sum(), r(*shape))


def test_pinv_hermitian_rank_deficient_and_tolerances():
    a = sym(4, 4)
    check_multi(lambda lib, a: lib.linalg.pinv(a, hermitian=True), a)
    low = r(5, 2) @ r(2, 4)  # rank 2
    check_multi(lambda lib, a: lib.linalg.pinv(a), low, grad=False)
    check_multi(lambda lib, a: lib.linalg.pinv(a, atol=1.0, rtol=0.1), r(4, 4), grad=False)
    for kw in ({}, {"atol": 1.0}, {"rtol": 0.5}, {"hermitian": True}):
        x = low if "hermitian" not in kw else low @ low.T
        assert_close(ember.linalg.matrix_rank(ember.tensor(x), **kw), torch.linalg.matrix_rank(torch.tensor(x), **kw))


@pytest.mark.parametrize("driver", [None, "gels", "gelsd", "gelss"])
def test_lstsq(driver):
    a, b = r(2, 5, 3), r(2, 5, 2)
    check_multi(lambda lib, a, b: tuple(lib.linalg.lstsq(a, b, driver=driver)), a, b)
    check_multi(lambda lib, a, b: lib.linalg.lstsq(a, b, driver=driver).solution, r(3, 5), r(3, 2))


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", 1, -1, math.inf, -math.inf])
def test_cond(p):
    # torch 2.13's own backward fails for the norms that invert A (an in-place change in inv_ex), so values only
    check_multi(lambda lib, a: lib.linalg.cond(a, p), r(2, 3, 3), grad=p in (None, 2, -2, "nuc"))


def test_cond_singular():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    for p in (1, math.inf, "fro"):
        assert_close(ember.linalg.cond(ember.tensor(a), p), torch.linalg.cond(torch.tensor(a), p))


# ---------------------------------------------------------------- matrix functions and the rest
def test_matrix_exp():
    check_multi(lambda lib, a: lib.linalg.matrix_exp(a), r(2, 3, 3))
    check_multi(lambda lib, a: lib.linalg.matrix_exp(a), 4 * r(4, 4), rtol=1e-9)  # scaling and squaring
    check_multi(lambda lib, a: lib.matrix_exp(a), r(3, 3, dtype=np.float32), rtol=1e-4, atol=1e-5)
    check_second(lambda lib, a: lib.linalg.matrix_exp(a).sum(), r(3, 3))


@pytest.mark.parametrize("n", [0, 1, 2, 5, -1, -3])
def test_matrix_power(n):
    check_multi(lambda lib, a: lib.linalg.matrix_power(a, n), r(2, 3, 3) + 2 * np.eye(3))


def test_householder_product():
    a = r(2, 5, 3)
    check_multi(lambda lib, a, t: lib.linalg.householder_product(a, t), a, r(2, 2))
    geqrf_a, tau = torch.geqrf(torch.tensor(r(4, 3)))
    q = ember.linalg.householder_product(ember.tensor(geqrf_a.numpy()), ember.tensor(tau.numpy()))
    assert_close(q, torch.linalg.householder_product(geqrf_a, tau))


def test_tensorinv_tensorsolve_vander_multi_dot_vecdot_diagonal():
    check_multi(lambda lib, a: lib.linalg.tensorinv(a, ind=2), r(4, 6, 8, 3))
    check_multi(lambda lib, a, b: lib.linalg.tensorsolve(a, b), r(6, 4, 2, 3, 4), r(6, 4))
    check_multi(lambda lib, a, b: lib.linalg.tensorsolve(a, b, dims=(1,)), r(6, 2, 4, 3, 4), r(6, 4))
    check_multi(lambda lib, x: lib.linalg.vander(x), r(2, 4))
    check_multi(lambda lib, x: lib.linalg.vander(x, N=6), r(3))
    check_multi(lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]), r(2, 3), r(3, 4), r(4))
    check_multi(lambda lib, a, b: lib.linalg.vecdot(a, b, dim=0), r(3, 2), r(3, 2))
    check_multi(lambda lib, a: lib.linalg.diagonal(a, offset=1, dim1=0, dim2=2), r(3, 2, 4))


def test_errors():
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="linalg.eigh: A must be batches of square matrices"):
            lib.linalg.eigh(lib.ones(2, 3))
        with pytest.raises(RuntimeError, match="linalg.svd: The input tensor A must have at least 2 dimensions"):
            lib.linalg.svd(lib.ones(3))
        with pytest.raises(RuntimeError, match="linalg.cholesky: A must be batches of square matrices"):
            lib.linalg.cholesky(lib.ones(2, 3))
        with pytest.raises(RuntimeError, match="qr received unrecognized mode 'x'"):
            lib.linalg.qr(lib.ones(2, 3), "x")
        with pytest.raises(RuntimeError, match="Expected a floating point or complex tensor as input. Got Long"):
            lib.linalg.svd(lib.ones(2, 3, dtype=lib.int64))
        with pytest.raises(RuntimeError, match="prod\\(self.shape\\[ind:\\]\\) == prod\\(self.shape\\[:ind\\]\\)"):
            lib.linalg.tensorinv(lib.ones(2, 3, 4), ind=1)


def test_top_level_names():
    a = r(3, 3)
    check_multi(lambda lib, a: lib.matrix_exp(a), a)
    check_multi(lambda lib, a: lib.matrix_power(a, 3), a)
    check_multi(lambda lib, a: tuple(lib.slogdet(a)), a)
    # torch.vander's backward fails in torch 2.13 (an in-place change), so values only
    check_multi(lambda lib, x: lib.vander(x), r(4), grad=False)
    check_multi(lambda lib, x: lib.vander(x, N=3, increasing=True), r(4), grad=False)
    assert type(ember.slogdet(ember.tensor(a))).__name__ == "slogdet"


# ---------------------------------------------------------------- complex inputs (torch's conjugate convention)
COMPLEX = {
    "inv": lambda lib, a: lib.linalg.inv(a),
    "det": lambda lib, a: lib.linalg.det(a),
    "solve": lambda lib, a: lib.linalg.solve(a, a[..., :1] + 1),
    "slogdet": lambda lib, a: lib.linalg.slogdet(a).logabsdet,
    "qr": lambda lib, a: lib.linalg.qr(a).R,
    "cholesky": lambda lib, a: lib.linalg.cholesky(a @ a.mH + 3 * lib.eye(3, dtype=a.dtype)),
    "eigh": lambda lib, a: (lambda L, V: (L, V.abs()))(*lib.linalg.eigh(a + a.mH)),
    "eigvals": lambda lib, a: lib.linalg.eigvals(a).abs(),
    "pinv": lambda lib, a: lib.linalg.pinv(a),
    "matrix_exp": lambda lib, a: lib.linalg.matrix_exp(a),
    "lu": lambda lib, a: tuple(lib.linalg.lu(a))[1:],
    "svdvals": lambda lib, a: lib.linalg.svdvals(a),
    "solve_triangular": lambda lib, a: lib.linalg.solve_triangular(a + 3 * lib.eye(3, dtype=a.dtype), a, upper=True),
}


@pytest.mark.parametrize("name", list(COMPLEX))
def test_complex(name):
    check_multi(COMPLEX[name], cplx(3, 3), rtol=1e-7, atol=1e-8)
