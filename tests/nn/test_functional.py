"""nn.functional against torch: each call runs on both libraries (helpers.check compares
values and gradients); dropout is checked both exactly (same seed, same mask) and
statistically."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import assert_close, check, check_double_backward

RNG = np.random.default_rng(0)


def randn(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


def F(lib):
    return lib.nn.functional


# ---------------------------------------------------------------- dropout
@pytest.mark.parametrize("fn,shape,p", [("dropout", (6, 50), 0.3), ("dropout", (1000,), 0.5),
                                        ("dropout", (5,), 0.1), ("dropout2d", (4, 6, 3, 3), 0.4),
                                        ("dropout1d", (4, 6, 7), 0.5), ("dropout1d", (6, 7), 0.5),
                                        ("dropout3d", (2, 5, 2, 2, 2), 0.5), ("alpha_dropout", (8, 30), 0.2),
                                        ("feature_alpha_dropout", (4, 6, 5), 0.3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_same_mask_as_torch(fn, shape, p, dtype):
    x = randn(*shape, dtype=dtype)
    ember.manual_seed(42)
    torch.manual_seed(42)
    check(lambda lib, x: getattr(F(lib), fn)(x, p, training=True), x, rtol=0, atol=0)
    # and the generators moved on by the same amount
    np.testing.assert_array_equal(ember.rand(3)._data, torch.rand(3).numpy())


def test_dropout_inplace_and_module():
    x = randn(4, 20, dtype=np.float32)
    for lib in (ember, torch):
        lib.manual_seed(1)
    outs = []
    for lib in (ember, torch):
        a = lib.tensor(x, requires_grad=True)
        h = a * 1
        r = F(lib).dropout(h, 0.25, True, inplace=True)
        assert r is h
        r.sum().backward()
        outs.append((r, a.grad))
    assert_close(outs[0][0], outs[1][0], 0, 0)
    assert_close(outs[0][1], outs[1][1], 0, 0)
    for lib in (ember, torch):
        lib.manual_seed(5)
    me, mt = ember.nn.Dropout2d(0.5), torch.nn.Dropout2d(0.5)
    x4 = randn(3, 8, 2, 2, dtype=np.float32)
    assert_close(me(ember.tensor(x4)), mt(torch.tensor(x4)), 0, 0)
    me.eval()
    t = ember.tensor(x4)
    assert me(t) is t


def test_dropout_statistics():
    ember.manual_seed(0)
    x = ember.ones(200, 500)
    for p in (0.1, 0.5, 0.8):
        y = F(ember).dropout(x, p)._data
        zero = (y == 0).mean()
        assert abs(zero - p) < 0.01
        kept = y[y != 0]
        np.testing.assert_allclose(kept, np.float32(1) / np.float32(1 - p))
        assert abs(y.mean() - 1) < 0.02   # the scaling keeps the expectation
    y = F(ember).dropout2d(ember.ones(50, 40, 3, 3), 0.5)._data
    per_channel = y.reshape(50, 40, -1)
    assert np.all((per_channel == per_channel[..., :1]))     # whole channels drop together
    assert abs((per_channel[..., 0] == 0).mean() - 0.5) < 0.05
    ya = F(ember).alpha_dropout(ember.randn(400, 500), 0.2, True)._data
    assert abs(ya.mean()) < 0.02 and abs(ya.std() - 1) < 0.02  # alpha dropout keeps mean 0, std 1


def test_dropout_edge_cases():
    x = ember.randn(3, 4, requires_grad=True)
    assert F(ember).dropout(x, 0.0) is x
    assert F(ember).dropout(x, 0.5, training=False) is x
    y = F(ember).dropout(x, 1.0)
    assert not y._data.any()
    y.sum().backward()
    assert not x.grad._data.any()
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        F(ember).dropout(x, 1.5)
    with pytest.raises(ValueError, match="dropout probability"):
        ember.nn.Dropout(-0.1)
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input"):
        F(ember).dropout1d(ember.ones(2, 2, 2, 2))


# ---------------------------------------------------------------- softmax family
@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_family(fn, dim):
    x = randn(3, 4, 5) * 10
    check(lambda lib, x: getattr(F(lib), fn)(x, dim), x)
    check(lambda lib, x: getattr(F(lib), fn)(x, dim, dtype=lib.float64), x.astype(np.float32), rtol=1e-6)
    check(lambda lib, x: getattr(F(lib), fn)(x, 0), np.array(2.5))


def test_softmax_stable_and_implicit_dim():
    x = np.array([[1000.0, 0.0, -1000.0], [-1e30, 1e30, 0]])
    check(lambda lib, x: F(lib).log_softmax(x, 1), x)
    check(lambda lib, x: F(lib).softmax(x, 1), x)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        e = F(ember).softmax(ember.tensor(randn(2, 3)))
    assert any("Implicit dimension choice" in str(m.message) for m in w)
    assert e.shape == (2, 3) and np.allclose(e._data.sum(1), 1)  # dim 1 for 2-D input, as torch


def test_softmax_double_backward():
    x = randn(3, 5)
    res = []
    for lib in (ember, torch):
        t = lib.tensor(x, requires_grad=True)
        g, = lib.autograd.grad((F(lib).log_softmax(t, 1) ** 2).sum(), t, create_graph=True)
        (g ** 2).sum().backward()
        res.append(t.grad)
    assert_close(*res, rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------------- pooling, conv, fold
def test_pool_functional():
    x = randn(2, 3, 9, 8)
    check(lambda lib, x: F(lib).max_pool2d(x, 3, 2, 1, ceil_mode=True), x)
    check(lambda lib, x: F(lib).max_pool2d(x, (2, 3), return_indices=True)[1], x, grad=False)
    check(lambda lib, x: F(lib).avg_pool2d(x, 3, 2, 1, count_include_pad=False), x)
    check(lambda lib, x: F(lib).adaptive_avg_pool2d(x, (4, 3)), x)
    check(lambda lib, x: F(lib).adaptive_max_pool2d(x, (5, 3), return_indices=True)[1], x, grad=False)
    check(lambda lib, x: F(lib).max_pool1d(x[0], 3, 2), x)
    check(lambda lib, x: F(lib).lp_pool2d(x, 3, 2), np.abs(x) + 0.1)
    # ties (a ReLU's zeros) go to the first maximum; NaN wins, as in torch
    relu = np.maximum(x, 0)
    check(lambda lib, x: F(lib).max_pool2d(x, 2, return_indices=True)[1], relu, grad=False)
    check(lambda lib, x: F(lib).max_pool2d(x, 3, 1, 1), relu)
    ties = RNG.integers(0, 3, (2, 3, 9, 11)).astype(np.float32)  # 2x2 windows of every order of ties
    check(lambda lib, x: F(lib).max_pool2d(x, 2, return_indices=True)[1], ties, grad=False)
    check(lambda lib, x: F(lib).max_pool2d(x, (2, 2), 2), ties)
    check(lambda lib, x: F(lib).max_pool2d(x, 2), np.repeat(ties, 70, axis=-1))  # a wide plane
    xn = x.copy()
    xn[0, 0, 1, 1] = xn[0, 0, 0, 1] = xn[1, 2, 4, 4] = np.nan
    check(lambda lib, x: F(lib).max_pool2d(x, 2), xn, grad=False)
    check(lambda lib, x: F(lib).max_pool2d(x, 2, return_indices=True)[1], xn, grad=False)


def test_max_unpool():
    x = randn(2, 3, 8, 6)
    yt, it = torch.nn.functional.max_pool2d(torch.tensor(x), 2, return_indices=True)
    ye, ie = F(ember).max_pool2d(ember.tensor(x), 2, return_indices=True)
    assert_close(ie, it)
    check(lambda lib, y: F(lib).max_unpool2d(y, ie if lib is ember else it, 2), yt.numpy())
    check(lambda lib, y: F(lib).max_unpool2d(y, ie if lib is ember else it, 2, output_size=(9, 7)), yt.numpy())


def test_conv_functional():
    x, w, b = randn(2, 4, 7, 6), randn(6, 2, 3, 3), randn(6)
    check(lambda lib, x, w, b: F(lib).conv2d(x, w, b, stride=(2, 1), padding=1, groups=2), x, w, b)
    check(lambda lib, x, w, b: F(lib).conv2d(x[0], w, b, padding="same", groups=2), x, w, b)
    check(lambda lib, x, w: F(lib).conv1d(x[:, :, 0], w[:, :, 0], groups=2, dilation=2), x, w)
    wt = randn(4, 3, 3, 2)
    check(lambda lib, x, w: F(lib).conv_transpose2d(x, w, stride=2, output_padding=1), x, wt)
    check(lambda lib, x, w: F(lib).conv_transpose1d(x[:, :, 0], w[:, :, 0], stride=3, padding=1), x, wt)


@pytest.mark.parametrize("cin,size,kw", [  # few numbers per window, or few outputs on a 16x16 image: a product
    (1, 9, dict(padding=2)), (3, 9, dict(stride=2, padding=1)),  # per sample; 8*3*3 numbers on 9x9: one product
    (2, 9, dict(dilation=(2, 1), padding=(1, 3))), (1, 9, dict(padding="same")), (8, 9, dict(padding=1)),
    (9, 16, dict(padding=1))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_both_product_layouts(cin, size, kw, dtype):
    kwidth = 4 if kw.get("padding") == "same" else 3   # an even width: torch's uneven "same" padding
    x, w, b = randn(3, cin, size, size - 1, dtype=dtype), randn(5, cin, 3, kwidth, dtype=dtype), randn(5, dtype=dtype)
    tol = 1e-4 if dtype == np.float32 else None   # float32 sums of ~1000 products, added in another order
    check(lambda lib, x, w, b: F(lib).conv2d(x, w, b, **kw), x, w, b, rtol=tol, atol=tol)
    check_double_backward(lambda lib, x, w: F(lib).conv2d(x, w, **kw), x, w, rtol=tol, atol=tol)


def test_conv_dtype_mismatch():
    with pytest.raises(RuntimeError, match="should be the same"):
        F(ember).conv2d(ember.ones(1, 1, 3, 3, dtype=ember.float64), ember.ones(1, 1, 2, 2))


def test_unfold_fold():
    x = randn(2, 3, 6, 7)
    check(lambda lib, x: F(lib).unfold(x, (2, 3), dilation=(2, 1), padding=(1, 0), stride=(1, 2)), x)
    check(lambda lib, x: F(lib).unfold(x[0], 2), x)
    c = randn(2, 3 * 4, 16)
    check(lambda lib, c: F(lib).fold(c, (6, 7), 2, padding=1, stride=2), c)
    with pytest.raises(RuntimeError, match="sliding blocks"):
        F(ember).fold(ember.ones(1, 4, 5), (4, 4), 2)


# ---------------------------------------------------------------- linear, embedding, one_hot
def test_linear_bilinear():
    x, w, b = randn(4, 3, 5), randn(2, 5), randn(2)
    check(lambda lib, x, w, b: F(lib).linear(x, w, b), x, w, b)
    check(lambda lib, x, w: F(lib).linear(x, w), x, w)
    check(lambda lib, x, w: F(lib).linear(x, w[0]), x, w)
    check(lambda lib, x, w: F(lib).linear(x[0, 0], w), x, w)
    x1, x2, wb = randn(6, 3), randn(6, 4), randn(2, 3, 4)
    check(lambda lib, a, c, w, b: F(lib).bilinear(a, c, w, b), x1, x2, wb, b)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(12x5 and 4x2\)"):
        F(ember).linear(ember.ones(4, 3, 5), ember.ones(2, 4))
    with pytest.raises(RuntimeError, match="same dtype"):
        F(ember).linear(ember.ones(4, 5, dtype=ember.float64), ember.ones(2, 5))
    for lib in (ember, torch):  # a bias that does not fit the output: torch's error type
        with pytest.raises(RuntimeError):
            F(lib).linear(lib.ones(4, 5), lib.ones(2, 5), lib.ones(3))


def test_embedding_and_one_hot():
    idx = np.array([[0, 3, 3], [2, 1, 3]])
    w = randn(5, 4)
    check(lambda lib, w: F(lib).embedding(lib.tensor(idx), w, padding_idx=3), w)
    check(lambda lib, w: F(lib).embedding(lib.tensor(idx), w, scale_grad_by_freq=True), w)
    check(lambda lib, w: F(lib).embedding(lib.tensor(idx).int(), w), w)
    with pytest.raises(IndexError, match="index out of range in self"):
        F(ember).embedding(ember.tensor([5]), ember.ones(5, 2))
    with pytest.raises(RuntimeError, match="Expected tensor for argument #1 'indices'"):
        F(ember).embedding(ember.ones(2), ember.ones(5, 2))
    for args in ((), (6,)):
        e = F(ember).one_hot(ember.tensor(idx), *args)
        t = torch.nn.functional.one_hot(torch.tensor(idx), *args)
        assert_close(e, t)
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes"):
        F(ember).one_hot(ember.tensor([3]), 2)


def test_embedding_double_backward():
    idx = np.array([1, 3, 3, 0])
    w = randn(4, 3)
    res = []
    for lib in (ember, torch):
        t = lib.tensor(w, requires_grad=True)
        out = F(lib).embedding(lib.tensor(idx), t, padding_idx=0)
        g, = lib.autograd.grad((out ** 3).sum(), t, create_graph=True)
        (g * g).sum().backward()
        res.append(t.grad)
    assert_close(*res)


# ---------------------------------------------------------------- normalization
def test_norm_functional():
    x = randn(4, 3, 5)
    rm, rv = randn(3), np.abs(randn(3)) + 0.5
    check(lambda lib, x, w, b: F(lib).batch_norm(x, None, None, w, b, training=True), x, randn(3), randn(3))
    check(lambda lib, x: F(lib).batch_norm(x, lib.tensor(rm), lib.tensor(rv), training=False, eps=1e-3), x)
    check(lambda lib, x, w, b: F(lib).layer_norm(x, (3, 5), w, b), x, randn(3, 5), randn(3, 5))
    check(lambda lib, x: F(lib).layer_norm(x, [5]), x)
    check(lambda lib, x, w, b: F(lib).group_norm(x, 3, w, b), x, randn(3), randn(3))
    check(lambda lib, x: F(lib).instance_norm(x), x)
    check(lambda lib, x, w: F(lib).rms_norm(x, (5,), w), x, randn(5))
    check(lambda lib, x: F(lib).rms_norm(x, [3, 5], eps=1e-3), x)
    check(lambda lib, x: F(lib).local_response_norm(x, 2), x)
    check(lambda lib, x: F(lib).normalize(x, p=1, dim=-1), x)
    check(lambda lib, x: F(lib).normalize(x), x)
    with pytest.raises(RuntimeError, match="Given normalized_shape=\\[4\\]"):
        F(ember).layer_norm(ember.ones(2, 3), [4])
    # running statistics are updated in place like torch's
    stats = []
    for lib in (ember, torch):
        m, v = lib.zeros(3, dtype=lib.float64), lib.ones(3, dtype=lib.float64)
        F(lib).batch_norm(lib.tensor(x), m, v, training=True, momentum=0.2)
        stats.append((m, v))
    assert_close(stats[0][0], stats[1][0], 1e-12, 1e-12)
    assert_close(stats[0][1], stats[1][1], 1e-12, 1e-12)


# ---------------------------------------------------------------- padding and resampling
@pytest.mark.parametrize("mode,pad", [("constant", (1, 2)), ("constant", (1, 0, 2, 3)), ("constant", (-1, 2, 0, -2)),
                                      ("reflect", (2, 1)), ("reflect", (1, 2, 2, 0)), ("replicate", (3, 1, 0, 2)),
                                      ("circular", (2, 1, 1, 3)), ("constant", (1, 1, 1, 1, 1, 1))])
def test_pad(mode, pad):
    x = randn(2, 3, 4, 5) if mode == "constant" or len(pad) == 4 else randn(2, 3, 5)
    check(lambda lib, x: F(lib).pad(x, pad, mode=mode), x)
    if mode == "constant":
        check(lambda lib, x: F(lib).pad(x, pad, value=2.5), x)


def test_pad_errors():
    with pytest.raises(RuntimeError, match="Padding size should be less than the corresponding input dimension"):
        F(ember).pad(ember.ones(1, 1, 3, 3), (3, 3, 0, 0), mode="reflect")
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F(ember).pad(ember.ones(2, 2), (1,))


@pytest.mark.parametrize("kwargs", [
    {"scale_factor": 2}, {"size": (5, 9)}, {"scale_factor": (1.5, 0.7)}, {"size": 3},
    {"scale_factor": 2, "mode": "nearest-exact"}, {"size": (7, 3), "mode": "nearest-exact"},
    {"scale_factor": 2, "mode": "bilinear"}, {"size": (5, 9), "mode": "bilinear", "align_corners": True},
    {"scale_factor": 0.6, "mode": "bilinear", "align_corners": False}, {"size": (1, 1), "mode": "bilinear",
                                                                       "align_corners": True},
    {"size": (6, 4), "mode": "bicubic"}, {"scale_factor": 1.3, "mode": "bicubic", "align_corners": True},
    {"size": (3, 2), "mode": "area"}, {"scale_factor": 1.7, "mode": "bilinear", "recompute_scale_factor": True},
])
def test_interpolate(kwargs):
    x = randn(2, 3, 4, 6)
    check(lambda lib, x: F(lib).interpolate(x, **kwargs), x)
    check(lambda lib, x: F(lib).interpolate(x, **kwargs), x.astype(np.float32), rtol=1e-5, atol=1e-6)


def test_interpolate_1d_and_errors():
    x = randn(2, 3, 5)
    check(lambda lib, x: F(lib).interpolate(x, scale_factor=2.5, mode="linear"), x)
    check(lambda lib, x: F(lib).interpolate(x, size=8), x)
    with pytest.raises(ValueError, match="only one of size or scale_factor should be defined"):
        F(ember).interpolate(ember.ones(1, 1, 2, 2), size=3, scale_factor=2)
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F(ember).interpolate(ember.ones(1, 1, 2, 2), size=3, align_corners=True)


def test_pixel_shuffle_and_distances():
    x = randn(2, 8, 3, 4)
    check(lambda lib, x: F(lib).pixel_shuffle(x, 2), x)
    check(lambda lib, x: F(lib).pixel_unshuffle(x, 2), randn(1, 2, 4, 6))
    check(lambda lib, x: F(lib).channel_shuffle(x, 2), x, grad=False)
    a, b = randn(4, 5), randn(4, 5)
    check(lambda lib, a, b: F(lib).pairwise_distance(a, b), a, b)
    check(lambda lib, a, b: F(lib).pairwise_distance(a, b, p=1, keepdim=True), a, b)
    check(lambda lib, a, b: F(lib).cosine_similarity(a, b), a, b)
    check(lambda lib, a, b: F(lib).cosine_similarity(a, b[:1], dim=-1), a, b)
    z = np.zeros((2, 5))
    check(lambda lib, a, b: F(lib).cosine_similarity(a, b), z, randn(2, 5))
    check(lambda lib, a: F(lib).pdist(a), a)


# ---------------------------------------------------------------- activations (functional names)
@pytest.mark.parametrize("name,kwargs", [
    ("relu", {}), ("relu6", {}), ("elu", {"alpha": 0.5}), ("selu", {}), ("celu", {"alpha": 2.0}),
    ("leaky_relu", {"negative_slope": 0.3}), ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}),
    ("mish", {}), ("softplus", {"beta": 0.5, "threshold": 10}), ("softsign", {}), ("hardtanh", {"min_val": -2.0}),
    ("hardsigmoid", {}), ("hardswish", {}), ("hardshrink", {}), ("softshrink", {"lambd": 1.0}), ("tanhshrink", {}),
    ("logsigmoid", {}), ("glu", {"dim": 0}), ("sigmoid", {}), ("tanh", {}), ("threshold", {"threshold": 0.5,
                                                                                          "value": -1.0}),
])
def test_activation_functional(name, kwargs):
    x = randn(4, 6) * 5
    x[0, :4] = [0.0, 3.0, -3.0, 100.0]
    check(lambda lib, x: getattr(F(lib), name)(x, **kwargs), x)


def test_prelu_rrelu():
    x, w = randn(2, 3, 4), randn(3)
    check(lambda lib, x, w: F(lib).prelu(x, w), x, w)
    check(lambda lib, x, w: F(lib).prelu(x, w[:1]), x, w)
    check(lambda lib, x: F(lib).rrelu(x, 0.1, 0.3, training=False), x)
    for lib in (ember, torch):
        lib.manual_seed(3)
    check(lambda lib, x: F(lib).rrelu(x, 0.1, 0.3, training=True), x)


def test_gelu_double_backward():
    x = randn(10)
    for approx in ("none", "tanh"):
        res = []
        for lib in (ember, torch):
            t = lib.tensor(x, requires_grad=True)
            g, = lib.autograd.grad(F(lib).gelu(t, approximate=approx).sum(), t, create_graph=True)
            g.sum().backward()
            res.append(t.grad)
        assert_close(*res, rtol=1e-9, atol=1e-9)


def test_gumbel_softmax():
    x = randn(3, 5).astype(np.float32)
    for hard in (False, True):
        for lib in (ember, torch):
            lib.manual_seed(0)
        check(lambda lib, x: F(lib).gumbel_softmax(x, tau=0.5, hard=hard), x, rtol=1e-5, atol=1e-6)
