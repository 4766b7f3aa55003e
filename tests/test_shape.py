"""Shape ops (views, joins, splits) against torch: values, gradients, dtypes, views and errors."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import ember
from helpers import check, assert_close

rng = np.random.default_rng(0)


def r(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def flat_cat(lib, parts):
    """One tensor from a tuple of outputs, each scaled differently, so one backward checks them all."""
    return lib.cat([p.reshape(-1) * (i + 1) for i, p in enumerate(parts)])


# one lambda per case: fn(lib, *tensors), run through ember and torch with the same arrays
CASES = {
    "reshape": (lambda lib, x: x.reshape(3, -1), [r(2, 3, 2)]),
    "reshape_tuple": (lambda lib, x: lib.reshape(x, (-1,)), [r(2, 3)]),
    "reshape_0d": (lambda lib, x: x.reshape(1, 1), [r()]),
    "reshape_to_0d": (lambda lib, x: x.reshape(()), [r(1, 1)]),
    "reshape_empty": (lambda lib, x: x.reshape(4, 0, 1), [r(0, 4)]),
    "reshape_noncontig": (lambda lib, x: x.t().reshape(-1), [r(3, 4)]),
    "view": (lambda lib, x: x.view(4, 3), [r(2, 6)]),
    "view_size": (lambda lib, x: x.view(x.size(0) * 2, -1), [r(2, 6)]),
    "view_as": (lambda lib, x, y: x.view_as(y) * y, [r(2, 6), r(3, 4)]),
    "view_transposed_ok": (lambda lib, x: x.t().view(4, 1, 3), [r(3, 4)]),
    "flatten": (lambda lib, x: x.flatten(), [r(2, 3, 4)]),
    "flatten_mid": (lambda lib, x: lib.flatten(x, 1, 2), [r(2, 3, 4, 2)]),
    "flatten_neg": (lambda lib, x: x.flatten(-2), [r(2, 3, 4)]),
    "flatten_0d": (lambda lib, x: x.flatten(), [r()]),
    "ravel": (lambda lib, x: x.t().ravel(), [r(3, 4)]),
    "unflatten": (lambda lib, x: x.unflatten(1, (2, -1)), [r(3, 4)]),
    "unflatten_neg": (lambda lib, x: lib.unflatten(x, -1, (2, 2, 1)), [r(3, 4)]),
    "squeeze": (lambda lib, x: x.squeeze(), [r(1, 3, 1, 2)]),
    "squeeze_dim": (lambda lib, x: x.squeeze(2), [r(1, 3, 1, 2)]),
    "squeeze_dim_not1": (lambda lib, x: x.squeeze(1), [r(1, 3, 1, 2)]),
    "squeeze_tuple": (lambda lib, x: x.squeeze((0, -2, 1)), [r(1, 3, 1, 2)]),
    "squeeze_0d": (lambda lib, x: x.squeeze(0), [r()]),
    "unsqueeze": (lambda lib, x: x.unsqueeze(1), [r(2, 3)]),
    "unsqueeze_neg": (lambda lib, x: lib.unsqueeze(x, -1), [r(2, 3)]),
    "unsqueeze_0d": (lambda lib, x: x.unsqueeze(0), [r()]),
    "permute": (lambda lib, x: x.permute(2, 0, 1), [r(2, 3, 4)]),
    "permute_tuple": (lambda lib, x: lib.permute(x, (-1, 0, 1)), [r(2, 3, 4)]),
    "transpose": (lambda lib, x: x.transpose(0, 2), [r(2, 3, 4)]),
    "transpose_neg": (lambda lib, x: lib.transpose(x, -1, -2), [r(2, 3, 4)]),
    "swapaxes": (lambda lib, x: lib.swapaxes(x, 0, 1), [r(2, 3)]),
    "t": (lambda lib, x: x.t(), [r(2, 3)]),
    "t_1d": (lambda lib, x: x.t(), [r(3)]),
    "T": (lambda lib, x: x.T, [r(3, 4)]),
    "mT": (lambda lib, x: x.mT, [r(2, 3, 4)]),
    "movedim": (lambda lib, x: x.movedim(0, -1), [r(2, 3, 4)]),
    "movedim_multi": (lambda lib, x: lib.movedim(x, (0, 1), (2, 0)), [r(2, 3, 4)]),
    "movedim_multi2": (lambda lib, x: lib.movedim(x, (3, 0), (0, 2)), [r(2, 3, 4, 5)]),
    "expand": (lambda lib, x: x.expand(2, 3, 4), [r(3, 1)]),
    "expand_minus1": (lambda lib, x: x.expand(2, -1, 4), [r(3, 1)]),
    "expand_same": (lambda lib, x: x.expand(3, 1), [r(3, 1)]),
    "expand_0d": (lambda lib, x: x.expand(2, 3), [r()]),
    "expand_empty": (lambda lib, x: x.expand(0, 3), [r(1, 3)]),
    "expand_as": (lambda lib, x, y: x.expand_as(y) * y, [r(1, 4), r(3, 4)]),
    "broadcast_to": (lambda lib, x: lib.broadcast_to(x, (2, 3, 4)), [r(4)]),
    "broadcast_tensors": (lambda lib, x, y: flat_cat(lib, lib.broadcast_tensors(x, y)), [r(3, 1), r(4)]),
    "repeat": (lambda lib, x: x.repeat(2, 3), [r(2, 3)]),
    "repeat_more": (lambda lib, x: x.repeat(2, 1, 3), [r(2, 3)]),
    "repeat_0d": (lambda lib, x: x.repeat(3), [r()]),
    "repeat_zero": (lambda lib, x: x.repeat(0, 2), [r(2, 3)]),
    "tile": (lambda lib, x: x.tile((2,)), [r(2, 3)]),
    "tile_more": (lambda lib, x: lib.tile(x, (2, 1, 2)), [r(2, 3)]),
    "tile_varargs": (lambda lib, x: x.tile(2, 2), [r(2, 3)]),
    "repeat_interleave_int": (lambda lib, x: x.repeat_interleave(2), [r(2, 3)]),
    "repeat_interleave_dim": (lambda lib, x: x.repeat_interleave(3, dim=1), [r(2, 3)]),
    "repeat_interleave_neg": (lambda lib, x: lib.repeat_interleave(x, 2, dim=-2), [r(2, 3)]),
    "repeat_interleave_tensor": (lambda lib, x: x.repeat_interleave(lib.tensor([1, 0, 2]), dim=1), [r(2, 3)]),
    "repeat_interleave_tensor_flat": (lambda lib, x: lib.repeat_interleave(x, lib.tensor([1, 0, 2, 1, 1, 3])),
                                      [r(2, 3)]),
    "repeat_interleave_tensor_one": (lambda lib, x: x.repeat_interleave(lib.tensor([2]), dim=0), [r(2, 3)]),
    "repeat_interleave_0d": (lambda lib, x: x.repeat_interleave(3), [r()]),
    "repeat_interleave_counts": (lambda lib, x: lib.repeat_interleave(x), [np.array([2, 0, 1])]),
    "cat": (lambda lib, x, y: lib.cat([x, y], 1), [r(2, 3), r(2, 4)]),
    "cat_neg": (lambda lib, x, y: lib.cat((x, y, x), -1), [r(2, 3), r(2, 4)]),
    "cat_promote": (lambda lib, x, y: lib.cat([x, y]), [r(2, 3), r(1, 3, dtype=np.float64)]),
    "cat_int_float": (lambda lib, x, y: lib.cat([x, y]), [np.arange(3).reshape(1, 3), r(1, 3)]),
    "cat_empty_legacy": (lambda lib, x, y: lib.cat([x, y]), [r(0), r(2, 3)]),
    "cat_empty": (lambda lib, x, y: lib.cat([x, y]), [r(0, 3), r(2, 3)]),
    "concat": (lambda lib, x, y: lib.concat([x, y], dim=0), [r(1, 3), r(2, 3)]),
    "stack": (lambda lib, x, y: lib.stack([x, y]), [r(2, 3), r(2, 3)]),
    "stack_last": (lambda lib, x, y: lib.stack([x, y], -1), [r(2, 3), r(2, 3)]),
    "stack_0d": (lambda lib, x, y: lib.stack([x, y, x]), [r(), r()]),
    "hstack": (lambda lib, x, y: lib.hstack([x, y]), [r(2, 3), r(2, 1)]),
    "hstack_1d": (lambda lib, x, y: lib.hstack([x, y]), [r(3), r(2)]),
    "hstack_0d": (lambda lib, x, y: lib.hstack([x, y]), [r(), r(2)]),
    "vstack": (lambda lib, x, y: lib.vstack([x, y]), [r(3), r(2, 3)]),
    "dstack": (lambda lib, x, y: lib.dstack([x, y]), [r(2, 3), r(2, 3)]),
    "column_stack": (lambda lib, x, y: lib.column_stack([x, y]), [r(3), r(3, 2)]),
    "split_int": (lambda lib, x: flat_cat(lib, x.split(2)), [r(5, 3)]),
    "split_int_dim": (lambda lib, x: flat_cat(lib, lib.split(x, 2, dim=1)), [r(3, 5)]),
    "split_sizes": (lambda lib, x: flat_cat(lib, x.split([1, 3, 0, 1], 1)), [r(3, 5)]),
    "split_big": (lambda lib, x: flat_cat(lib, x.split(10)), [r(3, 5)]),
    "chunk": (lambda lib, x: flat_cat(lib, x.chunk(3)), [r(5, 2)]),
    "chunk_uneven": (lambda lib, x: flat_cat(lib, x.chunk(4, dim=1)), [r(2, 6)]),
    "chunk_more_than_size": (lambda lib, x: flat_cat(lib, lib.chunk(x, 5)), [r(3, 2)]),
    "chunk_empty": (lambda lib, x: flat_cat(lib, lib.chunk(x, 3)) + lib.stack(x.chunk(2)).sum(), [r(0, 2)]),
    "tensor_split": (lambda lib, x: flat_cat(lib, x.tensor_split(3)), [r(7)]),
    "tensor_split_idx": (lambda lib, x: flat_cat(lib, x.tensor_split([1, 4], 1)), [r(2, 6)]),
    "unbind": (lambda lib, x: flat_cat(lib, x.unbind()), [r(3, 2)]),
    "unbind_dim": (lambda lib, x: flat_cat(lib, lib.unbind(x, -1)), [r(3, 2)]),
    "flip": (lambda lib, x: x.flip(0), [r(3, 4)]),
    "flip_multi": (lambda lib, x: lib.flip(x, (0, -1)), [r(2, 3, 4)]),
    "flip_args": (lambda lib, x: x.flip(1, 2), [r(2, 3, 4)]),
    "fliplr": (lambda lib, x: lib.fliplr(x), [r(2, 3)]),
    "flipud": (lambda lib, x: x.flipud(), [r(2, 3)]),
    "roll_flat": (lambda lib, x: x.roll(2), [r(3, 4)]),
    "roll_neg": (lambda lib, x: lib.roll(x, -5), [r(3, 4)]),
    "roll_dim": (lambda lib, x: x.roll(1, 1), [r(3, 4)]),
    "roll_dims": (lambda lib, x: x.roll((1, -2), (0, 1)), [r(3, 4)]),
    "roll_dims_list": (lambda lib, x: lib.roll(x, shifts=[2, 1], dims=[-1, 0]), [r(3, 4)]),
    "roll_big": (lambda lib, x: x.roll(7, 0), [r(3, 4)]),
    "narrow": (lambda lib, x: x.narrow(1, 1, 2), [r(3, 4)]),
    "narrow_neg": (lambda lib, x: lib.narrow(x, -1, -3, 2), [r(3, 4)]),
    "select": (lambda lib, x: x.select(1, 2), [r(3, 4)]),
    "select_neg": (lambda lib, x: lib.select(x, 0, -1), [r(3, 4)]),
    "tril": (lambda lib, x: x.tril(), [r(4, 4)]),
    "tril_off": (lambda lib, x: lib.tril(x, 1), [r(3, 5)]),
    "tril_neg": (lambda lib, x: x.tril(-2), [r(2, 4, 3)]),
    "triu": (lambda lib, x: x.triu(), [r(4, 4)]),
    "triu_off": (lambda lib, x: lib.triu(x, -1), [r(3, 5)]),
    "triu_batched": (lambda lib, x: x.triu(2), [r(2, 3, 5)]),
    "diagonal": (lambda lib, x: x.diagonal(), [r(3, 4)]),
    "diagonal_off": (lambda lib, x: x.diagonal(1), [r(3, 4)]),
    "diagonal_neg": (lambda lib, x: lib.diagonal(x, -2), [r(4, 3)]),
    "diagonal_dims": (lambda lib, x: x.diagonal(0, 2, 0), [r(3, 2, 4)]),
    "diagonal_dims_off": (lambda lib, x: lib.diagonal(x, offset=-1, dim1=-1, dim2=1), [r(2, 3, 4)]),
    "diagonal_empty": (lambda lib, x: x.diagonal(5), [r(3, 4)]),
    "diag_1d": (lambda lib, x: lib.diag(x), [r(3)]),
    "diag_1d_off": (lambda lib, x: x.diag(2), [r(3)]),
    "diag_1d_neg": (lambda lib, x: lib.diag(x, -1), [r(3)]),
    "diag_2d": (lambda lib, x: x.diag(), [r(3, 4)]),
    "diag_2d_off": (lambda lib, x: lib.diag(x, -1), [r(3, 4)]),
    "diag_embed": (lambda lib, x: lib.diag_embed(x, 1), [r(2, 3)]),
    "trace": (lambda lib, x: x.trace(), [r(3, 4)]),
    "empty_flip_roll": (lambda lib, x: x.flip(0).roll(1, 1).permute(1, 0).repeat(2, 1), [r(0, 3)]),
    "empty_tril_diag": (lambda lib, x: x.tril().diagonal(), [r(0, 3)]),
    "empty_stack_split": (lambda lib, x: flat_cat(lib, lib.stack([x, x], 1).split(1, 1)), [r(0, 3)]),
    "empty_expand": (lambda lib, x: x.expand(2, 0, 3).sum(0), [r(0, 3)]),
    "int_reshape": (lambda lib, x: x.reshape(-1, 2).t().flip(0), [np.arange(12).reshape(3, 4)]),
    "bool_cat": (lambda lib, x: lib.cat([x, x]).tril(), [np.eye(3, dtype=bool)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_against_torch(name):
    fn, arrays = CASES[name]
    check(fn, *arrays)


def test_float64_keeps_dtype():
    check(lambda lib, x: x.permute(1, 0).reshape(-1).flip(0).expand(2, 6), r(2, 3, dtype=np.float64))


# ---------------------------------------------------------------- double backward through shape ops
def test_create_graph():
    a = r(2, 3)
    out = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        y = (x.t().reshape(-1).expand(2, 6) ** 3).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad((g.flip(0) * g).sum(), x)
        out.append((g, gg))
    assert_close(out[0][0], out[1][0])
    assert_close(out[0][1], out[1][1])


# ---------------------------------------------------------------- views share memory
VIEWS = {
    "view": lambda x: x.view(-1),
    "reshape": lambda x: x.reshape(4, 3),
    "flatten": lambda x: x.flatten(),
    "unflatten": lambda x: x.unflatten(1, (2, 2)),
    "squeeze": lambda x: x.unsqueeze(0).squeeze(),
    "unsqueeze": lambda x: x.unsqueeze(1),
    "permute": lambda x: x.permute(1, 0),
    "transpose": lambda x: x.transpose(0, 1),
    "t": lambda x: x.t(),
    "T": lambda x: x.T,
    "mT": lambda x: x.mT,
    "movedim": lambda x: x.movedim(0, 1),
    "expand_same": lambda x: x.expand(1, 3, 4),
    "narrow": lambda x: x.narrow(1, 1, 2),
    "select": lambda x: x.select(0, 1),
    "split": lambda x: x.split(2)[1],
    "chunk": lambda x: x.chunk(2, 1)[1],
    "unbind": lambda x: x.unbind(1)[2],
    "diagonal": lambda x: x.diagonal(),
    "diagonal_off": lambda x: x.diagonal(-1),
    "diagonal_dims": lambda x: x.diagonal(1, 1, 0),
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_views_share_memory(name):
    fn = VIEWS[name]
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    res = []
    for lib in (ember, torch):
        x = lib.tensor(a.copy())
        v = fn(x)
        with lib.no_grad():
            v.mul_(10).add_(1)
        res.append((x, v))
    assert_close(res[0][0], res[1][0])
    assert_close(res[0][1], res[1][1])


@pytest.mark.parametrize("fn", [lambda x: x.flip(0), lambda x: x.roll(1), lambda x: x.repeat(1, 1),
                                lambda x: x.t().reshape(-1), lambda x: x.tril(), lambda x: x.diag(),
                                lambda x: x.repeat_interleave(1), lambda x: torch_or_ember(x).cat([x])])
def test_copies_do_not_share_memory(fn):
    for lib in (ember, torch):
        x = lib.zeros(3, 3)
        y = fn(x)
        y.add_(1)
        assert float(x.sum()) == 0


def torch_or_ember(x):
    return torch if isinstance(x, torch.Tensor) else ember


def test_view_of_view_and_version_counter():
    x = ember.zeros(2, 3)
    v = x.t()[1]
    v.fill_(5)
    assert x[:, 1].tolist() == [5.0, 5.0]
    assert x._version_counter == v._version_counter


def test_inplace_through_view_under_autograd_is_checked():
    # a saved tensor changed through a view is reported at backward, as in torch
    for lib in (ember, torch):
        a = lib.ones(2, 2, requires_grad=True)
        b = a * 1
        c = b * b
        b.t().mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            c.sum().backward()


def test_transpose_inplace_methods():
    for lib in (ember, torch):
        x = lib.tensor(np.arange(6.0).reshape(2, 3))
        x.t_()
        x.unsqueeze_(0)
        x.squeeze_(0)
        x.transpose_(0, 1)
    assert ember.tensor(np.arange(6.0).reshape(2, 3)).t_().shape == (3, 2)


# ---------------------------------------------------------------- errors
ERRORS = [
    (lambda lib: lib.ones(2, 3).view(-1, 4), RuntimeError, r"shape '\[-1, 4\]' is invalid for input of size 6"),
    (lambda lib: lib.ones(2, 3).t().view(6), RuntimeError, "view size is not compatible"),
    (lambda lib: lib.ones(2, 3).reshape(-1, -1), RuntimeError, "only one dimension can be inferred"),
    (lambda lib: lib.ones(0, 4).reshape(0, -1), RuntimeError, "cannot reshape tensor of 0 elements into shape"),
    (lambda lib: lib.ones(2, 3).reshape(0, -1), RuntimeError, r"shape '\[0, -1\]' is invalid for input of size 6"),
    (lambda lib: lib.ones(3, 4).unflatten(1, ()), RuntimeError, "unflatten: sizes must be non-empty"),
    (lambda lib: lib.ones(3, 4).split(0), RuntimeError, "split_size can only be 0 if dimension size is 0"),
    (lambda lib: lib.ones(3, 4).narrow(1, -5, 1), IndexError, r"start out of range \(expected to be in range of"),
    (lambda lib: lib.ones(3, 4).narrow(1, 1, -1), RuntimeError, "narrow... length must be non-negative"),
    (lambda lib: lib.ones(3, 4).flatten(1, 0), RuntimeError, "start_dim cannot come after end_dim"),
    (lambda lib: lib.ones(3, 4).repeat_interleave(lib.tensor([1, 2]), dim=0), RuntimeError,
     r"repeats must have the same size as input along dim, but got repeats.size\(0\) = 2 and input.size\(0\) = 3"),
    (lambda lib: lib.ones(3).repeat_interleave(-1), RuntimeError, "Repeats must be non-negative"),
    (lambda lib: lib.ones(3, 1).roll((1, 2)), RuntimeError, "shifts and dimensions must align. shifts: 2, dims:0"),
    (lambda lib: lib.ones(()).unbind(0), IndexError, "Dimension specified as 0 but tensor has no dimensions"),
    (lambda lib: lib.hstack([]), RuntimeError, "hstack expects a non-empty TensorList"),
    (lambda lib: lib.stack([]), RuntimeError, "stack expects a non-empty TensorList"),
    (lambda lib: lib.ones(2, 3).movedim((0, 1), (0, 0)), RuntimeError, "movedim: repeated dim in `destination`"),
    (lambda lib: lib.ones(2, 3).reshape(4, 2), RuntimeError, r"shape '\[4, 2\]' is invalid for input of size 6"),
    (lambda lib: lib.ones(3).expand(-1, 3), RuntimeError, r"The expanded size of the tensor \(-1\) isn't allowed"),
    (lambda lib: lib.ones(3).expand(2, 4), RuntimeError, r"The expanded size of the tensor \(4\) must match the "
     r"existing size \(3\) at non-singleton dimension 1.  Target sizes: \[2, 4\].  Tensor sizes: \[3\]"),
    (lambda lib: lib.ones(2, 3).expand(3), RuntimeError, "must be greater or equal to the number of dimensions"),
    (lambda lib: lib.ones(3, 4).unflatten(1, (3, -1)), RuntimeError,
     r"unflatten: Provided sizes \[3, -1\] don't multiply up to the size of dim 1 \(4\)"),
    (lambda lib: lib.ones(3).tril(), RuntimeError, "tril: input tensor must have at least 2 dimensions"),
    (lambda lib: lib.ones(3).triu(), RuntimeError, "triu: input tensor must have at least 2 dimensions"),
    (lambda lib: lib.ones(3, 4).select(1, 5), IndexError,
     r"select\(\): index 5 out of range for tensor of size \[3, 4\] at dimension 1"),
    (lambda lib: lib.ones(3, 4).narrow(1, 2, 3), RuntimeError,
     r"start \(2\) \+ length \(3\) exceeds dimension size \(4\)"),
    (lambda lib: lib.cat([lib.ones(2, 3), lib.ones(2, 4)]), RuntimeError,
     "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1"),
    (lambda lib: lib.cat([lib.ones(2, 3), lib.ones(2)]), RuntimeError, "Tensors must have same number of dimensions"),
    (lambda lib: lib.cat([lib.ones(()), lib.ones(())]), RuntimeError, "zero-dimensional tensor"),
    (lambda lib: lib.cat([lib.ones(2, 3)], 2), IndexError, "Dimension out of range"),
    (lambda lib: lib.cat([]), ValueError, "expected a non-empty list of Tensors"),
    (lambda lib: lib.cat([lib.ones(2), lib.ones(())]), RuntimeError, r"zero-dimensional tensor \(at position 1\)"),
    (lambda lib: lib.stack([lib.ones(2, 3), lib.ones(2, 4)]), RuntimeError,
     r"stack expects each tensor to be equal size, but got \[2, 3\] at entry 0 and \[2, 4\] at entry 1"),
    (lambda lib: lib.ones(2, 3).repeat(2), RuntimeError, "Number of dimensions of repeat dims"),
    (lambda lib: lib.ones(2, 3).permute(0, 0), RuntimeError, "duplicate dims"),
    (lambda lib: lib.ones(2, 3).permute(0, 1, 2), RuntimeError, "number of dimensions in the tensor input"),
    (lambda lib: lib.ones(2, 3).transpose(0, 2), IndexError, r"expected to be in range of \[-2, 1\], but got 2"),
    (lambda lib: lib.ones(2, 3).squeeze(3), IndexError, "Dimension out of range"),
    (lambda lib: lib.ones(2, 3).unsqueeze(3), IndexError, "Dimension out of range"),
    (lambda lib: lib.ones(2, 3, 4).t(), RuntimeError, r"t\(\) expects a tensor with <= 2 dimensions, but self is 3D"),
    (lambda lib: lib.ones(2, 3).split([1, 1], 1), RuntimeError,
     "split_with_sizes expects split_sizes to sum exactly to 3"),
    (lambda lib: lib.ones(2, 3).flip(0, 0), RuntimeError, "dim 0 appears multiple times in the list of dims"),
    (lambda lib: lib.ones(3, 1).roll((1, 2), (0,)), RuntimeError, "shifts and dimensions must align"),
    (lambda lib: lib.ones(3, 4).diagonal(0, 0, 0), RuntimeError, "diagonal dimensions cannot be identical 0, 0"),
    (lambda lib: lib.ones(2, 3, 4).diag(), RuntimeError, "diag"),
    (lambda lib: lib.ones(2, 3).movedim((0, 0), (0, 1)), RuntimeError, "movedim: repeated dim in `source`"),
    (lambda lib: lib.ones(2, 3).movedim((0, 1), (0,)), RuntimeError, "movedim: Invalid source or destination dims"),
    (lambda lib: lib.ones(2, 3).chunk(0), RuntimeError, "chunk expects `chunks` to be greater than 0, got: 0"),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_match_torch(k):
    fn, exc, msg = ERRORS[k]
    for lib in (torch, ember):
        with pytest.raises(exc, match=msg):
            fn(lib)


# ---------------------------------------------------------------- random shapes
@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=0, max_size=4), st.data())
def test_random_permute_reshape_flip(shape, data):
    a = rng.standard_normal(shape).astype(np.float32)
    n = len(shape)
    perm = data.draw(st.permutations(range(n)))
    dims = data.draw(st.lists(st.integers(0, max(n - 1, 0)), unique=True, max_size=n)) if n else []
    check(lambda lib, x: x.permute(*perm).flip(dims).reshape(-1) if n else x.reshape(-1), a)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.data())
def test_random_split_cat_roll(shape, data):
    a = rng.standard_normal(shape).astype(np.float32)
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    k = data.draw(st.integers(1, 4))
    s = data.draw(st.integers(-5, 5))
    check(lambda lib, x: lib.cat(x.split(k, d)[::-1], d).roll(s, d), a)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=0, max_size=3), st.data())
def test_random_expand_repeat(shape, data):
    a = rng.standard_normal(shape).astype(np.float32)
    lead = data.draw(st.lists(st.integers(0, 3), max_size=2))
    target = tuple(lead) + tuple(data.draw(st.sampled_from([s, 1, 2])) if s == 1 else s for s in shape)
    reps = data.draw(st.lists(st.integers(0, 3), min_size=len(shape), max_size=len(shape) + 1))
    check(lambda lib, x: (x.expand(target) * 3).sum() + (x.repeat(reps) ** 2).sum(), a)
