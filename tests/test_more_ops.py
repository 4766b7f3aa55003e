"""Composite functions at torch's top level, against torch."""
import numpy as np
import pytest
import torch

import ember
from helpers import check, assert_close

rng = np.random.default_rng(7)
A = rng.standard_normal((3, 4)).astype(np.float32)
B = rng.standard_normal((3, 4)).astype(np.float32)
V = rng.standard_normal(5).astype(np.float32)


@pytest.mark.parametrize("fn", [
    lambda L, a, b: L.logaddexp(a, b * 50),
    lambda L, a, b: L.hypot(a, b),
    lambda L, a, b: L.deg2rad(a) + L.rad2deg(b),
    lambda L, a, b: L.sinc(a),
    lambda L, a, b: L.softmax(a, 1) * L.log_softmax(b, 0),
    lambda L, a, b: L.cdist(a, b),
    lambda L, a, b: L.cdist(a, b, p=1.0),
    lambda L, a, b: L.rot90(a, 1, (0, 1)) + 0,
    lambda L, a, b: L.rot90(a, 2, (0, 1)) + 0,
    lambda L, a, b: L.rot90(a, 3, (0, 1)) + 0,
    lambda L, a, b: L.diff(a, dim=1),
    lambda L, a, b: L.diff(a, n=2, dim=0, prepend=b),
    lambda L, a, b: L.block_diag(a, b[:2, :3]),
    lambda L, a, b: L.chain_matmul(a, b.T, a),
])
def test_composites(fn):
    check(fn, A, B)


def test_no_grad_helpers():
    e, t = ember.tensor(V), torch.tensor(V)
    for ge, gt in zip(ember.meshgrid(e, e[:3], indexing="ij"), torch.meshgrid(t, t[:3], indexing="ij")):
        assert_close(ge, gt)
    for ge, gt in zip(ember.meshgrid(e, e[:3], indexing="xy"), torch.meshgrid(t, t[:3], indexing="xy")):
        assert_close(ge, gt)
    assert_close(ember.cartesian_prod(e[:2], e[:3]), torch.cartesian_prod(t[:2], t[:3]))
    assert_close(ember.tril_indices(4, 3, 1), torch.tril_indices(4, 3, 1))
    assert_close(ember.triu_indices(3, 5, -1), torch.triu_indices(3, 5, -1))
    assert_close(ember.isin(ember.tensor([1, 2, 3, 4]), ember.tensor([2, 4])),
                 torch.isin(torch.tensor([1, 2, 3, 4]), torch.tensor([2, 4])))
    assert_close(ember.diagflat(e), torch.diagflat(t))
    assert_close(ember.atleast_3d(e), torch.atleast_3d(t))
    assert_close(ember.heaviside(ember.tensor([-1.0, 0.0, 2.0]), ember.tensor([0.5])),
                 torch.heaviside(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([0.5])))
    assert_close(ember.pinverse(ember.tensor(A)), torch.pinverse(torch.tensor(A)), rtol=1e-4, atol=1e-5)
