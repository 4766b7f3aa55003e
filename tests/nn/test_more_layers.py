"""The rest of nn against torch: 3-D convolution and pooling, lazy modules, EmbeddingBag,
CTCLoss, AdaptiveLogSoftmaxWithLoss, fractional max pooling."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_close, check, check_double_backward, check_error

rng = np.random.default_rng(0)


# ---------------------------------------------------------------- 3-D convolution
@pytest.mark.parametrize("kw", [
    dict(),
    dict(stride=2, padding=1),
    dict(stride=(1, 2, 1), padding=(2, 0, 1), dilation=(2, 1, 2)),
    dict(groups=2, padding="same"),
    dict(padding="valid", dilation=(2, 1, 1)),
])
def test_conv3d(kw):
    g = kw.get("groups", 1)
    x = rng.standard_normal((2, 4, 6, 5, 7))
    w = rng.standard_normal((6, 4 // g, 3, 2, 3))
    b = rng.standard_normal(6)
    check(lambda lib, x, w, b: lib.nn.functional.conv3d(x, w, b, **kw), x, w, b)


@pytest.mark.parametrize("kw", [
    dict(),
    dict(stride=2, padding=1),
    dict(stride=(2, 2, 1), padding=(1, 0, 1), dilation=(1, 2, 2), output_padding=(1, 1, 0)),
    dict(groups=2),
    dict(dilation=(3, 1, 1), output_padding=(2, 0, 0), padding=(2, 1, 0)),  # output_padding >= stride in depth
])
def test_conv_transpose3d(kw):
    g = kw.get("groups", 1)
    x = rng.standard_normal((2, 4, 4, 5, 3))
    w = rng.standard_normal((4, 6 // g, 3, 2, 3))
    b = rng.standard_normal(6)
    check(lambda lib, x, w, b: lib.nn.functional.conv_transpose3d(x, w, b, **kw), x, w, b)


def test_conv3d_unbatched_float32_and_double_backward():
    x = rng.standard_normal((2, 4, 5, 3)).astype(np.float32)
    w = rng.standard_normal((3, 2, 2, 3, 2)).astype(np.float32)
    check(lambda lib, x, w: lib.nn.functional.conv3d(x, w, padding=1), x, w, rtol=1e-4, atol=1e-5)
    check_double_backward(lambda lib, x, w: lib.nn.functional.conv3d(x, w, stride=2).sin(),
                          rng.standard_normal((1, 2, 4, 4, 3)), rng.standard_normal((2, 2, 2, 2, 2)))
    check_double_backward(lambda lib, x, w: lib.nn.functional.conv_transpose3d(x, w, stride=2).sin(),
                          rng.standard_normal((1, 2, 2, 3, 2)), rng.standard_normal((2, 3, 2, 2, 2)))


@pytest.mark.parametrize("cls,kw", [
    ("Conv3d", dict(in_channels=4, out_channels=6, kernel_size=3, padding=1)),
    ("Conv3d", dict(in_channels=4, out_channels=6, kernel_size=(2, 3, 1), padding=1, padding_mode="circular")),
    ("Conv3d", dict(in_channels=4, out_channels=6, kernel_size=3, padding=1, padding_mode="reflect", bias=False)),
    ("ConvTranspose3d", dict(in_channels=4, out_channels=6, kernel_size=3, stride=2, groups=2)),
])
def test_conv3d_modules(cls, kw):
    x = rng.standard_normal((2, 4, 5, 4, 6)).astype(np.float32)
    outs = []
    for lib in (ember, torch):
        lib.manual_seed(3)
        m = getattr(lib.nn, cls)(**kw)
        xt = lib.tensor(x, requires_grad=True)
        y = m(xt)
        y.sum().backward()
        outs.append((y, xt.grad, m.weight.grad, list(m.state_dict()), repr(m)))
    (ye, gxe, gwe, ke, re), (yt, gxt, gwt, kt, rt) = outs
    assert ke == kt and re == rt
    assert_close(ye, yt, rtol=1e-4, atol=1e-5)
    assert_close(gxe, gxt, rtol=1e-4, atol=1e-4)
    assert_close(gwe, gwt, rtol=1e-4, atol=1e-3)


def test_conv_transpose3d_output_size():
    x = rng.standard_normal((1, 2, 3, 3, 3)).astype(np.float32)
    ys = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        m = lib.nn.ConvTranspose3d(2, 3, 3, stride=2)
        ys.append(m(lib.tensor(x), output_size=(8, 7, 8)))
    assert_close(ys[0], ys[1], rtol=1e-4, atol=1e-5)


def test_conv3d_errors():
    check_error(lambda lib, x, w: lib.nn.functional.conv3d(x, w), rng.standard_normal((2, 3, 4, 4)),
                rng.standard_normal((2, 3, 2, 2, 2)))
    check_error(lambda lib, x, w: lib.nn.functional.conv3d(x, w), rng.standard_normal((1, 4, 4, 4, 4)),
                rng.standard_normal((2, 3, 2, 2, 2)))
    check_error(lambda lib, x, w: lib.nn.functional.conv3d(x, w), rng.standard_normal((1, 3, 1, 4, 4)),
                rng.standard_normal((2, 3, 2, 2, 2)))
    with pytest.raises(ValueError):
        ember.nn.Conv3d(4, 6, 3, groups=4)


# ---------------------------------------------------------------- 3-D pooling
X5 = rng.standard_normal((2, 3, 7, 6, 5))


@pytest.mark.parametrize("kw", [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), dilation=(2, 1, 1), ceil_mode=True),
])
def test_max_pool3d(kw):
    check(lambda lib, x: lib.nn.functional.max_pool3d(x, **kw), X5)
    check(lambda lib, x: lib.nn.functional.max_pool3d(x, return_indices=True, **kw)[1], X5, grad=False)
    check(lambda lib, x: lib.nn.functional.max_pool3d(x[0], **kw), X5)  # unbatched


def test_max_pool3d_ties_and_unpool():
    x = rng.integers(0, 3, (1, 2, 4, 4, 4)).astype(np.float64)  # many equal maxima: torch keeps the first
    check(lambda lib, x: lib.nn.functional.max_pool3d(x, 2, 1, return_indices=True)[1], x, grad=False)
    check(lambda lib, x: lib.nn.functional.max_pool3d(x, 2, 1), x)

    def unpool(lib, x):
        y, i = lib.nn.functional.max_pool3d(x, 2, return_indices=True)
        return lib.nn.MaxUnpool3d(2)(y, i, output_size=x.shape)
    check(unpool, X5)


@pytest.mark.parametrize("kw", [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False, ceil_mode=True),
    dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), divisor_override=5),
])
def test_avg_pool3d(kw):
    check(lambda lib, x: lib.nn.functional.avg_pool3d(x, **kw), X5)


@pytest.mark.parametrize("size", [1, (3, 2, 4), (None, 4, 2), (4, 4, 4), (7, 6, 5)])
def test_adaptive_pool3d(size):
    check(lambda lib, x: lib.nn.functional.adaptive_avg_pool3d(x, size), X5)
    check(lambda lib, x: lib.nn.functional.adaptive_max_pool3d(x, size), X5)
    check(lambda lib, x: lib.nn.AdaptiveMaxPool3d(size, return_indices=True)(x)[1], X5, grad=False)
    check(lambda lib, x: lib.nn.AdaptiveAvgPool3d(size)(x[1]), X5)


def test_pool3d_modules_and_lp_pool3d():
    check(lambda lib, x: lib.nn.MaxPool3d(3, 2, 1)(x), X5)
    check(lambda lib, x: lib.nn.AvgPool3d((2, 2, 3), count_include_pad=False, padding=1)(x), X5)
    check(lambda lib, x: lib.nn.LPPool3d(2, 2, stride=1)(x), np.abs(X5) + 0.1)
    check(lambda lib, x: lib.nn.functional.lp_pool3d(x, 3.0, (2, 3, 2), ceil_mode=True), np.abs(X5) + 0.1)
    assert repr(ember.nn.MaxPool3d(3, 2, 1)) == repr(torch.nn.MaxPool3d(3, 2, 1))


def test_pool3d_errors():
    check_error(lambda lib, x: lib.nn.functional.max_pool3d(x, 2), rng.standard_normal((2, 3, 4)))
    check_error(lambda lib, x: lib.nn.functional.max_pool3d(x, 2, padding=2), X5)
    check_error(lambda lib, x: lib.nn.functional.avg_pool3d(x, 8), X5)


# ---------------------------------------------------------------- lazy modules
LAZY = [
    ("LazyLinear", (5,), (3, 4)),
    ("LazyLinear", (5, False), (2, 3, 4)),
    ("LazyConv1d", (4, 3), (2, 3, 7)),
    ("LazyConv2d", (4, 3), (2, 3, 7, 6)),
    ("LazyConv2d", (6, 3, 1, 1, 1, 3), (6, 7, 6)),
    ("LazyConv3d", (4, 2), (2, 3, 4, 5, 4)),
    ("LazyConvTranspose1d", (4, 3), (2, 3, 7)),
    ("LazyConvTranspose2d", (4, 3, 2), (3, 7, 6)),
    ("LazyConvTranspose3d", (4, 2), (2, 3, 4, 5, 4)),
    ("LazyBatchNorm1d", (), (4, 3)),
    ("LazyBatchNorm2d", (), (4, 3, 2, 2)),
    ("LazyBatchNorm3d", (1e-3, None), (4, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d", (), (4, 3, 5)),
    ("LazyInstanceNorm2d", (1e-5, 0.1, False, False), (4, 3, 5, 5)),
    ("LazyInstanceNorm3d", (), (4, 3, 5, 5, 2)),
]


@pytest.mark.parametrize("cls,args,shape", LAZY)
def test_lazy_modules(cls, args, shape):
    x = rng.standard_normal(shape).astype(np.float32)
    res = []
    for lib in (ember, torch):
        lib.manual_seed(7)
        m = getattr(lib.nn, cls)(*args)
        keys0 = list(m.state_dict())
        uninit = m.has_uninitialized_params()
        y = m(lib.tensor(x))
        res.append((m, y, keys0, uninit))
    (me, ye, ke, ue), (mt, yt, kt, ut) = res
    assert ke == kt and ue == ut
    assert type(me).__name__ == type(mt).__name__ and repr(me) == repr(mt)
    assert_close(ye, yt, rtol=1e-5, atol=1e-5)
    assert list(me.state_dict()) == list(mt.state_dict())
    for a, b in zip(me.state_dict().values(), mt.state_dict().values()):
        assert_close(a, b, rtol=1e-6, atol=1e-6)
    assert [n for n, _ in me.named_parameters()] == [n for n, _ in mt.named_parameters()]


def test_lazy_uninitialized_behaviour():
    for lib in (ember, torch):
        m = lib.nn.LazyLinear(3)
        assert isinstance(m.weight, lib.nn.UninitializedParameter)
        assert isinstance(m.weight, lib.nn.Parameter)
        with pytest.raises(RuntimeError):
            m.weight.shape
        assert repr(m.weight) == "<UninitializedParameter>"
        bn = lib.nn.LazyBatchNorm1d()
        assert isinstance(bn.running_mean, lib.nn.UninitializedBuffer)
        bn(lib.ones(2, 3))
        assert type(bn.running_mean) is lib.Tensor and type(bn.weight) is lib.nn.Parameter
    # a lazy module takes its shapes from a state_dict
    src = torch.nn.Linear(4, 3)
    ours = ember.nn.LazyLinear(3)
    ours.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in src.state_dict().items()})
    assert ours.weight.shape == (3, 4)
    x = rng.standard_normal((2, 4)).astype(np.float32)
    assert_close(ours(ember.tensor(x)), src(torch.tensor(x)), atol=1e-6)
    assert type(ours) is ember.nn.Linear
    # errors
    for lib in (ember, torch):
        with pytest.raises(ValueError):
            lib.nn.LazyConv2d(4, 3, groups=2)(lib.ones(1, 3, 5, 5))
        with pytest.raises(RuntimeError):
            lib.nn.LazyConv2d(4, 3)(lib.ones(5, 5))


def test_lazy_in_sequential_trains_like_torch():
    x = rng.standard_normal((8, 3, 6, 6)).astype(np.float32)
    res = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        net = lib.nn.Sequential(lib.nn.LazyConv2d(4, 3), lib.nn.LazyBatchNorm2d(), lib.nn.ReLU(),
                                lib.nn.Flatten(), lib.nn.LazyLinear(2))
        net(lib.tensor(x))  # initializes
        opt = lib.optim.SGD(net.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            loss = net(lib.tensor(x)).pow(2).mean()
            loss.backward()
            opt.step()
        res.append((loss, list(net.state_dict())))
    assert res[0][1] == res[1][1]
    assert_close(res[0][0], res[1][0], rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------- EmbeddingBag
W10 = rng.standard_normal((10, 3))
IDX = np.array([1, 2, 4, 5, 4, 3, 2, 9, 0, 0])
OFFSETS = np.array([0, 3, 3, 7])  # the second bag is empty


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 4, -1])
def test_embedding_bag(mode, padding_idx):
    for kw in (dict(offsets=OFFSETS), dict(offsets=np.append(OFFSETS, 10), include_last_offset=True)):
        def f(lib, w, kw=kw):
            k = dict(kw, offsets=lib.tensor(kw["offsets"]))
            return lib.nn.functional.embedding_bag(lib.tensor(IDX), w, mode=mode, padding_idx=padding_idx, **k)
        check(f, W10)
    check(lambda lib, w: lib.nn.functional.embedding_bag(lib.tensor(IDX.reshape(2, 5)), w, mode=mode,
                                                         padding_idx=padding_idx), W10)


def test_embedding_bag_module_weights_and_errors():
    psw = rng.standard_normal(10)
    check(lambda lib, w, p: lib.nn.functional.embedding_bag(lib.tensor(IDX), w, lib.tensor(OFFSETS), mode="sum",
                                                            per_sample_weights=p), W10, psw)
    x = IDX.reshape(2, 5)
    res = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        m = lib.nn.EmbeddingBag(10, 4, mode="max", padding_idx=2)
        y = m(lib.tensor(x))
        y.sum().backward()
        res.append((y, m.weight.grad, repr(m), list(m.state_dict())))
        m2 = lib.nn.EmbeddingBag.from_pretrained(lib.tensor(W10), mode="sum", max_norm=1.0)
        res[-1] += (m2(lib.tensor(IDX), lib.tensor(OFFSETS)), m2.weight, m2.weight.requires_grad)
    assert res[0][2:4] == res[1][2:4] and res[0][6] == res[1][6]
    for i in (0, 1, 4, 5):
        assert_close(res[0][i], res[1][i], atol=1e-6)
    for args in [(IDX.reshape(2, 5), OFFSETS, "mean"), (IDX, None, "mean"), (IDX, OFFSETS, "median"),
                 (IDX, OFFSETS + 1, "sum")]:
        check_error(lambda lib, w, a=args: lib.nn.functional.embedding_bag(
            lib.tensor(a[0]), w, None if a[1] is None else lib.tensor(a[1]), mode=a[2]), W10)
    check_error(lambda lib, w, p: lib.nn.functional.embedding_bag(lib.tensor(IDX), w, lib.tensor(OFFSETS),
                                                                  mode="mean", per_sample_weights=p), W10, psw)


# ---------------------------------------------------------------- CTC
T_, N_, C_ = 12, 4, 6
CTC_LOGITS = rng.standard_normal((T_, N_, C_))
CTC_TARGETS = rng.integers(1, C_, (N_, 5))
CTC_TARGETS[0, 1] = CTC_TARGETS[0, 0]  # a repeated label needs a blank between
CTC_IN, CTC_TG = [12, 10, 12, 7], [5, 3, 0, 2]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("form", ["padded", "concatenated"])
def test_ctc_loss(reduction, form):
    def targets(lib):
        if form == "padded":
            return lib.tensor(CTC_TARGETS)
        return lib.tensor(np.concatenate([CTC_TARGETS[i, :CTC_TG[i]] for i in range(N_)]))
    check(lambda lib, x: lib.nn.functional.ctc_loss(x.log_softmax(2), targets(lib), lib.tensor(CTC_IN),
                                                    lib.tensor(CTC_TG), reduction=reduction), CTC_LOGITS)
    # the gradient with respect to log_probs themselves follows torch's formula
    lp = CTC_LOGITS - np.log(np.exp(CTC_LOGITS).sum(2, keepdims=True))
    check(lambda lib, x: lib.nn.functional.ctc_loss(x, targets(lib), CTC_IN, CTC_TG, reduction=reduction), lp)


def test_ctc_loss_module_blank_unbatched_and_infinity():
    check(lambda lib, x: lib.nn.CTCLoss(blank=5)(x.log_softmax(2), lib.tensor(CTC_TARGETS - 1), lib.tensor(CTC_IN),
                                                 lib.tensor(CTC_TG)), CTC_LOGITS.astype(np.float32),
          rtol=1e-4, atol=1e-5)
    check(lambda lib, x: lib.nn.functional.ctc_loss(x.log_softmax(1), lib.tensor(CTC_TARGETS[0]), lib.tensor(12),
                                                    lib.tensor(5), reduction="none"), CTC_LOGITS[:, 0])
    impossible_in = [12, 10, 1, 7]  # sample 2 cannot emit 2 labels in 1 step
    tg = [5, 3, 2, 2]
    check(lambda lib, x: lib.nn.functional.ctc_loss(x.log_softmax(2), lib.tensor(CTC_TARGETS), impossible_in, tg,
                                                    reduction="sum", zero_infinity=True), CTC_LOGITS)
    e = ember.nn.functional.ctc_loss(ember.tensor(CTC_LOGITS).log_softmax(2), ember.tensor(CTC_TARGETS),
                                     impossible_in, tg, reduction="none")
    t = torch.nn.functional.ctc_loss(torch.tensor(CTC_LOGITS).log_softmax(2), torch.tensor(CTC_TARGETS),
                                     impossible_in, tg, reduction="none")
    assert_close(e, t)
    check_error(lambda lib, x: lib.nn.functional.ctc_loss(x, lib.tensor(CTC_TARGETS), [13, 1, 1, 1], CTC_TG),
                CTC_LOGITS)
    check_error(lambda lib, x: lib.nn.functional.ctc_loss(x, lib.tensor(CTC_TARGETS), CTC_IN, CTC_TG, blank=6),
                CTC_LOGITS)


# ---------------------------------------------------------------- fractional max pooling
@pytest.mark.parametrize("kw", [dict(kernel_size=3, output_size=4), dict(kernel_size=(2, 3), output_size=(5, 3)),
                                dict(kernel_size=2, output_ratio=(0.5, 0.5)), dict(kernel_size=2, output_size=(8, 7))])
def test_fractional_max_pool2d(kw):
    x = rng.standard_normal((2, 3, 9, 8))
    s = rng.random((2, 3, 2))
    F = lambda lib: lib.nn.functional  # noqa: E731
    check(lambda lib, x: F(lib).fractional_max_pool2d(x, _random_samples=lib.tensor(s), **kw), x)
    check(lambda lib, x: F(lib).fractional_max_pool2d(x, return_indices=True, _random_samples=lib.tensor(s),
                                                      **kw)[1], x, grad=False)
    check(lambda lib, x: F(lib).fractional_max_pool2d(x[0], _random_samples=lib.tensor(s[:1]), **kw), x)


@pytest.mark.parametrize("kw", [dict(kernel_size=2, output_size=(3, 4, 5)),
                                dict(kernel_size=(3, 2, 2), output_ratio=(0.5, 0.5, 0.6))])
def test_fractional_max_pool3d(kw):
    x = rng.standard_normal((2, 3, 7, 6, 8))
    s = rng.random((2, 3, 3))
    F = lambda lib: lib.nn.functional  # noqa: E731
    check(lambda lib, x: F(lib).fractional_max_pool3d(x, _random_samples=lib.tensor(s), **kw), x)
    check(lambda lib, x: F(lib).fractional_max_pool3d(x, return_indices=True, _random_samples=lib.tensor(s),
                                                      **kw)[1], x, grad=False)


def test_fractional_max_pool_draws_torchs_samples():
    """Without _random_samples, the windows come from the generator exactly as torch draws them."""
    for cls, shape, kw in [("FractionalMaxPool2d", (2, 3, 9, 8), dict(output_ratio=0.5)),
                           ("FractionalMaxPool3d", (2, 3, 7, 6, 8), dict(output_size=3))]:
        x = rng.standard_normal(shape).astype(np.float32)
        res = []
        for lib in (ember, torch):
            lib.manual_seed(5)
            m = getattr(lib.nn, cls)(2, return_indices=True, **kw)
            res.append(m(lib.tensor(x)) + (lib.rand(2),))
        assert_close(res[0], res[1])
    for lib in (ember, torch):
        with pytest.raises(ValueError):
            lib.nn.FractionalMaxPool2d(2)
        with pytest.raises(ValueError):
            lib.nn.FractionalMaxPool2d(2, output_ratio=1.5)
        with pytest.raises(RuntimeError):
            lib.nn.FractionalMaxPool2d(4, output_size=7)(lib.ones(1, 1, 8, 8))


# ---------------------------------------------------------------- AdaptiveLogSoftmaxWithLoss
def test_adaptive_log_softmax_with_loss():
    x = rng.standard_normal((7, 16)).astype(np.float32)
    t = np.array([0, 3, 9, 15, 19, 2, 12])
    res = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        m = lib.nn.AdaptiveLogSoftmaxWithLoss(16, 20, [4, 10, 15], div_value=2.0, head_bias=True)
        xi = lib.tensor(x, requires_grad=True)
        out, loss = m(xi, lib.tensor(t))
        loss.backward()
        res.append([out, loss, xi.grad] + [p.grad for p in m.parameters()]
                   + [m.log_prob(lib.tensor(x)), m.predict(lib.tensor(x)), m(lib.tensor(x[0]), lib.tensor(t[0]))[0]])
        res[-1].append(list(m.state_dict()))
        with pytest.raises(RuntimeError):
            m(lib.tensor(x), lib.tensor(t + 5))
        with pytest.raises(ValueError):
            lib.nn.AdaptiveLogSoftmaxWithLoss(16, 20, [10, 4])
    assert res[0][-1] == res[1][-1]
    for a, b in zip(res[0][:-1], res[1][:-1]):
        assert_close(a, b, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- affine_grid / grid_sample
@pytest.mark.parametrize("align_corners", [True, False])
def test_affine_grid(align_corners):
    theta = rng.standard_normal((2, 2, 3)) * 0.5 + np.array([[1, 0, 0], [0, 1, 0]])
    check(lambda lib, t: lib.nn.functional.affine_grid(t, (2, 3, 5, 4), align_corners=align_corners), theta)
    check(lambda lib, t: lib.nn.functional.affine_grid(t, (2, 3, 4, 5, 3), align_corners=align_corners),
          rng.standard_normal((2, 3, 4)))
    check(lambda lib, t: lib.nn.functional.affine_grid(t, [2, 1, 7, 6], align_corners=align_corners),
          theta.astype(np.float32))
    check_error(lambda lib, t: lib.nn.functional.affine_grid(t, (2, 3, 4, 5, 3), align_corners=align_corners), theta)
    check_error(lambda lib, t: lib.nn.functional.affine_grid(t, (2, 3, 4), align_corners=align_corners), theta)


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [True, False])
def test_grid_sample_2d(mode, padding_mode, align_corners):
    x = rng.standard_normal((2, 3, 5, 6))
    grid = rng.uniform(-1.3, 1.3, (2, 4, 7, 2))  # some positions outside the image
    check(lambda lib, x, g: lib.nn.functional.grid_sample(x, g, mode=mode, padding_mode=padding_mode,
                                                          align_corners=align_corners), x, grid, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_3d(mode, padding_mode):
    x = rng.standard_normal((2, 3, 4, 5, 6))
    grid = rng.uniform(-1.2, 1.2, (2, 3, 4, 2, 3))
    for ac in (True, False):
        check(lambda lib, x, g: lib.nn.functional.grid_sample(x, g, mode=mode, padding_mode=padding_mode,
                                                              align_corners=ac), x, grid, rtol=1e-7, atol=1e-9)


def test_spatial_transformer_float32_and_errors():
    x = rng.standard_normal((2, 3, 8, 8)).astype(np.float32)
    theta = (rng.standard_normal((2, 2, 3)) * 0.3 + np.array([[1, 0, 0], [0, 1, 0]])).astype(np.float32)

    def stn(lib, x, t):
        g = lib.nn.functional.affine_grid(t, x.shape, align_corners=False)
        return lib.nn.functional.grid_sample(x, g, align_corners=False)
    check(stn, x, theta, rtol=1e-4, atol=1e-5)
    g = rng.uniform(-1, 1, (2, 4, 4, 2))
    check_error(lambda lib, x, g: lib.nn.functional.grid_sample(x, g, mode="linear", align_corners=True), x, g)
    check_error(lambda lib, x, g: lib.nn.functional.grid_sample(x, g, padding_mode="wrap", align_corners=True), x, g)
    check_error(lambda lib, x, g: lib.nn.functional.grid_sample(x, g, mode="bicubic", align_corners=True),
                rng.standard_normal((1, 1, 3, 3, 3)), rng.uniform(-1, 1, (1, 2, 2, 2, 3)))
    for lib in (ember, torch):
        with pytest.warns(UserWarning):
            lib.nn.functional.grid_sample(lib.tensor(x), lib.tensor(g.astype(np.float32)))


# ---------------------------------------------------------------- small names
def test_nn_grad_conv_gradients():
    x = rng.standard_normal((2, 4, 7, 6))
    w = rng.standard_normal((6, 2, 3, 2))
    gy = rng.standard_normal((2, 6, 4, 4))
    kw = dict(stride=2, padding=1, groups=2)
    e = (ember.nn.grad.conv2d_input(x.shape, ember.tensor(w), ember.tensor(gy), **kw),
         ember.nn.grad.conv2d_weight(ember.tensor(x), w.shape, ember.tensor(gy), **kw))
    t = (torch.nn.grad.conv2d_input(x.shape, torch.tensor(w), torch.tensor(gy), **kw),
         torch.nn.grad.conv2d_weight(torch.tensor(x), w.shape, torch.tensor(gy), **kw))
    assert_close(list(e), list(t))
    x1, w1, gy1 = rng.standard_normal((2, 3, 9)), rng.standard_normal((4, 3, 3)), rng.standard_normal((2, 4, 7))
    assert_close(ember.nn.grad.conv1d_weight(ember.tensor(x1), w1.shape, ember.tensor(gy1)),
                 torch.nn.grad.conv1d_weight(torch.tensor(x1), w1.shape, torch.tensor(gy1)))
    x3, w3, gy3 = rng.standard_normal((1, 2, 4, 4, 4)), rng.standard_normal((3, 2, 2, 2, 2)), \
        rng.standard_normal((1, 3, 3, 3, 3))
    assert_close(ember.nn.grad.conv3d_input(x3.shape, ember.tensor(w3), ember.tensor(gy3)),
                 torch.nn.grad.conv3d_input(x3.shape, torch.tensor(w3), torch.tensor(gy3)))


def test_deprecated_names_and_skip_init():
    x = rng.standard_normal((2, 3, 4, 4))
    t = rng.integers(0, 3, (2, 4, 4))
    res = []
    for lib in (ember, torch):
        with pytest.warns(FutureWarning):
            loss = lib.nn.NLLLoss2d()
        with pytest.warns(FutureWarning):
            c = lib.nn.Container(a=lib.nn.Linear(2, 2))
        lib.manual_seed(3)
        m = lib.nn.utils.skip_init(lib.nn.Linear, 4, 3)
        after = lib.rand(3)  # skip_init drew no random numbers
        res.append((loss(lib.tensor(x).log_softmax(1), lib.tensor(t)), list(c.state_dict()), tuple(m.weight.shape),
                    after, lib.nn.functional.native_channel_shuffle(lib.tensor(x[:, :2]), 2)))
        with pytest.raises(RuntimeError):
            lib.nn.utils.skip_init(int)
    assert res[0][1:3] == res[1][1:3]
    for i in (0, 3, 4):
        assert_close(res[0][i], res[1][i])


@pytest.mark.parametrize("kw,xs,ts", [
    (dict(), (5, 8), (5,)),
    (dict(bias=True, label_smoothing=0.1), (5, 8), (5,)),
    (dict(out_features=(3,), bias=True), (5, 8), (5, 3)),
    (dict(reduction="none", ignore_index=2), (5, 8), (5,)),
    (dict(), (8,), ()),
])
def test_linear_cross_entropy_loss(kw, xs, ts):
    x = rng.standard_normal(xs).astype(np.float32)
    t = rng.integers(0, 4, ts)
    res = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        m = lib.nn.LinearCrossEntropyLoss(8, 4, **kw)
        xi = lib.tensor(x, requires_grad=True)
        loss = m(xi, lib.tensor(t))
        loss.sum().backward()
        res.append((loss, xi.grad, m.linear.weight.grad, list(m.state_dict())))
        with pytest.raises(ValueError):
            lib.nn.LinearCrossEntropyOptions(acc_policy="fast")
        with pytest.raises(RuntimeError):
            lib.nn.functional.linear_cross_entropy(xi, m.linear.weight[:, :3], lib.tensor(t))
    assert res[0][3] == res[1][3]
    assert_close(list(res[0][:3]), list(res[1][:3]), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- resampling and shuffles (existing layers, 3-D cases)
X4 = rng.standard_normal((2, 8, 5, 6))


@pytest.mark.parametrize("name,f,x", [
    ("trilinear", lambda lib, x: lib.nn.Upsample(scale_factor=2, mode="trilinear")(x), X5),
    ("trilinear_align", lambda lib, x: lib.nn.Upsample(size=(5, 7, 3), mode="trilinear", align_corners=True)(x), X5),
    ("nearest_3d", lambda lib, x: lib.nn.Upsample(scale_factor=(2, 1.5, 1), mode="nearest")(x), X5),
    ("nearest_exact", lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=1.7, mode="nearest-exact"), X4),
    ("bicubic", lambda lib, x: lib.nn.functional.interpolate(x, size=(9, 4), mode="bicubic", align_corners=False), X4),
    ("area_3d", lambda lib, x: lib.nn.functional.interpolate(x, size=(3, 3, 4), mode="area"), X5),
    ("upsampling_nearest2d", lambda lib, x: lib.nn.UpsamplingNearest2d(scale_factor=2)(x), X4),
    ("upsampling_bilinear2d", lambda lib, x: lib.nn.UpsamplingBilinear2d(size=(7, 9))(x), X4),
    ("pixel_shuffle", lambda lib, x: lib.nn.PixelShuffle(2)(x), X4),
    ("pixel_shuffle_5d", lambda lib, x: lib.nn.PixelShuffle(2)(x.reshape(1, 2, 8, 5, 6)), X4),
    ("pixel_unshuffle", lambda lib, x: lib.nn.PixelUnshuffle(2)(x[..., :4, :6]), X4),
    ("channel_shuffle", lambda lib, x: lib.nn.ChannelShuffle(4)(x), X4),
    ("fold", lambda lib, x: lib.nn.Fold((4, 5), (2, 2))(x.reshape(2, 8, 30)[:, :, :12]), X4),
    ("unfold", lambda lib, x: lib.nn.Unfold((2, 3), dilation=(1, 2), padding=1, stride=2)(x), X4),
])
def test_resampling_and_shuffles(name, f, x):
    check(f, x)


def test_memory_format_helpers_keep_the_module():
    m = ember.nn.Sequential(ember.nn.Conv2d(3, 4, 3), ember.nn.Conv3d(4, 2, 1))
    assert ember.nn.utils.convert_conv2d_weight_memory_format(m, ember.channels_last) is m
    assert ember.nn.utils.convert_conv3d_weight_memory_format(m, ember.channels_last_3d) is m


def test_conv_tbc_grouped_mm_and_helpers():
    check(lambda lib, x, w, b: lib.nn.functional.conv_tbc(x, w, b, 1), rng.standard_normal((7, 2, 3)),
          rng.standard_normal((3, 3, 4)), rng.standard_normal(4))
    F = lambda lib: lib.nn.functional  # noqa: E731
    f32 = lambda *s: rng.standard_normal(s).astype(np.float32)  # noqa: E731
    offs = lambda lib, v: lib.tensor(np.array(v, dtype=np.int32))  # noqa: E731
    check(lambda lib, a, b: F(lib).grouped_mm(a, b, offs=offs(lib, [2, 3, 6])), f32(6, 8), f32(3, 8, 8))
    check(lambda lib, a, b: F(lib).grouped_mm(a, b), f32(3, 4, 8), f32(3, 8, 8))
    check(lambda lib, a, b: F(lib).grouped_mm(a, b, offs=offs(lib, [4, 8, 16])), f32(8, 16), f32(16, 8))
    check(lambda lib, a, b: F(lib).grouped_mm(a, b, offs=offs(lib, [8, 16, 24])), f32(3, 4, 8), f32(8, 24))
    for lib in (ember, torch):
        lib.nn.functional.assert_int_or_pair((2, 3), "kernel_size", "{} must be int or 2-tuple")
        with pytest.raises(AssertionError):
            lib.nn.functional.assert_int_or_pair((2, 3, 4), "kernel_size", "{} must be int or 2-tuple")


@pytest.mark.parametrize("size", [2, 3, 5, 6])
def test_cross_map_lrn2d(size):
    for c in (3, 8):
        check(lambda lib, x: lib.nn.CrossMapLRN2d(size, 1e-2, 0.75, 2.0)(x), rng.standard_normal((2, c, 3, 4)))
        check(lambda lib, x: lib.nn.CrossMapLRN2d(size)(x), rng.standard_normal((2, c, 3, 4)).astype(np.float32))
    assert repr(ember.nn.CrossMapLRN2d(size)) == repr(torch.nn.CrossMapLRN2d(size))
    check_error(lambda lib, x: lib.nn.CrossMapLRN2d(size)(x), rng.standard_normal((2, 3, 4)))


def test_torch_module_paths_and_helpers():
    """Code that imports from torch.nn.modules.* and uses its helpers runs the same on ember."""
    import importlib
    from collections import OrderedDict
    for lib, name in ((ember, "ember"), (torch, "torch")):
        for path, attr in [("batchnorm", "_BatchNorm"), ("conv", "_ConvNd"), ("loss", "_WeightedLoss"),
                           ("module", "Module"), ("instancenorm", "_InstanceNorm"), ("pooling", "MaxPool3d"),
                           ("linear", "Identity"), ("lazy", "LazyModuleMixin"), ("upsampling", "Upsample")]:
            assert hasattr(importlib.import_module(f"{name}.nn.modules.{path}"), attr), (name, path)
        assert isinstance(lib.nn.BatchNorm2d(3), importlib.import_module(f"{name}.nn.modules.batchnorm")._BatchNorm)
        u = importlib.import_module(f"{name}.nn.modules.utils")
        assert (u._pair(3), u._triple((1, 2, 3)), u._reverse_repeat_tuple((1, 2), 2)) == ((3, 3), (1, 2, 3),
                                                                                          (2, 2, 1, 1))
        sd = OrderedDict([("module.a", 1), ("module.b.c", 2), ("d", 3)])
        u.consume_prefix_in_state_dict_if_present(sd, "module.")
        assert list(sd) == ["d", "a", "b.c"] or sorted(sd) == ["a", "b.c", "d"]
        assert lib.nn.factory_kwargs({"dtype": 1, "factory_kwargs": {"device": "cpu"}}) == {"device": "cpu",
                                                                                           "dtype": 1}
        with pytest.raises(TypeError):
            lib.nn.factory_kwargs({"size": 3})
        assert lib.nn.common_types._size_2_t is not None


def test_data_dependent_layers_replay_under_compile():
    """Window maxima, bag layouts, grid positions and CTC targets are found inside ops, so a
    compiled function computes them again for new inputs (not the first call's)."""
    F = ember.nn.functional
    r = np.random.default_rng(5)
    img = ember.tensor(r.standard_normal((1, 1, 4, 4)))
    table = ember.tensor(r.standard_normal((10, 3)))
    cases = [
        (lambda x: F.max_pool3d(x, 2), lambda: (r.standard_normal((1, 2, 4, 4, 4)),)),
        (lambda x: F.adaptive_max_pool3d(x, 2), lambda: (r.standard_normal((1, 2, 5, 5, 5)),)),
        (lambda x: F.adaptive_max_pool2d(x, (2, 3)), lambda: (r.standard_normal((1, 2, 5, 7)),)),
        (lambda x: F.fractional_max_pool2d(x, 2, output_size=3, _random_samples=ember.tensor([[[0.3, 0.6]]],
                                                                                             dtype=ember.float64)),
         lambda: (r.standard_normal((1, 1, 6, 6)),)),
        (lambda g: F.grid_sample(img, g, mode="bicubic", padding_mode="reflection", align_corners=False),
         lambda: (r.uniform(-1.2, 1.2, (1, 3, 3, 2)),)),
        (lambda i, o: F.embedding_bag(i, table, o, mode="max", padding_idx=2),
         lambda: (r.integers(0, 10, 8), np.sort(np.r_[0, r.integers(0, 9, 2)]))),
        (lambda x, t, il, tl: F.ctc_loss(x.log_softmax(2), t, il, tl),
         lambda: (r.standard_normal((10, 2, 5)), r.integers(1, 5, (2, 4)), r.integers(6, 11, 2), r.integers(1, 5, 2))),
    ]
    for f, make in cases:
        cf = ember.compile(f)
        for _ in range(3):
            args = [ember.tensor(a) for a in make()]
            assert_close(cf(*args), f(*args))
