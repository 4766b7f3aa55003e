"""Edge cases across ops and modules, against torch: empty tensors, 0-d inputs, bad indices and
their errors, index dtypes other than int64, 3-D resampling, circular padding, grouped and
dilated transposed convolution."""
import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error, assert_close

rng = np.random.default_rng(5)
A = rng.standard_normal((3, 4)).astype(np.float32)
X3 = rng.standard_normal((1, 2, 6)).astype(np.float32)
X4 = rng.standard_normal((2, 3, 5, 5)).astype(np.float32)
X5 = rng.standard_normal((1, 2, 3, 4, 5)).astype(np.float32)
X8 = rng.standard_normal((2, 4, 5, 5)).astype(np.float32)
W = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
C4 = rng.standard_normal(4).astype(np.float32)


def _F(L):
    return L.nn.functional


# ---------------------------------------------------------------- tensors with no elements
@pytest.mark.parametrize("fn, arrays", [
    (lambda L, x: _F(L).softmax(x, dim=1), (np.zeros((2, 0), np.float32),)),
    (lambda L, x: _F(L).log_softmax(x, dim=1), (np.zeros((2, 0), np.float32),)),
    (lambda L, x: _F(L).softmax(x, dim=1), (np.zeros((0, 3), np.float32),)),
    (lambda L, x: x.softmax(0), (np.zeros((0,), np.float32),)),
    (lambda L, x, w, b: _F(L).linear(x, w, b), (np.zeros((0, 3), np.float32), W[0, 0], W[1, 0, 0])),
    (lambda L, x, w, b: _F(L).linear(x, w, b), (np.zeros((2, 0), np.float32), np.zeros((4, 0), np.float32), C4)),
    (lambda L, x, w: _F(L).conv2d(x, w), (np.zeros((0, 3, 5, 5), np.float32), W)),
    (lambda L, x, w: _F(L).conv1d(x, w, padding=1), (np.zeros((0, 3, 5), np.float32), W[:, :, 0])),
    (lambda L, x, w: _F(L).conv_transpose2d(x, w), (np.zeros((0, 4, 5, 5), np.float32), W)),
    (lambda L, x: _F(L).max_pool2d(x, 2), (np.zeros((0, 3, 4, 4), np.float32),)),
    (lambda L, x: _F(L).avg_pool2d(x, 2), (np.zeros((0, 3, 4, 4), np.float32),)),
    (lambda L, x: _F(L).max_pool1d(x, 2), (np.zeros((0, 3, 4), np.float32),)),
    (lambda L, x: _F(L).adaptive_avg_pool2d(x, 3), (np.zeros((0, 3, 4, 4), np.float32),)),
    (lambda L, x: _F(L).adaptive_max_pool2d(x, 3), (np.zeros((0, 3, 4, 4), np.float32),)),
    (lambda L, x, w, b: _F(L).group_norm(x, 2, w, b), (np.zeros((0, 4, 3), np.float32), C4, C4[::-1].copy())),
    (lambda L, x, w, b: _F(L).layer_norm(x, (4,), w, b), (np.zeros((0, 4), np.float32), C4, C4[::-1].copy())),
    (lambda L, x: _F(L).instance_norm(x), (np.zeros((0, 4, 3), np.float32),)),
    (lambda L, x: _F(L).cross_entropy(x, L.zeros(0, dtype=L.long), reduction="sum"), (np.zeros((0, 3), np.float32),)),
    (lambda L, x: _F(L).embedding(L.zeros(0, dtype=L.long), x), (A,)),
    (lambda L, x: (x.sum(0), x.amax(1), x.cumsum(0), x.sort(0)[0], x.logsumexp(1)), (np.zeros((0, 3), np.float32),)),
])
def test_empty_tensors(fn, arrays):
    e, t = check(fn, *arrays, grad=False)
    # the gradient of the empty result reaches every input, with its shape (zeros)
    ets = [ember.tensor(a, requires_grad=True) for a in arrays]
    tts = [torch.tensor(a, requires_grad=True) for a in arrays]
    eo, to = fn(ember, *ets), fn(torch, *tts)
    eo = eo[0] if isinstance(eo, tuple) else eo
    to = to[0] if isinstance(to, tuple) else to
    if to.requires_grad:
        eo.sum().backward()
        to.sum().backward()
        for a, b in zip(ets, tts):
            assert (a.grad is None) == (b.grad is None)
            if b.grad is not None:
                assert_close(a.grad, b.grad)


@pytest.mark.parametrize("cls, shape", [("BatchNorm1d", (0, 3)), ("BatchNorm1d", (0, 3, 5)), ("BatchNorm2d", (0, 3, 4, 4))])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_empty_batch_keeps_running_stats(cls, shape, momentum):
    # an empty batch used to leave NaN running statistics
    for L in (ember, torch):
        m = getattr(L.nn, cls)(3, momentum=momentum)
        with L.no_grad():
            m.running_mean.fill_(0.5)
            m.running_var.fill_(2.0)
        y = m(L.zeros(*shape))
        assert tuple(y.shape) == shape
        if L is ember:
            e = (m.running_mean, m.running_var, m.num_batches_tracked)
        else:
            t = (m.running_mean, m.running_var, m.num_batches_tracked)
    assert_close(list(e), list(t))
    # and a real batch after it still gives torch's statistics
    x = rng.standard_normal(shape[:1] and (4,) + shape[1:]).astype(np.float32)
    me, mt = getattr(ember.nn, cls)(3, momentum=momentum), getattr(torch.nn, cls)(3, momentum=momentum)
    me(ember.zeros(*shape))
    mt(torch.zeros(*shape))
    assert_close(me(ember.tensor(x)), mt(torch.tensor(x)))
    assert_close(me.running_var, mt.running_var)


# ---------------------------------------------------------------- 0-d inputs
@pytest.mark.parametrize("fn", [
    lambda L, x: L.nn.PReLU()(x) if L is torch else _prelu_ember(x),
    lambda L, x: _F(L).prelu(x, L.tensor([0.25])),
    lambda L, x: _F(L).softmax(x, 0) + _F(L).log_softmax(x, 0),
    lambda L, x: x.cumsum(0) + x.logcumsumexp(0) + x.cummax(0)[0],
    lambda L, x: x.unsqueeze(0).gather(0, L.tensor([0])),
    lambda L, x: _F(L).leaky_relu(x) + _F(L).gelu(x) + _F(L).elu(x) + L.sigmoid(x),
    lambda L, x: _F(L).mse_loss(x, L.tensor(0.5)) + _F(L).l1_loss(x, L.tensor(0.5)),
])
@pytest.mark.parametrize("value", [-2.0, 3.0])
def test_zero_dim_inputs(fn, value):
    check(fn, np.array(value, np.float32))


def _prelu_ember(x):
    ember.manual_seed(0)
    return ember.nn.PReLU()(x)


# ---------------------------------------------------------------- bad indices: torch's errors
@pytest.mark.parametrize("fn", [
    lambda L, a: a.gather(1, L.tensor([[-1, 0]] * 3)),
    lambda L, a: a.gather(1, L.tensor([[4, 0]] * 3)),
    lambda L, a: a.gather(0, L.tensor([[0, 0], [3, 0]])),
    lambda L, a: a.gather(1, L.tensor([[1, 0]] * 3, dtype=L.int16)),
    lambda L, a: a.gather(1, L.tensor([1, 0])),
    lambda L, a: a.scatter(1, L.tensor([[-1, 0]] * 3), 1.0),
    lambda L, a: a.scatter(1, L.tensor([[9, 0]] * 3), 1.0),
    lambda L, a: a.scatter_add(1, L.tensor([[9, 0]] * 3), a[:, :2]),
    lambda L, a: a.scatter_add(0, L.tensor([[-4, 0]]), a[:1, :2]),
    lambda L, a: a.scatter_reduce(1, L.tensor([[4, 0]] * 3), a[:, :2], "amax"),
    lambda L, a: L.take_along_dim(a, L.tensor([[1, 0]] * 3, dtype=L.int32), 1),
    lambda L, a: L.take_along_dim(a, L.tensor([-13, 0])),
    lambda L, a: L.take_along_dim(a, L.tensor([12])),
    lambda L, a: a.index_select(0, L.tensor([-1])),
    lambda L, a: a.index_select(1, L.tensor([-1])),
    lambda L, a: a.index_select(1, L.tensor([7])),
    lambda L, a: a.index_select(1, L.tensor([1], dtype=L.int16)),
    lambda L, a: a.index_add(0, L.tensor([-1]), a[:1]),
    lambda L, a: a.index_add(0, L.tensor([3]), a[:1]),
    lambda L, a: a.index_copy(0, L.tensor([-1]), a[:1]),
    lambda L, a: a.index_copy(1, L.tensor([2, 0], dtype=L.int32), a[:, :2]),
    lambda L, a: a.index_fill(0, L.tensor([3]), 1.0),
    lambda L, a: a.index_fill(0, L.tensor([-4]), 1.0),
    lambda L, a: a.take(L.tensor([12])),
    lambda L, a: a.take(L.tensor([-13])),
    lambda L, a: a.take(L.tensor([0], dtype=L.int32)),
    lambda L, a: a[L.tensor([1, 0], dtype=L.int16)],
    lambda L, a: a[L.tensor([1, -1], dtype=L.int8)],
    lambda L, a: a[L.tensor([3])],
    lambda L, a: a[L.tensor([-4])],
    lambda L, a: a[:, L.tensor([4])],
    lambda L, a: _F(L).embedding(L.tensor([1, 2], dtype=L.int16), a),
    lambda L, a: _F(L).embedding(L.tensor([3]), a),
    lambda L, a: _F(L).cross_entropy(a, L.tensor([1, 2, 0], dtype=L.int32)),
    lambda L, a: _F(L).nll_loss(a, L.tensor([1, 2, 4])),
])
def test_bad_indices_raise_torch_errors(fn):
    check_error(fn, A)


@pytest.mark.parametrize("fn", [
    lambda L, a: L.take_along_dim(a, L.tensor([[-1, 0]] * 3), 1),  # along a dim, negatives count from the end
    lambda L, a: L.take_along_dim(a, L.tensor([[-4, 3]]), 1),
    lambda L, a: a.take(L.tensor([-1, -12, 5])),
    lambda L, a: a.index_fill(0, L.tensor([-1]), 2.0),
    lambda L, a: a[L.tensor([-1, 0])].sum(0) + a[:, L.tensor([-4])].sum(1).sum(),
    lambda L, a: a.gather(1, L.tensor([[1, 0]] * 3, dtype=L.int32)),
    lambda L, a: a.scatter(1, L.tensor([[1, 0]] * 3, dtype=L.int32), 1.0),
    lambda L, a: a.scatter_add(1, L.tensor([[1, 1]] * 3, dtype=L.int32), a[:, :2]),
    lambda L, a: a.index_select(1, L.tensor([3, 0], dtype=L.int32)),
    lambda L, a: a.index_add(0, L.tensor([0, 0], dtype=L.int32), a[:2]),
    lambda L, a: a.index_put((L.tensor([0, 2], dtype=L.int32),), a[0]),
    lambda L, a: a[L.tensor([2, 0], dtype=L.int32)] + a[L.tensor([1, 0, 1], dtype=L.uint8)].sum(),
    lambda L, a: a[L.tensor([True, False, True])],
    lambda L, a: _F(L).embedding(L.tensor([[1, 2]], dtype=L.int32), a),
])
def test_other_index_dtypes_and_negative_indices(fn):
    check(fn, A)


# ---------------------------------------------------------------- resampling, padding, convolution shapes
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "trilinear", "area"])
@pytest.mark.parametrize("kw", [{"size": (4, 6, 7)}, {"scale_factor": 2}, {"size": (2, 3, 3)}, {"scale_factor": (1.5, 0.5, 1.3)}])
def test_interpolate_3d(mode, kw):
    check(lambda L, x: _F(L).interpolate(x, mode=mode, **kw), X5)


@pytest.mark.parametrize("align_corners", [True, False])
def test_interpolate_trilinear_align_corners(align_corners):
    check(lambda L, x: _F(L).interpolate(x, size=(5, 2, 9), mode="trilinear", align_corners=align_corners), X5)


@pytest.mark.parametrize("fn, x", [
    (lambda L, x: _F(L).pad(x, (2, 1), mode="circular"), X3),
    (lambda L, x: _F(L).pad(x, (1, 2, 2, 1), mode="circular"), X4),
    (lambda L, x: _F(L).pad(x, (1, 1, 2, 0, 1, 2), mode="circular"), X5),
    (lambda L, x: _F(L).pad(x, (3, 3), mode="circular"), X3[:, :, :4].copy()),
    (lambda L, x: _F(L).pad(x, (0, 0, 5, 4), mode="circular"), X4),
    (lambda L, x: _F(L).pad(x, (-1, 2), mode="circular"), X3),
    (lambda L, x: (L.manual_seed(0), L.nn.Conv2d(3, 2, 3, padding=1, padding_mode="circular")(x))[1], X4),
    (lambda L, x: (L.manual_seed(0), L.nn.Conv1d(2, 2, 3, padding=2, padding_mode="circular")(x))[1], X3),
])
def test_circular_padding(fn, x):
    check(fn, x)


def test_circular_padding_errors():
    check_error(lambda L, x: _F(L).pad(x, (7, 0), mode="circular"), X3)


@pytest.mark.parametrize("kw", [
    dict(groups=2, dilation=2),
    dict(stride=2, padding=1, output_padding=1, groups=2, dilation=2),
    dict(stride=(2, 1), padding=(0, 2), output_padding=(1, 0), groups=2, dilation=(1, 3)),
    dict(groups=4, dilation=3, stride=3, output_padding=2),
    dict(stride=(3, 2), padding=(1, 2), output_padding=(2, 3), groups=2, dilation=(4, 4)),  # output_padding >= stride
    dict(stride=(3, 2), padding=(1, 0), output_padding=(2, 1), groups=2, dilation=(4, 2)),  # ... and past all padding
])
def test_conv_transpose2d_groups_dilation(kw):
    w = W if kw["groups"] == 2 else rng.standard_normal((4, 1, 3, 3)).astype(np.float32)
    b = rng.standard_normal(w.shape[1] * kw["groups"]).astype(np.float32)
    check(lambda L, x, w, b: _F(L).conv_transpose2d(x, w, b, **kw), X8, w, b, rtol=1e-4, atol=1e-4)


def test_conv_transpose1d_and_module_groups_dilation():
    check(lambda L, x, w: _F(L).conv_transpose1d(x, w, groups=2, dilation=3, stride=2), X8[:, :, 0], W[:, :, 0].copy(),
          rtol=1e-4, atol=1e-4)
    for L in (ember, torch):
        L.manual_seed(0)
    m_e = ember.nn.ConvTranspose2d(4, 6, 3, stride=2, groups=2, dilation=2)
    m_t = torch.nn.ConvTranspose2d(4, 6, 3, stride=2, groups=2, dilation=2)
    with ember.no_grad():
        m_e.weight.copy_(ember.tensor(m_t.weight.detach().numpy()))
        m_e.bias.copy_(ember.tensor(m_t.bias.detach().numpy()))
    assert_close(m_e(ember.tensor(X8), output_size=(14, 14)), m_t(torch.tensor(X8), output_size=(14, 14)), rtol=1e-4,
                 atol=1e-4)
    with pytest.raises(ValueError):
        m_t(torch.tensor(X8), output_size=(12, 12))
    with pytest.raises(ValueError):
        m_e(ember.tensor(X8), output_size=(12, 12))
