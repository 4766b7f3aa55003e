"""torch.distributions through ember and torch: the same parameters give the same log-probabilities,
moments, entropies, CDFs, gradients and, for the same seed, the same samples."""
import math

import numpy as np
import pytest
import torch

import ember
import ember.distributions  # noqa: F401

from helpers import assert_close, to_np

R = np.random.default_rng(0)
B = (2, 3)


def pos(*shape, lo=0.5, hi=2.0):
    return R.uniform(lo, hi, shape)


def unit(*shape):
    return R.uniform(0.1, 0.9, shape)


def simplex(*shape):
    p = R.uniform(0.2, 1.0, shape)
    return p / p.sum(-1, keepdims=True)


def spd(*batch, n=3):
    a = R.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def tril_pos(*batch, n=3):
    a = np.tril(R.standard_normal(batch + (n, n)) * 0.3)
    idx = np.arange(n)
    a[..., idx, idx] = R.uniform(0.5, 1.5, batch + (n,))
    return a


# name: (params as float64 arrays (or other args), a value in the support, samples reproduced bit for bit)
CASES = {
    "Normal": (dict(loc=R.standard_normal(B), scale=pos(*B)), R.standard_normal(B), True),
    "Uniform": (dict(low=-pos(*B), high=pos(*B)), R.uniform(-0.4, 0.4, B), True),
    "Exponential": (dict(rate=pos(*B)), pos(*B), True),
    "Laplace": (dict(loc=R.standard_normal(B), scale=pos(*B)), R.standard_normal(B), True),
    "Cauchy": (dict(loc=R.standard_normal(B), scale=pos(*B)), R.standard_normal(B), True),
    "Gumbel": (dict(loc=R.standard_normal(B), scale=pos(*B)), R.standard_normal(B), True),
    "LogNormal": (dict(loc=R.standard_normal(B), scale=pos(*B)), pos(*B), True),
    "HalfNormal": (dict(scale=pos(*B)), pos(*B), True),
    "HalfCauchy": (dict(scale=pos(*B)), pos(*B), True),
    "Bernoulli": (dict(probs=unit(*B)), R.integers(0, 2, B).astype(float), True),
    "Bernoulli_logits": (dict(logits=R.standard_normal(B)), R.integers(0, 2, B).astype(float), True),
    "Geometric": (dict(probs=unit(*B)), R.integers(0, 5, B).astype(float), True),
    "Categorical": (dict(probs=simplex(2, 4)), R.integers(0, 4, (2,)), True),
    "Categorical_logits": (dict(logits=R.standard_normal((2, 3, 4))), R.integers(0, 4, (2, 3)), True),
    "OneHotCategorical": (dict(probs=simplex(2, 4)), np.eye(4)[R.integers(0, 4, 2)], True),
    "Poisson": (dict(rate=np.array([0.5, 3.0, 12.0, 40.0])), np.array([0.0, 2.0, 11.0, 45.0]), True),
    "Binomial": (dict(total_count=np.array([5.0, 20.0, 50.0, 100.0]), probs=np.array([0.3, 0.6, 0.4, 0.9])),
                 np.array([2.0, 13.0, 21.0, 88.0]), True),
    "Multinomial": (dict(total_count=10, probs=simplex(2, 4)), np.array([[1.0, 2, 3, 4], [4, 0, 6, 0]]), True),
    "Gamma": (dict(concentration=np.array([0.3, 1.0, 2.5, 9.0, 30.0]), rate=pos(5)), pos(5), True),
    "Chi2": (dict(df=np.array([0.5, 1.0, 3.0, 10.0])), pos(4), True),
    "Beta": (dict(concentration1=pos(4, lo=0.5, hi=4.0), concentration0=pos(4, lo=0.5, hi=4.0)), unit(4), True),
    "Dirichlet": (dict(concentration=pos(2, 4, lo=0.5, hi=4.0)), simplex(2, 4), True),
    "StudentT": (dict(df=pos(*B, lo=1.0, hi=6.0), loc=R.standard_normal(B), scale=pos(*B)), R.standard_normal(B), True),
    "VonMises": (dict(loc=R.uniform(-1, 1, B), concentration=pos(*B, lo=0.2, hi=5.0)), R.uniform(-3, 3, B), True),
    "Pareto": (dict(scale=pos(*B), alpha=pos(*B, lo=2.5, hi=4.0)), pos(*B, lo=2.0, hi=3.0), True),
    "Weibull": (dict(scale=pos(*B), concentration=pos(*B)), pos(*B), True),
    "Kumaraswamy": (dict(concentration1=pos(*B), concentration0=pos(*B)), unit(*B), True),
    "InverseGamma": (dict(concentration=pos(*B, lo=2.5, hi=4.0), rate=pos(*B)), pos(*B), True),
    "FisherSnedecor": (dict(df1=pos(*B, lo=3.0, hi=6.0), df2=pos(*B, lo=5.0, hi=9.0)), pos(*B), True),
    "NegativeBinomial": (dict(total_count=pos(*B, lo=1.0, hi=5.0), probs=unit(*B)), R.integers(0, 6, B).astype(float), True),
    "ContinuousBernoulli": (dict(probs=unit(*B)), unit(*B), True),
    "RelaxedBernoulli": (dict(temperature=np.array(0.7), probs=unit(*B)), unit(*B), True),
    "RelaxedOneHotCategorical": (dict(temperature=np.array(0.7), probs=simplex(2, 4)), simplex(2, 4), True),
    "MultivariateNormal": (dict(loc=R.standard_normal((2, 3)), covariance_matrix=spd(2)), R.standard_normal((2, 3)), True),
    "MultivariateNormal_tril": (dict(loc=R.standard_normal((2, 3)), scale_tril=tril_pos(2)), R.standard_normal((2, 3)), True),
    "MultivariateNormal_prec": (dict(loc=R.standard_normal(3), precision_matrix=spd()), R.standard_normal((2, 3)), True),
    "LogisticNormal": (dict(loc=R.standard_normal((2, 3)), scale=pos(2, 3)), simplex(2, 4), True),
    "GeneralizedPareto": (dict(loc=np.zeros(4), scale=pos(4), concentration=np.array([-0.3, -0.1, 0.2, 0.5])),
                          pos(4, lo=0.1, hi=0.9), True),
    "Wishart": (dict(df=np.array([4.0, 5.5]), covariance_matrix=spd(2)), spd(2), True),
    "LKJCholesky": (dict(dim=3, concentration=np.array([0.5, 2.0])),
                    np.linalg.cholesky(np.array([[[1, 0.3, -0.2], [0.3, 1, 0.1], [-0.2, 0.1, 1]],
                                                 [[1, -0.5, 0.0], [-0.5, 1, 0.4], [0.0, 0.4, 1]]])), True),
    "OneHotCategoricalStraightThrough": (dict(probs=simplex(2, 4)), np.eye(4)[R.integers(0, 4, 2)], True),
    "LowRankMultivariateNormal": (dict(loc=R.standard_normal((2, 3)), cov_factor=R.standard_normal((2, 3, 2)) * 0.5,
                                       cov_diag=pos(2, 3)), R.standard_normal((2, 3)), True),
}

INT_PARAMS = {"total_count"}


def make(lib, name, params, dtype=np.float64, grad=True):
    cls = getattr(lib.distributions, name.split("_")[0])
    ts = {}
    for k, v in params.items():
        if isinstance(v, np.ndarray):
            ts[k] = lib.tensor(v.astype(dtype), requires_grad=grad and k not in INT_PARAMS and v.dtype.kind == "f")
        else:
            ts[k] = v
    return cls(**ts), ts


def grads(out, ts):
    leaves = [t for t in ts.values() if hasattr(t, "requires_grad") and t.requires_grad]
    if not out.requires_grad:
        return []
    return list(type(leaves[0]).__module__.startswith("torch") and torch.autograd.grad(out.sum(), leaves, allow_unused=True)
                or ember.autograd.grad(out.sum(), leaves, allow_unused=True))


def value_tensor(lib, name, value, dtype):
    if name.startswith("Categorical"):
        return lib.tensor(value)
    return lib.tensor(value.astype(dtype))


def compare(fn, name, params, value=None, dtype=np.float64, rtol=None, atol=None, grad=True):
    """fn(dist, value) through both libraries: the same result (or the same exception type), same grads."""
    res = []
    for lib in (torch, ember):
        d, ts = make(lib, name, params, dtype)
        v = None if value is None else value_tensor(lib, name, value, dtype)
        try:
            out = fn(d, v)
        except Exception as e:  # noqa: BLE001 - compared below: ember must fail the same way
            res.append((e, None))
            continue
        try:
            g = grads(out, ts) if grad and out.is_floating_point() else []
        except NotImplementedError:  # torch has no derivative here (igamma's in Gamma.cdf)
            g = None
        res.append((out, g))
    (t_out, t_g), (e_out, e_g) = res
    if t_g is None:
        e_g = t_g = []
    if isinstance(t_out, Exception):
        assert isinstance(e_out, type(t_out)), (name, t_out, e_out)
        return
    assert not isinstance(e_out, Exception), (name, e_out)
    assert_close(e_out, t_out, rtol, atol)
    assert len(e_g) == len(t_g)
    for a, b in zip(e_g, t_g):
        assert (a is None) == (b is None)
        if b is not None:
            assert_close(a, b, rtol, atol)


@pytest.mark.parametrize("name", sorted(CASES))
def test_log_prob_and_gradients(name):
    params, value, _ = CASES[name]
    compare(lambda d, v: d.log_prob(v), name, params, value)


@pytest.mark.parametrize("name", sorted(CASES))
def test_float32(name):
    params, value, _ = CASES[name]
    compare(lambda d, v: d.log_prob(v), name, params, value, dtype=np.float32, rtol=2e-5, atol=2e-5)
    compare(lambda d, v: d.entropy(), name, params, dtype=np.float32, rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("name", ["Normal", "Gamma", "Beta", "StudentT", "Dirichlet", "MultivariateNormal",
                                  "Categorical_logits", "VonMises", "Binomial"])
def test_log_prob_second_derivatives(name):
    params, value, _ = CASES[name]
    res = []
    for lib in (torch, ember):
        d, ts = make(lib, name, params)
        leaves = [t for t in ts.values() if hasattr(t, "requires_grad") and t.requires_grad]
        lp = d.log_prob(value_tensor(lib, name, value, np.float64)).sum()
        g = lib.autograd.grad(lp, leaves, create_graph=True)
        gg = lib.autograd.grad(sum((x * x).sum() for x in g), leaves)
        res.append((list(g), list(gg)))
    (tg, tgg), (eg, egg) = res
    assert_close(eg, tg, rtol=1e-8, atol=1e-10)
    assert_close(egg, tgg, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("attr", ["mean", "mode", "variance", "stddev", "entropy"])
def test_moments_and_entropy(name, attr):
    params, _, _ = CASES[name]
    fn = (lambda d, v: d.entropy()) if attr == "entropy" else (lambda d, v: getattr(d, attr))
    compare(fn, name, params, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", sorted(CASES))
def test_cdf_icdf(name):
    params, value, _ = CASES[name]
    compare(lambda d, v: d.cdf(v), name, params, value, rtol=1e-7, atol=1e-9)
    u = R.uniform(0.05, 0.95, np.broadcast_shapes(value.shape, (1,)))
    if name.startswith("Categorical"):
        return
    compare(lambda d, v: d.icdf(v.clamp(0.05, 0.95)), name, params, u, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", sorted(CASES))
def test_shapes_and_expand(name):
    params, _, _ = CASES[name]
    dt, _ = make(torch, name, params)
    de, _ = make(ember, name, params)
    assert tuple(de.batch_shape) == tuple(dt.batch_shape)
    assert tuple(de.event_shape) == tuple(dt.event_shape)
    assert de.has_rsample == dt.has_rsample
    new = (5,) + tuple(dt.batch_shape)
    assert tuple(de.expand(new).batch_shape) == tuple(dt.expand(new).batch_shape)
    compare(lambda d, v: d.expand((4,) + tuple(d.batch_shape)).log_prob(d.expand((4,) + tuple(d.batch_shape)).mean)
            if not name.startswith(("Categorical", "Cauchy", "Multinomial", "OneHot")) else d.expand((4,) + tuple(d.batch_shape)).entropy(),
            name, params, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(CASES))
def test_samples_equal_torch_for_the_same_seed(name, dtype):
    params, _, exact = CASES[name]
    out = []
    for lib in (torch, ember):
        d, _ = make(lib, name, params, dtype, grad=False)
        lib.manual_seed(3)
        s1 = d.sample()
        s2 = d.sample((4, 2))
        out.append((s1, s2, lib.rand(3)))
    (t1, t2, tr), (e1, e2, er) = out
    assert tuple(e1.shape) == tuple(t1.shape) and tuple(e2.shape) == tuple(t2.shape)
    assert str(e2.dtype).split(".")[-1] == str(t2.dtype).split(".")[-1]
    if exact:
        tol = dict(rtol=1e-6, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
        assert_close(e1, t1, **tol)
        assert_close(e2, t2, **tol)
        assert_close(er, tr)  # the generators advanced by the same number of draws


@pytest.mark.parametrize("name", sorted(n for n in CASES))
def test_rsample_gradients(name):
    params, _, _ = CASES[name]
    res = []
    for lib in (torch, ember):
        d, ts = make(lib, name, params)
        if not d.has_rsample:
            return
        lib.manual_seed(5)
        s = d.rsample((3,))
        w = lib.tensor(np.cos(np.arange(s.numel())).reshape(tuple(s.shape)))
        if name == "Wishart" and lib is torch:
            # torch's Wishart.rsample writes into its sample in place, so torch has no backward through it
            with pytest.raises(RuntimeError):
                grads(s * w, ts)
        res.append((s, None if name == "Wishart" else grads(s * w, ts)))
    if res[0][1] is None:
        assert_close(res[1][0], res[0][0], rtol=1e-10, atol=1e-10)
        return
    (ts_, tg), (es, eg) = res
    assert_close(es, ts_, rtol=1e-10, atol=1e-10)
    # Gamma's implicit gradient is torch's own formula (equal to 1e-8); for Beta/Dirichlet torch uses a
    # fitted rational approximation (about 0.3% off), ember the exact derivative of the incomplete beta
    rtol = 5e-3 if name in ("Beta", "Dirichlet") else 1e-8
    atol = 1e-4 if rtol > 1e-8 else 1e-8  # a weighted sum of such gradients: absolute error of that size
    for a, b in zip(eg, tg):
        assert_close(a, b, rtol=rtol, atol=atol)


# ------------------------------------------------------------------------------- KL divergences
N = 4
KL_PARAMS = {
    "Normal": lambda r: dict(loc=r.standard_normal(N), scale=r.uniform(0.5, 2, N)),
    "Uniform": lambda r: dict(low=r.uniform(-2, -1, N), high=r.uniform(1, 2, N)),
    "Exponential": lambda r: dict(rate=r.uniform(0.5, 2, N)),
    "Laplace": lambda r: dict(loc=r.standard_normal(N), scale=r.uniform(0.5, 2, N)),
    "Cauchy": lambda r: dict(loc=r.standard_normal(N), scale=r.uniform(0.5, 2, N)),
    "Gumbel": lambda r: dict(loc=r.standard_normal(N), scale=r.uniform(0.5, 2, N)),
    "LogNormal": lambda r: dict(loc=r.standard_normal(N), scale=r.uniform(0.5, 2, N)),
    "HalfNormal": lambda r: dict(scale=r.uniform(0.5, 2, N)),
    "Bernoulli": lambda r: dict(probs=r.uniform(0.1, 0.9, N)),
    "Geometric": lambda r: dict(probs=r.uniform(0.1, 0.9, N)),
    "Categorical": lambda r: dict(probs=simplex(N, 3)),
    "OneHotCategorical": lambda r: dict(probs=simplex(N, 3)),
    "Poisson": lambda r: dict(rate=r.uniform(0.5, 5, N)),
    "Binomial": lambda r: dict(total_count=np.full(N, 10.0), probs=r.uniform(0.1, 0.9, N)),
    "Gamma": lambda r: dict(concentration=r.uniform(0.5, 4, N), rate=r.uniform(0.5, 2, N)),
    "Chi2": lambda r: dict(df=r.uniform(1, 5, N)),
    "Beta": lambda r: dict(concentration1=r.uniform(0.5, 4, N), concentration0=r.uniform(0.5, 4, N)),
    "Dirichlet": lambda r: dict(concentration=r.uniform(0.5, 4, (N, 3))),
    "Pareto": lambda r: dict(scale=r.uniform(0.5, 2, N), alpha=r.uniform(1, 3, N)),
    "Weibull": lambda r: dict(scale=r.uniform(0.5, 2, N), concentration=r.uniform(0.5, 2, N)),
    "ContinuousBernoulli": lambda r: dict(probs=r.uniform(0.1, 0.9, N)),
    "MultivariateNormal": lambda r: dict(loc=r.standard_normal((N, 3)), scale_tril=tril_pos(N)),
    "LowRankMultivariateNormal": lambda r: dict(loc=r.standard_normal((N, 3)), cov_factor=r.standard_normal((N, 3, 2)) * 0.5,
                                                cov_diag=r.uniform(0.5, 2, (N, 3))),
    "HalfCauchy": lambda r: dict(scale=r.uniform(0.5, 2, N)),
    "Kumaraswamy": lambda r: dict(concentration1=r.uniform(0.5, 2, N), concentration0=r.uniform(0.5, 2, N)),
    "InverseGamma": lambda r: dict(concentration=r.uniform(0.5, 4, N), rate=r.uniform(0.5, 2, N)),
}
KL_PAIRS = sorted({(p.__name__, q.__name__) for p, q in torch.distributions.kl._KL_REGISTRY
                   if p.__name__ in KL_PARAMS and q.__name__ in KL_PARAMS})


def test_every_registered_pair_is_registered_in_ember():
    names = {(p.__name__, q.__name__) for p, q in torch.distributions.kl._KL_REGISTRY}
    ours = {(p.__name__, q.__name__) for p, q in ember.distributions.kl._KL_REGISTRY}
    assert names == ours
    assert len(KL_PAIRS) > 60


@pytest.mark.parametrize("pair", KL_PAIRS, ids=lambda p: f"{p[0]}-{p[1]}")
def test_kl_divergence(pair):
    pn, qn = pair
    r = np.random.default_rng(len(pn) * 31 + len(qn))
    pp, qp = KL_PARAMS[pn](r), KL_PARAMS[qn](r)
    if pn == qn == "Binomial":
        qp["total_count"] = pp["total_count"]
    res = []
    for lib in (torch, ember):
        p, pt = make(lib, pn, pp)
        q, qt = make(lib, qn, qp)
        try:
            kl = lib.distributions.kl_divergence(p, q)
        except NotImplementedError as e:
            res.append((e, []))
            continue
        res.append((kl, grads(kl, {**{"p" + k: v for k, v in pt.items()}, **{"q" + k: v for k, v in qt.items()}})))
    (tk, tg), (ek, eg) = res
    if isinstance(tk, Exception):
        assert isinstance(ek, NotImplementedError)
        return
    assert_close(ek, tk, rtol=1e-7, atol=1e-9)
    for a, b in zip(eg, tg):
        if b is not None:
            assert_close(a, b, rtol=1e-6, atol=1e-8)


def test_register_kl_and_lookup_order():
    for lib in (torch, ember):
        D = lib.distributions

        class MyNormal(D.Normal):
            pass

        class Unrelated(D.Distribution):
            arg_constraints = {}

        @D.register_kl(MyNormal, D.Normal)
        def _kl(p, q):
            return lib.zeros(p.batch_shape) + 42.0

        assert float(D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(1.0, 2.0))) == 42.0
        with pytest.raises(NotImplementedError):
            D.kl_divergence(D.Normal(0.0, 1.0), Unrelated())


# ---------------------------------------------------------------------- validation and errors
def test_validate_args_messages():
    for name, params in [("Normal", dict(loc=np.zeros(2), scale=np.array([1.0, -1.0]))),
                         ("Bernoulli", dict(probs=np.array([0.5, 1.5]))),
                         ("Categorical", dict(probs=np.array([[0.5, -0.1]]))),
                         ("Dirichlet", dict(concentration=np.array([0.0, 1.0])))]:
        msgs = []
        for lib in (torch, ember):
            with pytest.raises(ValueError) as e:
                make(lib, name, params)
            msgs.append(str(e.value).split(" of distribution")[0])
        assert msgs[0] == msgs[1]
    msgs = []
    for lib in (torch, ember):
        d = lib.distributions.Normal(lib.zeros(3), lib.ones(3))
        with pytest.raises(ValueError) as e:
            d.log_prob(lib.zeros(2))
        msgs.append(str(e.value).replace("torch.Size", "Size").replace("ember.Size", "Size"))
        with pytest.raises(ValueError):
            lib.distributions.Exponential(lib.ones(2)).log_prob(-lib.ones(2))
        lib.distributions.Normal(0.0, -1.0, validate_args=False)  # no check when turned off
        with pytest.raises(ValueError):
            lib.distributions.Distribution.set_default_validate_args(2)
        lib.distributions.Distribution.set_default_validate_args(False)
        try:
            lib.distributions.Normal(0.0, -1.0)
        finally:
            lib.distributions.Distribution.set_default_validate_args(True)
    assert msgs[0] == msgs[1]


def test_constraints_and_biject_to():
    x = R.standard_normal((2, 4))
    for c in ["real", "positive", "unit_interval", "simplex", "lower_cholesky", "corr_cholesky", "positive_definite",
              ("interval", -1.0, 2.0), ("greater_than", 1.5), ("less_than", 0.5), "nonnegative"]:
        res = []
        for lib in (torch, ember):
            C = lib.distributions.constraints
            con = getattr(C, c[0])(*c[1:]) if isinstance(c, tuple) else getattr(C, c)
            inp = x if c not in ("lower_cholesky", "positive_definite") else R.standard_normal((2, 3, 3))
            if c == "corr_cholesky":
                inp = x[:, :3]
            inp = R.standard_normal((2, 3, 3)) if c in ("lower_cholesky", "positive_definite") else inp
            try:
                b = lib.distributions.biject_to(con)
            except NotImplementedError:  # torch has no bijection onto lower_cholesky/positive_definite
                b = None
            res.append((con, b, lib.distributions.transform_to(con)))
        (tc, tb, tt), (ec, eb, et) = res
        assert repr(ec) == repr(tc)
        assert (eb is None) == (tb is None)
        assert type(eb).__name__ == type(tb).__name__ and type(et).__name__ == type(tt).__name__
        if tb is None:
            tb, eb = tt, et
        arr = R.standard_normal((2, 3, 3)) if c in ("lower_cholesky", "positive_definite") else x[:, :3]
        y_t, y_e = tb(torch.tensor(arr)), eb(ember.tensor(arr))
        assert_close(y_e, y_t, rtol=1e-10, atol=1e-12)
        assert bool(ec.check(y_e).all())
        assert_close(eb.inv(y_e), tb.inv(y_t), rtol=1e-6, atol=1e-8)
        if eb.bijective:
            assert_close(eb.log_abs_det_jacobian(ember.tensor(arr), y_e), tb.log_abs_det_jacobian(torch.tensor(arr), y_t),
                         rtol=1e-8, atol=1e-10)
    for lib in (torch, ember):
        C = lib.distributions.constraints
        v = lib.tensor([[-1.0, 0.5, 2.0]])
        assert to_np(C.positive.check(v)).tolist() == [[False, True, True]]
        assert to_np(C.simplex.check(lib.tensor([[0.2, 0.8], [0.5, 0.6]]))).tolist() == [True, False]
        assert to_np(C.integer_interval(0, 3).check(lib.tensor([0.0, 2.5, 3.0, 4.0]))).tolist() == [True, False, True, False]


TRANSFORMS = [
    ("ExpTransform", (), 0), ("SigmoidTransform", (), 0), ("TanhTransform", (), 0), ("SoftplusTransform", (), 0),
    ("AffineTransform", (0.5, -2.0), 0), ("PowerTransform", (3.0,), "pos"), ("AbsTransform", (), "noinv"),
    ("SoftmaxTransform", (), "noldj"), ("StickBreakingTransform", (), 1), ("LowerCholeskyTransform", (), "noldj"),
    ("CorrCholeskyTransform", (), 1),
]


@pytest.mark.parametrize("name,args,kind", TRANSFORMS, ids=[t[0] for t in TRANSFORMS])
def test_transforms(name, args, kind):
    x = R.standard_normal((2, 3, 3)) if name == "LowerCholeskyTransform" else R.standard_normal((2, 3))
    if kind == "pos":
        x = np.abs(x) + 0.1
    res = []
    for lib in (torch, ember):
        T = lib.distributions.transforms
        t = getattr(T, name)(*[lib.tensor(a, dtype=lib.float64) if name == "PowerTransform" else a for a in args])
        xt = lib.tensor(x, requires_grad=True)
        y = t(xt)
        out = [y]
        if kind != "noinv":
            out.append(t.inv(y))
        if kind not in ("noldj", "noinv"):
            out.append(t.log_abs_det_jacobian(xt, y))
        g = lib.autograd.grad(sum(o.sum() for o in out), xt)[0]
        comp = lib.distributions.ComposeTransform([t, T.ExpTransform().inv.inv]) if kind in (0, "pos") else None
        extra = [comp(xt), comp.log_abs_det_jacobian(xt, comp(xt))] if comp is not None else []
        shapes = []
        for fn in (t.forward_shape, t.inverse_shape):
            try:
                shapes.append(tuple(fn((2, 3))))
            except ValueError as e:
                shapes.append(str(e))
        res.append((out + extra, g, repr(t), shapes, t.bijective, t.domain.event_dim, t.codomain.event_dim))
    (to_, tg, *tr), (eo, eg, *er) = res
    assert_close(eo, to_, rtol=1e-9, atol=1e-10)
    assert_close(eg, tg, rtol=1e-8, atol=1e-9)
    assert er == tr


def test_transform_cache_and_inverse_identity():
    for lib in (torch, ember):
        T = lib.distributions.transforms
        t = T.ExpTransform(cache_size=1)
        x = lib.randn(3)
        y = t(x)
        assert t.inv(y) is x
        assert t.inv.inv is t
        assert T.ExpTransform() == T.ExpTransform() and T.ExpTransform() != T.SigmoidTransform()
        with pytest.raises(ValueError):
            T.ExpTransform(cache_size=2)


# ------------------------------------------------------------ composite distributions
def _composites(lib, p):
    D = lib.distributions
    loc, scale, logits = (lib.tensor(p[k], requires_grad=True) for k in ("loc", "scale", "logits"))
    base = D.Normal(loc, scale)
    return {
        "Independent": D.Independent(base, 1),
        "MixtureSameFamily": D.MixtureSameFamily(D.Categorical(logits=logits), D.Normal(loc, scale)),
        "MixtureSameFamily_mvn": D.MixtureSameFamily(D.Categorical(logits=logits[0]),
                                                     D.Independent(D.Normal(loc.T, scale.T), 1)),
        "TransformedDistribution": D.TransformedDistribution(base, [D.transforms.AffineTransform(1.0, 2.0),
                                                                    D.transforms.SigmoidTransform()]),
        "TransformedDistribution_tanh": D.TransformedDistribution(
            D.Independent(base, 1), [D.transforms.TanhTransform(cache_size=1)]),
    }, [loc, scale, logits]


@pytest.mark.parametrize("which", ["Independent", "MixtureSameFamily", "MixtureSameFamily_mvn",
                                   "TransformedDistribution", "TransformedDistribution_tanh"])
def test_composite_distributions(which):
    p = dict(loc=R.standard_normal((2, 3)), scale=R.uniform(0.5, 2, (2, 3)), logits=R.standard_normal((2, 3)))
    res = []
    for lib in (torch, ember):
        d, leaves = _composites(lib, p)
        d = d[which]
        lib.manual_seed(7)
        s = d.sample((4,))
        lp = d.log_prob(s)
        out = [s, lp, d.mean if "Transformed" not in which else lp]
        if which.startswith("Mixture"):
            out += [d.variance, d.cdf(s) if which == "MixtureSameFamily" else lp]
        if which == "Independent":
            out += [d.entropy(), d.variance, d.rsample((2,))]
        g = lib.autograd.grad(sum(o.sum() for o in out), leaves, allow_unused=True)
        res.append((out, [x for x in g if x is not None], tuple(d.batch_shape), tuple(d.event_shape)))
    (to_, tg, tb, te), (eo, eg, eb, ee) = res
    assert (eb, ee) == (tb, te)
    assert_close(eo, to_, rtol=1e-9, atol=1e-10)
    assert_close(eg, tg, rtol=1e-8, atol=1e-9)


def test_kl_of_composites():
    r = np.random.default_rng(5)
    a, b, c, d = (r.standard_normal((3, 2)) for _ in range(4))
    res = []
    for lib in (torch, ember):
        D = lib.distributions
        ts = [lib.tensor(v, requires_grad=True) for v in (a, b, c, d)]
        pn, qn = D.Normal(ts[0], ts[1].exp()), D.Normal(ts[2], ts[3].exp())
        kls = [D.kl_divergence(D.Independent(pn, 1), D.Independent(qn, 1)),
               D.kl_divergence(D.LogNormal(ts[0], ts[1].exp()), D.LogNormal(ts[2], ts[3].exp())),
               D.kl_divergence(D.TransformedDistribution(pn, [D.transforms.AffineTransform(1.0, 2.0)]),
                               D.TransformedDistribution(qn, [D.transforms.AffineTransform(1.0, 2.0)])),
               D.kl_divergence(D.Independent(D.Normal(ts[0], ts[1].exp()), 2), D.Independent(D.Normal(ts[2], 1.0), 2))]
        g = lib.autograd.grad(sum(k.sum() for k in kls), ts)
        res.append((kls, list(g)))
    assert_close(res[1][0], res[0][0], rtol=1e-10, atol=1e-12)
    assert_close(res[1][1], res[0][1], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["Bernoulli", "Categorical", "Categorical_logits", "OneHotCategorical", "Binomial"])
@pytest.mark.parametrize("expand", [True, False])
def test_enumerate_support(name, expand):
    params, _, _ = CASES[name]
    if name == "Binomial":
        params = dict(params, total_count=np.full(4, 6.0))
    res = []
    for lib in (torch, ember):
        d, _ = make(lib, name, params)
        s = d.enumerate_support(expand=expand)
        res.append((s, d.log_prob(s)))
    assert_close(res[1][0], res[0][0])
    assert_close(res[1][1], res[0][1], rtol=1e-10, atol=1e-12)
