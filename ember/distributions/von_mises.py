"""`VonMises`: the circular normal, density exp(k cos(x - loc)) / (2 pi I0(k)) on [-pi, pi)."""
import math

import ember
from .._tensor import Size
from . import constraints
from ._shared import Expand
from .distribution import Distribution
from .utils import broadcast_all, lazy_property

# Abramowitz & Stegun 9.8.1-9.8.4: polynomial approximations of I0 and I1 (relative error < 2e-7), in
# t = (x / 3.75)^2 below 3.75 and in t = 3.75 / x above, where the factor exp(x) / sqrt(x) is taken out
_SMALL = {0: [1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.0360768, 0.0045813],
          1: [0.5, 0.87890594, 0.51498869, 0.15084934, 0.02658733, 0.00301532, 0.00032411]}
_LARGE = {0: [0.39894228, 0.01328592, 0.00225319, -0.00157565, 0.00916281, -0.02057706, 0.02635537,
              -0.01647633, 0.00392377],
          1: [0.39894228, -0.03988024, -0.00362018, 0.00163801, -0.01031555, 0.02282967, -0.02895312,
              0.01787654, -0.00420059]}


def _poly(coeffs, t):
    """sum_i coeffs[i] t^i by Horner's rule."""
    out = coeffs[-1]
    for c in reversed(coeffs[:-1]):
        out = out * t + c
    return out


def _log_bessel_i(x, order):
    """log I_order(x) for x > 0 (order 0 or 1), through the A&S approximations."""
    small = _poly(_SMALL[order], (x / 3.75).pow(2)).log()
    if order == 1:
        small = small + x.log()  # I1(x) = x * poly
    large = x - 0.5 * x.log() + _poly(_LARGE[order], 3.75 / x).log()
    return ember.where(x < 3.75, small, large)


def _best_fisher(loc, kappa, r, shape):
    """Best & Fisher's (1979) rejection sampler, on three uniforms per element and round; each round
    draws for every element and keeps its latest accepted proposal. Returns angles in [-pi, pi)."""
    x = ember.zeros(shape, dtype=loc.dtype)
    done = ember.zeros(shape, dtype=ember.bool)
    while not bool(done.all()):
        u1, u2, u3 = ember.rand((3,) + tuple(shape), dtype=loc.dtype).unbind()
        z = ember.cos(math.pi * u1)
        f = (1 + r * z) / (r + z)
        c = kappa * (r - f)
        accept = (c * (2 - c) - u2 > 0) | ((c / u2).log() + 1 - c >= 0)
        x = ember.where(accept, (u3 - 0.5).sign() * f.acos(), x)
        done = done | accept
    return (x + math.pi + loc) % (2 * math.pi) - math.pi


class VonMises(Distribution):
    """The von Mises distribution with mean direction `loc` and `concentration` (kappa)."""
    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, concentration, validate_args=None):
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(self.loc.shape, Size(), validate_args=validate_args)

    expand = Expand("loc", "concentration")

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        k = self.concentration
        return k * ember.cos(value - self.loc) - math.log(2 * math.pi) - _log_bessel_i(k, 0)

    # the sampler runs in float64 whatever the parameters' dtype
    @lazy_property
    def _loc(self):
        return self.loc.to(ember.float64)

    @lazy_property
    def _concentration(self):
        return self.concentration.to(ember.float64)

    @lazy_property
    def _proposal_r(self):
        k = self._concentration
        tau = 1 + (1 + 4 * k.pow(2)).sqrt()
        rho = (tau - (2 * tau).sqrt()) / (2 * k)
        return (1 + rho.pow(2)) / (2 * rho)

    def sample(self, sample_shape=Size()):
        with ember.no_grad():
            shape = tuple(self._extended_shape(sample_shape))
            x = _best_fisher(self._loc, self._concentration, self._proposal_r, shape)
            return x.to(self.loc.dtype)

    mean = property(lambda self: self.loc)
    mode = property(lambda self: self.loc)

    @lazy_property
    def variance(self):
        # circular variance 1 - I1(k) / I0(k)
        k = self.concentration
        return 1 - (_log_bessel_i(k, 1) - _log_bessel_i(k, 0)).exp()
