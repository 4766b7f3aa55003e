"""ember.special: torch.special, written on NumPy (no SciPy).

Each function's numerics are computed in float64 and rounded once to the input's dtype; the
comment on each kernel gives its method and its error bound in float64 (relative unless said
otherwise). Functions torch differentiates are Ops with their backward below the forward;
those torch does not differentiate raise torch's error when a gradient reaches them.
"""
import math

import numpy as np

from ._tensor import Tensor, _wrap
from .autograd.function import Op
from . import _dtype
from .ops import pointwise as P

_EULER = 0.57721566490153286061  # the Euler-Mascheroni constant
_SQRT_PI = math.sqrt(math.pi)
_EPS = np.finfo(np.float64).eps


# ---------------------------------------------------------------- dtype handling
def _as_float(x):
    """A tensor of a floating dtype: Python numbers and integer/bool tensors become the default float."""
    if not isinstance(x, Tensor):
        return _wrap(np.asarray(x, _dtype.to_np(_dtype.get_default_dtype())))
    if x._data.dtype.kind in "biu":
        return x.to(_dtype.get_default_dtype())
    return x


def _pair(a, b):
    """Two operands promoted as torch does (a Python number takes the tensor's dtype, integers
    become the default float), both returned as tensors."""
    a, b = P._float_operands(a, b)
    dt = (a if isinstance(a, Tensor) else b)._data.dtype
    a = a if isinstance(a, Tensor) else _wrap(np.asarray(a, dt))
    b = b if isinstance(b, Tensor) else _wrap(np.asarray(b, dt))
    return a, b


def _f64(x):
    return np.asarray(x, np.float64)


class _Kernel(Op):
    """A pointwise function computed by a float64 NumPy kernel `f`; subclasses add backward."""
    save = True

    def forward(self, *xs):
        dt = xs[0].dtype if isinstance(xs[0], np.ndarray) else np.dtype(np.float64)
        with np.errstate(all="ignore"):
            return np.asarray(self.f(*[_f64(x) for x in xs])).astype(dt, copy=False)


def _kernel(name, f):
    """An Op class for a kernel torch does not differentiate (see _nodiff)."""
    return type(name, (_Kernel,), {"f": staticmethod(f), "save": False})


def _nodiff(op, *xs):
    """op on detached inputs: like torch, these functions' results do not require grad."""
    return op.apply(*[x.detach() for x in xs])


def _polevl(x, coefs):
    r = np.zeros_like(x) + coefs[0]
    for c in coefs[1:]:
        r = r * x + c
    return r


# ---------------------------------------------------------------- gamma family
_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7)
_math_lgamma = np.frompyfunc(lambda v: v if not math.isfinite(v) else math.inf if v <= 0 and v == math.floor(v)
                             else math.lgamma(v), 1, 1)


def _lgamma_np(x):
    """log|Gamma(x)|: the C library's lgamma (Python's math.lgamma), element by element; +inf at
    the poles. Error: the libm's, under 1e-15 away from the zeros at 1 and 2 (absolute there)."""
    x = _f64(x)
    out = np.asarray(_math_lgamma(x), np.float64) if x.size else x.copy()
    out = np.where(np.isnan(x), np.nan, out)
    return np.where(np.isinf(x), np.inf, out)


_PSI_A = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
          -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
          8.33333333333333333333E-2)  # B_2k / 2k, highest order first (Cephes psi)


def _digamma_np(x):
    """psi(x): the recurrence psi(x) = psi(x + 1) - 1/x up to x >= 10, then the asymptotic series
    in 1/x^2 (7 terms: error < 1e-16 there); reflection for x < 0. As torch's calc_digamma:
    -inf at +0, +inf at -0, NaN at the negative integers."""
    x = _f64(x)
    neg = x < 0
    refl = np.zeros_like(x)
    if neg.any():
        r = x - np.trunc(x)
        refl = np.where(neg, -math.pi / np.tan(math.pi * r), 0.0)
    y = np.where(neg, 1 - x, x)
    res = np.zeros_like(x)
    for _ in range(10):
        small = y < 10
        if not small.any():
            break
        res = res - np.where(small, 1 / np.where(small, y, 1), 0)
        y = np.where(small, y + 1, y)
    z = 1 / (y * y)
    res = res + np.log(y) - 0.5 / y - np.where(y < 1e17, z * _polevl(z, _PSI_A), 0)
    res = res + refl
    res = np.where(neg & (x == np.trunc(x)), np.nan, res)
    res = np.where(x == 0, np.copysign(np.inf, -x), res)
    return np.where(np.isposinf(x), np.inf, res)


# (2k)! / B_2k for k = 1..12 (Cephes zeta's A[]), from the Bernoulli numbers
_BERN = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798, -174611 / 330,
         854513 / 138, -236364091 / 2730)
_ZETA_A = tuple(math.factorial(2 * k + 2) / b for k, b in enumerate(_BERN))


def _zeta_np(x, q):
    """Hurwitz zeta(x, q) = sum_k (k + q)^-x: the first N >= 10 terms directly (until q + N >= 10),
    then the Euler-Maclaurin tail with 12 Bernoulli terms (as Cephes zeta; error about 1e-16 for
    moderate x). inf at x = 1 and at the poles q = 0, -1, ...; NaN for x < 1, and for q < 0 with
    x not an integer."""
    x, q = np.broadcast_arrays(_f64(x), _f64(q))
    fin = q[np.isfinite(q)]
    n = int(max(10, np.ceil(10 - fin.min()))) if fin.size else 10
    s = np.zeros(x.shape)
    for k in range(n):
        s = s + np.power(q + k, -x)
    a = q + n
    b = np.power(a, -x)
    s = s + a * b / (x - 1) + 0.5 * b  # the integral of the rest, and half its first term
    fac, pw = x.copy(), b / a
    for j in range(12):  # B_2j / (2j)! x (x+1) ... (x+2j-2) a^(-x-2j+1)
        s = s + fac * pw / _ZETA_A[j]
        fac = fac * (x + 2 * j + 1) * (x + 2 * j + 2)
        pw = pw / (a * a)
    s = np.where(x == 1, np.inf, s)
    s = np.where(x < 1, np.nan, s)
    pole = (q <= 0) & (q == np.floor(q))
    s = np.where(pole, np.inf, s)
    return np.where((q < 0) & ~pole & (x != np.floor(x)), np.nan, s)


def _polygamma_np(n, x):
    """psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x) for n >= 1 (torch's formula)."""
    if n == 0:
        return _digamma_np(x)
    out = (-1.0) ** (n + 1) * math.factorial(n) * _zeta_np(n + 1.0, x)
    if n == 1:  # torch's trigamma kernel (not zeta) gives 0 at +inf and NaN at -inf
        out = np.where(np.isposinf(x), 0.0, np.where(np.isneginf(x), np.nan, out))
    return out


class Lgamma(_Kernel):
    f = staticmethod(_lgamma_np)

    def backward(self, gy):
        return gy * digamma(self.inputs[0])


class Digamma(_Kernel):
    f = staticmethod(_digamma_np)

    def backward(self, gy):
        return gy * polygamma(1, self.inputs[0])


class Polygamma(_Kernel):
    def forward(self, x, n):
        self.n = n
        with np.errstate(all="ignore"):
            return np.asarray(_polygamma_np(n, _f64(x))).astype(x.dtype, copy=False)

    def backward(self, gy):
        return gy * polygamma(self.n + 1, self.inputs[0]), None


class Zeta(_Kernel):
    f = staticmethod(_zeta_np)

    def backward(self, gy):
        x, q = self.inputs
        if self.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        # d/dq zeta(x, q) = -x zeta(x + 1, q)
        return None, gy * -x * zeta(x + 1.0, q)


def gammaln(input):
    """log|Gamma(input)|."""
    return Lgamma.apply(_as_float(input))


def digamma(input):
    """The logarithmic derivative of Gamma."""
    return Digamma.apply(_as_float(input))


psi = digamma


def polygamma(n, input):
    """The n-th derivative of digamma."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return Polygamma.apply(_as_float(input), int(n))


def zeta(input, other):
    """The Hurwitz zeta function zeta(x, q) = sum_k (k + q)^-x."""
    x, q = _pair(input, other)
    return Zeta.apply(x, q)


def multigammaln(input, p):
    """log of the multivariate gamma function of dimension p."""
    from .ops.shape import unsqueeze
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = _as_float(input)
    steps = _wrap((-np.arange(p) / 2).astype(x._data.dtype))
    return gammaln(unsqueeze(x, -1) + steps).sum(-1) + p * (p - 1) / 4 * math.log(math.pi)


# ---------------------------------------------------------------- incomplete gamma
def _igam_series(a, x, prefix):
    """P(a, x) by its power series (Cephes igam), for x < a or x <= 1: converges like x^n / (a)_n."""
    r, c, ans = a.copy(), np.ones_like(a), np.ones_like(a)
    for _ in range(2000):
        r = r + 1
        c = c * x / r
        ans = ans + c
        if np.all(np.abs(c) <= _EPS * np.abs(ans)):
            break
    return ans * prefix / a


def _igamc_cf(a, x, prefix):
    """Q(a, x) by its continued fraction (Cephes igamc), for x >= a and x > 1; relative error ~1e-15."""
    big, biginv = 4.503599627370496e15, 2.22044604925031308085e-16
    y = 1 - a
    z = x + y + 1
    c = np.zeros_like(a)
    pkm2, qkm2, pkm1, qkm1 = np.ones_like(a), x.copy(), x + 1, z * x
    ans = pkm1 / qkm1
    for _ in range(2000):
        c, y, z = c + 1, y + 1, z + 2
        yc = y * c
        pk = pkm1 * z - pkm2 * yc
        qk = qkm1 * z - qkm2 * yc
        ok = qk != 0
        r = np.where(ok, pk / np.where(ok, qk, 1), ans)
        t = np.where(ok, np.abs((ans - r) / np.where(r == 0, 1, r)), 1.0)
        ans = r
        pkm2, pkm1, qkm2, qkm1 = pkm1, pk, qkm1, qk
        scale = np.abs(pk) > big
        f = np.where(scale, biginv, 1.0)
        pkm2, pkm1, qkm2, qkm1 = pkm2 * f, pkm1 * f, qkm2 * f, qkm1 * f
        if np.all(t <= _EPS):
            break
    return ans * prefix


def _gammainc_np(a, x, upper=False):
    """The regularized incomplete gamma P(a, x) (Q = 1 - P with upper): Cephes igam/igamc, each used
    where it converges and the other one taken as the complement. Relative error ~1e-14 for
    a up to a few hundred (the prefactor x^a e^-x / Gamma(a) is computed in logs)."""
    a, x = np.broadcast_arrays(_f64(a), _f64(x))
    a, x = a.copy(), x.copy()
    out = np.full(a.shape, np.nan)
    ok = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
    if ok.any():
        aa, xx = a[ok], x[ok]
        prefix = np.exp(aa * np.log(xx) - xx - _lgamma_np(aa))
        use_cf = (xx > 1) & (xx > aa)
        p = np.empty_like(aa)
        if (~use_cf).any():
            ps = _igam_series(aa[~use_cf], xx[~use_cf], prefix[~use_cf])
            p[~use_cf] = (1 - ps) if upper else ps
        if use_cf.any():
            qc = _igamc_cf(aa[use_cf], xx[use_cf], prefix[use_cf])
            p[use_cf] = qc if upper else 1 - qc
        out[ok] = p
    lo, hi = (1.0, 0.0) if upper else (0.0, 1.0)
    out = np.where((x == 0) & (a > 0), lo, out)
    out = np.where((a == 0) & (x > 0), hi, out)
    out = np.where(np.isposinf(x) & (a >= 0), hi, out)
    return out


class Gammainc(_Kernel):
    upper = False

    def forward(self, a, x):
        with np.errstate(all="ignore"):
            return _gammainc_np(a, x, self.upper).astype(x.dtype, copy=False)

    def backward(self, gy):
        a, x = self.inputs
        if self.needs_input_grad[0]:
            raise NotImplementedError(f"the derivative for '{'igammac' if self.upper else 'igamma'}: input' is "
                                      "not implemented.")
        # d/dx P(a, x) = x^(a-1) e^-x / Gamma(a)
        d = P.exp((a - 1) * P.log(x) - x - gammaln(a))
        return None, gy * (-d if self.upper else d)


class Gammaincc(Gammainc):
    upper = True


def gammainc(input, other):
    """The regularized lower incomplete gamma function P(a, x)."""
    a, x = _pair(input, other)
    return Gammainc.apply(a, x)


def gammaincc(input, other):
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    a, x = _pair(input, other)
    return Gammaincc.apply(a, x)


# ---------------------------------------------------------------- error function family
def _erfcx_np(x):
    """exp(x^2) erfc(x): for 0 <= x < 2 the product itself (erfc relative to 1e-16, exp(x^2) exact
    to 4 ulp); for x >= 2 Laplace's continued fraction 1/sqrt(pi) / (x + (1/2)/(x + 1/(x + ...)))
    with 80 terms (converged to 1e-16 for x >= 2); 2 exp(x^2) - erfcx(-x) for x < 0."""
    x = _f64(x)
    ax = np.abs(x)
    small = ax < 2
    out = np.empty_like(x)
    if small.any():
        out[small] = np.exp(ax[small] ** 2) * P._erfc(ax[small])
    if (~small).any():
        v = ax[~small]
        t = v.copy()
        for k in range(80, 0, -1):
            t = v + (k / 2) / t
        out[~small] = 1 / (_SQRT_PI * t)
    out = np.where(x < 0, 2 * np.exp(x * x) - out, out)
    out = np.where(np.isposinf(x), 0.0, out)
    return np.where(np.isnan(x), np.nan, out)


def _log_ndtr_np(x):
    """log Phi(x), torch's split: log(erfcx(-x/sqrt2)/2) - x^2/2 below -1, log1p(-erfc(x/sqrt2)/2) above."""
    x = _f64(x)
    t = x / math.sqrt(2)
    low = np.log(_erfcx_np(-t) / 2) - t * t
    high = np.log1p(-P._erfc(t) / 2)
    return np.where(x < -1, low, high)


def _ndtri_np(p):
    """Phi^-1(p): a start from erfinv (or the tail's -sqrt(-2 log p)), then Newton steps on
    log Phi(x) = log p (for p < 1/2; the mirror image above), which converge quadratically:
    relative error ~1e-15 from p = 1e-300 to 1 - 1e-16."""
    p = _f64(p)
    q = np.where(p > 0.5, 1 - p, p)  # exact for p >= 1/2
    with np.errstate(all="ignore"):
        x = np.sqrt(2) * P._erfinv(2 * q - 1)
        x = np.where(q < 1e-8, -np.sqrt(-2 * np.log(q)), x)
        lq = np.log(q)
        for _ in range(8):
            ln = _log_ndtr_np(x)
            # d/dx log Phi = phi / Phi = exp(-x^2/2 - log Phi) / sqrt(2 pi)
            dln = np.exp(-x * x / 2 - ln) / math.sqrt(2 * math.pi)
            x = np.where(np.isfinite(x) & (q > 0), x - (ln - lq) / dln, x)
    x = np.where(p > 0.5, -x, x)
    x = np.where(p == 0, -np.inf, np.where(p == 1, np.inf, x))
    return np.where((p < 0) | (p > 1) | np.isnan(p), np.nan, x)


class Erfcx(_Kernel):
    f = staticmethod(_erfcx_np)

    def backward(self, gy):
        x = self.inputs[0]
        return gy * (2 * x * erfcx(x) - 2 / _SQRT_PI)


class LogNdtr(_Kernel):
    saves_output = True
    f = staticmethod(_log_ndtr_np)

    def backward(self, gy):
        # phi(x) / Phi(x) = exp(-(log Phi(x) + x^2 / 2)) / sqrt(2 pi), as torch computes it
        x = self.inputs[0]
        return gy / math.sqrt(2 * math.pi) * P.exp(-(self.out() + x * x / 2))


class Ndtri(_Kernel):
    save, saves_output = False, True
    f = staticmethod(_ndtri_np)

    def backward(self, gy):
        y = self.out()
        return gy * math.sqrt(2 * math.pi) * P.exp(y * y / 2)


def erf(input):
    return P.erf(input)


def erfc(input):
    return P.erfc(input)


def erfinv(input):
    return P.erfinv(input)


def erfcx(input):
    """The scaled complementary error function exp(x^2) erfc(x)."""
    return Erfcx.apply(_as_float(input))


def ndtr(input):
    """The standard normal CDF, as torch computes it: (1 + erf(x / sqrt 2)) / 2 (so 0 below about -8.3)."""
    return (P.erf(_as_float(input) * math.sqrt(0.5)) + 1) * 0.5


def log_ndtr(input):
    """log of the standard normal CDF, accurate in both tails."""
    return LogNdtr.apply(_as_float(input))


def ndtri(input):
    """The inverse of the standard normal CDF."""
    return Ndtri.apply(_as_float(input))


# ---------------------------------------------------------------- logs and entropies
class Entr(_Kernel):
    @staticmethod
    def f(x):
        out = np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)), np.where(x == 0, 0.0, -np.inf))
        return np.where(np.isnan(x), np.nan, out)

    def backward(self, gy):
        return gy * -(P.log(self.inputs[0]) + 1)


class Xlog1py(_Kernel):
    @staticmethod
    def f(x, y):
        return np.where((x == 0) & ~np.isnan(y), 0.0, x * np.log1p(y))

    def backward(self, gy):
        x, y = self.inputs
        n = self.needs_input_grad
        gx = gy * P.where((x == 0) & (y <= -1), 0.0, P.log1p(y)) if n[0] else None
        gyy = gy * x / (y + 1) if n[1] else None
        return gx, gyy


def entr(input):
    """-x log x (0 at 0, -inf below)."""
    return Entr.apply(_as_float(input))


def xlog1py(input, other):
    """x * log1p(y), 0 where x = 0."""
    x, y = _pair(input, other)
    return Xlog1py.apply(x, y)


def xlogy(input, other):
    return P.xlogy(input, other)


def expit(input):
    return P.sigmoid(input)


def logit(input, eps=None):
    return P.logit(input, eps)


def exp2(input):
    return P.exp2(input)


def expm1(input):
    return P.expm1(input)


def log1p(input):
    return P.log1p(input)


def sinc(input):
    return P.sinc(input)


def round(input, *, decimals=0):
    return P.round(input, decimals=decimals)


def logsumexp(input, dim, keepdim=False):
    from .ops.reduction import logsumexp as _logsumexp
    return _logsumexp(input, dim, keepdim)


def softmax(input, dim, *, dtype=None):
    from .nn.functional import softmax as _softmax
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    from .nn.functional import log_softmax as _log_softmax
    return _log_softmax(input, dim, dtype=dtype)


# ---------------------------------------------------------------- modified Bessel functions I
def _bessel_i_series(x, nu, scale):
    """I_nu(|x|) * exp(-|x|) if scale, by the power series sum (x/2)^(2k+nu) / (k! (k+nu)!): all terms
    positive, so the relative error is a few ulp; used for |x| <= 30 (at most ~90 terms)."""
    ax = np.abs(x)
    h = (ax / 2) ** 2
    t = (ax / 2) ** nu / math.factorial(nu) * (np.exp(-ax) if scale else 1.0)
    s = t.copy()
    for k in range(1, 100):
        t = t * h / (k * (k + nu))
        s = s + t
        if np.all(t <= _EPS * s):
            break
    return s


def _bessel_i_asym(ax, nu):
    """I_nu(x) exp(-x) ~ 1/sqrt(2 pi x) sum_k (-1)^k prod_j (4nu^2 - (2j-1)^2) / (k! (8x)^k), for
    x > 30: the terms fall until k ~ 2x, so 30 terms leave an error under 1e-16."""
    mu = 4.0 * nu * nu
    term = np.ones_like(ax)
    s = term.copy()
    for k in range(1, 30):
        term = -term * (mu - (2 * k - 1) ** 2) / (k * 8 * ax)
        s = s + term
    return s / np.sqrt(2 * math.pi * ax)


def _bessel_i_np(x, nu, scale):
    x = _f64(x)
    ax = np.abs(x)
    big = ax > 30
    out = np.empty_like(x)
    if (~big).any():
        out[~big] = _bessel_i_series(x[~big], nu, scale)
    if big.any():
        e = _bessel_i_asym(ax[big], nu)
        out[big] = e if scale else e * np.exp(ax[big])
    if nu == 1:
        out = np.where(x < 0, -out, out)
    return np.where(np.isnan(x), np.nan, out)


def _i0_np(x):
    return _bessel_i_np(x, 0, False)


class I0(_Kernel):
    f = staticmethod(lambda x: _bessel_i_np(x, 0, False))

    def backward(self, gy):
        return gy * i1(self.inputs[0])


class I0e(_Kernel):
    f = staticmethod(lambda x: _bessel_i_np(x, 0, True))

    def backward(self, gy):
        x = self.inputs[0]
        return gy * (i1e(x) - P.sign(x) * i0e(x))


class I1(_Kernel):
    f = staticmethod(lambda x: _bessel_i_np(x, 1, False))

    def backward(self, gy):
        # I1' = I0 - I1 / x, with the limit 1/2 at 0
        x = self.inputs[0]
        safe = P.where(x == 0, 1.0, x)
        return gy * P.where(x == 0, 0.5, i0(x) - i1(x) / safe)


class I1e(_Kernel):
    f = staticmethod(lambda x: _bessel_i_np(x, 1, True))

    def backward(self, gy):
        x = self.inputs[0]
        safe = P.where(x == 0, 1.0, x)
        return gy * P.where(x == 0, 0.5, i0e(x) - i1e(x) * (P.sign(x) + 1 / safe))


def i0(input):
    """The modified Bessel function of the first kind, order 0."""
    return I0.apply(_as_float(input))


def i0e(input):
    """i0 scaled by exp(-|x|)."""
    return I0e.apply(_as_float(input))


def i1(input):
    return I1.apply(_as_float(input))


def i1e(input):
    return I1e.apply(_as_float(input))


# ---------------------------------------------------------------- modified Bessel functions K
def _bessel_k_steed(x, nu):
    """(K_nu(x) e^x, K_nu+1(x) e^x) for |nu| <= 1/2 and x >= ~1.5 by Steed's continued fraction CF2
    (Numerical Recipes' bessik, Temme's method), run to convergence (error ~1e-16)."""
    b = 2 * (1 + x)
    d = 1 / b
    h = delh = d
    q1, q2 = np.zeros_like(x), np.ones_like(x)
    a1 = 0.25 - nu * nu
    q = c = np.full_like(x, a1)
    a = -a1
    s = 1 + q * delh
    done = np.zeros(x.shape, bool)
    for i in range(2, 5000):
        a = a - 2 * (i - 1)
        c = -a * c / i
        qnew = (q1 - b * q2) / a
        q1, q2 = q2, qnew
        q = q + c * qnew
        b = b + 2
        d = 1 / (b + a * d)
        delh = (b * d - 1) * delh
        dels = q * delh
        # converged elements stay as they are (their q's would go on growing into overflow)
        h = np.where(done, h, h + delh)
        s = np.where(done, s, s + dels)
        done = done | (np.abs(dels) <= 1e-17 * np.abs(s))
        if done.all():
            break
    k = np.sqrt(math.pi / (2 * x)) / s
    return k, k * (nu + x + 0.5 - a1 * h) / x


def _bessel_k_np(x, nu, scale):
    """K_0, K_1 (times e^x if scale): for 0 < x <= 2 the series
    K0 = -(log(x/2) + gamma) I0 + sum H_k (x^2/4)^k / k!^2 and
    K1 = 1/x + log(x/2) I1 - (x/4) sum (psi(k+1) + psi(k+2)) (x^2/4)^k / (k! (k+1)!)
    (30 terms, error ~1e-16), above it Steed's continued fraction. inf at 0, NaN below."""
    x = _f64(x)
    out = np.full(x.shape, np.nan)
    small = (x > 0) & (x <= 2)
    if small.any():
        v = x[small]
        h = v * v / 4
        lg = np.log(v / 2)
        if nu == 0:
            t, hk, s = np.ones_like(v), 0.0, np.zeros_like(v)
            for k in range(1, 30):
                t = t * h / (k * k)
                hk += 1 / k
                s = s + hk * t
            r = -(lg + _EULER) * _bessel_i_series(v, 0, False) + s
        else:
            t = np.ones_like(v)
            psi1, psi2 = -_EULER, 1 - _EULER
            s = (psi1 + psi2) * t
            for k in range(1, 30):
                t = t * h / (k * (k + 1))
                psi1 += 1 / k
                psi2 += 1 / (k + 1)
                s = s + (psi1 + psi2) * t
            r = 1 / v + lg * _bessel_i_series(v, 1, False) - v / 4 * s
        out[small] = r * np.exp(v) if scale else r
    big = x > 2
    if big.any():
        v = x[big]
        k0, k1 = _bessel_k_steed(np.minimum(v, 1e300), 0.0)
        k0, k1 = np.where(np.isinf(v), 0.0, k0), np.where(np.isinf(v), 0.0, k1)
        r = k0 if nu == 0 else k1
        out[big] = r if scale else r * np.exp(-v)
    out = np.where(x == 0, np.inf, out)
    if not scale:
        out = np.where(np.isposinf(x), 0.0, out)
    return out


# ---------------------------------------------------------------- Bessel functions J, Y
def _hankel(x, nu):
    """Hankel's asymptotic P, Q for J_nu, Y_nu at x >= 12: terms prod (4nu^2 - (2j-1)^2) / (k! (8x)^k)
    summed while they fall (they do until k ~ 2x); relative error ~1e-10 at x = 12, falling as e^-2x."""
    mu = 4.0 * nu * nu
    term = np.ones_like(x)
    Pq, Qq = np.ones_like(x), np.zeros_like(x)
    live = np.ones(x.shape, bool)
    for k in range(1, 60):
        new = term * (mu - (2 * k - 1) ** 2) / (k * 8 * x)
        live = live & (np.abs(new) < np.abs(term))
        term = np.where(live, new, 0.0)
        sign = (-1) ** (k // 2)
        if k % 2 == 0:
            Pq = Pq + sign * term
        else:
            Qq = Qq + sign * term
        if not live.any():
            break
    chi = x - (nu / 2 + 0.25) * math.pi
    amp = np.sqrt(2 / (math.pi * x))
    return amp * (Pq * np.cos(chi) - Qq * np.sin(chi)), amp * (Pq * np.sin(chi) + Qq * np.cos(chi))


_J_SWITCH = 12.0  # series below, Hankel's expansion above


def _bessel_jy_small(v, nu):
    """J_nu and Y_nu for 0 < v < 12 by their series (50 terms); the alternating terms reach ~1e4,
    so the absolute error is about 1e-12."""
    h = v * v / 4
    lg = np.log(v / 2)
    if nu == 0:
        t = np.ones_like(v)
        j, s, hk = t.copy(), np.zeros_like(v), 0.0
        for k in range(1, 50):
            t = -t * h / (k * k)
            hk += 1 / k
            j = j + t
            s = s - hk * t  # (-1)^(k+1) H_k (x^2/4)^k / k!^2
        y = 2 / math.pi * ((lg + _EULER) * j + s)
        return j, y
    t = v / 2
    j = t.copy()
    psi1, psi2 = -_EULER, 1 - _EULER
    s = (psi1 + psi2) * t
    for k in range(1, 50):
        t = -t * h / (k * (k + 1))
        psi1 += 1 / k
        psi2 += 1 / (k + 1)
        j = j + t
        s = s + (psi1 + psi2) * t
    y = -2 / (math.pi * v) + 2 / math.pi * lg * j - s / math.pi
    return j, y


def _bessel_jy_np(x, nu, want_y):
    x = _f64(x)
    ax = np.abs(x)
    out = np.full(x.shape, np.nan)
    small = (ax > 0) & (ax < _J_SWITCH)
    if small.any():
        j, y = _bessel_jy_small(ax[small], nu)
        out[small] = y if want_y else j
    big = (ax >= _J_SWITCH) & np.isfinite(ax)
    if big.any():
        j, y = _hankel(ax[big], nu)
        out[big] = y if want_y else j
    if want_y:
        out = np.where(x < 0, np.nan, out)
        out = np.where(x == 0, -np.inf, out)
    else:
        if nu == 1:
            out = np.where(x < 0, -out, out)
        out = np.where(x == 0, 1.0 if nu == 0 else 0.0, out)
    return np.where(np.isinf(x), np.nan, out)  # torch's kernels give NaN at +-inf


BesselJ0 = _kernel("special_bessel_j0", lambda x: _bessel_jy_np(x, 0, False))
BesselJ1 = _kernel("special_bessel_j1", lambda x: _bessel_jy_np(x, 1, False))
BesselY0 = _kernel("special_bessel_y0", lambda x: _bessel_jy_np(x, 0, True))
BesselY1 = _kernel("special_bessel_y1", lambda x: _bessel_jy_np(x, 1, True))
# (torch's modified_bessel_i0/i1 give NaN at +-inf, where i0/i1 give inf)
ModifiedBesselI0 = _kernel("special_modified_bessel_i0",
                           lambda x: np.where(np.isinf(x), np.nan, _bessel_i_np(x, 0, False)))
ModifiedBesselI1 = _kernel("special_modified_bessel_i1",
                           lambda x: np.where(np.isinf(x), np.nan, _bessel_i_np(x, 1, False)))
ModifiedBesselK0 = _kernel("special_modified_bessel_k0", lambda x: _bessel_k_np(x, 0, False))
ModifiedBesselK1 = _kernel("special_modified_bessel_k1", lambda x: _bessel_k_np(x, 1, False))
ScaledModifiedBesselK0 = _kernel("special_scaled_modified_bessel_k0", lambda x: _bessel_k_np(x, 0, True))
ScaledModifiedBesselK1 = _kernel("special_scaled_modified_bessel_k1", lambda x: _bessel_k_np(x, 1, True))


def _spherical_j0_np(x):
    """sin(x)/x; its Taylor series 1 - x^2/6 + x^4/120 - x^6/5040 below 1e-2 (error < 1e-17)."""
    x = _f64(x)
    x2 = x * x
    small = np.abs(x) < 1e-2
    safe = np.where(small, 1.0, x)
    out = np.where(small, 1 - x2 / 6 * (1 - x2 / 20 * (1 - x2 / 42)), np.sin(safe) / safe)
    return np.where(np.isinf(x), 0.0, out)


SphericalBesselJ0 = _kernel("special_spherical_bessel_j0", _spherical_j0_np)


def bessel_j0(input):
    return _nodiff(BesselJ0, _as_float(input))


def bessel_j1(input):
    return _nodiff(BesselJ1, _as_float(input))


def bessel_y0(input):
    return _nodiff(BesselY0, _as_float(input))


def bessel_y1(input):
    return _nodiff(BesselY1, _as_float(input))


def modified_bessel_i0(input):
    return _nodiff(ModifiedBesselI0, _as_float(input))


def modified_bessel_i1(input):
    return _nodiff(ModifiedBesselI1, _as_float(input))


def modified_bessel_k0(input):
    return _nodiff(ModifiedBesselK0, _as_float(input))


def modified_bessel_k1(input):
    return _nodiff(ModifiedBesselK1, _as_float(input))


def scaled_modified_bessel_k0(input):
    return _nodiff(ScaledModifiedBesselK0, _as_float(input))


def scaled_modified_bessel_k1(input):
    return _nodiff(ScaledModifiedBesselK1, _as_float(input))


def spherical_bessel_j0(input):
    return _nodiff(SphericalBesselJ0, _as_float(input))


# ---------------------------------------------------------------- Airy Ai
_AI0, _AIP0 = 0.355028053887817239260, -0.258819403792806798405  # Ai(0), Ai'(0)


def _airy_taylor(x):
    """Ai(x) for -50 <= x <= 2 by marching Ai'' = x Ai from 0 with Taylor steps of at most 1/4
    (30 terms, c_(n+2) = (x0 c_n + c_(n-1)) / ((n+2)(n+1))): error ~1e-15 relative to the size of Ai's
    envelope (so absolute near its zeros)."""
    steps = np.maximum(1, np.ceil(np.abs(x) / 0.25)).astype(int)
    h = x / steps
    y, yp, x0 = np.full_like(x, _AI0), np.full_like(x, _AIP0), np.zeros_like(x)
    for s in range(int(steps.max(initial=1))):
        live = s < steps
        c_prev2, c_prev = y, yp  # c_0, c_1
        val, der = y + yp * h, yp.copy()
        hp = h.copy()  # h^(n-1) for the derivative, n = 1
        c = [y, yp]
        for n in range(2, 30):
            cn = (x0 * c[n - 2] + (c[n - 3] if n >= 3 else 0.0)) / (n * (n - 1))
            c.append(cn)
            der = der + n * cn * hp
            hp = hp * h
            val = val + cn * hp
        y, yp, x0 = np.where(live, val, y), np.where(live, der, yp), np.where(live, x0 + h, x0)
    return y


def _airy_np(x):
    """Ai(x): Taylor marching on [-50, 2]; above 2, Ai(x) = sqrt(x/3) K_1/3(z) / pi with z = 2/3 x^1.5
    and K by Steed's continued fraction (relative error ~1e-15); below -50 the oscillatory
    asymptotic expansion in 1/z (10 terms; error < 1e-16)."""
    x = _f64(x)
    out = np.full(x.shape, np.nan)
    mid = (x >= -50) & (x <= 2)
    if mid.any():
        out[mid] = _airy_taylor(x[mid])
    pos = x > 2
    if pos.any():
        v = np.minimum(x[pos], 1e100)
        z = 2 / 3 * v ** 1.5
        k, _ = _bessel_k_steed(z, 1 / 3)
        out[pos] = np.sqrt(v / 3) * k * np.exp(-z) / math.pi
    neg = np.isfinite(x) & (x < -50)
    if neg.any():
        v = -x[neg]
        z = 2 / 3 * v ** 1.5
        u, even, odd = 1.0, np.ones_like(v), np.zeros_like(v)
        zk = np.ones_like(v)
        for k in range(1, 20):
            u = u * (6 * k - 5) * (6 * k - 3) * (6 * k - 1) / ((2 * k - 1) * 216 * k)
            zk = zk / z
            sign = (-1) ** (k // 2)
            if k % 2 == 0:
                even = even + sign * u * zk
            else:
                odd = odd + sign * u * zk
        ang = z + math.pi / 4
        out[neg] = (np.sin(ang) * even - np.cos(ang) * odd) / (_SQRT_PI * v ** 0.25)
    return np.where(np.isinf(x), np.nan, out)  # NaN at +-inf, as torch


AiryAi = _kernel("special_airy_ai", _airy_np)


def airy_ai(input):
    """The Airy function Ai."""
    return _nodiff(AiryAi, _as_float(input))


# ---------------------------------------------------------------- orthogonal polynomials
def _poly_args(input, n):
    """(x, n) promoted as torch promotes them, and n's integer values."""
    x, nt = _pair(input, n)
    return x, nt


def _recurrence(x, n, p0, p1, step):
    """Evaluate p_n(x) elementwise for integer arrays n by p_(k+1) = step(k, x, p_k, p_(k-1))."""
    nmax = int(np.max(n, initial=1))
    p, q = np.broadcast_to(p0(x), n.shape).copy(), np.broadcast_to(p1(x), n.shape).copy()
    out = np.where(n == 0, p, q)
    for k in range(1, nmax):
        r = step(k, x, q, p)
        p, q = q, r
        out = np.where(n == k + 1, r, out)
    return out


def _cheb_kernel(kind, shifted):
    """torch's Chebyshev polynomial kernels (T, U, V, W, and the shifted ones on [0, 1]): the three-term
    recurrence, with the trigonometric closed forms for large n inside the interval as torch uses them."""
    def f(x, n):
        x, n = np.broadcast_arrays(_f64(x), _f64(n))
        n = np.trunc(n).astype(np.int64)
        t = 2 * x - 1 if shifted else x
        first = {"t": lambda t: t, "u": lambda t: 2 * t, "v": lambda t: 2 * t - 1, "w": lambda t: 2 * t + 1}[kind]
        out = _recurrence(t, n, np.ones_like, first, lambda k, t, q, p: 2 * t * q - p)
        inside = np.abs(t) < 1
        th = np.arccos(np.clip(t, -1, 1))
        big = n > (6 if kind == "t" else 8)
        with np.errstate(all="ignore"):
            if kind == "t":
                closed = np.cos(n * th)
            elif kind == "u":
                closed = np.where(np.sin(th) != 0, np.sin((n + 1) * th) / np.sin(th),
                                  (n + 1) * np.cos((n + 1) * th) / t)
            elif kind == "v":
                closed = np.cos((n + 0.5) * th) / np.cos(th / 2)
            else:
                closed = np.sin((n + 0.5) * th) / np.sin(th / 2)
        out = np.where(big & inside & np.isfinite(closed), closed, out)
        odd = n % 2 == 1
        # the ends of the interval: exact values
        if kind == "t":
            at1, atm1 = np.ones_like(t), np.where(odd, -1.0, 1.0)
        elif kind == "u":
            at1, atm1 = n + 1.0, np.where(odd, -(n + 1.0), n + 1.0)
        elif kind == "v":
            at1, atm1 = np.ones_like(t), np.where(odd, -(2 * n + 1.0), 2 * n + 1.0)
        else:
            at1, atm1 = 2 * n + 1.0, np.where(odd, -1.0, 1.0)
        out = np.where(t == 1, at1, np.where(t == -1, atm1, out))
        return np.where(n < 0, 0.0, out)
    return f


def _hermite_h(x, n):
    x, n = np.broadcast_arrays(_f64(x), _f64(n))
    n = np.trunc(n).astype(np.int64)
    out = _recurrence(x, n, np.ones_like, lambda x: 2 * x, lambda k, x, q, p: 2 * x * q - 2 * k * p)
    return np.where(n < 0, 0.0, out)


def _hermite_he(x, n):
    x, n = np.broadcast_arrays(_f64(x), _f64(n))
    n = np.trunc(n).astype(np.int64)
    out = _recurrence(x, n, np.ones_like, lambda x: x, lambda k, x, q, p: x * q - k * p)
    return np.where(n < 0, 0.0, out)


def _laguerre_l(x, n):
    x, n = np.broadcast_arrays(_f64(x), _f64(n))
    n = np.trunc(n).astype(np.int64)
    out = _recurrence(x, n, np.ones_like, lambda x: 1 - x, lambda k, x, q, p: ((2 * k + 1 - x) * q - k * p) / (k + 1))
    out = np.where(x == 0, 1.0, out)
    return np.where(n < 0, 0.0, out)


def _legendre_p(x, n):
    x, n = np.broadcast_arrays(_f64(x), _f64(n))
    n = np.trunc(n).astype(np.int64)
    out = _recurrence(x, n, np.ones_like, lambda x: x, lambda k, x, q, p: ((2 * k + 1) * x * q - k * p) / (k + 1))
    out = np.where(np.abs(x) == 1, np.where((x > 0) | (n % 2 == 0), 1.0, -1.0), out)
    return np.where(n < 0, 0.0, out)


_POLYS = {
    "chebyshev_polynomial_t": _cheb_kernel("t", False), "chebyshev_polynomial_u": _cheb_kernel("u", False),
    "chebyshev_polynomial_v": _cheb_kernel("v", False), "chebyshev_polynomial_w": _cheb_kernel("w", False),
    "shifted_chebyshev_polynomial_t": _cheb_kernel("t", True),
    "shifted_chebyshev_polynomial_u": _cheb_kernel("u", True),
    "shifted_chebyshev_polynomial_v": _cheb_kernel("v", True),
    "shifted_chebyshev_polynomial_w": _cheb_kernel("w", True),
    "hermite_polynomial_h": _hermite_h, "hermite_polynomial_he": _hermite_he,
    "laguerre_polynomial_l": _laguerre_l, "legendre_polynomial_p": _legendre_p,
}
_POLY_OPS = {name: _kernel("special_" + name, f) for name, f in _POLYS.items()}


def _polynomial(name):
    op = _POLY_OPS[name]

    def fn(input, n):
        x, nt = _poly_args(input, n)
        return _nodiff(op, x, nt)
    fn.__name__ = name
    fn.__doc__ = f"torch.special.{name}(input, n): the polynomial of degree n at input."
    return fn


chebyshev_polynomial_t = _polynomial("chebyshev_polynomial_t")
chebyshev_polynomial_u = _polynomial("chebyshev_polynomial_u")
chebyshev_polynomial_v = _polynomial("chebyshev_polynomial_v")
chebyshev_polynomial_w = _polynomial("chebyshev_polynomial_w")
shifted_chebyshev_polynomial_t = _polynomial("shifted_chebyshev_polynomial_t")
shifted_chebyshev_polynomial_u = _polynomial("shifted_chebyshev_polynomial_u")
shifted_chebyshev_polynomial_v = _polynomial("shifted_chebyshev_polynomial_v")
shifted_chebyshev_polynomial_w = _polynomial("shifted_chebyshev_polynomial_w")
hermite_polynomial_h = _polynomial("hermite_polynomial_h")
hermite_polynomial_he = _polynomial("hermite_polynomial_he")
laguerre_polynomial_l = _polynomial("laguerre_polynomial_l")
legendre_polynomial_p = _polynomial("legendre_polynomial_p")


# ---------------------------------------------------------------- torch's top-level names
def lgamma(input):
    return gammaln(input)


def mvlgamma(input, p):
    return multigammaln(input, p)


def igamma(input, other):
    return gammainc(input, other)


def igammac(input, other):
    return gammaincc(input, other)


from ._out import add_out as _add_out  # noqa: E402
_add_out(globals(), "special")  # torch.special.<fn>(..., out=t), as the top-level functions (ember/_out.py)
