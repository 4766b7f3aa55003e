"""Indexing, item assignment, gather/scatter and masks against torch: values, gradients, views, errors."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import ember
from helpers import check, assert_close

rng = np.random.default_rng(0)


def r(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def L(*v):
    return np.array(v, dtype=np.int64)


def lib_of(x):
    return torch if isinstance(x, torch.Tensor) else ember


X = r(3, 4, 5)
M = rng.random((3, 4)) > 0.5

# x[index] for many index kinds: same values, same gradient (repeated indices accumulate)
GETITEM = {
    "int": lambda x: x[1],
    "neg_int": lambda x: x[-1],
    "ints": lambda x: x[1, 2],
    "all_ints": lambda x: x[1, -2, 3],
    "slice": lambda x: x[1:3],
    "slice_step": lambda x: x[::2, 1::2],
    "slice_past_end": lambda x: x[2:10, -10:2],
    "slice_empty": lambda x: x[2:1],
    "none": lambda x: x[None],
    "none_mid": lambda x: x[:, None, 1],
    "ellipsis": lambda x: x[..., 0],
    "ellipsis_mid": lambda x: x[0, ..., 1],
    "ellipsis_none": lambda x: x[..., None],
    "empty_tuple": lambda x: x[()],
    "mask_full": lambda x: x[lib_of(x).tensor(M)],
    "mask_first": lambda x: x[lib_of(x).tensor([True, False, True])],
    "mask_second": lambda x: x[:, lib_of(x).tensor([True, False, True, True])],
    "mask_list": lambda x: x[[True, False, True]],
    "mask_and_int": lambda x: x[1, lib_of(x).tensor([True, False, True, True])],
    "mask_all_false": lambda x: x[lib_of(x).tensor(np.zeros(3, bool))],
    "int_tensor": lambda x: x[lib_of(x).tensor([2, 0])],
    "int_tensor_repeat": lambda x: x[lib_of(x).tensor([1, 1, 0, 1])],
    "int_tensor_2d": lambda x: x[lib_of(x).tensor([[0, 2], [2, 2]])],
    "int_tensor_neg": lambda x: x[lib_of(x).tensor([-1, 0, -3])],
    "int32_tensor": lambda x: x[lib_of(x).tensor([2, 0], dtype=lib_of(x).int32)],
    "int_tensor_0d": lambda x: x[lib_of(x).tensor(1)],
    "list": lambda x: x[[0, 2, 2]],
    "list_empty": lambda x: x[[]],
    "list_of_lists": lambda x: x[[0, 1], [1, 3]],
    "tensor_dim1": lambda x: x[:, lib_of(x).tensor([3, 0, 3])],
    "tensor_last": lambda x: x[..., lib_of(x).tensor([4, 4, 1])],
    "two_tensors": lambda x: x[lib_of(x).tensor([0, 2, 0]), lib_of(x).tensor([1, 1, 1])],
    "tensors_broadcast": lambda x: x[lib_of(x).tensor([[0], [2]]), lib_of(x).tensor([1, 3, 3])],
    "tensors_apart": lambda x: x[lib_of(x).tensor([0, 2]), :, lib_of(x).tensor([1, 4])],
    "tensor_and_int_apart": lambda x: x[:, lib_of(x).tensor([0, 2, 0]), 1],
    "int_tensor_int": lambda x: x[1, lib_of(x).tensor([0, 2, 0]), 1],
    "tensor_and_none": lambda x: x[None, lib_of(x).tensor([0, 1]), None],
    "tensor_none_tensor": lambda x: x[lib_of(x).tensor([0, 1]), None, lib_of(x).tensor([1, 2])],
    "step_and_tensor": lambda x: x[::2, lib_of(x).tensor([1, 1])],
    "slice_and_mask": lambda x: x[1:, lib_of(x).tensor([True, False, False, True])],
    "chained": lambda x: x[1:][:, [0, 0]][..., 2],
    "list_seq_as_tuple": lambda x: x[[[0, 1]]],
}


@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")
@pytest.mark.parametrize("name", list(GETITEM))
def test_getitem(name):
    fn = GETITEM[name]
    check(lambda lib, x: fn(x), X)


def test_getitem_0d_and_int_dtypes():
    check(lambda lib, x: x[()] * x[None].sum() + x[...], r())
    check(lambda lib, x: x[1:, [0, 2]].t()[0], np.arange(12).reshape(3, 4))
    check(lambda lib, x: x[x > 2], np.arange(6).reshape(2, 3))


def test_index_gradient_accumulates_float32_big():
    # many repeated rows (an embedding lookup): the gradient sums them
    w = r(50, 8)
    idx = rng.integers(0, 50, (64, 7))
    check(lambda lib, w: w[lib.tensor(idx)] * 2, w)
    check(lambda lib, w: w[:, lib.tensor(idx[0] % 8)], w)
    check(lambda lib, w: w[lib.tensor(idx[0]) - 50], w)   # negative indices
    wide = r(1000, 3)
    check(lambda lib, w: w[lib.tensor(idx[:2].reshape(-1))], wide)   # few rows of many


def test_double_backward_through_indexing():
    a = r(4, 3)
    res = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        y = (x[lib.tensor([0, 0, 3])] ** 3).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad((g[1:, :2] ** 2).sum(), x)
        res.append((g, gg))
    assert_close(res[0][0], res[1][0])
    assert_close(res[0][1], res[1][1])


# ---------------------------------------------------------------- views
VIEW_INDEX = {
    "int": lambda x: x[1],
    "slice": lambda x: x[:, 1:3],
    "step": lambda x: x[::2, ::3],
    "none": lambda x: x[None, 1],
    "ellipsis": lambda x: x[..., 1],
    "scalar": lambda x: x[1, 2],
    "int_tensor_0d": lambda x: x[x.new_tensor(2).long()],
    "chain": lambda x: x[1:][0],
}


@pytest.mark.parametrize("name", list(VIEW_INDEX))
def test_basic_index_is_view(name):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    res = []
    for lib in (ember, torch):
        x = lib.tensor(a.copy())
        v = VIEW_INDEX[name](x)
        with lib.no_grad():
            v.add_(100)
        res.append((x, v))
    assert_close(res[0][0], res[1][0])
    assert_close(res[0][1], res[1][1])


@pytest.mark.parametrize("fn", [lambda x: x[[0, 1]], lambda x: x[x > 3], lambda x: x[:, x.new_tensor([1]).long()]])
def test_advanced_index_copies(fn):
    for lib in (ember, torch):
        x = lib.zeros(3, 4)
        fn(x).add_(1)
        assert float(x.sum()) == 0


# ---------------------------------------------------------------- x[index] = value
SETITEM = {
    "int_scalar": (lambda x: x.__setitem__(0, 5.0), None),
    "slice_tensor": (lambda x, v: x.__setitem__((slice(None), 1), v), (3,)),
    "broadcast_row": (lambda x, v: x.__setitem__(slice(1, 3), v), (4,)),
    "leading_ones": (lambda x, v: x.__setitem__(0, v), (1, 4)),
    "mask_scalar": (lambda x: x.__setitem__(x > 0, 0.0), None),
    "mask_tensor": (lambda x, v: x.__setitem__(lib_of(x).tensor(M), v), (int(M.sum()),)),
    "mask_0d": (lambda x, v: x.__setitem__(lib_of(x).tensor(M), v), ()),
    "index_tensor": (lambda x, v: x.__setitem__(lib_of(x).tensor([2, 0]), v), (2, 4)),
    "index_broadcast": (lambda x, v: x.__setitem__((lib_of(x).tensor([2, 0]), slice(1, None)), v), (3,)),
    "index_scalar": (lambda x: x.__setitem__((slice(None), [0, 3]), -1.0), None),
    "ellipsis": (lambda x, v: x.__setitem__((Ellipsis, 0), v), (3,)),
    "pairs": (lambda x, v: x.__setitem__(([0, 1], [3, 2]), v), (2,)),
    "int_and_tensor": (lambda x, v: x.__setitem__((1, [0, 2]), v), (2,)),
}


@pytest.mark.parametrize("name", list(SETITEM))
def test_setitem_no_grad(name):
    fn, vshape = SETITEM[name]
    a = r(3, 4)
    v = r(*vshape) if vshape is not None else None
    res = []
    for lib in (ember, torch):
        x = lib.tensor(a)
        fn(x) if v is None else fn(x, lib.tensor(v))
        res.append(x)
    assert_close(res[0], res[1])


@pytest.mark.parametrize("name", list(SETITEM))
def test_setitem_autograd(name):
    # on a non-leaf: the gradient reaches both the old value's history and the assigned tensor
    fn, vshape = SETITEM[name]
    a = r(3, 4)
    v = r(*vshape) if vshape is not None else None
    g = r(3, 4)
    res = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        h = x * 2
        vt = lib.tensor(v, requires_grad=True) if v is not None else None
        fn(h) if vt is None else fn(h, vt * 3)
        (h * lib.tensor(g)).sum().backward()
        res.append((h, x.grad, None if vt is None else vt.grad))
    for e, t in zip(res[0], res[1]):
        if t is not None:
            assert_close(e, t)


def test_setitem_into_tensor_without_grad():
    # assigning a tensor that requires grad makes the target part of the graph
    res = []
    for lib in (ember, torch):
        v = lib.tensor([1.0, 2.0], requires_grad=True)
        x = lib.zeros(2, 2)
        x[1] = v * v
        assert x.requires_grad and not x.is_leaf
        x.sum().backward()
        res.append(v.grad)
    assert_close(res[0], res[1])


def test_setitem_through_view_and_version():
    for lib in (ember, torch):
        x = lib.zeros(2, 3)
        v = x[1]
        v[1:] = 7
        assert x.tolist() == [[0, 0, 0], [0, 7, 7]]
        x[0, 0] = lib.tensor(3.0)
        assert float(x[0, 0]) == 3
    x = ember.zeros(2)
    before = x._version_counter
    x[0] = 1
    assert x._version_counter == before + 1


def test_setitem_saved_tensor_is_checked():
    for lib in (ember, torch):
        a = lib.ones(3, requires_grad=True)
        b = a * 1
        c = b * b
        b[0] = 5
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            c.sum().backward()


def test_setitem_dtype_rules():
    res = []
    for lib in (ember, torch):
        x = lib.zeros(3)
        x[0:2] = lib.ones(2, dtype=lib.float64)   # basic index: the value is cast
        x[[2]] = 7                                 # a Python number is cast
        res.append(x)
        with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes match"):
            x[lib.tensor([0])] = lib.ones(1, dtype=lib.float64)
    assert_close(res[0], res[1])


# ---------------------------------------------------------------- functional indexing ops
IDX = np.array([[0, 2, 1, 0], [2, 2, 0, 1]])
FUNCS = {
    "index_select0": (lambda lib, x: x.index_select(0, lib.tensor([2, 0, 2])), [r(3, 4)]),
    "index_select1": (lambda lib, x: lib.index_select(x, 1, lib.tensor([3, 3, 0])), [r(3, 4)]),
    "index_select_neg_dim": (lambda lib, x: x.index_select(-1, lib.tensor([1])), [r(2, 3, 4)]),
    "index_select_int32": (lambda lib, x: x.index_select(0, lib.tensor([1, 1], dtype=lib.int32)), [r(3, 4)]),
    "index_select_0d_index": (lambda lib, x: x.index_select(0, lib.tensor(1)), [r(3, 4)]),
    "index_select_empty": (lambda lib, x: x.index_select(0, lib.tensor([], dtype=lib.int64)), [r(3, 4)]),
    "gather0": (lambda lib, x: x.gather(0, lib.tensor(IDX)), [r(3, 4)]),
    "gather1": (lambda lib, x: lib.gather(x, 1, lib.tensor(IDX[:, :3] % 3)), [r(3, 4)]),
    "gather_small": (lambda lib, x: x.gather(1, lib.tensor([[1], [0]])), [r(3, 4)]),
    "gather_3d": (lambda lib, x: x.gather(-1, lib.tensor(np.zeros((2, 3, 1), np.int64))), [r(2, 3, 4)]),
    "take_along_dim": (lambda lib, x: x.take_along_dim(lib.tensor(IDX), 0), [r(3, 4)]),
    "take_along_dim_bcast": (lambda lib, x: lib.take_along_dim(x, lib.tensor([[1, 0, 1]]), 1), [r(3, 4)]),
    "take_along_dim_none": (lambda lib, x: x.take_along_dim(lib.tensor([5, 0, 5])), [r(3, 4)]),
    "take_along_argsort": (lambda lib, x: x.take_along_dim(x.argsort(1), 1), [r(3, 4)]),
    "scatter_src": (lambda lib, x, s: x.scatter(1, lib.tensor([[2, 0], [1, 3]]), s), [r(3, 4), r(2, 2)]),
    "scatter_value": (lambda lib, x: x.scatter(0, lib.tensor([[2, 0, 1]]), 2.5), [r(3, 4)]),
    "scatter_value_kw": (lambda lib, x: lib.scatter(x, 0, lib.tensor([[2, 0, 1]]), value=-1.0), [r(3, 4)]),
    "scatter_add": (lambda lib, x, s: x.scatter_add(0, lib.tensor(IDX), s), [r(3, 4), r(2, 4)]),
    "scatter_add_repeat": (lambda lib, x, s: lib.scatter_add(x, 1, lib.tensor([[0, 0, 0], [3, 3, 1]]), s),
                           [r(2, 4), r(2, 3)]),
    "index_add": (lambda lib, x, s: x.index_add(0, lib.tensor([0, 2, 0]), s, alpha=2), [r(3, 4), r(3, 4)]),
    "index_copy": (lambda lib, x, s: x.index_copy(1, lib.tensor([3, 0]), s), [r(3, 4), r(3, 2)]),
    "index_fill": (lambda lib, x: x.index_fill(1, lib.tensor([3, 0]), -2.0), [r(3, 4)]),
    "masked_fill": (lambda lib, x: x.masked_fill(lib.tensor(M), 0.5), [r(3, 4)]),
    "masked_fill_bcast": (lambda lib, x: x.masked_fill(lib.tensor([True, False, True, False]), -1), [r(3, 4)]),
    "masked_fill_0d": (lambda lib, x, v: x.masked_fill(lib.tensor(M), v), [r(3, 4), r()]),
    "masked_fill_grow": (lambda lib, x: x.masked_fill(lib.tensor(M), 1.0), [r(4)]),
    "masked_fill_inf": (lambda lib, x: x.masked_fill(lib.tensor(M), float("-inf")).exp(), [r(3, 4)]),
    "masked_select": (lambda lib, x: x.masked_select(lib.tensor(M)), [r(3, 4)]),
    "masked_select_bcast": (lambda lib, x: lib.masked_select(x, lib.tensor([True, False, False, True])), [r(3, 4)]),
    "masked_scatter": (lambda lib, x, s: x.masked_scatter(lib.tensor(M), s), [r(3, 4), r(12)]),
    "take": (lambda lib, x: x.take(lib.tensor([[0, 11], [-1, 5]])), [r(3, 4)]),
    "index_put": (lambda lib, x, v: lib.index_put(x, (lib.tensor([0, 2]), lib.tensor([1, 1])), v), [r(3, 4), r(2)]),
    "index_put_accumulate": (lambda lib, x, v: lib.index_put(x, (lib.tensor([0, 0, 2]),), v, accumulate=True),
                             [r(3, 4), r(4)]),
    "nonzero": (lambda lib, x: x.nonzero(), [np.array([[0, 1, 0], [2, 0, 3]])]),
    "nonzero_tuple": (lambda lib, x: lib.nonzero(x, as_tuple=True), [np.array([[0, 1, 0], [2, 0, 3]])]),
    "nonzero_0d": (lambda lib, x: x.nonzero(), [np.array(2.0)]),
    "nonzero_0d_zero": (lambda lib, x: x.nonzero(), [np.array(0.0)]),
    "nonzero_empty": (lambda lib, x: x.nonzero(), [np.zeros((0, 3))]),
    "argwhere": (lambda lib, x: lib.argwhere(x), [np.array([True, False, True])]),
    "int_gather": (lambda lib, x: x.gather(1, lib.tensor(IDX[:, :2])), [np.arange(12).reshape(3, 4)]),
    "int_scatter_add": (lambda lib, x: x.scatter_add(0, lib.tensor(IDX), x[:2]), [np.arange(12).reshape(3, 4)]),
    "bool_masked_fill": (lambda lib, x: x.masked_fill(lib.tensor(M), True), [np.zeros((3, 4), bool)]),
}


@pytest.mark.parametrize("name", list(FUNCS))
def test_functional_index_ops(name):
    fn, arrays = FUNCS[name]
    check(fn, *arrays)


def test_masked_fill_value_of_other_dtype():
    # the value's gradient is summed in float32 (the input's dtype) by both, so compare at float32 tolerance
    check(lambda lib, x, v: lib.masked_fill(x, lib.tensor(M), v), r(3, 4), r(dtype=np.float64), rtol=1e-6, atol=1e-6)


def test_scatter_src_larger_than_index():
    # only the part of src that index covers is used; torch's own backward rejects this case
    idx = np.array([[2, 0], [1, 3]])
    check(lambda lib, x, s: x.scatter(1, lib.tensor(idx), s), r(3, 4), r(2, 3), grad=False)
    check(lambda lib, x, s: x.scatter_add(1, lib.tensor(idx), s), r(3, 4), r(3, 3), grad=False)
    x, s = ember.tensor(r(3, 4), requires_grad=True), ember.tensor(r(2, 3), requires_grad=True)
    x.scatter(1, ember.tensor(idx), s).sum().backward()
    assert s.grad.tolist()[0][2] == 0 and s.grad.tolist()[0][0] == 1


@pytest.mark.filterwarnings("ignore:The reduce argument")
def test_scatter_reduce_argument():
    a, s = r(3, 4), r(2, 4)
    for red in ("add", "multiply"):
        e = ember.tensor(a).scatter(0, ember.tensor(IDX), ember.tensor(s), reduce=red)
        t = torch.tensor(a).scatter(0, torch.tensor(IDX), torch.tensor(s), reduce=red)
        assert_close(e, t)
        assert_close(ember.tensor(a).scatter(0, ember.tensor(IDX), 2.0, reduce=red),
                     torch.tensor(a).scatter(0, torch.tensor(IDX), 2.0, reduce=red))
    for lib in (ember, torch):  # torch has no derivative for the deprecated reduce argument
        x = lib.tensor(a, requires_grad=True)
        with pytest.raises(RuntimeError, match="derivative for aten::scatter is not implemented"):
            x.scatter(0, lib.tensor(IDX), lib.tensor(s), reduce="add").sum().backward()


def test_inplace_index_ops():
    a, s = r(3, 4), r(2, 4)
    res = []
    for lib in (ember, torch):
        x = lib.tensor(a)
        x.masked_fill_(lib.tensor(M), 1.0)
        x.scatter_(0, lib.tensor(IDX), lib.tensor(s))
        x.scatter_add_(0, lib.tensor(IDX), lib.tensor(s))
        x.index_add_(1, lib.tensor([0, 0]), lib.ones(3, 2))
        x.index_fill_(0, lib.tensor([1]), 9.0)
        res.append(x)
    assert_close(res[0], res[1])


# ---------------------------------------------------------------- errors
ERRORS = [
    (lambda lib: lib.ones(3)[5], IndexError, "index 5 is out of bounds for dimension 0 with size 3"),
    (lambda lib: lib.ones(3)[-4], IndexError, "index -4 is out of bounds for dimension 0 with size 3"),
    (lambda lib: lib.ones(3, 2)[1, 5], IndexError, "index 5 is out of bounds for dimension 1 with size 2"),
    (lambda lib: lib.ones(3, 2)[1, 1, 1], IndexError, "too many indices for tensor of dimension 2"),
    (lambda lib: lib.ones(())[0], IndexError, "invalid index of a 0-dim tensor"),
    (lambda lib: lib.ones(3)[lib.tensor([0, 5])], IndexError, "index 5 is out of bounds for dimension 0 with size 3"),
    (lambda lib: lib.ones(3)[[0, -5]], IndexError, "index -5 is out of bounds for dimension 0 with size 3"),
    (lambda lib: lib.ones(3, 4)[lib.ones(2, 4, dtype=lib.bool)], IndexError,
     r"The shape of the mask \[2, 4\] at index 0 does not match the shape of the indexed tensor \[3, 4\] at index 0"),
    (lambda lib: lib.ones(3, 4, 5)[:, lib.ones(4, 4, dtype=lib.bool)], IndexError,
     r"The shape of the mask \[4, 4\] at index 1 does not match the shape of the indexed tensor \[3, 4, 5\] "
     r"at index 2"),
    (lambda lib: lib.ones(3, 4)[[0, 1], [1, 2, 3]], IndexError,
     r"shape mismatch: indexing tensors could not be broadcast together with shapes \[2\], \[3\]"),
    (lambda lib: lib.ones(3)[lib.tensor([1.0])], IndexError, "tensors used as indices must be long, int, byte or bool"),
    (lambda lib: lib.ones(3)[1.5], IndexError, "only integers, slices"),
    (lambda lib: lib.ones(3)[::-1], ValueError, "step must be greater than zero"),
    (lambda lib: lib.ones(2, 3)[0, ::-1], ValueError, "step must be greater than zero"),
    (lambda lib: lib.ones(2, 3)[0, 5], IndexError, "index 5 is out of bounds for dimension 1 with size 3"),
    (lambda lib: lib.ones(3).__setitem__(5, 1.0), IndexError, "index 5 is out of bounds for dimension 0 with size 3"),
    (lambda lib: lib.ones(3).__setitem__([0, 1], lib.ones(3)), RuntimeError,
     r"shape mismatch: value tensor of shape \[3\] cannot be broadcast to indexing result of shape \[2\]"),
    (lambda lib: lib.ones(3, requires_grad=True).__setitem__(0, 2.0), RuntimeError,
     "a leaf Variable that requires grad is being used in an in-place operation"),
    (lambda lib: lib.ones(3).index_select(0, lib.tensor([5])), IndexError, "index out of range in self"),
    (lambda lib: lib.ones(3).index_select(0, lib.tensor([[1]])), IndexError, "Index is supposed to be a vector"),
    (lambda lib: lib.ones(3).index_select(0, lib.tensor([1.0])), RuntimeError,
     r"index_select\(\): Expected dtype int32 or int64 for index"),
    (lambda lib: lib.ones(3).gather(0, lib.tensor([5])), RuntimeError,
     "index 5 is out of bounds for dimension 0 with size 3"),
    (lambda lib: lib.ones(3).gather(0, lib.tensor([-1])), RuntimeError,
     "index -1 is out of bounds for dimension 0 with size 3"),
    (lambda lib: lib.ones(3, 2).gather(1, lib.tensor([1])), RuntimeError,
     "Index tensor must have the same number of dimensions as input tensor"),
    (lambda lib: lib.ones(3, 2).gather(1, lib.tensor([[1]] * 4)), RuntimeError,
     r"Size does not match at dimension 0 expected index \[4, 1\] to be no larger than self \[3, 2\]"),
    (lambda lib: lib.ones(3, 2).gather(1, lib.tensor([[1]], dtype=lib.int16)), RuntimeError,
     "Expected dtype int32/int64 for index"),
    (lambda lib: lib.ones(3).scatter(0, lib.tensor([5]), 1.0), RuntimeError,
     "index 5 is out of bounds for dimension 0 with size 3"),
    (lambda lib: lib.ones(3, 2).scatter(1, lib.tensor([[1, 0]]), lib.ones(1, 1)), RuntimeError,
     r"Expected index \[1, 2\] to be no larger than self \[3, 2\] apart from dimension 1 and to be no larger "
     r"size than src \[1, 1\]"),
    (lambda lib: lib.ones(3, 2).scatter(1, lib.tensor([[1]]), lib.tensor(2.0)), RuntimeError,
     "Index tensor must have the same number of dimensions as src tensor"),
    (lambda lib: lib.ones(3, 2).scatter(1, lib.tensor([[1, 0]]), lib.ones(1, 2, dtype=lib.float64)), RuntimeError,
     r"scatter\(\): Expected self.dtype to be equal to src.dtype"),
    (lambda lib: lib.ones(3, 2).scatter_add(1, lib.tensor([[1, 0]]), lib.ones(1, 2, dtype=lib.float64)),
     RuntimeError, r"scatter\(\): Expected self.dtype to be equal to src.dtype"),
    (lambda lib: lib.ones(3, 2).scatter(1, lib.tensor([[1, 0]]), 2.0, reduce="mean"), RuntimeError,
     "reduce argument must be either add or multiply"),
    (lambda lib: lib.ones(3, 2).take_along_dim(lib.tensor([1]), 1), RuntimeError,
     "input and indices should have the same number of dimensions"),
    (lambda lib: lib.ones(3).masked_fill(lib.ones(3), 1.0), RuntimeError, "masked_fill_ only supports boolean masks"),
    (lambda lib: lib.ones(3).masked_fill(lib.ones(3, dtype=lib.bool), lib.ones(2)), RuntimeError,
     "only supports a 0-dimensional value tensor"),
    (lambda lib: lib.ones(3).masked_select(lib.tensor([1, 0, 1])), RuntimeError,
     "masked_select: expected BoolTensor for mask"),
    (lambda lib: lib.ones(3).take(lib.tensor([5])), IndexError,
     "out of range: tried to access index 5 on a tensor of 3 elements"),
    (lambda lib: lib.ones(3, 4).expand(2, 3, 4).add_(1), RuntimeError,
     "more than one element of the written-to tensor refers to a single memory location"),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_match_torch(k):
    fn, exc, msg = ERRORS[k]
    for lib in (torch, ember):
        with pytest.raises(exc, match=msg):
            fn(lib)


# ---------------------------------------------------------------- random indices
@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.data())
def test_random_index_tensors(shape, data):
    a = rng.standard_normal(shape).astype(np.float32)
    d = data.draw(st.integers(0, len(shape) - 1))
    idx = np.array(data.draw(st.lists(st.integers(-shape[d], shape[d] - 1), max_size=6)), dtype=np.int64)
    lead = (slice(None),) * d
    check(lambda lib, x: x[lead + (lib.tensor(idx),)] * 2, a)
    check(lambda lib, x: x.index_select(d, lib.tensor(idx % shape[d])), a)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.data())
def test_random_basic_index(shape, data):
    a = rng.standard_normal(shape).astype(np.float32)
    index = []
    for s in shape[:data.draw(st.integers(0, len(shape)))]:
        kind = data.draw(st.sampled_from(["int", "slice", "none"]))
        if kind == "int":
            index.append(data.draw(st.integers(-s, s - 1)))
        elif kind == "slice":
            index.append(slice(data.draw(st.integers(-s - 1, s + 1)), data.draw(st.none() | st.integers(-s, s)),
                               data.draw(st.integers(1, 3))))
        else:
            index += [None, slice(None)]
    check(lambda lib, x: x[tuple(index)] * 3, a)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.integers(1, 4), st.integers(0, 8), st.integers(0, 2 ** 31))
def test_random_gather_scatter_add(n, m, k, seed):
    g = np.random.default_rng(seed)
    a = g.standard_normal((n, m)).astype(np.float32)
    idx = g.integers(0, n, (k, m))
    src = g.standard_normal((k, m)).astype(np.float32)
    check(lambda lib, x, s: x.scatter_add(0, lib.tensor(idx), s) * x.sum(0), a, src)
    check(lambda lib, x: x.gather(0, lib.tensor(idx)), a)
