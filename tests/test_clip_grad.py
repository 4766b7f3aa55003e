"""nn.utils gradient clipping and parameter/vector conversion, against torch."""
import numpy as np
import pytest
import torch
import torch.nn.utils as tu

import ember
from ember.nn import utils as eu

from helpers import assert_close, to_np

RNG = np.random.default_rng(0)
SHAPES = [(5, 3), (7,), (2, 3, 4)]


def params_with_grads(lib, scale=1.0, dtype=np.float32, none_at=None):
    ps = []
    for i, s in enumerate(SHAPES):
        rs = np.random.default_rng(i)
        p = lib.tensor(rs.standard_normal(s).astype(dtype), requires_grad=True)
        if i != none_at:
            p.grad = lib.tensor((rs.standard_normal(s) * scale).astype(dtype))
        ps.append(p)
    return ps


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), "inf", 0.5])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm(norm_type, max_norm):
    pe, pt = params_with_grads(ember), params_with_grads(torch)
    ne = eu.clip_grad_norm_(pe, max_norm, norm_type=norm_type)
    nt = tu.clip_grad_norm_(pt, max_norm, norm_type=norm_type)
    assert_close(ne, nt)  # the total norm before clipping: a 0-d float32 tensor
    for e, t in zip(pe, pt):
        assert_close(e.grad, t.grad)


def test_clip_grad_norm_skips_missing_grads_and_keeps_the_grad_tensors():
    pe, pt = params_with_grads(ember, none_at=1), params_with_grads(torch, none_at=1)
    grads = [p.grad for p in pe]
    version = pe[0].grad._version[0]
    assert_close(eu.clip_grad_norm_(pe, 1.0), tu.clip_grad_norm_(pt, 1.0))
    assert pe[1].grad is None
    assert all(p.grad is g for p, g in zip(pe, grads))  # scaled in place
    assert pe[0].grad._version[0] == version + 1
    for e, t in zip(pe, pt):
        assert (e.grad is None) == (t.grad is None)
        if t.grad is not None:
            assert_close(e.grad, t.grad)


def test_clip_grad_norm_single_tensor_float64_and_generator():
    pe, pt = params_with_grads(ember, dtype=np.float64), params_with_grads(torch, dtype=np.float64)
    assert_close(eu.clip_grad_norm_(pe[0], 0.1), tu.clip_grad_norm_(pt[0], 0.1))
    assert_close(pe[0].grad, pt[0].grad)
    assert_close(eu.clip_grad_norm_((p for p in pe), 0.1), tu.clip_grad_norm_((p for p in pt), 0.1))
    with pytest.warns(UserWarning, match="empty generator"):
        total = eu.clip_grad_norm_((p for p in []), 1.0)
    assert total.item() == 0.0


def test_clip_grad_norm_nonfinite():
    pe, pt = params_with_grads(ember), params_with_grads(torch)
    pe[0].grad._data[0, 0] = np.inf
    pt[0].grad[0, 0] = float("inf")
    with pytest.raises(RuntimeError) as te:
        tu.clip_grad_norm_(pt, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as ee:
        eu.clip_grad_norm_(pe, 1.0, error_if_nonfinite=True)
    assert str(ee.value) == str(te.value)
    # without the check, the gradients are scaled by the non-finite norm, as torch does
    assert_close(eu.clip_grad_norm_(pe, 1.0), tu.clip_grad_norm_(pt, 1.0))
    for e, t in zip(pe, pt):
        assert_close(e.grad, t.grad)


def test_total_norm_and_clip_with_norm():
    pe, pt = params_with_grads(ember), params_with_grads(torch)
    ne = eu.get_total_norm([p.grad for p in pe], 3.0)
    nt = tu.get_total_norm([p.grad for p in pt], 3.0)
    assert_close(ne, nt)
    eu.clip_grads_with_norm_(pe, 0.7, ne)
    tu.clip_grads_with_norm_(pt, 0.7, nt)
    for e, t in zip(pe, pt):
        assert_close(e.grad, t.grad)


@pytest.mark.parametrize("clip", [0.3, 2.0])
def test_clip_grad_value(clip):
    pe, pt = params_with_grads(ember, scale=2.0, none_at=2), params_with_grads(torch, scale=2.0, none_at=2)
    pe[0].grad._data[1, 1] = np.nan
    pt[0].grad[1, 1] = float("nan")
    assert eu.clip_grad_value_(pe, clip) is None
    tu.clip_grad_value_(pt, clip)
    for e, t in zip(pe, pt):
        if t.grad is not None:
            assert_close(e.grad, t.grad)
    assert np.abs(np.nan_to_num(to_np(pe[1].grad))).max() <= clip
    eu.clip_grad_value_(pe[1], 0.1)  # a single tensor
    tu.clip_grad_value_(pt[1], 0.1)
    assert_close(pe[1].grad, pt[1].grad)


def test_parameters_to_vector_and_back():
    pe, pt = params_with_grads(ember), params_with_grads(torch)
    ve, vt = eu.parameters_to_vector(pe), tu.parameters_to_vector(pt)
    assert_close(ve, vt)
    assert ve.requires_grad and vt.requires_grad
    ve.sum().backward()  # differentiable, as torch's
    assert np.array_equal(to_np(pe[0].grad), to_np(params_with_grads(ember)[0].grad) + 1)
    new = np.arange(ve.numel(), dtype=np.float32)
    eu.vector_to_parameters(ember.tensor(new), pe)
    tu.vector_to_parameters(torch.tensor(new), pt)
    for e, t in zip(pe, pt):
        assert_close(e.detach(), t.detach())
        assert e.shape == t.shape


def test_vector_to_parameters_errors():
    pe, pt = params_with_grads(ember), params_with_grads(torch)
    with pytest.raises(TypeError) as te:
        tu.vector_to_parameters([1.0], pt)
    with pytest.raises(TypeError) as ee:
        eu.vector_to_parameters([1.0], pe)
    assert str(ee.value) == str(te.value)
