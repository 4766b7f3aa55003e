"""The Tensor's own API against torch: attributes, creation, conversion, memory sharing, repr."""
import math

import numpy as np
import pytest
import torch

import ember
from helpers import assert_close

DTYPES = ["float32", "float64", "float16", "int8", "int16", "int32", "int64", "uint8", "bool"]


def test_dtypes_exist_and_print_like_torch():
    for name in DTYPES:
        assert getattr(ember, name).name == name
        assert repr(getattr(ember, name)) == "ember." + name
    assert ember.float is ember.float32 and ember.double is ember.float64 and ember.long is ember.int64
    assert ember.half is ember.float16 and ember.int is ember.int32 and ember.short is ember.int16
    assert ember.get_default_dtype() is ember.float32


@pytest.mark.parametrize("data", [[1.0, 2.5], [1, 2], [True, False], [[1, 2], [3, 4]], 3.5, 7, [],
                                  np.arange(4, dtype=np.float64), np.arange(4, dtype=np.int32),
                                  [np.float32(1.0), np.float32(2.0)]])
def test_tensor_infers_torch_dtypes(data):
    assert_close(ember.tensor(data), torch.tensor(data))


def test_attributes():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    e, t = ember.tensor(a), torch.tensor(a)
    assert tuple(e.shape) == tuple(t.shape) and e.size() == tuple(t.size()) and e.size(1) == t.size(1)
    assert e.size(-1) == 4 and e.dim() == 3 and e.ndim == 3 and e.numel() == 24
    assert e.stride() == t.stride() and e.T.shape == tuple(t.permute(2, 1, 0).shape)
    assert e.mT.shape == tuple(t.mT.shape)
    assert str(e.device) == "cpu" and e.device == "cpu" and e.device.type == "cpu"
    assert e.is_leaf and e.grad is None and e.grad_fn is None and not e.requires_grad
    assert e.element_size() == 4 and e.is_floating_point() and not e.is_complex()
    assert e.is_contiguous() and not e.transpose(0, 1).is_contiguous()
    with pytest.raises(IndexError):
        e.size(3)


def test_item_tolist_numpy_sharing():
    e = ember.tensor([[1.5, 2.0]])
    assert e[0, 0].item() == 1.5 and e.tolist() == [[1.5, 2.0]]
    n = e.numpy()
    n[0, 1] = 9
    assert e[0, 1].item() == 9.0  # numpy() shares memory
    arr = np.zeros(3, dtype=np.float32)
    f = ember.from_numpy(arr)
    arr[1] = 4
    assert f.tolist() == [0.0, 4.0, 0.0]
    assert ember.as_tensor(arr)._data is arr
    c = ember.tensor(arr)
    arr[0] = 1
    assert c[0].item() == 0.0  # tensor() copies
    with pytest.raises(RuntimeError, match="requires grad"):
        ember.ones(2, requires_grad=True).numpy()
    with pytest.raises(RuntimeError):
        ember.ones(2).item()


def test_conversions():
    e = ember.tensor([1.7, -2.2])
    t = torch.tensor([1.7, -2.2])
    for m in ("float", "double", "half", "long", "int", "short", "bool", "byte", "char"):
        assert_close(getattr(e, m)(), getattr(t, m)())
    assert_close(e.to(ember.float64), t.to(torch.float64))
    assert_close(e.to("cpu", ember.int32), t.to("cpu", torch.int32))
    assert e.to(ember.float32) is e
    assert e.to(ember.float32, copy=True) is not e
    assert int(ember.tensor(3)) == 3 and float(ember.tensor(2.5)) == 2.5
    assert [1, 2, 3][ember.tensor(1)] == 2


def test_detach_clone_contiguous():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and np.shares_memory(d._data, x._data)
    c = x.clone()
    assert c.requires_grad and not np.shares_memory(c._data, x._data) and c.grad_fn is not None
    t = ember.ones(3, 2).t()
    assert t.contiguous().is_contiguous() and t.contiguous().tolist() == t.tolist()


def test_creation_functions():
    for f in ("zeros", "ones"):
        assert_close(getattr(ember, f)(2, 3), getattr(torch, f)(2, 3))
        assert_close(getattr(ember, f)((2, 3), dtype=ember.int64), getattr(torch, f)((2, 3), dtype=torch.int64))
    # torch.empty holds whatever was in memory (even NaN): compare only shape and dtype
    e, t = ember.empty(2, 3, dtype=ember.int64), torch.empty(2, 3, dtype=torch.int64)
    assert tuple(e.shape) == tuple(t.shape) and e.dtype == ember.int64
    x = torch.ones(2, 2, dtype=torch.float64)
    e = ember.ones(2, 2, dtype=ember.float64)
    assert_close(ember.zeros_like(e), torch.zeros_like(x))
    assert_close(ember.ones_like(e), torch.ones_like(x))
    assert_close(ember.full_like(e, 7), torch.full_like(x, 7))
    assert_close(ember.full((2, 3), 1.5), torch.full((2, 3), 1.5))
    assert_close(ember.full((2,), 3), torch.full((2,), 3))
    assert_close(ember.full((2,), True), torch.full((2,), True))
    for args in [(5,), (1, 10, 3), (0.0, 1.0, 0.1), (-3, 3), (10, 0, -2), (0, 1, 0.3)]:
        assert_close(ember.arange(*args), torch.arange(*args))
    assert_close(ember.arange(5, dtype=ember.float32), torch.arange(5, dtype=torch.float32))
    for args in [(0, 1, 5), (-math.pi, math.pi, 2000), (2, 3, 1), (0, 10, 7)]:
        assert_close(ember.linspace(*args), torch.linspace(*args), rtol=0, atol=1e-6)
    assert_close(ember.linspace(0, 10, 5, dtype=ember.int64), torch.linspace(0, 10, 5, dtype=torch.int64))
    assert_close(ember.logspace(0, 2, 5), torch.logspace(0, 2, 5))
    assert_close(ember.eye(3), torch.eye(3))
    assert_close(ember.eye(2, 3, dtype=ember.int32), torch.eye(2, 3, dtype=torch.int32))
    assert_close(ember.Tensor([1, 2]), torch.Tensor([1, 2]))
    assert ember.Tensor(2, 3).shape == (2, 3)


def test_new_methods():
    e, t = ember.ones(2, dtype=ember.float64), torch.ones(2, dtype=torch.float64)
    assert_close(e.new_zeros(3), t.new_zeros(3))
    assert_close(e.new_ones((2, 2)), t.new_ones((2, 2)))
    assert_close(e.new_full((2,), 4), t.new_full((2,), 4))
    assert_close(e.new_tensor([1, 2]), t.new_tensor([1, 2]))


@pytest.mark.parametrize("data", [[1.0, 2.5, -3.25], [1, 2, 3], [True, False], [[1.0, 2.0], [3.0, 4.0]],
                                  [1e-5, 1.0, 1000.0], [1e10, 1.0], [0.1, 0.25], 3.0, [[1, -20], [300, 4]],
                                  [float("nan"), float("inf"), 1.0], [1.0, 2.0, 3.0]])
def test_repr_matches_torch(data):
    assert repr(ember.tensor(data)) == repr(torch.tensor(data))


def test_repr_dtype_and_grad_suffixes():
    assert repr(ember.tensor([1.0, 2.0], dtype=ember.float64)) == \
        repr(torch.tensor([1.0, 2.0], dtype=torch.float64)).replace("torch.", "ember.")
    assert repr(ember.tensor([1, 2], dtype=ember.int32)) == \
        repr(torch.tensor([1, 2], dtype=torch.int32)).replace("torch.", "ember.")
    assert repr(ember.tensor([1.0, 2.0], requires_grad=True)) == repr(torch.tensor([1.0, 2.0], requires_grad=True))
    e = ember.tensor([1.0, 2.0], requires_grad=True) * 2
    assert repr(e) == "tensor([2., 4.], grad_fn=<MulBackward0>)"
    assert repr(ember.zeros(0)) == repr(torch.zeros(0))
    big = np.arange(2000, dtype=np.float32).reshape(40, 50)
    assert repr(ember.tensor(big)) == repr(torch.tensor(big))


def test_len_iter_bool_errors():
    e = ember.tensor([[1, 2], [3, 4]])
    assert len(e) == 2 and [r.tolist() for r in e] == [[1, 2], [3, 4]]
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(e)
    assert bool(ember.tensor([1]))
    with pytest.raises(TypeError):
        len(ember.tensor(1))


def test_set_num_threads():
    n = ember.get_num_threads()
    ember.set_num_threads(1)
    assert ember.get_num_threads() == 1
    ember.set_num_threads(n)
    assert ember.get_num_threads() == n


def test_float32_stays_float32():
    x = ember.ones(3, requires_grad=True)
    y = (x * 2.5 + 1) / 3 - x ** 2 + x.exp().log() + x.sqrt() * math.pi
    assert y.dtype == ember.float32
    y.sum().backward()
    assert x.grad.dtype == ember.float32
    assert (ember.arange(3) * 0.5).dtype == ember.float32
    assert (ember.arange(3) / 2).dtype == ember.float32


def test_shape_errors_name_the_shapes():
    with pytest.raises(RuntimeError, match=r"\(2x3 and 4x5\)"):
        ember.ones(2, 3) @ ember.ones(4, 5)
    with pytest.raises(RuntimeError, match=r"shape '\[4, 4\]' is invalid for input of size 6"):
        ember.ones(2, 3).reshape(4, 4)
    with pytest.raises(RuntimeError, match="must match the size"):
        ember.ones(2, 3) + ember.ones(4, 3)
    with pytest.raises(IndexError, match="Dimension out of range"):
        ember.ones(2, 3).sum(dim=2)
    with pytest.raises(RuntimeError, match="same dtype|expected scalar type"):
        ember.ones(2, 2) @ ember.ones(2, 2, dtype=ember.float64)
