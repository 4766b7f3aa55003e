"""The idioms of older PyTorch code, run through ember and torch: Variable, FloatTensor & co.,
torch.Tensor's legacy forms, x.type(...), set_default_tensor_type, out=, size_average/reduce,
softmax without dim, the deprecated top-level linear algebra and nn.init names, torch.functional."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import assert_close

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 4)).astype(np.float32)
B = RNG.standard_normal((3, 4)).astype(np.float32)
LIBS = (ember, torch)


def both(fn):
    return fn(ember), fn(torch)


def warned(fn):
    """fn()'s result and the (category, message) of the warnings it raised."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = fn()
    return r, [(x.category, str(x.message)) for x in w]


# ---------------------------------------------------------------------- Variable
def test_variable_returns_a_tensor_on_the_same_memory():
    for L in LIBS:
        from importlib import import_module
        Variable = import_module(L.__name__ + ".autograd").Variable
        x = L.tensor(A)
        v = Variable(x)
        assert type(v) is L.Tensor and v is not x and not v.requires_grad and v.is_leaf
        v[0, 0] = 5.0  # shares x's memory
        assert x[0, 0].item() == 5.0
        w = Variable(L.tensor(A), requires_grad=True)
        assert w.requires_grad and w.is_leaf
        (w * 2).sum().backward()
        assert_close(w.grad, torch.full((3, 4), 2.0))
        assert isinstance(x, Variable) and isinstance(w, Variable) and not isinstance(A, Variable)
        assert Variable().shape == (0,)
        with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
            Variable([1.0, 2.0])


def test_variable_volatile_warns_as_torch():
    (e, we), (t, wt) = both(lambda L: warned(lambda: __import__(L.__name__ + ".autograd", fromlist=["x"])
                                             .Variable(L.ones(2), volatile=True)))
    assert [c for c, _ in we] == [c for c, _ in wt] == [UserWarning]
    assert we[0][1] == wt[0][1]
    assert e.requires_grad == t.requires_grad is False


def test_variable_of_a_non_leaf_is_a_detached_leaf():
    for L in LIBS:
        Variable = __import__(L.__name__ + ".autograd", fromlist=["x"]).Variable
        x = L.tensor(A, requires_grad=True)
        v = Variable(x * 2, requires_grad=True)
        assert v.is_leaf and v.grad_fn is None and v.requires_grad


# ---------------------------------------------------------------------- FloatTensor & co.
TYPES = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor",
         "ByteTensor", "BoolTensor"]


@pytest.mark.parametrize("name", TYPES)
def test_legacy_type_constructors(name):
    e, t = getattr(ember, name), getattr(torch, name)
    assert e(2, 3).shape == t(2, 3).shape and str(e(2, 3).dtype)[6:] == str(t(2, 3).dtype)[6:]
    assert e(ember.Size([4])).shape == t(torch.Size([4])).shape == (4,)
    assert e().shape == t().shape == (0,)
    data = [[1, 0, 2], [3, 1, 0]]
    assert_close(e(data), t(data))
    assert_close(e(np.array(data)), t(np.array(data)))
    # from a tensor of the same dtype: shares its memory; of another dtype: torch's TypeError
    src_e, src_t = e([1, 0]), t([1, 0])
    alias_e = e(src_e)
    alias_e[0] = 0
    assert src_e[0].item() == 0 and t(src_t).data_ptr() == src_t.data_ptr()
    other = "DoubleTensor" if name != "DoubleTensor" else "FloatTensor"
    with pytest.raises(TypeError):
        t(getattr(torch, other)([1]))
    with pytest.raises(TypeError):
        e(getattr(ember, other)([1]))
    assert repr(e) == repr(t).replace("torch", "ember")


@pytest.mark.parametrize("name", TYPES)
def test_isinstance_with_legacy_types(name):
    for L in LIBS:
        for dt in ("float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"):
            x = L.zeros(2, dtype=getattr(L, dt))
            ours = isinstance(x, getattr(L, name))
            theirs = isinstance(torch.zeros(2, dtype=getattr(torch, dt)), getattr(torch, name))
            assert ours == theirs, (L.__name__, name, dt)
        assert not isinstance(A, getattr(L, name))


def test_type_names_and_conversions():
    for dt in ("float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"):
        e, t = ember.zeros(2, dtype=getattr(ember, dt)), torch.zeros(2, dtype=getattr(torch, dt))
        assert e.type() == t.type()
    for target in TYPES:
        e = ember.tensor(A).type(getattr(ember, target))
        t = torch.tensor(A).type(getattr(torch, target))
        assert_close(e, t)
        assert_close(ember.tensor(A).type("torch." + target), torch.tensor(A).type("torch." + target))
    assert_close(ember.tensor(A).type(ember.int16), torch.tensor(A).type(torch.int16))
    for L in LIBS:
        with pytest.raises(ValueError):
            L.tensor(A).type("torch.NoSuchTensor")


def test_torch_tensor_legacy_forms():
    cases = [lambda L: L.Tensor(2, 3).shape, lambda L: L.Tensor(L.Size([2, 3])).shape, lambda L: L.Tensor().shape,
             lambda L: L.Tensor([]).shape, lambda L: L.Tensor((2, 3)), lambda L: L.Tensor([[1, 2], [3, 4]]),
             lambda L: L.Tensor(np.array([1, 2])), lambda L: L.Tensor(L.tensor([1, 2])),
             lambda L: L.Tensor(2, 3).dtype]
    for f in cases:
        e, t = both(f)
        if isinstance(t, torch.Tensor):
            assert_close(e, t)
        else:
            assert str(e).replace("ember", "torch") == str(t)
    for L in LIBS:  # a tensor is shared, whatever its dtype
        x = L.tensor([1, 2])
        y = L.Tensor(x)
        y[0] = 7
        assert x[0].item() == 7 and y is not x


def test_set_default_tensor_type():
    try:
        for L in LIBS:
            r, w = warned(lambda: L.set_default_tensor_type(L.DoubleTensor))
            assert w and w[0][0] is UserWarning and "set_default_tensor_type() is deprecated" in w[0][1]
            assert L.get_default_dtype() == L.float64
            assert L.Tensor(2).dtype == L.float64 and L.randn(2).dtype == L.float64
            warned(lambda: L.set_default_tensor_type("torch.FloatTensor"))
            assert L.get_default_dtype() == L.float32 and L.Tensor([1]).dtype == L.float32
            with pytest.raises(TypeError):
                warned(lambda: L.set_default_tensor_type(L.LongTensor))
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


# ---------------------------------------------------------------------- out=
OUT_CASES = {  # fn(L, a, b, out) with a, b 3x4 float32 tensors
    "add": lambda L, a, b, o: L.add(a, b, alpha=2, out=o),
    "sub": lambda L, a, b, o: L.sub(a, b, out=o),
    "mul": lambda L, a, b, o: L.mul(a, 3, out=o),
    "div": lambda L, a, b, o: L.div(a, b, out=o),
    "pow": lambda L, a, b, o: L.pow(a.abs(), 0.5, out=o),
    "exp": lambda L, a, b, o: L.exp(a, out=o),
    "log": lambda L, a, b, o: L.log(a.abs(), out=o),
    "sqrt": lambda L, a, b, o: L.sqrt(a.abs(), out=o),
    "tanh": lambda L, a, b, o: L.tanh(a, out=o),
    "sigmoid": lambda L, a, b, o: L.sigmoid(a, out=o),
    "clamp": lambda L, a, b, o: L.clamp(a, -0.5, 0.5, out=o),
    "abs": lambda L, a, b, o: L.abs(a, out=o),
    "neg": lambda L, a, b, o: L.neg(a, out=o),
    "maximum": lambda L, a, b, o: L.maximum(a, b, out=o),
    "where": lambda L, a, b, o: L.where(a > 0, a, b, out=o),
    "mm": lambda L, a, b, o: L.mm(a, b.t(), out=o),
    "matmul": lambda L, a, b, o: L.matmul(a, b.t(), out=o),
    "bmm": lambda L, a, b, o: L.bmm(a.unsqueeze(0), b.t().unsqueeze(0), out=o),
    "addmm": lambda L, a, b, o: L.addmm(a[:, :3], a, b.t(), out=o),
    "mv": lambda L, a, b, o: L.mv(a, b[0], out=o),
    "dot": lambda L, a, b, o: L.dot(a[0], b[0], out=o),
    "outer": lambda L, a, b, o: L.outer(a[0], b[0], out=o),
    "ger": lambda L, a, b, o: L.ger(a[0], b[0], out=o),
    "sum": lambda L, a, b, o: L.sum(a, 1, out=o),
    "mean": lambda L, a, b, o: L.mean(a, 0, keepdim=True, out=o),
    "prod": lambda L, a, b, o: L.prod(a, 1, out=o),
    "cumsum": lambda L, a, b, o: L.cumsum(a, 1, out=o),
    "std": lambda L, a, b, o: L.std(a, 1, out=o),
    "logsumexp": lambda L, a, b, o: L.logsumexp(a, 1, out=o),
    "cat": lambda L, a, b, o: L.cat([a, b], 0, out=o),
    "stack": lambda L, a, b, o: L.stack([a, b], 1, out=o),
    "gather": lambda L, a, b, o: L.gather(a, 1, L.tensor([[0, 1], [2, 3], [1, 1]]), out=o),
    "index_select": lambda L, a, b, o: L.index_select(a, 1, L.tensor([3, 0]), out=o),
    "tril": lambda L, a, b, o: L.tril(a, out=o),
    "remainder": lambda L, a, b, o: L.remainder(a, 0.7, out=o),
    "softmax": lambda L, a, b, o: L.softmax(a, 1, out=o),
    "log_softmax": lambda L, a, b, o: L.log_softmax(a, 1, out=o),
    "lerp": lambda L, a, b, o: L.lerp(a, b, 0.3, out=o),
    "addcmul": lambda L, a, b, o: L.addcmul(a, a, b, value=0.5, out=o),
    "zeros": lambda L, a, b, o: L.zeros(2, 3, out=o),
    "ones": lambda L, a, b, o: L.ones(4, out=o),
    "full": lambda L, a, b, o: L.full((2, 2), 1.5, out=o),
    "eye": lambda L, a, b, o: L.eye(3, out=o),
    "arange": lambda L, a, b, o: L.arange(0, 5, 0.5, out=o),
    "linspace": lambda L, a, b, o: L.linspace(0, 1, 7, out=o),
}


@pytest.mark.parametrize("name", OUT_CASES)
def test_out_writes_into_the_given_tensor(name):
    f = OUT_CASES[name]
    res = []
    for L in LIBS:
        a, b = L.tensor(A), L.tensor(B)
        out = L.empty(0)
        r = f(L, a, b, out)
        assert r is out
        res.append(out)
    assert_close(*res)


def test_out_with_random_functions_draws_as_torch():
    res = []
    for L in LIBS:
        L.manual_seed(3)
        o1, o2, o3 = L.empty(0), L.empty(0, dtype=L.float64), L.empty(0, dtype=L.int64)
        L.randn(2, 3, out=o1)
        L.rand(4, out=o2)
        L.randint(0, 10, (5,), out=o3)
        res.append((o1, o2, o3))
    assert_close(list(res[0]), list(res[1]))


def test_out_resizes_with_torchs_warning_and_keeps_identity():
    for L in LIBS:
        out = L.zeros(5)
        r, w = warned(lambda: L.add(L.ones(2), 1, out=out))
        assert r is out and out.shape == (2,) and out.tolist() == [2.0, 2.0]
        assert [c for c, _ in w] == [UserWarning] and "was resized since it had shape [5]" in w[0][1]
        same = L.zeros(2)
        view = same[:]
        _, w = warned(lambda: L.mul(L.ones(2), 3, out=same))
        assert not w and view.tolist() == [3.0, 3.0]  # same shape: written in place, views see it


def test_out_dtype_rules():
    for L in LIBS:
        out = L.empty(0, dtype=L.float64)  # float32 result into a float64 out: cast
        L.add(L.ones(2), 1, out=out)
        assert out.dtype == L.float64 and out.tolist() == [2.0, 2.0]
        out = L.empty(0)  # comparison (bool) into float
        L.eq(L.ones(2), L.tensor([1.0, 0.0]), out=out)
        assert out.tolist() == [1.0, 0.0]
        with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
            L.add(L.ones(2), 1, out=L.zeros(2, dtype=L.long))
        out = L.empty(0, dtype=L.int64)  # a maker takes out's dtype
        L.zeros(3, out=out)
        assert out.dtype == L.int64
        with pytest.raises(TypeError, match="argument 'out' must be Tensor, not list"):
            L.add(L.ones(2), 1, out=[1])


def test_out_refuses_autograd_as_torch():
    for L in LIBS:
        with pytest.raises(RuntimeError, match=r"add\(\): functions with out=\.\.\. arguments don't support"):
            L.add(L.ones(2, requires_grad=True), 1, out=L.empty(2))
        with L.no_grad():
            L.add(L.ones(2, requires_grad=True), 1, out=L.empty(2))


def test_out_tuple_results():
    res = []
    for L in LIBS:
        x = L.tensor(A)
        v, i = L.empty(0), L.empty(0, dtype=L.long)
        r = L.max(x, 1, out=(v, i))
        assert r[0] is v and r[1] is i and r.values is v
        s = (L.empty(0), L.empty(0, dtype=L.long))
        L.sort(x, 1, out=s)
        k = (L.empty(0), L.empty(0, dtype=L.long))
        L.topk(x, 2, out=k)
        res.append([v, i, *s, *k])
    assert_close(res[0], res[1])


def test_out_is_accepted_where_torch_accepts_it():
    from ember._out import NAMES
    for name in sorted(NAMES):
        fn = getattr(ember, name, None)
        if fn is None:
            continue
        assert getattr(fn, "_takes_out", False), name
        assert hasattr(torch, name), name
    # and functions torch gives no out= do not get one
    assert not getattr(ember.relu, "_takes_out", False) and not getattr(ember.clone, "_takes_out", False)


# ---------------------------------------------------------------------- losses: size_average / reduce
LEGACY_FLAGS = [(None, None), (True, None), (False, None), (None, True), (None, False), (True, False), (False, True)]
LOSSES = {
    "mse_loss": lambda F, a, b, kw: F.mse_loss(a, b, **kw),
    "l1_loss": lambda F, a, b, kw: F.l1_loss(a, b, **kw),
    "smooth_l1_loss": lambda F, a, b, kw: F.smooth_l1_loss(a, b, **kw),
    "bce": lambda F, a, b, kw: F.binary_cross_entropy(a.sigmoid(), b.sigmoid(), **kw),
    "bce_logits": lambda F, a, b, kw: F.binary_cross_entropy_with_logits(a, b.sigmoid(), **kw),
    "nll_loss": lambda F, a, b, kw: F.nll_loss(F.log_softmax(a, 1), (b[:, 0] > 0).long() * 2, **kw),
    "cross_entropy": lambda F, a, b, kw: F.cross_entropy(a, (b[:, 0] > 0).long() * 3, **kw),
    "kl_div": lambda F, a, b, kw: F.kl_div(F.log_softmax(a, 1), F.softmax(b, 1), **kw),
    "soft_margin": lambda F, a, b, kw: F.soft_margin_loss(a, b.sign(), **kw),
    "margin_ranking": lambda F, a, b, kw: F.margin_ranking_loss(a[:, 0], b[:, 0], b[:, 1].sign(), **kw),
    "hinge_embedding": lambda F, a, b, kw: F.hinge_embedding_loss(a, b.sign(), **kw),
}


@pytest.mark.parametrize("flags", LEGACY_FLAGS)
@pytest.mark.parametrize("name", LOSSES)
def test_losses_size_average_and_reduce(name, flags):
    size_average, reduce = flags
    kw = {} if flags == (None, None) else {"size_average": size_average, "reduce": reduce}
    res = []
    for L in LIBS:
        a, b = L.tensor(A, requires_grad=True), L.tensor(B)
        y, w = warned(lambda: LOSSES[name](L.nn.functional, a, b, kw))
        y.sum().backward()
        res.append((y, a.grad, sorted({str(m) for c, m in w if c is UserWarning and "size_average" in str(m)})))
    (ye, ge, we), (yt, gt, wt) = res
    assert_close(ye, yt)
    assert_close(ge, gt)
    assert we == wt


@pytest.mark.parametrize("flags", LEGACY_FLAGS[1:])
def test_loss_modules_take_the_legacy_flags(flags):
    size_average, reduce = flags
    res = []
    for L in LIBS:
        mods = [L.nn.MSELoss(size_average, reduce), L.nn.L1Loss(size_average, reduce),
                L.nn.CrossEntropyLoss(size_average=size_average, reduce=reduce),
                L.nn.NLLLoss(size_average=size_average, reduce=reduce), L.nn.BCELoss(size_average=size_average,
                                                                                  reduce=reduce)]
        a, b = L.tensor(A), L.tensor(B)
        tgt = (b[:, 0] > 0).long()
        res.append([mods[0](a, b), mods[1](a, b), mods[2](a, tgt), mods[3](L.nn.functional.log_softmax(a, 1), tgt),
                    mods[4](a.sigmoid(), b.sigmoid())] + [m.reduction for m in mods])
    assert res[0][5:] == res[1][5:]
    assert_close(res[0][:5], res[1][:5])


# ---------------------------------------------------------------------- softmax without dim
@pytest.mark.parametrize("ndim", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin", "Softmax", "LogSoftmax", "Softmin"])
def test_softmax_without_dim_picks_torchs_dim_and_warns(fn, ndim):
    x = RNG.standard_normal((2, 3, 4, 5)[:ndim]).astype(np.float32)
    res = []
    for L in LIBS:
        t = L.tensor(x, requires_grad=True)
        f = getattr(L.nn.functional, fn) if fn[0].islower() else getattr(L.nn, fn)()
        y, w = warned(lambda: f(t))
        (y * L.arange(y.numel()).reshape(y.shape)).sum().backward()
        res.append((y, t.grad, [(c, m) for c, m in w if "Implicit dimension" in m]))
    assert_close(res[0][0], res[1][0])
    assert_close(res[0][1], res[1][1])
    assert res[0][2] == res[1][2] and len(res[1][2]) == 1


# ---------------------------------------------------------------------- deprecated top-level linear algebra
SPD = (lambda m: (m @ m.T + 4 * np.eye(4)).astype(np.float64))(RNG.standard_normal((4, 4)))


@pytest.mark.parametrize("shape,some", [((4, 3), True), ((3, 5), False), ((2, 4, 3), True)])
def test_svd_returns_v_not_vh(shape, some):
    x = RNG.standard_normal(shape)
    res = []
    for L in LIBS:
        t = L.tensor(x, requires_grad=True)
        U, S, V = L.svd(t, some=some)
        k = S.shape[-1]
        rebuilt = U[..., :k] @ L.diag_embed(S) @ V[..., :k].mT
        rebuilt.sum().backward()
        res.append((U.shape, S, V.shape, rebuilt, t.grad))
    assert res[0][0] == res[1][0] and res[0][2] == res[1][2]
    assert_close(res[0][1], res[1][1])
    assert_close(res[0][3], res[1][3])
    assert_close(res[0][4], res[1][4], rtol=1e-6, atol=1e-8)


def test_svd_without_uv():
    x = RNG.standard_normal((3, 2))
    e, t = both(lambda L: L.svd(L.tensor(x), compute_uv=False))
    assert_close(list(e), list(t), rtol=1e-6, atol=1e-6)


def test_cholesky_lu_ger_chain_matmul():
    for upper in (False, True):
        (e, we), (t, wt) = both(lambda L: warned(lambda: L.cholesky(L.tensor(SPD), upper=upper)))
        assert_close(e, t)
        # (torch warns once per process; ember at each call, through Python's warning filters)
        assert [c for c, _ in we] == [UserWarning] and "torch.cholesky is deprecated" in we[0][1]
    (e, _), (t, _) = both(lambda L: warned(lambda: L.lu(L.tensor(SPD))))
    assert_close(list(e), list(t))
    (e, _), (t, _) = both(lambda L: warned(lambda: L.lu(L.tensor(SPD), get_infos=True)))
    assert_close(list(e), list(t))
    e, t = both(lambda L: L.ger(L.tensor(A[0]), L.tensor(B[1])))
    assert_close(e, t)
    (e, we), (t, _) = both(lambda L: warned(lambda: L.chain_matmul(L.tensor(A), L.tensor(B).T, L.tensor(A))))
    assert_close(e, t)
    assert [c for c, m in we if "chain_matmul is deprecated" in m] == [UserWarning]


# ---------------------------------------------------------------------- nn.init, clip_grad_norm, F.sigmoid
@pytest.mark.parametrize("name,args", [("uniform", (-1, 1)), ("normal", (0, 2)), ("constant", (0.3,)),
                                       ("xavier_uniform", ()), ("xavier_normal", ()), ("kaiming_uniform", ()),
                                       ("kaiming_normal", ()), ("orthogonal", ()), ("eye", ())])
def test_deprecated_init_names_fill_and_warn_as_torch(name, args):
    res = []
    for L in LIBS:
        L.manual_seed(0)
        w = L.empty(4, 5)
        r, ws = warned(lambda: getattr(L.nn.init, name)(w, *args))
        res.append((w, [(c, m) for c, m in ws if "deprecated" in m]))
    assert_close(res[0][0], res[1][0], rtol=1e-5, atol=1e-6)
    assert res[0][1] == res[1][1] and res[1][1][0][0] is FutureWarning


def test_clip_grad_norm_old_name():
    res = []
    for L in LIBS:
        ps = [L.nn.Parameter(L.tensor(A)), L.nn.Parameter(L.tensor(B))]
        for p in ps:
            p.grad = p.detach() * 3
        n, ws = warned(lambda: L.nn.utils.clip_grad_norm(ps, 1.0))
        res.append((n, ps[0].grad, ps[1].grad, [c for c, m in ws if "clip_grad_norm" in m]))
    assert_close(list(res[0][:3]), list(res[1][:3]))
    assert res[0][3] == res[1][3] == [FutureWarning]


def test_functional_sigmoid_tanh():
    for fn in ("sigmoid", "tanh"):
        res = []
        for L in LIBS:
            x = L.tensor(A, requires_grad=True)
            y = getattr(L.nn.functional, fn)(x)
            y.sum().backward()
            res.append((y, x.grad))
        assert_close(list(res[0]), list(res[1]))


def test_import_torch_functional():
    import torch.functional as TF

    import ember.functional as EF
    for name in TF.__all__:
        if hasattr(ember, name):
            assert getattr(EF, name) is getattr(ember, name)
    assert EF.F is ember.nn.functional
    e = EF.split(ember.arange(10), 3)
    t = TF.split(torch.arange(10), 3)
    assert_close(list(e), list(t))
    assert_close(EF.einsum("ij,kj->ik", ember.tensor(A), ember.tensor(B)),
                 TF.einsum("ij,kj->ik", torch.tensor(A), torch.tensor(B)))


# ---------------------------------------------------------------------- add_(scalar, tensor)
@pytest.mark.parametrize("method", ["add", "sub", "add_", "sub_"])
def test_alpha_first_overloads(method):
    res = []
    for L in LIBS:
        x, y = L.tensor(A), L.tensor(B)
        r, w = warned(lambda: getattr(x, method)(2.5, y))
        res.append((r, x, [(c, m) for c, m in w if "deprecated" in m]))
    assert_close(res[0][0], res[1][0])
    assert_close(res[0][1], res[1][1])
    # torch warns once per process (and the first call of this test may not be the first in it)
    assert res[0][2] == [(UserWarning, f"This overload of {method} is deprecated:\n\t{method}(Number alpha, Tensor other)"
                          f"\nConsider using one of the following signatures instead:\n\t{method}(Tensor other, *, "
                          f"Number alpha = 1)")]


def test_alpha_first_keeps_the_graph():
    res = []
    for L in LIBS:
        x, y = L.tensor(A, requires_grad=True), L.tensor(B, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            z = (x * 1).add_(0.5, y)
        z.sum().backward()
        res.append((z, x.grad, y.grad))
    assert_close(list(res[0]), list(res[1]))


def test_out_on_linalg_special_fft():
    spd = SPD.astype(np.float32)
    res = []
    for L in LIBS:
        a = L.tensor(spd)
        o1, o2, o3 = L.empty(0), L.empty(0), L.empty(0, dtype=L.complex64)
        L.linalg.inv(a, out=o1)
        L.special.expit(a, out=o2)
        L.fft.fft(a[0], out=o3)
        U, S, Vh = L.empty(0), L.empty(0), L.empty(0)
        r = L.linalg.svd(a, out=(U, S, Vh))
        assert r.S is S
        f = L.empty(0, dtype=L.float64)
        L.fft.fftfreq(5, out=f)
        res.append([o1, o2, o3, S, (U * Vh.mT).abs(), f])
    assert_close(res[0], res[1], rtol=1e-4, atol=1e-5)
    from ember._out import MODULE_NAMES
    for mod, names in MODULE_NAMES.items():
        for name in names:
            fn = getattr(getattr(ember, mod), name, None)
            assert hasattr(getattr(torch, mod), name), (mod, name)
            assert fn is None or getattr(fn, "_takes_out", False), (mod, name)
