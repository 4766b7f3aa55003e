"""Tensor's method surface against torch: one lambda runs on both, forward and backward compared."""
import importlib.util
import os

import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error, assert_close

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _coverage_module():
    spec = importlib.util.spec_from_file_location("api_coverage", os.path.join(ROOT, "benchmarks", "api_coverage.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---------------------------------------------------------------- the API-coverage report
def test_coverage_report_tensor_floor():
    cov = _coverage_module()
    c = cov.classify("torch.Tensor")
    n = sum(len(v) for v in c.values())
    assert n == len([m for m in dir(torch.Tensor) if not m.startswith("_")])
    covered = len(c["implemented"]) + len(c["unsupported"])
    # the level reached by issue 10: every method implemented or classified with a reason
    assert covered / n >= 0.99, c["missing"]
    assert len(c["implemented"]) / n >= 0.88
    for name, why in c["unsupported"]:
        assert why, name
    # a classified name is never also counted as implemented or missing
    assert not set(c["implemented"]) & {n for n, _ in c["unsupported"]}


def test_coverage_report_torch_namespaces_floor():
    cov = _coverage_module()
    for path, floor in (("torch", 0.95), ("torch.nn.functional", 0.95), ("torch.utils.data", 0.95)):
        c = cov.classify(path)
        n = sum(len(v) for v in c.values())
        assert (len(c["implemented"]) + len(c["unsupported"])) / n >= floor, (path, c["missing"])


def test_coverage_report_classification():
    cov = _coverage_module()
    from ember._unsupported import reason, unsupported
    assert reason("torch.Tensor.to_sparse_csr") is not None
    assert reason("torch.nn.functional.Optional") is not None
    assert reason("torch.qr") is None and reason("torch.Tensor.T") is None  # patterns stay within a name
    with pytest.raises(NotImplementedError, match="sparse"):
        unsupported("torch.sparse_coo_tensor")()
    # a module ember lacks counts as all missing, not as an error
    rows = {r[0]: r for r in cov.table(["torch.nn.init", "torch.nn.utils.stateless"])}
    assert rows["torch.nn.init"][2] > 0


# ---------------------------------------------------------------- inputs
rng = np.random.default_rng(10)
A = rng.standard_normal((3, 4)).astype(np.float32)
B = rng.standard_normal((3, 4)).astype(np.float32)
U = rng.uniform(0.1, 0.9, (3, 4)).astype(np.float32)   # inside (0, 1): acos, atanh, logit, erfinv
G = rng.uniform(1.5, 3.0, (3, 4)).astype(np.float32)   # above 1: acosh
M3 = rng.standard_normal((2, 3, 4)).astype(np.float32)
M4 = rng.standard_normal((2, 4, 5)).astype(np.float32)
S = rng.standard_normal((4, 4)).astype(np.float32)
V3, V4 = rng.standard_normal(3).astype(np.float32), rng.standard_normal(4).astype(np.float32)
I1 = rng.integers(-20, 20, (3, 4)).astype(np.int64)
I2 = rng.integers(1, 6, (3, 4)).astype(np.int64)


# ---------------------------------------------------------------- out-of-place methods: forward and backward
@pytest.mark.parametrize("fn, arrays", [
    (lambda L, a: a.softmax(1), (A,)),
    (lambda L, a: a.softmax(dim=0, dtype=L.float64), (A,)),
    (lambda L, a: a.log_softmax(-1), (A,)),
    (lambda L, a: a.hardshrink(0.3), (A,)),
    (lambda L, a, w: a.prelu(w), (A, np.array([0.25], np.float32))),
    (lambda L, a, b: a.copysign(b), (A, B)),
    (lambda L, a: a.copysign(-0.0), (A,)),
    (lambda L, a: a.angle(), (A,)),
    (lambda L, a, b: a.hypot(b), (A, B)),
    (lambda L, a, b: a.logaddexp(b), (A, B)),
    (lambda L, a, b: a.logaddexp2(b * 30), (A, B)),
    (lambda L, a, b: a.fmax(b) + a.fmin(b), (A, B)),
    (lambda L, a: a.sinc() + a.deg2rad() + a.rad2deg(), (A,)),
    (lambda L, a: a.positive() * 2, (A,)),
    (lambda L, a: a.ldexp(L.tensor([[1.0], [2.0], [-1.0]])), (A,)),
    (lambda L, a: a.detach().heaviside(L.tensor(0.5)), (A,)),  # torch has no derivative for it
    (lambda L, x, b1, b2: x.addbmm(b1, b2, beta=0.5, alpha=2), (A[:, :3] @ np.ones((3, 5), np.float32) * 0 + 1, M3, M4[:, :, :5])),
    (lambda L, x, b1, b2: x.baddbmm(b1, b2, alpha=0.5), (np.ones((2, 3, 5), np.float32), M3, M4)),
    (lambda L, x, m, v: x.addmv(m, v, beta=2), (V3, A, V4)),
    (lambda L, x, a, b: x.addr(a, b), (A, V3, V4)),
    (lambda L, a, b: a.vdot(b), (V4, V4[::-1].copy())),
    (lambda L, a, b: a.kron(b), (A[:2, :2].copy(), B[:2, :3].copy())),
    (lambda L, a: a.cov(), (A,)),
    (lambda L, a: a.cov(correction=0), (A,)),
    (lambda L, a: a.cov(fweights=L.tensor([1, 2, 1, 3]), aweights=L.tensor([0.5, 1.0, 2.0, 1.0])), (A,)),
    (lambda L, a: a[0].cov(), (A,)),
    (lambda L, a: a.corrcoef(), (A,)),
    (lambda L, a: a.diff(), (A,)),
    (lambda L, a, b: a.diff(n=2, dim=0, prepend=b, append=b), (A, B)),
    (lambda L, a: a[0].diagflat(1), (A,)),
    (lambda L, a: a.rot90(1, (0, 1)) + 0, (A,)),
    (lambda L, a, b: a.dist(b) + a.dist(b, 1) + a.dist(b, float("inf")), (A, B)),
    (lambda L, a: a.renorm(2, 0, 1.5), (A * 2,)),
    (lambda L, a: a.renorm(1, 1, 0.5), (A,)),
    (lambda L, a: a.logcumsumexp(1), (A,)),
    (lambda L, a: a.logdet(), (S @ S.T + np.eye(4, dtype=np.float32),)),
    (lambda L, a: a.detach().slogdet()[1], (S,)),
    (lambda L, a: a.pinverse(), (A,)),
    (lambda L, a: a.matrix_power(3), (S,)),
    (lambda L, a: a.matrix_exp(), (S * 0.3,)),
    (lambda L, a: a.msort(), (A,)),
    (lambda L, a: a.nanmedian(1)[0], (A,)),
    (lambda L, a: a.nanquantile(0.3, dim=1), (A,)),
    (lambda L, a: a.unfold(1, 2, 1) * 1, (A,)),
    (lambda L, a: a.unfold(0, 2, 2).sum(-1), (M3.reshape(4, 6),)),
    (lambda L, a: a.unfold(-1, 3, 1).sum(), (M3,)),
    (lambda L, a: a.as_strided((2, 2), (1, 2)) * 1, (A,)),
    (lambda L, a: a.as_strided((3, 3), (1, 1), 2) * 1, (A,)),  # overlapping windows: gradients add up
    (lambda L, a: a[1:].as_strided((2, 2), (4, 1)) * 1, (A,)),
    (lambda L, a, s: a.diagonal_scatter(s), (A, V3)),
    (lambda L, a, s: a.select_scatter(s, 1, 2), (A, V3)),
    (lambda L, a, s: a.slice_scatter(s, 1, 1, 4, 2), (A, B[:, :2].copy())),
    # values only: torch's gradient for input does not zero the scattered positions (ember's does)
    (lambda L, a, s: a.detach().as_strided_scatter(s.detach(), (2, 2), (1, 2)), (A, B[:2, :2].copy())),
    (lambda L, a: a.split_with_sizes([1, 3], 1)[1] * 1, (A,)),
    (lambda L, a: a.unsafe_split(2, 1)[1] + a.unsafe_chunk(2, 1)[0], (A,)),
    (lambda L, a: a.hsplit(2)[1] * 1, (A,)),
    (lambda L, a: a.vsplit([1])[1] * 1, (A,)),
    (lambda L, a: a.dsplit(2)[1] * 1, (M3,)),
    (lambda L, a: a.narrow_copy(1, 1, 2), (A,)),
    (lambda L, a: L.view_as_real(L.view_as_complex(a.reshape(6, 2))) * 1, (A,)),
    (lambda L, a: a.cfloat().abs() + a.cdouble().abs().float(), (A,)),
])
def test_methods_forward_backward(fn, arrays):
    check(fn, *arrays)


def test_logcumsumexp_large_values():
    # ember's gradient is computed in float64 (as torch's CPU kernel accumulates); torch's float32 one
    # is ~1e-5 off the float64 answer here, hence the tolerance
    check(lambda L, a: (a * 400).logcumsumexp(0), A, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce(reduce, include_self):
    idx = np.array([[0, 1, 0, 2], [2, 2, 0, 1]])
    src = np.round(rng.standard_normal((2, 4)), 1).astype(np.float32)
    src[1, 1] = src[1, 0]  # a tie for amax/amin
    check(lambda L, x, s: x.scatter_reduce(0, L.tensor(idx), s, reduce, include_self=include_self),
          np.round(A, 1), src)
    check(lambda L, x, s: L.scatter_reduce(x, 1, L.tensor(idx[:, :3]), s, reduce, include_self=include_self),
          np.round(A, 1), src[:, :3].copy())
    x = np.round(A, 1)
    check(lambda L, x, s: x.index_reduce(0, L.tensor([2, 0]), s, reduce, include_self=include_self)
          if reduce != "sum" else x, x, src)


def test_scatter_reduce_integers_and_errors():
    x, idx = I1, np.array([[0, 1, 0, 2]])
    src = I2[:1]
    for r in ("sum", "prod", "mean", "amax", "amin"):
        for s in (True, False):
            assert_close(ember.tensor(x).scatter_reduce(0, ember.tensor(idx), ember.tensor(src), r, include_self=s),
                         torch.tensor(x).scatter_reduce(0, torch.tensor(idx), torch.tensor(src), r, include_self=s))
    check_error(lambda L, x: x.scatter_reduce(0, L.tensor(idx), x[:1], "maximum"), A)
    check_error(lambda L, x: x.scatter_reduce(0, L.tensor([[5, 0, 0, 0]]), x[:1], "sum"), A)
    check_error(lambda L, x: x.index_reduce(0, L.tensor([0]), x[:1], "sum"), A)


@pytest.mark.parametrize("fn", [
    lambda L, a, b: a.gcd(b), lambda L, a, b: a.lcm(b),
    lambda L, a, b: a.bitwise_and(b), lambda L, a, b: a.bitwise_or(b), lambda L, a, b: a.bitwise_xor(3),
    lambda L, a, b: a.bitwise_left_shift(b), lambda L, a, b: a.bitwise_right_shift(b),
    lambda L, a, b: a.ldexp(b), lambda L, a, b: a.copysign(-b), lambda L, a, b: a.angle(),
    lambda L, a, b: a.isreal(), lambda L, a, b: a.histc(4, -20, 20).long() if False else a.float().histc(4, -20, 20),
    lambda L, a, b: a.unique_consecutive(return_counts=True, return_inverse=True),
    lambda L, a, b: a.sort()[0].flatten().unique_consecutive(return_counts=True),
    lambda L, a, b: L.unique_consecutive(a.sort(0)[0], dim=0),
    lambda L, a, b: a.nonzero_static(size=20), lambda L, a, b: (a > 5).nonzero_static(size=2, fill_value=7),
    lambda L, a, b: a.cov(), lambda L, a, b: a.corrcoef(),
])
def test_integer_methods(fn):
    check(fn, I1, I2, grad=False)


def test_frexp_histogram_and_nextafter():
    for lib in (ember, torch):
        pass
    m, e = ember.tensor(A).frexp()
    mt, et = torch.tensor(A).frexp()
    assert_close(m, mt)
    assert_close(e, et)
    h, edges = ember.tensor(A).histogram(5)
    ht, edges_t = torch.tensor(A).histogram(5)
    assert_close(h, ht)
    assert_close(edges, edges_t)
    w = np.abs(B)
    h, edges = ember.histogram(ember.tensor(A), ember.tensor([-2.0, 0.0, 0.5, 3.0]), weight=ember.tensor(w), density=True)
    ht, edges_t = torch.histogram(torch.tensor(A), torch.tensor([-2.0, 0.0, 0.5, 3.0]), weight=torch.tensor(w), density=True)
    assert_close(h, ht)
    assert_close(ember.tensor(A).nextafter(ember.tensor(B)), torch.tensor(A).nextafter(torch.tensor(B)))
    check_error(lambda L, a: a.frexp(), I1)
    check_error(lambda L, a: a.gcd(a), A)


# ---------------------------------------------------------------- in-place forms
UNARY_INPLACE = [("absolute_", A), ("acos_", U), ("acosh_", G), ("asin_", U), ("asinh_", A), ("atan_", A),
                 ("atanh_", U), ("arccos_", U), ("arccosh_", G), ("arcsin_", U), ("arcsinh_", A), ("arctan_", A),
                 ("arctanh_", U), ("cos_", A), ("cosh_", A), ("sin_", A), ("sinh_", A), ("tan_", U), ("erf_", A),
                 ("erfc_", A), ("erfinv_", U), ("exp2_", A), ("expm1_", A), ("log10_", G), ("log1p_", U),
                 ("log2_", G), ("rsqrt_", G), ("frac_", A * 3), ("fix_", A * 3), ("sign_", A), ("sgn_", A),
                 ("negative_", A), ("logit_", U), ("sinc_", A), ("deg2rad_", A), ("rad2deg_", A),
                 ("conj_physical_", A), ("logical_not_", A)]


# torch has no derivative for these in-place forms (or gives a ZeroTensor): values only
NO_INPLACE_GRAD = {"acosh_", "asinh_", "atanh_", "arccosh_", "arcsinh_", "arctanh_", "sgn_", "logical_not_",
                   "heaviside_"}


@pytest.mark.parametrize("name, x", UNARY_INPLACE, ids=[n for n, _ in UNARY_INPLACE])
def test_unary_inplace(name, x):
    # on a non-leaf, so that the graph is rebased and the gradient flows through the in-place op
    if name not in NO_INPLACE_GRAD:
        check(lambda L, a: getattr(a * 1, name)(), x)
    e, t = ember.tensor(x), torch.tensor(x)
    assert getattr(e, name)() is e
    getattr(t, name)()
    assert_close(e, t)


BINARY_INPLACE = [("atan2_", A, B), ("arctan2_", A, B), ("floor_divide_", A, B), ("fmod_", A, B), ("remainder_", A, B),
                  ("xlogy_", U, G), ("copysign_", A, B), ("hypot_", A, B), ("heaviside_", A, B), ("ldexp_", A, B),
                  ("nextafter_", A, B), ("logical_and_", A, B), ("logical_or_", A, B), ("logical_xor_", A, B),
                  ("eq_", A, A), ("ne_", A, B), ("lt_", A, B), ("le_", A, B), ("gt_", A, B), ("ge_", A, B),
                  ("greater_", A, B), ("greater_equal_", A, B), ("less_", A, B), ("less_equal_", A, B),
                  ("not_equal_", A, B), ("gcd_", I1, I2), ("lcm_", I1, I2), ("bitwise_and_", I1, I2),
                  ("bitwise_or_", I1, I2), ("bitwise_xor_", I1, I2), ("bitwise_left_shift_", I1, I2),
                  ("bitwise_right_shift_", I1, I2)]


@pytest.mark.parametrize("name, x, y", BINARY_INPLACE, ids=[n for n, _, _ in BINARY_INPLACE])
def test_binary_inplace(name, x, y):
    if x.dtype.kind == "f" and name not in ("floor_divide_", "nextafter_", "heaviside_") and not name.startswith(("logical", "eq", "ne", "lt", "le", "gt", "ge", "greater", "less", "not")):
        check(lambda L, a, b: getattr(a * 1, name)(b), x, y)
    e, t = ember.tensor(x), torch.tensor(x)
    assert getattr(e, name)(ember.tensor(y)) is e
    getattr(t, name)(torch.tensor(y))
    assert_close(e, t)


@pytest.mark.parametrize("fn", [
    lambda L, x, y: x.cumsum_(1), lambda L, x, y: x.cumprod_(0), lambda L, x, y: x.tril_(1),
    lambda L, x, y: x.triu_(-1), lambda L, x, y: x.renorm_(2, 0, 1.0), lambda L, x, y: x.swapaxes_(0, 1),
    lambda L, x, y: x.swapdims_(1, 0),
    lambda L, x, y: x.addmm_(y[:, :3], L.ones(3, 4, dtype=y.dtype), beta=0.5, alpha=2),
    lambda L, x, y: x[0].addmv_(L.ones(4, 4, dtype=y.dtype) * y[1:2], y[2], beta=2),
    lambda L, x, y: x.addr_(y[:, 0], y[0], alpha=3),
    lambda L, x, y: x.addbmm_(L.ones(2, 3, 2, dtype=y.dtype), L.ones(2, 2, 4, dtype=y.dtype) * y[0]),
    lambda L, x, y: x.unsqueeze(0).baddbmm_(L.ones(1, 3, 2, dtype=y.dtype), L.ones(1, 2, 4, dtype=y.dtype) * y[0]),
    lambda L, x, y: x.masked_scatter_(y > 0, y * 10),
    lambda L, x, y: x.index_put_((L.tensor([0, 2]), L.tensor([1, 3])), y[0, :2] * 5),
    lambda L, x, y: x.index_put_((L.tensor([0, 0]),), y[1:3] * 2, accumulate=True),
    lambda L, x, y: x.scatter_reduce_(1, L.tensor([[0, 0], [1, 1], [3, 3]]), y[:, :2] * 2, "sum"),
    lambda L, x, y: x.index_reduce_(1, L.tensor([0, 3]), y[:, 1:3] + 1, "prod"),
    lambda L, x, y: x.put_(L.tensor([0, -1, 5]), y[1, :3] * 7),
    lambda L, x, y: x.put_(L.tensor([0, 0, 5]), y[1, :3] * 7, accumulate=True),
    lambda L, x, y: x.fill_diagonal_(3.0),
    lambda L, x, y: x.as_strided_((2, 2), (1, 2)),
    lambda L, x, y: x.float_power_(2) if x.dtype == L.float64 else x,
])
def test_other_inplace(fn):
    check(lambda L, a, b: fn(L, a * 1, b), A, B)
    check(lambda L, a, b: fn(L, a * 1, b), A.astype(np.float64), B.astype(np.float64))


def test_fill_diagonal_wrap_and_errors():
    for shape, wrap in [((7, 3), True), ((7, 3), False), ((3, 7), True), ((3, 3, 3), False)]:
        e, t = ember.zeros(shape), torch.zeros(shape)
        assert_close(e.fill_diagonal_(5, wrap=wrap), t.fill_diagonal_(5, wrap=wrap))
    check_error(lambda L, a: a.fill_diagonal_(1), V3)
    check_error(lambda L, a: a.float_power_(2), A)  # float32 base: torch refuses the float64 result


def test_inplace_errors_match_torch():
    check_error(lambda L, a: a.acos_(), I1)               # float result into an int tensor
    check_error(lambda L, a: a.gcd_(a), A)
    check_error(lambda L, a: a.bitwise_and_(a), A)
    check_error(lambda L, a: a.put_(L.tensor([12]), L.tensor([1.0])), A)
    check_error(lambda L, a: a.cumsum_(3), A)
    check_error(lambda L, a: L.tensor(a, requires_grad=True).sin_(), A)  # a leaf that requires grad


def test_random_fills_are_drawn_from_torch_distributions():
    ember.manual_seed(0)
    x = ember.empty(20000, dtype=ember.float64)
    c = x.clone().cauchy_(1.0, 2.0)
    assert abs(float(c.median()) - 1.0) < 0.1
    ln = x.clone().log_normal_(0.5, 0.25)
    assert abs(float(ln.log().mean()) - 0.5) < 0.01 and abs(float(ln.log().std()) - 0.25) < 0.01
    g = x.clone().geometric_(0.3)
    assert float(g.min()) >= 1 and abs(float(g.mean()) - 1 / 0.3) < 0.1
    assert (g == g.round()).all()
    for name, args in (("cauchy_", ()), ("log_normal_", ()), ("geometric_", (0.5,))):
        e, t = getattr(ember.zeros(3), name)(*args), getattr(torch.zeros(3), name)(*args)
        assert e.dtype == ember.float32 and str(t.dtype) == "torch.float32"


def test_apply_map_set():
    e, t = ember.tensor(A), torch.tensor(A)
    assert_close(e.clone().apply_(lambda v: v * 2 + 1), t.clone().apply_(lambda v: v * 2 + 1))
    assert_close(e.clone().map_(ember.tensor(B), lambda a, b: a - b), t.clone().map_(torch.tensor(B), lambda a, b: a - b))
    y, yt = ember.zeros(2), torch.zeros(2)
    y.set_(e)
    yt.set_(t)
    assert_close(y, yt)
    assert y.data_ptr() == e.data_ptr() and y.is_set_to(e) and yt.is_set_to(t)
    e[0, 0] = 100.0
    assert float(y[0, 0]) == 100.0
    y.set_(e, 2, (2, 2), (1, 2))
    yt.set_(t, 2, (2, 2), (1, 2))
    t[0, 0] = 100.0
    assert_close(y, yt)
    y.set_()
    yt.set_()
    assert y.shape == yt.shape


# ---------------------------------------------------------------- facts about a tensor: memory, dtype, layout
def test_memory_and_storage_facts():
    e, t = ember.tensor(A), torch.tensor(A)
    for attr in ("nbytes", "itemsize", "is_cpu", "is_sparse", "is_quantized", "is_meta", "is_mkldnn",
                 "is_nested", "output_nr"):
        assert getattr(e, attr) == getattr(t, attr), attr
    for fn in (lambda x: x.get_device(), lambda x: x.is_distributed(), lambda x: x.is_conj(), lambda x: x.is_neg(),
               lambda x: x.is_signed(), lambda x: x.bool().is_signed(), lambda x: x[0].is_same_size(x[1]),
               lambda x: x.is_same_size(x.T), lambda x: x[:1, :1].is_nonzero(), lambda x: x.dim_order(),
               lambda x: x.T.dim_order(), lambda x: x.permute(1, 0).contiguous().dim_order(),
               lambda x: x.storage_offset(), lambda x: x[1:, 2:].storage_offset(), lambda x: x[:, 1::2].stride(),
               lambda x: x.untyped_storage().nbytes(), lambda x: x[1:].untyped_storage().nbytes(),
               lambda x: len(x.untyped_storage()), lambda x: x.storage().size(), lambda x: x[1:].storage().tolist(),
               lambda x: x.is_contiguous(), lambda x: x.T.is_contiguous(),
               lambda x: x.reshape(1, 3, 2, 2).is_contiguous(memory_format=x.reshape(1, 3, 2, 2).is_contiguous and _fmt(x)),
               lambda x: x.reshape(1, 2, 2, 3).permute(0, 3, 1, 2).is_contiguous(memory_format=_fmt(x))):
        assert fn(e) == fn(t)
    assert str(e.layout) == str(t.layout).replace("torch", "ember")
    assert e[1:].data_ptr() - e.data_ptr() == t[1:].data_ptr() - t.data_ptr()
    assert e.untyped_storage().data_ptr() == e.data_ptr() == e[1:].untyped_storage().data_ptr()
    assert e.const_data_ptr() == e.data_ptr()
    check_error(lambda L, x: x.is_nonzero(), A)
    check_error(lambda L, x: x[:0].is_nonzero(), A)


def _fmt(x):
    return ember.channels_last if isinstance(x, ember.Tensor) else torch.channels_last


def test_memory_format_accepted():
    for lib in (ember, torch):
        x = lib.tensor(M3.reshape(1, 2, 3, 4))
        for fmt in (lib.contiguous_format, lib.preserve_format, lib.channels_last):
            assert_close(x.clone(memory_format=fmt), torch.tensor(M3.reshape(1, 2, 3, 4)))
            assert_close(lib.empty_like(x, memory_format=fmt).zero_(), torch.zeros(1, 2, 3, 4))
            assert_close(x.contiguous(memory_format=fmt), torch.tensor(M3.reshape(1, 2, 3, 4)))
            assert_close(x.to(memory_format=fmt), torch.tensor(M3.reshape(1, 2, 3, 4)))


def test_new_forms_and_strided():
    e, t = ember.tensor(A).double(), torch.tensor(A).double()
    for fn in (lambda x: x.new(), lambda x: x.new(2, 3).shape, lambda x: x.new([1, 2]),
               lambda x: x.new((1, 2)), lambda x: x.new(x.shape).shape):
        r, rt = fn(e), fn(t)
        if isinstance(rt, torch.Tensor):
            assert_close(r, rt)
        else:
            assert tuple(r) == tuple(rt)
    assert e.new(e) is e and t.new(t).data_ptr() == t.data_ptr()
    n, nt = e.new_empty_strided((2, 3), (1, 2)), t.new_empty_strided((2, 3), (1, 2))
    assert n.stride() == nt.stride() and n.dtype == ember.float64
    s, st = ember.empty_strided((2, 3), (3, 1)), torch.empty_strided((2, 3), (3, 1))
    assert s.stride() == st.stride() and s.shape == st.shape
    with pytest.warns(UserWarning):
        r = e.resize(4, 3)
    assert r.shape == (4, 3)
    e2 = ember.zeros(2, 3)
    assert e2.resize_as_(ember.zeros(3, 2)).shape == (3, 2)


def test_as_strided_errors_and_views():
    check_error(lambda L, a: a.as_strided((4, 4), (4, 1)), A)
    check_error(lambda L, a: a.unfold(1, 5, 1), A)
    check_error(lambda L, a: a.unfold(1, 2, 0), A)
    check_error(lambda L, a: a.hsplit(3), A)
    check_error(lambda L, a: a.dsplit(2), A)
    check_error(lambda L, a: L.view_as_complex(a), A[:, :3].copy())
    # views share memory, as torch's
    e = ember.tensor(A)
    u = e.unfold(1, 2, 1)
    e[0, 1] = 42.0
    assert float(u[0, 0, 1]) == 42.0 and float(u[0, 1, 0]) == 42.0
    s = e.as_strided((2, 2), (1, 2))
    s[1, 1] = -7.0
    assert float(e.reshape(-1)[3]) == -7.0


# ---------------------------------------------------------------- methods on ember.linalg / ember.special / ember.fft
SPD = (S @ S.T + 4 * np.eye(4)).astype(np.float32)
LOW = np.tril(S) + 4 * np.eye(4, dtype=np.float32)


@pytest.mark.parametrize("fn, arrays", [
    (lambda L, a: a.lgamma() + a.digamma() + a.polygamma(1) + a.i0(), (G,)),
    (lambda L, a: a.mvlgamma(2), (G,)),
    (lambda L, a: (a * 1).lgamma_() + (a * 1).digamma_() + (a * 1).polygamma_(2) + (a * 1).i0_(), (G,)),
    (lambda L, a: (a * 1).mvlgamma_(3), (G,)),
    (lambda L, a, b: a.detach().igamma(b.detach()) + a.detach().igammac_(b.detach()), (G, U)),
    (lambda L, a: a.qr()[0].abs() + a.qr()[1].abs().sum(), (S,)),
    (lambda L, a: a.detach().qr(some=False)[1].abs(), (A.T.copy(),)),  # (torch: no gradient here)
    (lambda L, b, a: b.triangular_solve(a, upper=False)[0], (B.T.copy()[:, :3], LOW)),
    (lambda L, b, a: b.triangular_solve(a, upper=True, transpose=True)[0], (B.T.copy()[:, :3], LOW.T.copy())),
    (lambda L, b, a: b.triangular_solve(a, unitriangular=True)[0], (B.T.copy()[:, :3], LOW.T.copy())),
    (lambda L, b, a: b.cholesky_solve(L.linalg.cholesky(a)), (B.T.copy()[:, :3], SPD)),
    (lambda L, b, a: b.cholesky_solve(L.linalg.cholesky(a).mT, upper=True), (B.T.copy()[:, :3], SPD)),
    (lambda L, a: L.linalg.cholesky(a).cholesky_inverse(), (SPD,)),
    (lambda L, b, a: b.lu_solve(*L.linalg.lu_factor(a)), (B.T.copy()[:, :3], S)),
    (lambda L, a: a.detach().geqrf()[0].abs() + 0 * a.detach().geqrf()[1].sum(), (A.T.copy(),)),
    (lambda L, a: a.detach().geqrf()[1].abs(), (S,)),
    (lambda L, a: L.orgqr(*a.detach().geqrf()).abs(), (A.T.copy(),)),
    (lambda L, a, c: a.detach().ormqr(a.detach().geqrf()[1], c).abs() if False else
     L.ormqr(*a.detach().geqrf(), c, transpose=True).abs(), (A.T.copy(), B.T.copy())),
    (lambda L, a, c: L.ormqr(*a.detach().geqrf(), c.T, left=False).abs(), (A.T.copy(), B.T.copy())),
    (lambda L, a: a.stft(8, window=L.hann_window(8), return_complex=True).abs(), (rng.standard_normal(32).astype(np.float32),)),
])
def test_linalg_special_fft_methods(fn, arrays):
    check(fn, *arrays, rtol=1e-4, atol=1e-4)


def test_istft_bfloat16_volatile():
    x = rng.standard_normal(64).astype(np.float32)
    for lib in (ember, torch):
        w = lib.hann_window(16)
        spec = lib.tensor(x).stft(16, window=w, return_complex=True)
        back = spec.istft(16, window=w, length=64)
        assert_close(back, torch.tensor(x), atol=1e-5)
    pytest.importorskip("ml_dtypes")
    e, t = ember.tensor(A).bfloat16(), torch.tensor(A).bfloat16()
    np.testing.assert_array_equal(e.float().numpy(), t.float().numpy())
    with pytest.warns(UserWarning):
        assert ember.tensor(A).volatile is False


# ---------------------------------------------------------------- the torch.* function of each method
@pytest.mark.parametrize("fn", [
    lambda L, a: L.abs_(a * 1) + L.cos_(a * 1) + L.sigmoid_(a * 1) + L.clamp_(a * 1, -0.5, 0.5),
    lambda L, a: L.fill(a, 2.5) + L.detach(a), lambda L, a: L.alias_copy(a) + L.t_copy(a).T,
    lambda L, a: L.diagonal_copy(a, 1), lambda L, a: L.unfold_copy(a, 1, 2, 2), lambda L, a: L.select_copy(a, 1, 0),
    lambda L, a: L.slice_copy(a, 1, 1, 3), lambda L, a: L.expand_copy(a[:1], (2, 4)), lambda L, a: L.permute_copy(a, (1, 0)),
    lambda L, a: L.narrow_copy(a, 0, 1, 2), lambda L, a: L.split_copy(a, 2, 1)[1], lambda L, a: L.unbind_copy(a)[2],
    lambda L, a: L.squeeze_copy(a[:1]), lambda L, a: L.unsqueeze_copy(a, 1), lambda L, a: L.view_copy(a, (4, 3)),
    lambda L, a: L.transpose_copy(a, 0, 1), lambda L, a: L.as_strided_copy(a, (2, 2), (2, 1), 1),
    lambda L, a: L.split_with_sizes_copy(a, [1, 2])[1], lambda L, a: L.view_as_real_copy(a.cfloat()),
    lambda L, a: L.cov(a) + L.corrcoef(a), lambda L, a: L.copysign(a, -1.0) + L.angle(a) + L.positive(a),
    lambda L, a: L.logaddexp2(a, a.sum(1, keepdim=True)) + L.conj_physical(a) + L.resolve_conj(a) + L.resolve_neg(a),
    lambda L, a: L.scatter_reduce(a, 0, L.tensor([[2, 1, 0, 0]]), a[1:2], "amax"),
    lambda L, a: L.index_reduce(a, 0, L.tensor([2, 2]), a[:2], "mean"),
    lambda L, a: L.put(a, L.tensor([1, 3]), a[0, :2]), lambda L, a: L.nonzero_static(a > 0, size=3),
    lambda L, a: L.as_strided(a, (3,), (5,)), lambda L, a: L.select_scatter(a, a[0] * 2, 0, 1),
    lambda L, a: L.slice_scatter(a, a[:, :1], 1, 0, 1), lambda L, a: L.diagonal_scatter(a, a[0, :3], 0),
    lambda L, a: L.as_strided_scatter(a.detach(), a[0, :2].detach(), (2,), (3,)),
    lambda L, a: L.hsplit(a, 2)[0] + L.vsplit(a.T, 2)[1].T + L.split_with_sizes(a, [2, 2], 1)[1],
    lambda L, a: L.unsafe_split(a, 1)[0] + L.unsafe_chunk(a, 3)[1] + L.unsafe_split_with_sizes(a, [2, 1])[1][:1],
    lambda L, a: L.dsplit(a.reshape(1, 3, 4), [1])[1], lambda L, a: L.logcumsumexp(a, 0), lambda L, a: L.dist(a, a.sum(1, keepdim=True)),
    lambda L, a: L.renorm(a, 2, 1, 1.0), lambda L, a: L.unique_consecutive(L.tensor([1, 1, 2, 2, 1])),
    lambda L, a: L.qr(a.T)[1].abs(), lambda L, a: L.frexp(a)[0] + L.frexp(a)[1],
    lambda L, a: L.scalar_tensor(3) + L.scalar_tensor(2, dtype=L.float64),
    lambda L, a: L.frombuffer(bytearray(np.arange(4, dtype=np.float32).tobytes()), dtype=L.float32),
])
def test_top_level_functions(fn):
    check(fn, A)
    assert all(isinstance(x, bool) for x in (ember.is_nonzero(ember.tensor([2])), ember.is_same_size(ember.zeros(2), ember.zeros(2)),
                                              ember.is_signed(ember.zeros(2)), ember.is_conj(ember.zeros(1))))
    assert_close(ember.isreal(ember.tensor([1 + 0j, 1 + 1j])), torch.isreal(torch.tensor([1 + 0j, 1 + 1j])))


# ---------------------------------------------------------------- torch.* names of nn functions and helpers
X4 = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
W4 = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)


@pytest.mark.parametrize("fn, arrays", [
    (lambda L, x, w: L.conv2d(x, w, None, 1, 1) + 0, (X4, W4)),
    (lambda L, x, w: L.convolution(x, w, None, (1, 1), (0, 0), (1, 1), False, (0, 0), 1), (X4, W4)),
    (lambda L, x, w: L.convolution(x[:, :, :3, :3].permute(1, 0, 2, 3)[:, :2].contiguous()[:1].expand(2, 2, 3, 3)
                                   .reshape(2, 2, 3, 3)[:, :1].expand(2, 4, 3, 3) + 0, w, None, (2, 2), (1, 1), (1, 1),
                                   True, (1, 1), 1), (X4, W4)),
    (lambda L, x, w: L.conv1d(x[:, :, 0], w[:, :, 0], None, 2) + L.conv_transpose1d(x[:, :, 0], w[:3, :2, 0])[:, :, :3].sum(), (X4, W4)),
    (lambda L, x: L.max_pool2d(x, 2) + L.avg_pool1d(x.flatten(2), 4).reshape(2, 3, 3, 3)[:, :, :, :3], (X4,)),
    (lambda L, x: L.adaptive_avg_pool1d(x.flatten(2), 5) + L.adaptive_max_pool1d(x.flatten(2), 5)[0], (X4,)),
    (lambda L, x: L.batch_norm(x, x[0, :, 0, 0], x[1, :, 0, 0], L.zeros(3), L.ones(3), True, 0.1, 1e-5, True), (X4,)),
    (lambda L, x: L.instance_norm(x, None, None, None, None, True, 0.1, 1e-5, True), (X4,)),
    (lambda L, x: L.layer_norm(x, (6,), x[0, 0, 0], None, 1e-5, True) + L.group_norm(x, 3, None, None, 1e-5, True), (X4,)),
    (lambda L, w: L.embedding(w, L.tensor([[0, 2], [1, 1]])) + L.embedding(w, L.tensor([[0, 2], [1, 1]]), 1), (W4[0, 0],)),
    (lambda L, x: L.constant_pad_nd(x, (1, 2), 0.5), (X4,)),
    (lambda L, x: L.selu(x) + L.celu(x, 0.5) + L.threshold(x, 0.1, -1.0) + L.hardshrink(x, 0.3), (X4,)),
    (lambda L, x: L.pixel_shuffle(x[:, :1].expand(2, 4, 6, 6) * 1, 2).sum() + L.pixel_unshuffle(x, 2).sum(), (X4,)),
    (lambda L, x: L.pairwise_distance(x[0, 0], x[1, 0]) + L.cosine_similarity(x[0, 0], x[1, 0]) + L.pdist(x[0, 0]).sum(), (X4,)),
    (lambda L, x: L.kl_div(x[0].log_softmax(-1), x[1].softmax(-1), 2) + L.kl_div(x[0].log_softmax(-1), x[1].log_softmax(-1), 0, log_target=True).sum(), (X4,)),
    (lambda L, x: L.binary_cross_entropy_with_logits(x[0], x[1].sigmoid(), None, None, 1), (X4,)),
    (lambda L, x: L.margin_ranking_loss(x[0, 0, 0], x[1, 0, 0], L.tensor([1.0, -1, 1, 1, -1, 1]), 0.2, 0), (X4,)),
    (lambda L, x: L.hinge_embedding_loss(x[0, 0, 0], L.tensor([1.0, -1, 1, 1, -1, 1]), 1.0, 2), (X4,)),
    (lambda L, x: L.cosine_embedding_loss(x[0, 0], x[1, 0], L.tensor([1.0, -1, 1, 1, -1, 1]), 0.0, 1), (X4,)),
    (lambda L, x: L.triplet_margin_loss(x[0, 0], x[1, 0], x[0, 1], 1.0, 2, 1e-6, False, 1), (X4,)),
    (lambda L, x: L.poisson_nll_loss(x[0], x[1].abs(), True, False, 1e-8, 1), (X4,)),
    (lambda L, x: L.bilinear(x[0, 0], x[1, 0], x[0, 0].unsqueeze(0).expand(2, 6, 6) * 1, None), (X4,)),
    (lambda L, x: L.alpha_dropout(x, 0.5, False) + L.feature_alpha_dropout(x, 0.5, False) + L.feature_dropout(x, 0.5, False), (X4,)),
    (lambda L, x: L.dropout_(x * 1, 0.5, False) + L.alpha_dropout_(x * 1, 0.0, True), (X4,)),
    (lambda L, x: L.channel_shuffle(x[:, :1].expand(2, 4, 6, 6) * 1, 2), (X4,)),
    (lambda L, x: L.rms_norm(x, (6,), None, 1e-6) + L.prelu(x, L.tensor([0.1, 0.2, 0.3])), (X4,)),
    (lambda L, y: L.trapezoid(y) + L.trapz(y, dx=0.5) + L.trapezoid(y, L.tensor([0.0, 1, 3, 4]), dim=1).sum(), (A,)),
    (lambda L, y: L.cumulative_trapezoid(y) + L.cumulative_trapezoid(y, L.tensor([0.0, 1, 3, 4])), (A,)),
    (lambda L, y: L.trapezoid(y, y.cumsum(1).detach(), dim=1) + L.trapezoid(y, dim=0).sum(), (A,)),
    (lambda L, v: L.combinations(v) + 0, (V4,)),
    (lambda L, v: L.combinations(v, 3, with_replacement=True) * 1, (V4,)),
    (lambda L, a: L.nuclear_norm(a) + L.frobenius_norm(a, (0, 1)), (A,)),
])
def test_torch_level_nn_and_helpers(fn, arrays):
    check(fn, *arrays, rtol=1e-4, atol=1e-4)


def test_torch_level_facts():
    for L in (ember, torch):
        fi, ii = L.finfo(L.float32), L.iinfo(L.int16)
        assert (fi.bits, fi.eps, fi.max, fi.tiny) == (32, np.finfo(np.float32).eps, np.finfo(np.float32).max,
                                                      np.finfo(np.float32).tiny)
        assert (ii.bits, ii.min, ii.max) == (16, -32768, 32767)
        assert L.finfo().eps == np.finfo(np.float32).eps
        assert (L.pi, L.e, L.inf, L.newaxis) == (np.pi, np.e, np.inf, None) and L.nan != L.nan
        assert L.is_inference(L.zeros(1)) is False and L.get_device(L.zeros(1)) == -1
    assert [c.tolist() for c in ember.unravel_index(ember.tensor([5, -1, 0]), (2, 3))] == \
        [c.tolist() for c in torch.unravel_index(torch.tensor([5, -1, 0]), (2, 3))]
    assert [c.tolist() for c in ember.unravel_index(ember.tensor([6, 13]), (2, 3))] == \
        [c.tolist() for c in torch.unravel_index(torch.tensor([6, 13]), (2, 3))]  # (torch wraps these too)
    assert isinstance(ember.default_generator, ember.Generator)
    # DLPack both ways: torch <-> ember share memory
    t = torch.arange(6.0)
    e = ember.from_dlpack(t)
    t[0] = 7.0
    assert float(e[0]) == 7.0
    back = torch.from_dlpack(ember.to_dlpack(e)) if hasattr(ember, "to_dlpack") else None
    assert back is not None and float(back[0]) == 7.0
    p, pt = ember.empty_permuted((2, 3, 4), (0, 2, 1)), torch.empty_permuted((2, 3, 4), (0, 2, 1))
    assert p.shape == pt.shape and p.stride() == pt.stride()


def test_unsupported_features_raise_naming_them():
    x = ember.zeros(2, 2)
    for call, word in ((lambda: x.to_sparse(), "sparse"), (lambda: x.to_sparse_csr(), "sparse"),
                       (lambda: x.indices(), "sparse"), (lambda: x.q_scale(), "quantized"),
                       (lambda: x.dequantize(), "quantized"), (lambda: x.refine_names("N", "C"), "named"),
                       (lambda: x.to_mkldnn(), "oneDNN")):
        with pytest.raises(NotImplementedError, match=word):
            call()
    assert x.to_dense() is x and torch.zeros(2).to_dense().layout == torch.strided
    cov = _coverage_module()
    unsupported = dict(cov.classify("torch.Tensor")["unsupported"])
    assert "to_sparse" in unsupported and "q_scale" in unsupported


def test_device_and_layout_queries_answer_as_torch_cpu_tensors():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    for name in ("is_sparse_csr", "is_mps", "is_xpu", "is_ipu", "is_xla", "is_vulkan", "is_mtia", "is_maia",
                 "is_sparse", "is_quantized", "is_meta", "is_cpu", "is_cuda"):
        assert getattr(ember.tensor(a), name) == getattr(torch.tensor(a), name), name
    assert ember.tensor(a).is_pinned() == torch.tensor(a).is_pinned()
    assert ember.tensor(a).is_shared() == torch.tensor(a).is_shared()
