"""Every layer against torch: seeded initial weights (bit for bit), repr, state_dict keys and
shapes, then forward values, input gradient and parameter gradients in train and eval mode.

Weights are created in float32 under the same seed; the comparisons of values then run in
float64 (both modules converted with .double()) so that they are tight, plus one float32
pass to check dtypes survive.
"""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_close

RNG = np.random.default_rng(0)


def make(name, args, kwargs, seed=0):
    torch.manual_seed(seed)
    mt = getattr(torch.nn, name)(*args, **kwargs)
    ember.manual_seed(seed)
    me = getattr(ember.nn, name)(*args, **kwargs)
    return me, mt


def check_init_and_structure(me, mt):
    assert repr(me) == repr(mt)
    se, st = me.state_dict(), mt.state_dict()
    assert list(se.keys()) == list(st.keys())
    for k in st:
        assert tuple(se[k].shape) == tuple(st[k].shape), k
        assert str(se[k].dtype).split(".")[-1] == str(st[k].dtype).split(".")[-1], k
        np.testing.assert_array_equal(se[k]._data, st[k].numpy(), err_msg=f"seeded init of {k}")
    assert [n for n, _ in me.named_parameters()] == [n for n, _ in mt.named_parameters()]
    assert [n for n, _ in me.named_buffers()] == [n for n, _ in mt.named_buffers()]


def run_both(me, mt, inputs, train, rtol, atol, grad=True):
    """Forward and backward through both; compare outputs, input grads, parameter grads, buffers."""
    me.train(train)
    mt.train(train)
    xe = [ember.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in inputs]
    xt = [torch.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in inputs]
    ye, yt = me(*xe), mt(*xt)
    if isinstance(yt, tuple):
        ye, yt = ye[0], yt[0]
    assert_close(ye, yt, rtol, atol)
    if grad:
        g = RNG.standard_normal(tuple(yt.shape)).astype(yt.detach().numpy().dtype)
        ye.backward(ember.tensor(g))
        yt.backward(torch.tensor(g))
        for a, b in zip(xe, xt):
            if b.requires_grad:
                assert_close(a.grad, b.grad, rtol, atol)
        for (n, pe), (_, pt) in zip(me.named_parameters(), mt.named_parameters()):
            assert (pe.grad is None) == (pt.grad is None), n
            if pt.grad is not None:
                assert_close(pe.grad, pt.grad, rtol, atol)
    for (n, be), (_, bt) in zip(me.named_buffers(), mt.named_buffers()):
        assert_close(be, bt, rtol, atol)
    me.zero_grad()
    mt.zero_grad()


def check_layer(name, args, kwargs, shapes, int_input=None, modes=(True, False), tol64=(1e-10, 1e-10),
                tol32=(1e-5, 1e-5)):
    me, mt = make(name, args, kwargs)
    check_init_and_structure(me, mt)
    inputs32 = [RNG.standard_normal(s).astype(np.float32) for s in shapes]
    if int_input is not None:
        inputs32 = [int_input]
    for train in modes:
        run_both(me, mt, inputs32, train, *tol32)
    me, mt = make(name, args, kwargs)  # fresh, so float32 running stats do not carry over
    me.double()
    mt.double()
    inputs64 = [a.astype(np.float64) if a.dtype.kind == "f" else a for a in inputs32]
    for train in modes:
        run_both(me, mt, inputs64, train, *tol64)


# (name, args, kwargs, input shapes)
LAYERS = [
    ("Linear", (5, 3), {}, [(4, 5)]),
    ("Linear", (5, 3), {"bias": False}, [(2, 3, 5)]),
    ("Linear", (5, 3), {}, [(5,)]),
    ("Bilinear", (4, 5, 3), {}, [(6, 4), (6, 5)]),
    ("Identity", (3,), {"foo": 1}, [(2, 3)]),
    ("Flatten", (), {}, [(2, 3, 4, 5)]),
    ("Flatten", (0, 2), {}, [(2, 3, 4, 5)]),
    ("Unflatten", (1, (3, 4)), {}, [(2, 12, 5)]),
    ("Conv1d", (4, 6, 3), {"stride": 2, "padding": 1}, [(2, 4, 11)]),
    ("Conv1d", (4, 6, 3), {"groups": 2, "padding": "same", "dilation": 2}, [(2, 4, 9)]),
    ("Conv1d", (3, 4, 3), {"padding": 2, "padding_mode": "circular"}, [(2, 3, 7)]),
    ("Conv1d", (3, 4, 3), {}, [(3, 7)]),
    ("Conv2d", (3, 6, 3), {}, [(2, 3, 8, 7)]),
    ("Conv2d", (4, 6, (3, 2)), {"stride": (2, 1), "padding": (1, 2), "dilation": (1, 2), "groups": 2, "bias": False},
     [(2, 4, 9, 8)]),
    ("Conv2d", (3, 4, 4), {"padding": "same"}, [(2, 3, 7, 6)]),
    ("Conv2d", (3, 4, 3), {"padding": "valid", "stride": 2}, [(2, 3, 7, 6)]),
    ("Conv2d", (3, 4, 3), {"padding": 1, "padding_mode": "reflect"}, [(2, 3, 6, 5)]),
    ("Conv2d", (3, 4, 3), {"padding": (2, 1), "padding_mode": "replicate"}, [(2, 3, 6, 5)]),
    ("Conv2d", (3, 4, 3), {"padding": 1, "padding_mode": "circular"}, [(2, 3, 6, 5)]),
    ("Conv2d", (4, 4, 3), {"groups": 4, "padding": 1}, [(2, 4, 5, 5)]),
    ("ConvTranspose1d", (4, 6, 3), {"stride": 2, "padding": 1, "output_padding": 1}, [(2, 4, 5)]),
    ("ConvTranspose2d", (4, 6, 3), {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2}, [(2, 4, 5, 4)]),
    ("ConvTranspose2d", (3, 5, (3, 2)), {"stride": (2, 3), "dilation": (2, 1), "bias": False}, [(2, 3, 4, 3)]),
    ("MaxPool1d", (3,), {"stride": 2, "padding": 1}, [(2, 3, 10)]),
    ("MaxPool2d", (2,), {}, [(2, 3, 8, 6)]),
    ("MaxPool2d", (3, 2, 1), {"ceil_mode": True}, [(2, 3, 8, 7)]),
    ("MaxPool2d", ((3, 2),), {"stride": 1, "dilation": (2, 1)}, [(2, 2, 8, 7)]),
    ("MaxPool2d", (2,), {"return_indices": True}, [(2, 3, 6, 6)]),
    ("AvgPool1d", (3,), {"stride": 2, "padding": 1}, [(2, 3, 10)]),
    ("AvgPool2d", (3,), {"stride": 2, "padding": 1}, [(2, 3, 8, 7)]),
    ("AvgPool2d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False, "ceil_mode": True}, [(2, 3, 8, 7)]),
    ("AvgPool2d", (2,), {"divisor_override": 3}, [(2, 3, 6, 6)]),
    ("AdaptiveAvgPool1d", (4,), {}, [(2, 3, 10)]),
    ("AdaptiveAvgPool2d", ((3, 4),), {}, [(2, 3, 8, 7)]),
    ("AdaptiveAvgPool2d", (1,), {}, [(2, 3, 5, 5)]),
    ("AdaptiveAvgPool2d", ((2, None),), {}, [(2, 3, 6, 5)]),
    ("AdaptiveMaxPool1d", (4,), {}, [(2, 3, 10)]),
    ("AdaptiveMaxPool2d", ((3, 4),), {}, [(2, 3, 8, 7)]),
    ("LPPool2d", (2, 2), {}, [(2, 3, 6, 6)]),
    ("BatchNorm1d", (5,), {}, [(8, 5)]),
    ("BatchNorm1d", (5,), {"momentum": None}, [(4, 5, 3)]),
    ("BatchNorm2d", (3,), {}, [(4, 3, 5, 4)]),
    ("BatchNorm2d", (3,), {"affine": False, "momentum": 0.3}, [(4, 3, 5, 4)]),
    ("BatchNorm2d", (3,), {"track_running_stats": False}, [(4, 3, 5, 4)]),
    ("BatchNorm3d", (2,), {}, [(3, 2, 3, 4, 2)]),
    ("InstanceNorm1d", (3,), {}, [(2, 3, 7)]),
    ("InstanceNorm2d", (3,), {"affine": True, "track_running_stats": True}, [(2, 3, 5, 4)]),
    ("InstanceNorm2d", (3,), {}, [(3, 5, 4)]),
    ("LayerNorm", (5,), {}, [(4, 5)]),
    ("LayerNorm", ((3, 5),), {"bias": False, "eps": 1e-3}, [(2, 4, 3, 5)]),
    ("LayerNorm", (5,), {"elementwise_affine": False}, [(2, 4, 5)]),
    ("GroupNorm", (2, 4), {}, [(3, 4, 5)]),
    ("GroupNorm", (3, 6), {"affine": False}, [(2, 6, 3, 2)]),
    ("RMSNorm", (5,), {}, [(4, 5)]),
    ("RMSNorm", ([3, 5],), {"eps": 1e-5}, [(2, 3, 5)]),
    ("LocalResponseNorm", (3,), {}, [(2, 5, 4, 3)]),
    ("LocalResponseNorm", (2,), {"alpha": 0.1, "beta": 0.5, "k": 2.0}, [(2, 5, 7)]),
    ("ZeroPad2d", ((1, 2, 0, 3),), {}, [(2, 3, 4, 4)]),
    ("ConstantPad1d", (2, 3.5), {}, [(2, 3, 4)]),
    ("ConstantPad2d", ((-1, 2, 1, -1), 1.0), {}, [(2, 3, 4, 4)]),
    ("ReflectionPad1d", ((2, 1),), {}, [(2, 3, 4)]),
    ("ReflectionPad2d", (2,), {}, [(2, 3, 4, 5)]),
    ("ReplicationPad2d", ((1, 3, 2, 0),), {}, [(2, 3, 4, 5)]),
    ("CircularPad2d", ((1, 2, 2, 1),), {}, [(2, 3, 4, 5)]),
    ("Upsample", (), {"scale_factor": 2, "mode": "nearest"}, [(2, 3, 4, 5)]),
    ("Upsample", (), {"size": (7, 9), "mode": "nearest"}, [(2, 3, 4, 5)]),
    ("Upsample", (), {"scale_factor": 1.7, "mode": "bilinear"}, [(2, 3, 4, 5)]),
    ("Upsample", (), {"size": (7, 9), "mode": "bilinear", "align_corners": True}, [(2, 3, 4, 5)]),
    ("Upsample", (), {"size": (3, 8), "mode": "bicubic"}, [(2, 3, 4, 5)]),
    ("Upsample", (), {"scale_factor": 3, "mode": "linear"}, [(2, 3, 4)]),
    ("UpsamplingNearest2d", (), {"scale_factor": 3}, [(2, 3, 4, 5)]),
    ("UpsamplingBilinear2d", (), {"size": (6, 3)}, [(2, 3, 4, 5)]),
    ("PixelShuffle", (2,), {}, [(2, 8, 3, 4)]),
    ("PixelUnshuffle", (2,), {}, [(2, 2, 4, 6)]),
    ("Fold", ((5, 6), (2, 3)), {"padding": 1, "stride": 2}, [(2, 12, 9)]),
    ("Unfold", ((2, 3),), {"dilation": (1, 2), "padding": 1, "stride": 2}, [(2, 3, 6, 7)]),
    ("PairwiseDistance", (), {}, [(4, 5), (4, 5)]),
    ("CosineSimilarity", (), {"dim": 1}, [(4, 5, 2), (4, 5, 2)]),
    ("Dropout", (0.3,), {}, [(4, 5)]),
    ("PReLU", (), {}, [(4, 5)]),
    ("PReLU", (3,), {"init": 0.1}, [(2, 3, 4)]),
]


@pytest.mark.parametrize("name,args,kwargs,shapes", LAYERS,
                         ids=[f"{n}-{i}" for i, (n, *_) in enumerate(LAYERS)])
def test_layer(name, args, kwargs, shapes):
    modes = (False,) if name == "Dropout" else (True, False)  # training dropout is tested in test_functional
    check_layer(name, args, kwargs, shapes, modes=modes)


ACTIVATIONS = [
    ("ReLU", (), {}), ("ReLU6", (), {}), ("LeakyReLU", (0.2,), {}), ("ELU", (), {"alpha": 0.7}), ("SELU", (), {}),
    ("CELU", (1.5,), {}), ("GELU", (), {}), ("GELU", (), {"approximate": "tanh"}), ("SiLU", (), {}), ("Mish", (), {}),
    ("Sigmoid", (), {}), ("Tanh", (), {}), ("Softplus", (), {}), ("Softplus", (), {"beta": 2, "threshold": 3}),
    ("Softsign", (), {}), ("Hardtanh", (-0.5, 1.5), {}), ("Hardsigmoid", (), {}), ("Hardswish", (), {}),
    ("Hardshrink", (0.7,), {}), ("Softshrink", (), {}), ("Tanhshrink", (), {}), ("Threshold", (0.3, -2.0), {}),
    ("GLU", (), {}), ("GLU", (0,), {}), ("LogSigmoid", (), {}), ("Softmax", (1,), {}), ("LogSoftmax", (-1,), {}),
    ("Softmin", (0,), {}), ("Softmax2d", (), {}), ("RReLU", (), {}),
]


@pytest.mark.parametrize("name,args,kwargs", ACTIVATIONS, ids=[a[0] + str(i) for i, a in enumerate(ACTIVATIONS)])
def test_activation(name, args, kwargs):
    # values include the kinks (0, +-lambda, +-3, +-6) and large magnitudes
    x = RNG.standard_normal((4, 6, 4)) * 4
    x.flat[:14] = [0, 3, -3, 6, -6, 0.5, -0.5, 0.7, -0.7, 30, -30, 1.5, -1, 0.3]
    modes = (False,) if name == "RReLU" else (True, False)
    check_layer(name, args, kwargs, [x.shape], int_input=x.astype(np.float32), modes=modes, tol32=(1e-5, 1e-5))


@pytest.mark.parametrize("name,kwargs", [("ReLU", {}), ("LeakyReLU", {"negative_slope": 0.1}), ("ELU", {}),
                                         ("SELU", {}), ("CELU", {}), ("SiLU", {}), ("Mish", {}), ("Hardtanh", {}),
                                         ("ReLU6", {}), ("Hardsigmoid", {}), ("Hardswish", {}),
                                         ("Threshold", {"threshold": 0.1, "value": 5.0})])
def test_activation_inplace(name, kwargs):
    x = RNG.standard_normal((3, 4)).astype(np.float32) * 4
    me = getattr(ember.nn, name)(inplace=True, **kwargs)
    mt = getattr(torch.nn, name)(inplace=True, **kwargs)
    assert repr(me) == repr(mt)
    # in place on a non-leaf: the result is the same tensor and gradients flow through it
    ae = ember.tensor(x, requires_grad=True)
    at = torch.tensor(x, requires_grad=True)
    he, ht = ae * 1.0, at * 1.0
    ye, yt = me(he), mt(ht)
    assert ye is he
    assert_close(ye, yt)
    (ye * ye).sum().backward()
    (yt * yt).sum().backward()
    assert_close(ae.grad, at.grad)


def test_embedding():
    idx = np.array([[1, 2, 4, 5], [4, 3, 2, 9], [1, 1, 0, 0]])
    for kwargs in ({}, {"padding_idx": 1}, {"padding_idx": -2, "scale_grad_by_freq": True}, {"max_norm": 1.0}):
        for dt in (np.float32, np.float64):
            me, mt = make("Embedding", (10, 3), kwargs)
            check_init_and_structure(me, mt)
            me.to(getattr(ember, np.dtype(dt).name))
            mt.to(getattr(torch, np.dtype(dt).name))
            ye, yt = me(ember.tensor(idx)), mt(torch.tensor(idx))
            assert_close(ye, yt)
            g = RNG.standard_normal(tuple(yt.shape)).astype(dt)
            ye.backward(ember.tensor(g))
            yt.backward(torch.tensor(g))
            assert_close(me.weight.grad, mt.weight.grad)
            assert_close(me.weight, mt.weight)  # max_norm renormalises rows in place
            me.zero_grad()
            mt.zero_grad()


def test_embedding_from_pretrained():
    w = RNG.standard_normal((5, 3)).astype(np.float32)
    te = ember.tensor(w)
    me = ember.nn.Embedding.from_pretrained(te, padding_idx=0)
    mt = torch.nn.Embedding.from_pretrained(torch.tensor(w), padding_idx=0)
    assert repr(me) == repr(mt)
    assert me.weight.requires_grad is False
    assert me.weight._data is te._data or np.shares_memory(me.weight._data, te._data)
    assert_close(me(ember.tensor([0, 4, 2])), mt(torch.tensor([0, 4, 2])))
    me2 = ember.nn.Embedding.from_pretrained(te, freeze=False)
    assert me2.weight.requires_grad


def test_batchnorm_running_stats_several_steps():
    for kwargs in ({}, {"momentum": None}, {"momentum": 0.5}):
        me, mt = make("BatchNorm2d", (3,), kwargs)
        for step in range(4):
            x = (RNG.standard_normal((5, 3, 4, 4)) * (step + 1) + step).astype(np.float32)
            me(ember.tensor(x))
            mt(torch.tensor(x))
        assert int(me.num_batches_tracked) == int(mt.num_batches_tracked) == 4
        assert_close(me.running_mean, mt.running_mean, 1e-6, 1e-6)
        assert_close(me.running_var, mt.running_var, 1e-6, 1e-6)
        me.eval()
        mt.eval()
        x = RNG.standard_normal((2, 3, 4, 4)).astype(np.float32)
        assert_close(me(ember.tensor(x)), mt(torch.tensor(x)), 1e-5, 1e-5)


def test_batchnorm_errors():
    bn = ember.nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        bn(ember.ones(1, 3))
    bn.eval()
    bn(ember.ones(1, 3))  # fine in eval mode
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        bn(ember.ones(1, 3, 2, 2))


def test_float32_stays_float32():
    x = ember.randn(2, 3, 8, 8)
    for m in (ember.nn.Conv2d(3, 4, 3), ember.nn.BatchNorm2d(3), ember.nn.MaxPool2d(2), ember.nn.AvgPool2d(2),
              ember.nn.GELU(), ember.nn.LayerNorm(8), ember.nn.Upsample(scale_factor=2, mode="bilinear")):
        assert m(x).dtype == ember.float32, m


def test_conv_double_backward():
    x = RNG.standard_normal((2, 4, 6, 5))
    w = RNG.standard_normal((6, 2, 3, 2))
    grads = []
    for lib in (ember, torch):
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        y = lib.nn.functional.conv2d(xt, wt, stride=2, padding=1, groups=2)
        gx, gw = lib.autograd.grad((y ** 2).sum(), (xt, wt), create_graph=True)
        ((gx ** 2).sum() + (gw ** 3).sum()).backward()
        grads.append((xt.grad, wt.grad))
    assert_close(grads[0][0], grads[1][0], 1e-9, 1e-9)
    assert_close(grads[0][1], grads[1][1], 1e-9, 1e-9)


def test_batchnorm_double_backward():
    x = RNG.standard_normal((4, 3, 2))
    res = []
    for lib in (ember, torch):
        bn = lib.nn.BatchNorm1d(3).double()
        xt = lib.tensor(x, requires_grad=True)
        g, = lib.autograd.grad((bn(xt) ** 3).sum(), xt, create_graph=True)
        (g ** 2).sum().backward()
        res.append((xt.grad, bn.weight.grad))
    assert_close(res[0][0], res[1][0], 1e-8, 1e-8)
    assert_close(res[0][1], res[1][1], 1e-8, 1e-8)


def test_conv_transpose_output_size():
    me, mt = make("ConvTranspose2d", (3, 4, 3), {"stride": 2, "padding": 1})
    x = RNG.standard_normal((1, 3, 4, 5)).astype(np.float32)
    ye = me(ember.tensor(x), output_size=[8, 10])
    yt = mt(torch.tensor(x), output_size=[8, 10])
    assert_close(ye, yt)
    with pytest.raises(ValueError, match="requested an output size of"):
        me(ember.tensor(x), output_size=[12, 10])


def test_conv_errors():
    conv = ember.nn.Conv2d(3, 4, 3)
    with pytest.raises(RuntimeError, match=r"expected input\[1, 2, 5, 5\] to have 3 channels, but got 2"):
        conv(ember.ones(1, 2, 5, 5))
    with pytest.raises(RuntimeError, match="Kernel size can't be greater than actual input size"):
        conv(ember.ones(1, 3, 2, 2))
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        ember.nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided convolutions"):
        ember.nn.Conv2d(3, 4, 3, stride=2, padding="same")
