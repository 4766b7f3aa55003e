"""torch's CPU samplers for Gamma, Dirichlet, Poisson and Binomial, on ember's generator.

Each repeats ATen's per-element loop (Distributions.cpp, Distributions.h) with the same draws in the
same order: a double uniform is 53 bits of a 64-bit word, a double normal comes from the serial
Box-Muller pair (the second half cached), so the same seed gives torch's numbers. The loops run in
Python, one element at a time, as torch's ``cpu_serial_kernel`` does; fine for the sizes a model
samples, slow for millions of elements.
"""
import math

import numpy as np

import ember
from .._tensor import _wrap
from ..autograd.function import Op
from .. import random as _random


def _gen(generator=None):
    return _random.default_generator if generator is None else generator


def _uniform(g):
    return float(g._double53(1)[0])


def _normal(g):
    return float(g._normal_serial(1, 0.0, 1.0)[0])


_ONE_THIRD_F = float(np.float32(1.0) / np.float32(3.0))  # ATen writes 1.0f / 3.0f: a float quotient
_C0331_F = float(np.float32(0.0331))


def _sample_gamma(alpha, g):
    """Marsaglia and Tsang (2000), with ATen's boost for alpha < 1 (sample_gamma in Distributions.h)."""
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return 0.0
        scale *= (1 - _uniform(g)) ** (1.0 / alpha)
        alpha += 1.0
    d = alpha - _ONE_THIRD_F
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        while True:
            x = _normal(g)
            y = 1.0 + c * x
            if y > 0:
                break
        v = y * y * y
        u = 1 - _uniform(g)
        xx = x * x
        if u < 1.0 - _C0331_F * xx * xx:
            return scale * d * v
        if math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return scale * d * v


class StandardGamma(Op):
    """torch._standard_gamma: Gamma(alpha, 1) samples, with the implicit reparameterization gradient."""
    save, saves_output = True, True

    def forward(self, alpha, generator=None):
        g = _gen(generator)
        dt = alpha.dtype
        tiny = np.finfo(dt).tiny
        out = [max(tiny, dt.type(_sample_gamma(a, g))) for a in alpha.ravel().tolist()]
        return np.array(out, dt).reshape(alpha.shape)

    def backward(self, gy):
        alpha = self.inputs[0]
        return gy * _standard_gamma_grad(alpha, self.out()), None


def _standard_gamma(alpha, generator=None):
    return StandardGamma.apply(alpha, generator)


def _gamma_grad_np(x, alpha):
    """d sample / d alpha for a Gamma(alpha, 1) sample x: -(dP(alpha, x)/dalpha) / pdf(x)
    (standard_gamma_grad_one in ATen: a Taylor series for small x, Rice's saddle point expansion
    for large alpha, a bivariate rational approximation otherwise)."""
    out = np.empty_like(x, dtype=np.float64)
    flat_x, flat_a, flat_o = x.ravel(), alpha.ravel(), out.ravel()
    for i in range(flat_x.size):
        flat_o[i] = _gamma_grad_one(float(flat_a[i]), float(flat_x[i]))
    return out.astype(x.dtype)


def _gamma_grad_one(alpha, x):
    if x < 0.8:
        numer, denom = 1.0, alpha
        series1, series2 = numer / denom, numer / (denom * denom)
        for i in range(1, 6):
            numer *= -x / i
            denom += 1
            series1 += numer / denom
            series2 += numer / (denom * denom)
        pow_x_alpha = x ** alpha
        gamma_pdf = x ** (alpha - 1) * math.exp(-x)
        gamma_cdf = pow_x_alpha * series1
        gamma_cdf_alpha = (math.log(x) - ember.digamma(ember.tensor(alpha, dtype=ember.float64)).item()) * gamma_cdf - pow_x_alpha * series2
        result = -gamma_cdf_alpha / gamma_pdf
        return 0.0 if math.isnan(result) else result
    if alpha > 8.0:
        if 0.9 * alpha <= x <= 1.1 * alpha:
            numer_1 = 1 + 24 * alpha * (1 + 12 * alpha)
            numer_2 = 1440 * (alpha * alpha) + 6 * x * (53 - 120 * x) - 65 * x * x / alpha + alpha * (107 + 3600 * x)
            denom = 1244160 * (alpha * alpha) * (alpha * alpha)
            return numer_1 * numer_2 / denom
        denom = math.sqrt(8 * alpha)
        term2 = denom / (alpha - x)
        term3 = (x - alpha - alpha * math.log(x / alpha)) ** -1.5
        term23 = term2 - term3 if x < alpha else term2 + term3
        term1 = math.log(x / alpha) * term23 - math.sqrt(2 / alpha) * (alpha + x) / ((alpha - x) * (alpha - x))
        stirling = 1 + 1 / (12 * alpha) * (1 + 1 / (24 * alpha))
        numer = x * term1
        return -stirling * numer / denom
    u = math.log(x / alpha)
    v = math.log(alpha)
    coef_v = [_COEF_UV[0][i] + u * (_COEF_UV[1][i] + u * _COEF_UV[2][i]) for i in range(8)]
    p = coef_v[0] + v * (coef_v[1] + v * (coef_v[2] + v * coef_v[3]))
    q = coef_v[4] + v * (coef_v[5] + v * (coef_v[6] + v * coef_v[7]))
    return math.exp(p / q)


_COEF_UV = [
    [0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089, 0.0014179084],
    [0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113, -0.0035938915,
     -0.00058392623],
    [0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326,
     0.00085092367, -1.5247877e-07],
]


def _standard_gamma_grad(alpha, x):
    """torch._standard_gamma_grad(alpha, x) (not differentiable again, as in torch)."""
    a = alpha._data if isinstance(alpha, ember.Tensor) else alpha
    v = x._data if isinstance(x, ember.Tensor) else x
    r = _gamma_grad_np(np.asarray(v), np.asarray(a))
    return _wrap(r) if isinstance(x, ember.Tensor) else r


def _lgamma_np(x):
    return ember.lgamma(ember.tensor(np.asarray(x, np.float64)))._data


def _sample_dirichlet(concentration, generator=None):
    """torch._sample_dirichlet: normalized Gamma samples drawn in float64, as ATen does."""
    g = _gen(generator)
    a = concentration._data
    gam = np.array([max(np.finfo(np.float64).tiny, _sample_gamma(v, g)) for v in a.astype(np.float64).ravel().tolist()],
                   np.float64).reshape(a.shape)
    out = (gam / gam.sum(-1, keepdims=True)).astype(a.dtype)
    top = np.nextafter(a.dtype.type(1), a.dtype.type(0))
    return _wrap(np.clip(out, np.finfo(a.dtype).tiny, top))


def _beta_cdf(x, a, b):
    """The regularized incomplete beta function I_x(a, b), by its continued fraction (Lentz)."""
    x, a, b = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(a, np.float64), np.asarray(b, np.float64))
    swap = x > (a + 1) / (a + b + 2)  # the fraction converges fast below the mean
    xs, aa, bb = np.where(swap, 1 - x, x), np.where(swap, b, a), np.where(swap, a, b)
    with np.errstate(all="ignore"):
        lbeta = _lgamma_np(aa + bb) - _lgamma_np(aa) - _lgamma_np(bb)
        front = np.exp(np.log(xs) * aa + np.log1p(-xs) * bb + lbeta) / aa
        tiny = 1e-300
        f, c, d = np.ones_like(xs), np.ones_like(xs), np.zeros_like(xs)
        for i in range(400):
            m = i // 2
            if i == 0:
                num = np.ones_like(xs)
            elif i % 2 == 0:
                num = m * (bb - m) * xs / ((aa + 2 * m - 1) * (aa + 2 * m))
            else:
                num = -((aa + m) * (aa + bb + m) * xs) / ((aa + 2 * m) * (aa + 2 * m + 1))
            d = 1 + num * d
            d = np.where(np.abs(d) < tiny, tiny, d)
            d = 1 / d
            c = 1 + num / c
            c = np.where(np.abs(c) < tiny, tiny, c)
            f = f * c * d
        val = front * (f - 1)
    return np.where(swap, 1 - val, val)


def _dirichlet_grad_np(x, alpha, total):
    """torch._dirichlet_grad: d x / d alpha for x ~ Beta(alpha, total - alpha) with beta held fixed,
    -(dI_x/dalpha) / pdf(x), divided by 1 - x (the Dirichlet backward multiplies by delta_ij - x_j).

    torch uses asymptotic expansions and a fitted rational correction; this computes the same
    quantity directly: dI/dalpha by a central difference of the incomplete beta function
    (relative step 1e-5; error about 1e-9 relative), the pdf in closed form.
    """
    x, a, t = (np.asarray(v, np.float64) for v in (x, alpha, total))
    b = t - a
    h = 1e-5 * a
    dcdf = (_beta_cdf(x, a + h, b) - _beta_cdf(x, a - h, b)) / (2 * h)
    with np.errstate(all="ignore"):
        logpdf = (a - 1) * np.log(x) + (b - 1) * np.log1p(-x) + _lgamma_np(a + b) - _lgamma_np(a) - _lgamma_np(b)
    return -dcdf / np.exp(logpdf) / (1 - x)


def _dirichlet_grad(x, concentration, total):
    """torch._dirichlet_grad(x, alpha, total)."""
    r = _dirichlet_grad_np(x._data, concentration._data, total._data)
    return _wrap(r.astype(x._data.dtype))


def _sample_poisson(lam, g):
    """sample_poisson in Distributions.cpp: Hoermann's transformed rejection for lambda >= 10,
    products of uniforms below."""
    if lam >= 10:
        slam = math.sqrt(lam)
        loglam = math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = _uniform(g) - 0.5
            v = _uniform(g)
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            if (math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)) <= \
                    (-lam + k * loglam - math.lgamma(k + 1)):
                return k
    if lam == 0:
        return 0
    enlam = math.exp(-lam)
    x, prod = 0, 1.0
    while True:
        prod *= _uniform(g)
        if prod > enlam:
            x += 1
        else:
            return x


def poisson(rates, generator=None):
    """torch.poisson: one Poisson sample per rate."""
    g = _gen(generator)
    r = rates._data
    if np.any(r < 0):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    out = [_sample_poisson(v, g) for v in r.astype(np.float64).ravel().tolist()]
    return _wrap(np.array(out, r.dtype).reshape(r.shape))


_TAIL = [0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
         0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
         0.00925546218271273, 0.00833056343336287]


def _stirling_tail(k):
    if k <= 9:
        return _TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def _btrs(count, prob, g, f):
    """Hormann's BTRS, as ATen writes it; `f` rounds to the tensor's dtype where ATen's scalar_t does."""
    stddev = float(np.sqrt(f(f(count * prob) * f(1 - prob))))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = f(count * prob) + 0.5
    v_r = 0.92 - 4.2 / b
    r = f(prob / f(1 - prob))
    alpha = (2.83 + 5.1 / b) * stddev
    m = math.floor(f(f(count + 1) * prob))
    while True:
        u = _uniform(g) - 0.5
        v = _uniform(g)
        us = 0.5 - abs(u)
        k = f(math.floor((2 * a / us + b) * u + c))
        if k < 0 or k > count:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v = math.log(v * alpha / (a / (us * us) + b))
        upper = ((m + 0.5) * math.log((m + 1) / (r * (count - m + 1)))
                 + (count + 1) * math.log((count - m + 1) / f(count - k + 1))
                 + (k + 0.5) * math.log(r * f(count - k + 1) / f(k + 1))
                 + _stirling_tail(m) + _stirling_tail(count - m) - _stirling_tail(k) - _stirling_tail(f(count - k)))
        if v <= upper:
            return k


def _inversion(count, prob, g, f):
    geom_sum, num_geom = 0.0, 0
    logprob = f(np.log1p(f(-prob)))
    while True:
        geom = math.ceil(math.log(_uniform(g)) / logprob)
        geom_sum += geom
        if geom_sum > count:
            return num_geom
        num_geom += 1


def _sample_binomial(count, prob, g, f):
    if count <= 0.0 or prob <= 0.0:
        return 0.0
    if prob >= 1.0:
        return count
    if prob <= 0.5:
        if f(count * prob) >= 10.0:
            return _btrs(count, prob, g, f)
        return _inversion(count, prob, g, f)
    if prob > 0.5:
        q = f(1.0 - prob)
        if f(count * q) >= 10.0:
            return count - _btrs(count, q, g, f)
        return count - _inversion(count, q, g, f)
    return math.nan


def binomial(count, prob, generator=None):
    """torch.binomial: one Binomial(count, prob) sample per element."""
    g = _gen(generator)
    c, p = np.broadcast_arrays(count._data, prob._data)
    dt = prob._data.dtype
    f = (lambda v: float(np.float32(v))) if dt != np.float64 else float
    out = [_sample_binomial(f(cv), f(pv), g, f) for cv, pv in zip(c.ravel().tolist(), p.ravel().tolist())]
    return _wrap(np.array(out, dt).reshape(c.shape))


def cauchy_(t, median=0.0, sigma=1.0, generator=None):
    """Tensor.cauchy_: median + sigma * tan(pi * (u - 0.5)), u a double uniform."""
    g = _gen(generator)
    u = g._double53(t.numel())
    t._data[...] = (median + sigma * np.tan(np.pi * (u - 0.5))).reshape(t._data.shape).astype(t._data.dtype)
    return t
