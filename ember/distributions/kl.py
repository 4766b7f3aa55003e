"""KL divergences KL(p || q) = E_p[log p(X) - log q(X)] in closed form (torch.distributions.kl).

``register_kl(P, Q)`` files a function under a pair of classes; ``kl_divergence(p, q)`` picks the most specific
registered pair for ``(type(p), type(q))``. Pairs within one family have their textbook closed forms below;
pairs across families share one formula, KL = -H(p) + CE(p, q), with the cross-entropy CE(p, q) = -E_p[log q]
written once per family of q from a few expectations under p (E[X], Var X, E[log X], ...).
"""
import math
import warnings

import ember
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .cauchy import Cauchy
from .continuous_bernoulli import ContinuousBernoulli
from .dirichlet import Dirichlet
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .gamma import Gamma
from .geometric import Geometric
from .gumbel import Gumbel
from .half_normal import HalfNormal
from .independent import Independent
from .laplace import Laplace
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .pareto import Pareto
from .poisson import Poisson
from .transformed_distribution import TransformedDistribution
from .uniform import Uniform
from .utils import _sum_rightmost, euler_constant

_KL_REGISTRY = {}  # (type_p, type_q) -> fn(p, q)
_KL_MEMOIZE = {}  # (type(p), type(q)) -> the function dispatch chose


def register_kl(type_p, type_q):
    """Decorator: use the decorated ``fn(p, q)`` for KL(p || q) when p is a `type_p` and q a `type_q`."""
    for name, t in (("type_p", type_p), ("type_q", type_q)):
        if not isinstance(t, type):  # like torch, any class is accepted; only non-classes are refused
            raise TypeError(f"Expected {name} to be a Distribution subclass but got {t}")

    def decorator(fn):
        _KL_REGISTRY[type_p, type_q] = fn
        _KL_MEMOIZE.clear()  # an earlier lookup may now have a more specific answer
        return fn
    return decorator


def _more_specific(a, b):
    """Whether pair a comes before pair b: p's class decides first (a subclass is more specific), then q's."""
    for x, y in zip(a, b):
        if not issubclass(x, y):
            return False
        if x is not y:
            return True
    return False


def _most_specific(pairs):
    best = pairs[0]
    for m in pairs[1:]:
        if _more_specific(m, best):
            best = m
    return best


def _dispatch(type_p, type_q):
    pairs = [m for m in _KL_REGISTRY if issubclass(type_p, m[0]) and issubclass(type_q, m[1])]
    if not pairs:
        return NotImplemented
    left = _most_specific(pairs)
    right = _most_specific([m[::-1] for m in pairs])[::-1]  # the same search with q's class deciding first
    if _KL_REGISTRY[left] is not _KL_REGISTRY[right]:
        warnings.warn(f"Ambiguous kl_divergence({type_p.__name__}, {type_q.__name__}). "
                      f"Please register_kl({left[0].__name__}, {right[1].__name__})", RuntimeWarning)
    return _KL_REGISTRY[left]


def kl_divergence(p, q):
    """KL(p || q) over the broadcast batch of p and q."""
    key = type(p), type(q)
    if key not in _KL_MEMOIZE:
        _KL_MEMOIZE[key] = _dispatch(*key)
    fn = _KL_MEMOIZE[key]
    if fn is NotImplemented:
        raise NotImplementedError(f"No KL(p || q) is implemented for p type {type(p).__name__} "
                                  f"and q type {type(q).__name__}")
    return fn(p, q)


def _infinite_like(t):
    return ember.full_like(t, math.inf)


def _inf_where(mask, value):
    return ember.where(mask, ember.full_like(value, math.inf), value)


# ---------------------------------------------------------------------------- one family
@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    # p log(p/q) + (1-p) log((1-p)/(1-q)), with log p = -softplus(-logit p), log(1-p) = -softplus(logit p)
    sp = ember.nn.functional.softplus
    one = p.probs * (sp(-q.logits) - sp(-p.logits))
    zero = (1 - p.probs) * (sp(q.logits) - sp(p.logits))
    one = ember.where(p.probs == 0, ember.zeros_like(one), _inf_where(q.probs == 0, one))  # 0 log 0 = 0
    zero = ember.where(p.probs == 1, ember.zeros_like(zero), _inf_where(q.probs == 1, zero))
    return one + zero


def _kl_categorical(pp, pl, qp, ql):
    t = pp * (pl - ql)
    t = ember.where(pp == 0, ember.zeros_like(t), _inf_where(qp == 0, t))
    return t.sum(-1)


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    return _kl_categorical(p.probs, p.logits, q.probs, q.logits)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehotcategorical_onehotcategorical(p, q):
    return _kl_categorical(p.probs, p.logits, q.probs, q.logits)


@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p, q):
    # with equal counts n: n [p (logit p - logit q) + log(1-p) - log(1-q)]
    if (p.total_count < q.total_count).any():
        raise NotImplementedError("KL between Binomials where q.total_count > p.total_count is not implemented")
    kl = p.total_count * (p.probs * (p.logits - q.logits) + (-p.probs).log1p() - (-q.probs).log1p())
    return _inf_where(p.total_count > q.total_count, kl)  # p reaches counts q cannot


@register_kl(Geometric, Geometric)
def _kl_geometric_geometric(p, q):
    # E_p[k] = (1-p)/p failures, each costing -log(1-q) under q, and one success costing -log q
    return -p.entropy() - (1 - p.probs) / p.probs * (-q.probs).log1p() - q.probs.log()


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p, q):
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


def _kl_dirichlet(a, b):
    """KL(Dir(a) || Dir(b)) over the last dimension: log B(b) - log B(a) + sum (a - b)(psi(a) - psi(a0))."""
    a0, b0 = a.sum(-1), b.sum(-1)
    log_norm = a0.lgamma() - b0.lgamma() - (a.lgamma() - b.lgamma()).sum(-1)
    return log_norm + ((a - b) * (ember.special.digamma(a) - ember.special.digamma(a0).unsqueeze(-1))).sum(-1)


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    return _kl_dirichlet(p.concentration, q.concentration)


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    def conc(d):
        return ember.stack(ember.broadcast_tensors(d.concentration1, d.concentration0), -1)
    a, b = ember.broadcast_tensors(conc(p), conc(q))
    return _kl_dirichlet(a, b)  # Beta(a, b) is the Dirichlet on two points


@register_kl(ContinuousBernoulli, ContinuousBernoulli)
def _kl_continuous_bernoulli_continuous_bernoulli(p, q):
    # log q(x) is affine in x, so E_p[log q(X)] needs only E_p[X]
    return -p.entropy() + _ce_continuous_bernoulli(q, p)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    r = q.rate / p.rate
    return r - r.log() - 1


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p, q):
    a, b, c, d = p.concentration, p.rate, q.concentration, q.rate
    return ((a - c) * ember.special.digamma(a) - a.lgamma() + c.lgamma() + c * (b.log() - d.log())
            + a * (d - b) / b)


@register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(p, q):
    # E_p[exp(-(X - m_q)/s_q)] = exp((m_q - m_p)/s_q) Gamma(1 + s_p/s_q), the Gumbel's moment generating function
    r = p.scale / q.scale
    shift = (p.loc - q.loc) / q.scale
    return -r.log() + shift + euler_constant * (r - 1) + (-shift + (1 + r).lgamma()).exp() - 1


@register_kl(HalfNormal, HalfNormal)
def _kl_halfnormal_halfnormal(p, q):
    v = (p.scale / q.scale).pow(2)  # folding both at 0 leaves the normals' KL unchanged
    return 0.5 * (v - 1 - v.log())


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p, q):
    # E_p|X - m_q| = d + b_p exp(-d / b_p) with d = |m_p - m_q|
    r = p.scale / q.scale
    d = (p.loc - q.loc).abs()
    return -r.log() + d / q.scale + r * (-d / p.scale).exp() - 1


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    v = (p.scale / q.scale).pow(2)
    return 0.5 * (v + ((p.loc - q.loc) / q.scale).pow(2) - 1 - v.log())


@register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(p, q):
    # the known closed form: log(((s_p + s_q)^2 + (m_p - m_q)^2) / (4 s_p s_q))
    return ((p.scale + q.scale).pow(2) + (p.loc - q.loc).pow(2)).log() - (4 * p.scale * q.scale).log()


@register_kl(Pareto, Pareto)
def _kl_pareto_pareto(p, q):
    # E_p[log X] = log x_p + 1/a_p gives log(a_p/a_q) + a_q log(x_p/x_q) + a_q/a_p - 1
    r = q.alpha / p.alpha
    kl = q.alpha * (p.scale / q.scale).log() - r.log() + r - 1
    return _inf_where(p.scale < q.scale, kl)  # p puts mass below q's support


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    kl = ((q.high - q.low) / (p.high - p.low)).log()
    return _inf_where((q.low > p.low) | (q.high < p.high), kl)


def _gaussian_kind(d):
    return "Low Rank Multivariate Normals" if isinstance(d, LowRankMultivariateNormal) else "Multivariate Normals"


@register_kl(MultivariateNormal, MultivariateNormal)
@register_kl(MultivariateNormal, LowRankMultivariateNormal)
@register_kl(LowRankMultivariateNormal, MultivariateNormal)
@register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)
def _kl_gaussian_gaussian(p, q):
    """0.5 [tr(S_q^-1 S_p) + |L_q^-1 (m_q - m_p)|^2 - k] + log det L_q - log det L_p, through Cholesky factors."""
    if p.event_shape != q.event_shape:
        kinds = {_gaussian_kind(p), _gaussian_kind(q)}
        what = kinds.pop() if len(kinds) == 1 else "(Low Rank) Multivariate Normals"
        raise ValueError(f"KL-divergence between two {what} with different event shapes cannot be computed")
    k = p.event_shape[0]
    batch = ember.broadcast_shapes(tuple(p.batch_shape), tuple(q.batch_shape))
    lp, lq = p.scale_tril.expand(batch + (k, k)), q.scale_tril.expand(batch + (k, k))
    diff = (q.loc - p.loc).expand(batch + (k,)).unsqueeze(-1)
    spread = ember.linalg.solve_triangular(lq, lp, upper=False).pow(2).sum((-2, -1))
    maha = ember.linalg.solve_triangular(lq, diff, upper=False).pow(2).sum((-2, -1))
    log_det = (lq.diagonal(dim1=-2, dim2=-1).log() - lp.diagonal(dim1=-2, dim2=-1).log()).sum(-1)
    return 0.5 * (spread + maha - k) + log_det


# ---------------------------------------------------------------------------- wrappers
@register_kl(TransformedDistribution, TransformedDistribution)
def _kl_transformed_transformed(p, q):
    # one bijection applied to both leaves KL unchanged
    if p.transforms != q.transforms or p.event_shape != q.event_shape:
        raise NotImplementedError
    return kl_divergence(p.base_dist, q.base_dist)


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError
    return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


@register_kl(ExponentialFamily, ExponentialFamily)
def _kl_expfamily_expfamily(p, q):
    """The Bregman divergence of the log-normalizer F: F(t_q) - F(t_p) - <t_q - t_p, grad F(t_p)>."""
    if type(p) is not type(q):
        raise NotImplementedError("The cross KL-divergence between different exponential families cannot "
                                  "be computed using Bregman divergences")
    tp = [t.detach().requires_grad_() for t in p._natural_params]
    tq = q._natural_params
    fp = p._log_normalizer(*tp)
    grad_fp = ember.autograd.grad(fp.sum(), tp, create_graph=True)
    kl = q._log_normalizer(*tq) - fp
    for a, b, g in zip(tp, tq, grad_fp):
        kl = kl - _sum_rightmost((b - a) * g, len(q.event_shape))
    return kl


# ---------------------------------------------------------------------------- across families
def _lookup(table, p, default=None):
    """table's entry for p's class or its nearest base class (else `default`)."""
    for cls in type(p).__mro__:
        if cls in table:
            return table[cls](p)
    if default is None:
        raise NotImplementedError
    return default(p)


def _pareto_mean_var(p):
    # unclamped (Pareto.mean/.variance clamp alpha): where they diverge the KL is masked to inf anyway, and a
    # finite value there keeps the masked entries' gradients at 0 rather than NaN
    a, x = p.alpha, p.scale
    return a * x / (a - 1), x.pow(2) * a / ((a - 1).pow(2) * (a - 2))


def _mean_var(p):
    """(E_p[X], Var_p X)."""
    return _lookup({Pareto: _pareto_mean_var}, p, lambda d: (d.mean, d.variance))


_digamma = ember.special.digamma


def _x_log_x(x):
    return ember.special.xlogy(x, x)


# E_p[log X]
_E_LOG = {
    Beta: lambda p: _digamma(p.concentration1) - _digamma(p.concentration1 + p.concentration0),
    Exponential: lambda p: -euler_constant - p.rate.log(),
    Gamma: lambda p: _digamma(p.concentration) - p.rate.log(),
    Pareto: lambda p: p.scale.log() + 1 / p.alpha,
    Uniform: lambda p: (_x_log_x(p.high) - _x_log_x(p.low)) / (p.high - p.low) - 1,
}
# E_p[log(1 - X)]
_E_LOG1M = {
    Beta: lambda p: _digamma(p.concentration0) - _digamma(p.concentration1 + p.concentration0),
    Uniform: lambda p: (_x_log_x(1 - p.low) - _x_log_x(1 - p.high)) / (p.high - p.low) - 1,
}
# E_p[exp(-(X - m) / s)] as a function of (m, s): the moment generating function at -1/s
_E_EXP_DECAY = {
    Exponential: lambda p: lambda m, s: (m / s).exp() * p.rate * s / (p.rate * s + 1),
    Gamma: lambda p: lambda m, s: (m / s - p.concentration * (1 / (s * p.rate)).log1p()).exp(),
    Normal: lambda p: lambda m, s: ((m - p.loc) / s + 0.5 * (p.scale / s).pow(2)).exp(),
    Uniform: lambda p: lambda m, s: s * (((m - p.low) / s).exp() - ((m - p.high) / s).exp()) / (p.high - p.low),
}
# E_p|X - m| as a function of m
_E_ABS_DEV = {
    Normal: lambda p: lambda m: (p.scale * math.sqrt(2 / math.pi) * (-0.5 * ((p.loc - m) / p.scale).pow(2)).exp()
                                 + (p.loc - m) * ember.special.erf((p.loc - m) / (p.scale * math.sqrt(2)))),
}


# CE(p, q) = -E_p[log q(X)], one per family of q
def _ce_normal(q, p):
    mean, var = _mean_var(p)
    return q.scale.log() + 0.5 * math.log(2 * math.pi) + (var + (mean - q.loc).pow(2)) / (2 * q.scale.pow(2))


def _ce_exponential(q, p):
    return q.rate * _mean_var(p)[0] - q.rate.log()


def _ce_gamma(q, p):
    a, b = q.concentration, q.rate
    return a.lgamma() - a * b.log() - (a - 1) * _lookup(_E_LOG, p) + b * _mean_var(p)[0]


def _ce_gumbel(q, p):
    return q.scale.log() + (_mean_var(p)[0] - q.loc) / q.scale + _lookup(_E_EXP_DECAY, p)(q.loc, q.scale)


def _ce_laplace(q, p):
    return (2 * q.scale).log() + _lookup(_E_ABS_DEV, p)(q.loc) / q.scale


def _ce_beta(q, p):
    a, b = q.concentration1, q.concentration0
    log_beta = a.lgamma() + b.lgamma() - (a + b).lgamma()
    return log_beta - (a - 1) * _lookup(_E_LOG, p) - (b - 1) * _lookup(_E_LOG1M, p)


def _ce_continuous_bernoulli(q, p):
    # log q(x) = x log q(1) + (1 - x) log q(0) on [0, 1]
    m = p.mean
    one = q.probs.new_ones(())
    return -(m * q.log_prob(one) + (1 - m) * q.log_prob(one - 1))


def _ce_pareto(q, p):
    return -q.alpha.log() - q.alpha * q.scale.log() + (q.alpha + 1) * _lookup(_E_LOG, p)


def _ce_uniform(q, p):
    return (q.high - q.low).log()


_CE = {Normal: _ce_normal, Exponential: _ce_exponential, Gamma: _ce_gamma, Gumbel: _ce_gumbel,
       Laplace: _ce_laplace, Beta: _ce_beta, ContinuousBernoulli: _ce_continuous_bernoulli, Pareto: _ce_pareto,
       Uniform: _ce_uniform}

# pairs with a finite KL: (p, q) -> where it is infinite after all (p's mass outside q's support, or an
# expectation that diverges), or None; the strict and non-strict comparisons are torch's
_CROSS = {
    (Beta, ContinuousBernoulli): None, (Beta, Exponential): None, (Beta, Gamma): None, (Beta, Normal): None,
    (Beta, Uniform): lambda p, q: (q.low > 0) | (q.high < 1),
    (ContinuousBernoulli, Exponential): None, (ContinuousBernoulli, Normal): None,
    (ContinuousBernoulli, Uniform): lambda p, q: (q.low >= 0) | (q.high <= 1),
    (Exponential, Gamma): None, (Exponential, Gumbel): None, (Exponential, Normal): None,
    (Gamma, Exponential): None, (Gamma, Gumbel): None, (Gamma, Normal): None,
    (Gumbel, Normal): None, (Laplace, Normal): None, (Normal, Gumbel): None, (Normal, Laplace): None,
    (Pareto, Exponential): lambda p, q: p.alpha <= 1, (Pareto, Gamma): lambda p, q: p.alpha <= 1,
    (Pareto, Normal): lambda p, q: p.alpha <= 2,
    (Uniform, Beta): lambda p, q: (p.low < 0) | (p.high > 1),
    (Uniform, ContinuousBernoulli): lambda p, q: (p.low <= 0) | (p.high >= 1),
    (Uniform, Exponential): lambda p, q: p.low < 0, (Uniform, Gamma): lambda p, q: p.low < 0,
    (Uniform, Gumbel): None, (Uniform, Normal): None,
    (Uniform, Pareto): lambda p, q: p.low < q.scale,
}

# pairs where p always has mass outside q's support
_DISJOINT = [(Beta, Pareto), (ContinuousBernoulli, Pareto), (Pareto, Beta), (Pareto, ContinuousBernoulli),
             (Pareto, Uniform), (Poisson, Bernoulli), (Poisson, Binomial)]
_DISJOINT += [(p, q) for p in (Exponential, Gamma) for q in (Beta, ContinuousBernoulli, Pareto, Uniform)]
_DISJOINT += [(p, q) for p in (Gumbel, Laplace, Normal)
              for q in (Beta, ContinuousBernoulli, Exponential, Gamma, Pareto, Uniform)]


def _register_cross(tp, tq, infinite):
    def kl(p, q):  # KL = -H(p) + CE(p, q)
        value = -p.entropy() + _CE[tq](q, p)
        return value if infinite is None else _inf_where(infinite(p, q), value)
    register_kl(tp, tq)(kl)


def _register_disjoint(tp, tq):
    register_kl(tp, tq)(lambda p, q: _infinite_like(p.mean))


for (_p, _q), _inf in _CROSS.items():
    _register_cross(_p, _q, _inf)
for _p, _q in _DISJOINT:
    _register_disjoint(_p, _q)


@register_kl(Bernoulli, Poisson)
def _kl_bernoulli_poisson(p, q):
    # log q(x) = x log(rate) - rate on {0, 1}
    return -p.entropy() - (p.probs * q.rate.log() - q.rate)


def _add_kl_info():
    """Append the registered pairs to kl_divergence's docstring."""
    pairs = sorted(f"* :class:`~ember.distributions.{p.__name__}` : :class:`~ember.distributions.{q.__name__}`"
                   for p, q in _KL_REGISTRY)
    kl_divergence.__doc__ += "\n\nKL divergence is currently implemented for the following distribution pairs:\n\t" \
        + "\n\t".join(pairs)
