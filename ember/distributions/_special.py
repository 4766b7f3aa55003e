"""The few special functions the distributions need (log-gamma, digamma, trigamma, multivariate
log-gamma), with gradients.

The numerics run in float64 and round to the input's dtype: lgamma through glibc (``math.lgamma``,
correctly rounded to about 1 ulp); digamma and trigamma by the recurrence up to x >= 10 and their
asymptotic series there (truncation error below 1e-15), with the reflection formula below 0.5.
"""
import math

import numpy as np

from ..autograd.function import Op


def _lgamma_np(x):
    def one(v):
        if v <= 0 and v == math.floor(v):
            return math.inf  # poles at 0, -1, -2, ... (torch gives +inf)
        return math.lgamma(v) if math.isfinite(v) else (math.inf if v == math.inf else math.nan)
    x64 = np.asarray(x, np.float64)
    out = np.fromiter(map(one, x64.ravel().tolist()), np.float64, x64.size).reshape(x64.shape)
    return out.astype(_float_dtype(x), copy=False)


def _float_dtype(x):
    """The result dtype of a float function of `x`: its own if floating, else the default (as torch)."""
    dt = np.asarray(x).dtype
    if dt.kind == "f":
        return dt
    from .._dtype import get_default_dtype
    return get_default_dtype().np


def _digamma_np(x):
    x = np.asarray(x, np.float64)
    with np.errstate(all="ignore"):
        refl = x < 0.5
        y = np.where(refl, 1 - x, x)
        acc = np.zeros_like(y)
        for _ in range(10):  # psi(y) = psi(y + 1) - 1 / y until y >= 10
            small = y < 10
            acc = acc - np.where(small, 1 / y, 0)
            y = np.where(small, y + 1, y)
        z = 1 / (y * y)
        series = z * (1 / 12 - z * (1 / 120 - z * (1 / 252 - z * (1 / 240 - z * (1 / 132)))))
        out = acc + np.log(y) - 0.5 / y - series
        out = np.where(refl, out - np.pi / np.tan(np.pi * x), out)
        out = np.where(x == 0, -np.inf, out)
        out = np.where((x < 0) & (x == np.floor(x)), np.nan, out)
    return out


def _trigamma_np(x):
    x = np.asarray(x, np.float64)
    with np.errstate(all="ignore"):
        refl = x < 0.5
        y = np.where(refl, 1 - x, x)
        acc = np.zeros_like(y)
        for _ in range(10):  # psi1(y) = psi1(y + 1) + 1 / y**2 until y >= 10
            small = y < 10
            acc = acc + np.where(small, 1 / (y * y), 0)
            y = np.where(small, y + 1, y)
        z = 1 / (y * y)
        series = 1 / y + z / 2 + z / y * (1 / 6 - z * (1 / 30 - z * (1 / 42 - z * (1 / 30))))
        out = acc + series
        # reflection: psi1(1 - x) + psi1(x) = pi^2 / sin^2(pi x)
        out = np.where(refl, (np.pi / np.sin(np.pi * x)) ** 2 - out, out)
    return out


class Lgamma(Op):
    def forward(self, x):
        return _lgamma_np(x)

    def backward(self, gy):
        return gy * digamma(self.inputs[0])


class Digamma(Op):
    def forward(self, x):
        return _digamma_np(x).astype(_float_dtype(x), copy=False)

    def backward(self, gy):
        return gy * _trigamma(self.inputs[0])


class Trigamma(Op):
    def forward(self, x):
        return _trigamma_np(x).astype(_float_dtype(x), copy=False)


def _trigamma(x):
    return Trigamma.apply(x)


def lgamma(x):
    return Lgamma.apply(x)


def digamma(x):
    return Digamma.apply(x)


def polygamma1(x):
    return _trigamma(x)


def mvlgamma(x, p):
    """Multivariate log-gamma: sum_i lgamma(x - i/2) + p(p-1)/4 log(pi)."""
    import ember
    args = ember.stack([x - i / 2 for i in range(p)], dim=-1)
    return lgamma(args).sum(-1) + p * (p - 1) / 4 * math.log(math.pi)



def _gammainc_np(a, x):
    """The regularized lower incomplete gamma P(a, x): its series below x = a + 1, Lentz's continued
    fraction for Q = 1 - P above (Numerical Recipes' gser/gcf; 300 terms, relative error ~1e-15)."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    with np.errstate(all="ignore"):
        lg = _lgamma_np(a)
        front = np.exp(a * np.log(x) - x - lg)
        # series: P = front * sum_n x^n / (a (a+1) ... (a+n))
        term = 1 / a
        total = term.copy()
        ap = a.copy()
        for _ in range(300):
            ap = ap + 1
            term = term * x / ap
            total = total + term
        p_series = front * total
        # continued fraction for Q
        tiny = 1e-300
        b = x + 1 - a
        c = np.full_like(x, 1 / tiny)
        d = 1 / np.where(b == 0, tiny, b)
        h = d.copy()
        for i in range(1, 300):
            an = -i * (i - a)
            b = b + 2
            d = an * d + b
            d = np.where(np.abs(d) < tiny, tiny, d)
            c = b + an / c
            c = np.where(np.abs(c) < tiny, tiny, c)
            d = 1 / d
            h = h * d * c
        p_cf = 1 - front * h
        out = np.where(x < a + 1, p_series, p_cf)
        out = np.where(x <= 0, 0.0, out)
        out = np.where(np.isinf(x) & (x > 0), 1.0, out)
    return out


class Gammainc(Op):
    def forward(self, a, x):
        return _gammainc_np(a, x).astype(np.result_type(a, x), copy=False)

    def backward(self, gy):
        a, x = self.inputs
        if self.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'igamma: input' is not implemented.")
        import ember
        return None, gy * ember.exp((a - 1) * ember.log(x) - x - lgamma(a))


def gammainc(a, x):
    """torch.special.gammainc (gradient in x only, as torch)."""
    return Gammainc.apply(a, x)
