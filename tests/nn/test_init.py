"""nn.init against torch: under the same seed every initializer fills the same values, bit
for bit (orthogonal_ to rounding: its QR runs in a different LAPACK)."""
import math

import numpy as np
import pytest
import torch

import ember


def same(fn_name, shape, *args, seed=0, dtype="float32", exact=True, **kwargs):
    te = ember.empty(*shape, dtype=getattr(ember, dtype), requires_grad=True)
    tt = torch.empty(*shape, dtype=getattr(torch, dtype), requires_grad=True)
    ember.manual_seed(seed)
    torch.manual_seed(seed)
    re_ = getattr(ember.nn.init, fn_name)(te, *args, **kwargs)
    rt = getattr(torch.nn.init, fn_name)(tt, *args, **kwargs)
    assert re_ is te and rt is tt
    assert te.requires_grad and te.is_leaf
    if exact:
        np.testing.assert_array_equal(te._data, tt.detach().numpy())
    else:
        np.testing.assert_allclose(te._data, tt.detach().numpy(), rtol=1e-5, atol=1e-6)
    # the generators are left in the same state
    np.testing.assert_array_equal(ember.rand(5)._data, torch.rand(5).numpy())
    return te


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("fn,shape,args,kwargs", [
    ("uniform_", (7, 5), (), {}),
    ("uniform_", (40,), (-2.0, 3.0), {}),
    ("normal_", (7, 5), (), {}),
    ("normal_", (3,), (1.0, 0.5), {}),
    ("normal_", (33,), (), {"mean": -1.0, "std": 2.0}),
    ("constant_", (3, 4), (0.3,), {}),
    ("ones_", (3, 4), (), {}),
    ("zeros_", (3, 4), (), {}),
    ("eye_", (3, 5), (), {}),
    ("dirac_", (4, 2, 3), (), {}),
    ("dirac_", (6, 2, 3, 3), (), {"groups": 2}),
    ("xavier_uniform_", (20, 30), (), {}),
    ("xavier_uniform_", (6, 3, 5, 5), (), {"gain": 2.0}),
    ("xavier_normal_", (20, 30), (), {}),
    ("xavier_normal_", (6, 3, 5), (0.5,), {}),
    ("kaiming_uniform_", (20, 30), (), {}),
    ("kaiming_uniform_", (6, 3, 5, 5), (), {"a": math.sqrt(5)}),
    ("kaiming_uniform_", (6, 3, 5, 5), (), {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", (20, 30), (), {}),
    ("kaiming_normal_", (6, 3, 5, 5), (), {"a": 0.1, "mode": "fan_out", "nonlinearity": "leaky_relu"}),
    ("kaiming_normal_", (8, 4), (), {"nonlinearity": "tanh"}),
    ("trunc_normal_", (50, 40), (), {}),
    ("trunc_normal_", (200,), (), {"mean": 0.5, "std": 0.2, "a": -0.1, "b": 0.3}),
    ("trunc_normal_", (300,), (), {"mean": 0.0, "std": 1.0, "a": 2.0, "b": 3.0}),
    ("sparse_", (10, 6), (0.3,), {}),
])
def test_initializer_equals_torch(fn, shape, args, kwargs, dtype):
    same(fn, shape, *args, dtype=dtype, **kwargs)


def test_orthogonal():
    for shape in ((6, 4), (4, 6), (3, 2, 4)):
        t = same("orthogonal_", shape, exact=False)
        flat = t._data.reshape(shape[0], -1).astype(np.float64)
        gram = flat @ flat.T if shape[0] <= flat.shape[1] else flat.T @ flat
        np.testing.assert_allclose(gram, np.eye(gram.shape[0]), atol=1e-5)
    same("orthogonal_", (5, 5), exact=False, gain=2.0)


def test_calculate_gain():
    for nl, p in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                  ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None)]:
        assert ember.nn.init.calculate_gain(nl, p) == torch.nn.init.calculate_gain(nl, p)
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        ember.nn.init.calculate_gain("foo")
    with pytest.raises(ValueError, match="not a valid number"):
        ember.nn.init.calculate_gain("leaky_relu", True)


def test_fans_and_errors():
    fi = ember.nn.init._calculate_fan_in_and_fan_out(ember.empty(6, 3, 5, 5))
    assert fi == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(6, 3, 5, 5)) == (75, 150)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        ember.nn.init.xavier_uniform_(ember.empty(3))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        ember.nn.init.kaiming_uniform_(ember.empty(3, 3), mode="fan_avg")
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        ember.nn.init.eye_(ember.empty(3))
    with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions"):
        ember.nn.init.dirac_(ember.empty(3, 3))


def test_generator_argument():
    g_e, g_t = ember.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    a = ember.nn.init.kaiming_uniform_(ember.empty(4, 5), generator=g_e)
    b = torch.nn.init.kaiming_uniform_(torch.empty(4, 5), generator=g_t)
    np.testing.assert_array_equal(a._data, b.numpy())
    a = ember.nn.init.trunc_normal_(ember.empty(40), generator=g_e)
    b = torch.nn.init.trunc_normal_(torch.empty(40), generator=g_t)
    np.testing.assert_array_equal(a._data, b.numpy())


def test_every_layer_default_init_sequence():
    """A model mixing every parameterised layer: one seed, the same weights, bit for bit."""
    def build(nn):
        return nn.Sequential(nn.Conv1d(3, 4, 3), nn.Conv2d(4, 6, 3, groups=2), nn.ConvTranspose1d(2, 3, 2),
                             nn.ConvTranspose2d(6, 4, 3, groups=2), nn.Linear(7, 5), nn.Bilinear(3, 4, 2),
                             nn.BatchNorm2d(3), nn.InstanceNorm1d(2, affine=True), nn.LayerNorm(4), nn.GroupNorm(2, 4),
                             nn.RMSNorm(3), nn.Embedding(9, 4, padding_idx=2), nn.PReLU(3), nn.Linear(3, 3, bias=False))
    ember.manual_seed(123)
    torch.manual_seed(123)
    e, t = build(ember.nn), build(torch.nn)
    se, st = e.state_dict(), t.state_dict()
    assert list(se) == list(st)
    for k in st:
        np.testing.assert_array_equal(se[k]._data, st[k].numpy(), err_msg=k)
