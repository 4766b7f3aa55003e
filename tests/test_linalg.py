"""Linear algebra against torch: matmul family, einsum, tensordot, inv/det/solve, norms; values,
gradients (broadcast batches included), dtypes and torch's errors."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import ember
from helpers import check, assert_close

rng = np.random.default_rng(0)


def r(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def well(*shape, dtype=np.float64):
    """Well-conditioned square matrices (batched), so inverse/solve gradients compare tightly."""
    n = shape[-1]
    return (rng.standard_normal(shape) * 0.3 + np.eye(n) * 2).astype(dtype)


MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)), ((3,), (5, 3, 4)), ((5, 2, 3), (3,)), ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)), ((2, 1, 2, 3), (5, 3, 4)), ((1, 2, 3), (4, 1, 3, 2)), ((2, 2, 2, 3), (3,)),
    ((0, 3), (3, 4)), ((2, 0), (0, 4)), ((0,), (0,)), ((1, 3), (3, 1)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_shapes(sa, sb):
    check(lambda lib, a, b: lib.matmul(a, b), r(*sa), r(*sb), rtol=1e-4, atol=1e-5)
    check(lambda lib, a, b: a @ b, r(*sa, dtype=np.float64), r(*sb, dtype=np.float64))


def test_matmul_int_and_create_graph():
    check(lambda lib, a, b: a @ b, np.arange(6).reshape(2, 3), np.arange(12).reshape(3, 4))
    a, b = r(2, 3, dtype=np.float64), r(3, 4, dtype=np.float64)
    res = []
    for lib in (ember, torch):
        x, y = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        (gx,) = lib.autograd.grad(((x @ y) ** 2).sum(), x, create_graph=True)
        (gy,) = lib.autograd.grad((gx ** 2).sum(), y)
        res.append((gx, gy))
    assert_close(res[0][0], res[1][0])
    assert_close(res[0][1], res[1][1])


CASES = {
    "mm": (lambda lib, a, b: lib.mm(a, b), [r(2, 3), r(3, 4)]),
    "bmm": (lambda lib, a, b: a.bmm(b), [r(2, 2, 3), r(2, 3, 4)]),
    "mv": (lambda lib, a, b: lib.mv(a, b), [r(2, 3), r(3)]),
    "dot": (lambda lib, a, b: a.dot(b), [r(3), r(3)]),
    "vdot": (lambda lib, a, b: lib.vdot(a, b), [r(3), r(3)]),
    "inner_1d": (lambda lib, a, b: lib.inner(a, b), [r(3), r(3)]),
    "inner_nd": (lambda lib, a, b: lib.inner(a, b), [r(2, 3), r(4, 5, 3)]),
    "inner_0d": (lambda lib, a, b: lib.inner(a, b), [r(), r(2, 3)]),
    "outer": (lambda lib, a, b: lib.outer(a, b), [r(3), r(4)]),
    "ger_promote": (lambda lib, a, b: a.ger(b), [r(3), r(4, dtype=np.float64)]),
    "addmm": (lambda lib, c, a, b: lib.addmm(c, a, b), [r(2, 4), r(2, 3), r(3, 4)]),
    "addmm_scaled": (lambda lib, c, a, b: c.addmm(a, b, beta=0.5, alpha=-2), [r(2, 4), r(2, 3), r(3, 4)]),
    "addmm_bcast": (lambda lib, c, a, b: lib.addmm(c, a, b, alpha=3), [r(4), r(2, 3), r(3, 4)]),
    "addmm_beta0": (lambda lib, c, a, b: lib.addmm(c, a, b, beta=0), [np.full((2, 4), np.nan, np.float32),
                                                                       r(2, 3), r(3, 4)]),
    "addmv": (lambda lib, c, a, b: lib.addmv(c, a, b, beta=2), [r(2), r(2, 3), r(3)]),
    "baddbmm": (lambda lib, c, a, b: lib.baddbmm(c, a, b, alpha=0.5), [r(2, 1, 4), r(2, 2, 3), r(2, 3, 4)]),
    "addbmm": (lambda lib, c, a, b: lib.addbmm(c, a, b), [r(2, 4), r(3, 2, 3), r(3, 3, 4)]),
    "addr": (lambda lib, c, a, b: lib.addr(c, a, b, beta=-1), [r(3, 4), r(3), r(4)]),
    "kron": (lambda lib, a, b: lib.kron(a, b), [r(2, 3), r(3, 2)]),
    "kron_mixed": (lambda lib, a, b: lib.kron(a, b), [r(2, 3), r(4)]),
    "trace": (lambda lib, a: lib.trace(a), [r(3, 4)]),
    "cross": (lambda lib, a, b: lib.cross(a, b, dim=0), [r(3, 2), r(3, 2)]),
    "cross_default": (lambda lib, a, b: lib.linalg.cross(a, b), [r(2, 3), r(1, 3)]),
    "tensordot_int": (lambda lib, a, b: lib.tensordot(a, b, 2), [r(2, 3, 4), r(3, 4, 5)]),
    "tensordot_lists": (lambda lib, a, b: lib.tensordot(a, b, ([1, 0], [0, 2])), [r(2, 3, 4), r(3, 5, 2)]),
    "tensordot_zero": (lambda lib, a, b: lib.tensordot(a, b, dims=0), [r(2, 3), r(4)]),
    "tensordot_neg": (lambda lib, a, b: lib.tensordot(a, b, dims=([-1], [0])), [r(2, 3), r(3, 4)]),
    "multi_dot": (lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]), [r(3), r(3, 4), r(4, 2)]),
    "vecdot": (lambda lib, a, b: lib.linalg.vecdot(a, b), [r(2, 3), r(3)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_products(name):
    fn, arrays = CASES[name]
    check(fn, *arrays, rtol=1e-4, atol=1e-5)


EINSUM = {
    "matmul": ("ij,jk->ik", [(2, 3), (3, 4)]),
    "implicit": ("ij,jk", [(2, 3), (3, 4)]),
    "implicit_order": ("ba", [(3, 4)]),
    "implicit_upper": ("Ab,bc", [(3, 4), (4, 2)]),
    "transpose": ("ij->ji", [(2, 3)]),
    "batch_matmul": ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    "batch_bcast": ("bij,bjk->bik", [(2, 2, 3), (1, 3, 4)]),
    "outer": ("i,j->ij", [(3,), (4,)]),
    "dot": ("i,i->", [(3,), (3,)]),
    "trace": ("ii", [(3, 3)]),
    "trace_arrow": ("ii->", [(3, 3)]),
    "diagonal": ("ii->i", [(3, 3)]),
    "batch_diagonal": ("bii->bi", [(2, 3, 3)]),
    "sum_all": ("ij->", [(2, 3)]),
    "sum_out": ("ijk->ik", [(2, 3, 4)]),
    "ellipsis": ("...ij,...jk->...ik", [(2, 1, 2, 3), (5, 3, 4)]),
    "ellipsis_implicit": ("...ij,...jk", [(2, 2, 3), (3, 4)]),
    "ellipsis_mid": ("i...j->j...i", [(2, 3, 4, 5)]),
    "ellipsis_sum": ("...i->...", [(2, 3)]),
    "three": ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    "bilinear": ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    "attention": ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    "repeat_shared": ("ii,i->i", [(3, 3), (3,)]),
    "spaces": ("i j , j k -> i k", [(2, 3), (3, 4)]),
    "big": ("bij,bjk->bik", [(4, 16, 16), (4, 16, 16)]),
}


@pytest.mark.parametrize("name", list(EINSUM))
def test_einsum(name):
    eq, shapes = EINSUM[name]
    check(lambda lib, *xs: lib.einsum(eq, *xs), *[r(*s) for s in shapes], rtol=1e-4, atol=1e-5)


def test_einsum_list_operands_and_double_backward():
    check(lambda lib, a, b: lib.einsum("ij,jk->ik", [a, b]), r(2, 3), r(3, 4), rtol=1e-4)
    a = r(3, 3, dtype=np.float64)
    res = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        (g,) = lib.autograd.grad(lib.einsum("ij,jk,ii->", x, x, x), x, create_graph=True)
        (gg,) = lib.autograd.grad(lib.einsum("ii->i", g).sum(), x)
        res.append((g, gg))
    assert_close(res[0][0], res[1][0])
    assert_close(res[0][1], res[1][1])


# ---------------------------------------------------------------- inverse, determinant, solve
SQUARE = {
    "inv": (lambda lib, a: lib.linalg.inv(a), [well(3, 3)]),
    "inv_batched": (lambda lib, a: lib.linalg.inv(a), [well(2, 3, 3)]),
    "inv_f32": (lambda lib, a: lib.inverse(a), [well(3, 3, dtype=np.float32)]),
    "inv_method": (lambda lib, a: a.inverse(), [well(2, 2)]),
    "inv_empty": (lambda lib, a: lib.linalg.inv(a), [well(2, 0, 0)]),
    "det": (lambda lib, a: lib.linalg.det(a), [well(3, 3)]),
    "det_batched": (lambda lib, a: lib.det(a), [well(2, 2, 3, 3)]),
    "det_f32": (lambda lib, a: a.det(), [well(4, 4, dtype=np.float32)]),
    "det_singular": (lambda lib, a: lib.linalg.det(a), [np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])]),
    "det_zero": (lambda lib, a: lib.linalg.det(a), [np.zeros((2, 2))]),
    "det_empty": (lambda lib, a: lib.linalg.det(a), [np.zeros((0, 0))]),
    "slogdet": (lambda lib, a: lib.linalg.slogdet(a)[1] * lib.linalg.slogdet(a)[0], [well(3, 3)]),
    "logdet": (lambda lib, a: lib.logdet(a), [well(3, 3)]),
    "solve_vec": (lambda lib, a, b: lib.linalg.solve(a, b), [well(3, 3), r(3, dtype=np.float64)]),
    "solve_mat": (lambda lib, a, b: lib.linalg.solve(a, b), [well(3, 3), r(3, 2, dtype=np.float64)]),
    "solve_batched_vec": (lambda lib, a, b: lib.linalg.solve(a, b), [well(2, 3, 3), r(2, 3, dtype=np.float64)]),
    "solve_batch_1d": (lambda lib, a, b: lib.linalg.solve(a, b), [well(2, 3, 3), r(3, dtype=np.float64)]),
    "solve_batched_mat": (lambda lib, a, b: lib.linalg.solve(a, b), [well(2, 3, 3), r(3, 2, dtype=np.float64)]),
    "solve_bcast": (lambda lib, a, b: lib.linalg.solve(a, b), [well(3, 3), r(4, 3, 2, dtype=np.float64)]),
    "solve_bcast_a": (lambda lib, a, b: lib.linalg.solve(a, b), [well(4, 1, 3, 3), r(2, 3, 1, dtype=np.float64)]),
    "solve_right": (lambda lib, a, b: lib.linalg.solve(a, b, left=False), [well(3, 3), r(2, 3, dtype=np.float64)]),
    "solve_f32": (lambda lib, a, b: lib.linalg.solve(a, b), [well(3, 3, dtype=np.float32), r(3, 2)]),
}


@pytest.mark.parametrize("name", list(SQUARE))
def test_inverse_det_solve(name):
    fn, arrays = SQUARE[name]
    f32 = arrays[0].dtype == np.float32
    check(fn, *arrays, rtol=1e-4 if f32 else 1e-8, atol=1e-5 if f32 else 1e-9)


def test_det_singular_double_backward_free_path():
    # a non-singular matrix: det's gradient is differentiable again
    a = well(3, 3)
    res = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        (g,) = lib.autograd.grad(lib.linalg.det(x), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        res.append((g, gg))
    assert_close(res[0][0], res[1][0])
    assert_close(res[0][1], res[1][1], rtol=1e-8, atol=1e-9)


# ---------------------------------------------------------------- norms
INF = math.inf
NORMS = {
    "norm_default": (lambda lib, a: lib.linalg.norm(a), r(2, 3, 4)),
    "norm_vec_ord": (lambda lib, a: lib.linalg.norm(a, 3), r(5)),
    "norm_vec_inf": (lambda lib, a: lib.linalg.norm(a, INF), r(5)),
    "norm_vec_dim": (lambda lib, a: lib.linalg.norm(a, 1, dim=1, keepdim=True), r(3, 4)),
    "norm_mat_fro": (lambda lib, a: lib.linalg.norm(a, "fro"), r(3, 4)),
    "norm_mat_nuc": (lambda lib, a: lib.linalg.norm(a, "nuc"), r(3, 4)),
    "norm_mat_1": (lambda lib, a: lib.linalg.norm(a, 1), r(3, 4)),
    "norm_mat_-1": (lambda lib, a: lib.linalg.norm(a, -1), r(3, 4)),
    "norm_mat_inf": (lambda lib, a: lib.linalg.norm(a, INF), r(3, 4)),
    "norm_mat_-inf": (lambda lib, a: lib.linalg.norm(a, -INF), r(3, 4)),
    "norm_mat_2": (lambda lib, a: lib.linalg.norm(a, 2), r(3, 4)),
    "norm_mat_-2": (lambda lib, a: lib.linalg.norm(a, -2), r(3, 4)),
    "norm_dims": (lambda lib, a: lib.linalg.norm(a, dim=(0, 2)), r(2, 3, 4)),
    "norm_dims_ord": (lambda lib, a: lib.linalg.norm(a, INF, dim=(2, 0), keepdim=True), r(2, 3, 4)),
    "vector_norm": (lambda lib, a: lib.linalg.vector_norm(a), r(2, 3)),
    "vector_norm_ords": (lambda lib, a: lib.linalg.vector_norm(a, 0.5, dim=-1) + lib.linalg.vector_norm(a, 1, 0).sum()
                         + lib.linalg.vector_norm(a, -INF), r(2, 3)),
    "vector_norm_0": (lambda lib, a: lib.linalg.vector_norm(a, 0), r(2, 3)),
    "vector_norm_dims": (lambda lib, a: lib.linalg.vector_norm(a, 3, dim=(0, 2), keepdim=True), r(2, 3, 4)),
    "vector_norm_dtype": (lambda lib, a: lib.linalg.vector_norm(a, dtype=lib.float64), r(2, 3)),
    "vector_norm_f64": (lambda lib, a: lib.linalg.vector_norm(a, 2, -1), r(2, 3, dtype=np.float64)),
    "matrix_norm": (lambda lib, a: lib.linalg.matrix_norm(a), r(2, 3, 4)),
    "matrix_norm_nuc_dims": (lambda lib, a: lib.linalg.matrix_norm(a, "nuc", dim=(2, 0), keepdim=True), r(3, 4, 5)),
    "matrix_norm_2_batched": (lambda lib, a: lib.linalg.matrix_norm(a, 2), r(2, 3, 3)),
    "matrix_norm_1_keep": (lambda lib, a: lib.linalg.matrix_norm(a, 1, keepdim=True), r(2, 3, 4)),
    "matrix_norm_neg_dims": (lambda lib, a: lib.linalg.matrix_norm(a, -INF, dim=(-1, 0)), r(3, 2, 4)),
    "svdvals": (lambda lib, a: lib.linalg.svdvals(a), r(2, 4, 3)),
    "norm_zero_vector": (lambda lib, a: lib.linalg.norm(a), np.zeros(3, np.float32)),
}


@pytest.mark.parametrize("name", list(NORMS))
def test_norms(name):
    fn, a = NORMS[name]
    check(fn, a, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------- errors
ERRORS = [
    (lambda lib: lib.ones(2, 3) @ lib.ones(4, 5), "mat1 and mat2 shapes cannot be multiplied \\(2x3 and 4x5\\)"),
    (lambda lib: lib.ones(3) @ lib.ones(4), "inconsistent tensor size, expected tensor \\[3\\] and src \\[4\\] to have "
     "the same number of elements, but got 3 and 4 elements respectively"),
    (lambda lib: lib.ones(2, 3) @ lib.ones(4), "size mismatch, got input \\(2\\), mat \\(2x3\\), vec \\(4\\)"),
    (lambda lib: lib.ones(3) @ lib.ones(4, 5), "mat1 and mat2 shapes cannot be multiplied \\(1x3 and 4x5\\)"),
    (lambda lib: lib.ones(2, 2, 3) @ lib.ones(4, 5), "mat1 and mat2 shapes cannot be multiplied \\(4x3 and 4x5\\)"),
    (lambda lib: lib.ones(2, 2, 2, 3) @ lib.ones(4), "size mismatch, got input \\(8\\), mat \\(8x3\\), vec \\(4\\)"),
    (lambda lib: lib.ones(3) @ lib.ones(2, 4, 5),
     "Expected size for first two dimensions of batch2 tensor to be: \\[2, 3\\] but got: \\[2, 4\\]."),
    (lambda lib: lib.ones(2, 2, 3) @ lib.ones(2, 2, 4, 5),
     "Expected size for first two dimensions of batch2 tensor to be: \\[4, 3\\] but got: \\[4, 4\\]."),
    (lambda lib: lib.ones(2, 2, 2, 3) @ lib.ones(3, 4, 5),
     "The size of tensor a \\(2\\) must match the size of tensor b \\(3\\) at non-singleton dimension 1"),
    (lambda lib: lib.ones(2, 3) @ lib.ones(3, 4, dtype=lib.float64),
     "expected m1 and m2 to have the same dtype, but got: float != double"),
    (lambda lib: lib.ones(3) @ lib.ones(()), "both arguments to matmul need to be at least 1D, but they are 1D and 0D"),
    (lambda lib: lib.mm(lib.ones(2, 3), lib.ones(3)), "mat2 must be a matrix"),
    (lambda lib: lib.mm(lib.ones(3), lib.ones(3, 2)), "self must be a matrix"),
    (lambda lib: lib.mm(lib.ones(2, 3), lib.ones(4, 2)), "mat1 and mat2 shapes cannot be multiplied \\(2x3 and 4x2\\)"),
    (lambda lib: lib.bmm(lib.ones(2, 3), lib.ones(4, 2)), "batch1 must be a 3D tensor"),
    (lambda lib: lib.bmm(lib.ones(2, 2, 3), lib.ones(3, 3, 2)),
     "Expected size for first two dimensions of batch2 tensor to be: \\[2, 3\\] but got: \\[3, 3\\]."),
    (lambda lib: lib.bmm(lib.ones(2, 2, 3), lib.ones(2, 3, 2, dtype=lib.float64)),
     "expected scalar type Float but found Double"),
    (lambda lib: lib.mv(lib.ones(2, 3), lib.ones(4)), "size mismatch, got input \\(2\\), mat \\(2x3\\), vec \\(4\\)"),
    (lambda lib: lib.mv(lib.ones(2, 3), lib.ones(3, 1)), "vector \\+ matrix @ vector expected, got 1, 2, 2"),
    (lambda lib: lib.dot(lib.ones(3), lib.ones(4)), "inconsistent tensor size"),
    (lambda lib: lib.dot(lib.ones(3), lib.ones(3, dtype=lib.float64)),
     "dot : expected both vectors to have same dtype, but found Float and Double"),
    (lambda lib: lib.dot(lib.ones(3, 1), lib.ones(3)), "1D tensors expected, but got 2D and 1D tensors"),
    (lambda lib: lib.addmm(lib.ones(3), lib.ones(2, 3), lib.ones(3, 4)), "expanded size|must match"),
    (lambda lib: lib.inner(lib.ones(2, 3), lib.ones(4, 2)), "inner\\(\\) the last dimension must match"),
    (lambda lib: lib.einsum("ij,jk", lib.ones(2, 3), lib.ones(3, 4, dtype=lib.float64)),
     "expected scalar type Float but found Double"),
    (lambda lib: lib.einsum("ij,jk", lib.ones(2, 3), lib.ones(4, 4)),
     "einsum\\(\\): subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3"),
    (lambda lib: lib.einsum("ij,jk", lib.ones(2, 3)), "einsum\\(\\): fewer operands were provided"),
    (lambda lib: lib.einsum("ijk,jk", lib.ones(2, 3), lib.ones(4, 4)),
     "einsum\\(\\): the number of subscripts in the equation \\(3\\) does not match the number of dimensions \\(2\\) "
     "for operand 0 and no ellipsis was given"),
    (lambda lib: lib.einsum("ij->k", lib.ones(3, 3)), "output subscript k does not appear in the equation"),
    (lambda lib: lib.einsum("ii->i", lib.ones(3, 4)),
     "subscript i is repeated for operand 0 but the sizes don't match"),
    (lambda lib: lib.einsum("i->ii", lib.ones(3)), "output subscript i appears more than once in the output"),
    (lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(4, 5), 1),
     "contracted dimensions need to match, but first has size 3 in dim -1 and second has size 4 in dim 0"),
    (lambda lib: lib.linalg.inv(lib.ones(2, 3)), "linalg.inv: A must be batches of square matrices, but they are 2 "
     "by 3 matrices"),
    (lambda lib: lib.linalg.inv(lib.zeros(3, 3)), "linalg.inv: The diagonal element 1 is zero, the inversion could "
     "not be completed because the input matrix is singular."),
    (lambda lib: lib.linalg.inv(lib.tensor([[[1.0, 0], [0, 1]], [[1.0, 2], [2, 4]]])),
     "linalg.inv: \\(Batch element 1\\): The diagonal element 2 is zero"),
    (lambda lib: lib.linalg.inv(lib.ones(3, 3, dtype=lib.int64)),
     "linalg.inv: Expected a floating point or complex tensor as input. Got Long"),
    (lambda lib: lib.linalg.det(lib.ones(2, 3)), "linalg.det: A must be batches of square matrices"),
    (lambda lib: lib.linalg.solve(lib.zeros(3, 3), lib.ones(3)),
     "torch.linalg.solve: The solver failed because the input matrix is singular."),
    (lambda lib: lib.linalg.solve(lib.eye(3), lib.ones(4)),
     "linalg.solve: Incompatible shapes of A and B for the equation AX = B \\(3x3 and 4x1\\)"),
    (lambda lib: lib.linalg.solve(lib.eye(3), lib.ones(2, 3)),
     "linalg.solve: Incompatible shapes of A and B for the equation AX = B \\(3x3 and 2x3\\)"),
    (lambda lib: lib.linalg.solve(lib.eye(3), lib.ones(3, dtype=lib.float64)),
     "linalg.solve: Expected A and B to have the same dtype, but found A of type Float and B of type Double"),
    (lambda lib: lib.linalg.norm(lib.ones(2, 3, 4), 2),
     "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got 3D."),
    (lambda lib: lib.linalg.matrix_norm(lib.ones(4)), "linalg.matrix_norm: The input tensor A must have at least 2"),
    (lambda lib: lib.linalg.matrix_norm(lib.ones(4, 4), 3), "linalg.matrix_norm: Order 3 not supported."),
    (lambda lib: lib.linalg.matrix_norm(lib.ones(3, 4), dim=(0, 0)), "linalg.matrix_norm: dims must be different"),
    (lambda lib: lib.linalg.matrix_norm(lib.ones(4, 4, dtype=lib.int64)),
     "linalg.matrix_norm: Expected a floating point or complex tensor as input. Got Long"),
    (lambda lib: lib.linalg.vector_norm(lib.ones(4, dtype=lib.int64)),
     "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long"),
    (lambda lib: lib.trace(lib.ones(2, 3, 3)), "trace: expected a matrix, but got tensor with dim 3"),
    (lambda lib: lib.linalg.cross(lib.ones(3, 2), lib.ones(3, 2)),
     "linalg.cross: inputs dimension -1 must have length 3. Got 2 and 2"),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_match_torch(k):
    fn, msg = ERRORS[k]
    for lib in (torch, ember):
        with pytest.raises(RuntimeError, match=msg):
            fn(lib)


def test_linalg_error_type():
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.inv(ember.zeros(2, 2))


# ---------------------------------------------------------------- random shapes
@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 3), max_size=3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.data())
def test_random_matmul_broadcast(batch, m, k, n, data):
    # each operand: 1-D, or a matrix with a suffix of `batch` whose dims may be 1 (so they broadcast)
    def operand(rows, cols, vec):
        if data.draw(st.booleans()):
            return (vec,)
        lead = batch[data.draw(st.integers(0, len(batch))):]
        return tuple(data.draw(st.sampled_from([1, s])) for s in lead) + (rows, cols)
    sa, sb = operand(m, k, k), operand(k, n, k)
    check(lambda lib, a, b: a @ b, r(*sa, dtype=np.float64), r(*sb, dtype=np.float64))


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(0, 2), st.integers(0, 2 ** 31))
def test_random_solve_det(n, batch, seed):
    g = np.random.default_rng(seed)
    shape = (2,) * batch + (n, n)
    a = g.standard_normal(shape) * 0.2 + np.eye(n) * 2
    b = g.standard_normal(shape[:-1])
    check(lambda lib, a, b: lib.linalg.solve(a, b) * lib.linalg.det(a).unsqueeze(-1), a, b, rtol=1e-8, atol=1e-9)
