"""torch.lobpcg through ember and torch: the same eigenvalues (torch iterates, ember solves
exactly), eigenvectors up to sign (and B-orthonormal), batches, X's column count as k, and the
ValueError for too few rows; gradients of the eigenvalues against torch's."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_close

RNG = np.random.default_rng(0)


def _spd(n, seed, shift=10.0):
    m = np.random.default_rng(seed).standard_normal((n, n))
    return m @ m.T + shift * np.eye(n)


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("generalized", [False, True])
def test_eigenpairs_match_torch(largest, generalized):
    A, Bm = _spd(12, 1), _spd(12, 2)
    out = {}
    for lib in (ember, torch):
        B = lib.tensor(Bm) if generalized else None
        out[lib.__name__] = lib.lobpcg(lib.tensor(A), k=3, B=B, largest=largest, tol=1e-12, niter=200)
    (Ee, Ve), (Et, Vt) = out["ember"], out["torch"]
    assert_close(Ee, Et, rtol=1e-6, atol=1e-8)
    signs = np.sign((Ve.numpy() * Vt.numpy()).sum(0))
    assert_close(Ve * ember.tensor(signs), Vt, rtol=1e-4, atol=1e-6)
    Bn = Bm if generalized else np.eye(12)
    np.testing.assert_allclose(Ve.numpy().T @ Bn @ Ve.numpy(), np.eye(3), atol=1e-10)


def test_k_from_x_batches_dtype_and_errors():
    A = _spd(10, 3)
    X0 = RNG.standard_normal((10, 3))
    Ab = np.stack([A, 2 * A])
    for lib in (ember, torch):
        assert tuple(lib.lobpcg(lib.tensor(A), X=lib.tensor(X0))[0].shape) == (3,)
        assert tuple(lib.lobpcg(lib.tensor(Ab), k=1)[0].shape) == (2, 1)
        assert lib.lobpcg(lib.tensor(A, dtype=lib.float32), k=1)[0].dtype == lib.float32
        with pytest.raises(ValueError, match="smaller than 3 x the number of requested eigenpairs"):
            lib.lobpcg(lib.tensor(A), k=4)
    assert_close(ember.lobpcg(ember.tensor(Ab), k=1)[0], torch.lobpcg(torch.tensor(Ab), k=1)[0], rtol=1e-6)


def test_eigenvalue_gradient_matches_torch():
    A = _spd(9, 4)
    grads = []
    for lib in (ember, torch):
        a = lib.tensor(A, requires_grad=True)
        E, _ = lib.lobpcg(a, k=2, tol=1e-12, niter=200)
        E.sum().backward()
        grads.append(a.grad)
    g_e, g_t = grads[0].numpy(), grads[1].numpy()
    # d(sum of eigenvalues)/dA is the sum of v v^T over the eigenvectors (symmetric in both)
    assert_close(ember.tensor((g_e + g_e.T) / 2), torch.tensor((g_t + g_t.T) / 2), rtol=1e-5, atol=1e-7)
