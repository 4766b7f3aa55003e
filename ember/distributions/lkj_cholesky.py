"""`LKJCholesky`: the LKJ distribution over correlation matrices, on their lower Cholesky factors.

The density of the factor L is proportional to prod_{i=2..d} L_ii^(d - i + 2 eta - 2), eta the
concentration (eta = 1: uniform over correlation matrices). Samples come from the onion method
(Lewandowski, Kurowicka & Joe, 2009): each row below the first is a random direction scaled by the
square root of a Beta draw, and the diagonal makes the row a unit vector."""
import math

import ember
from . import constraints
from ._shared import Expand
from .beta import Beta
from .distribution import Distribution
from .utils import _finfo, broadcast_all


class LKJCholesky(Distribution):
    """LKJ over `dim` x `dim` correlation Cholesky factors with shape `concentration`."""
    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim, concentration=1.0, validate_args=None):
        if dim < 2:
            raise ValueError(f"Expected dim to be an integer greater than or equal to 2. Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        c = self.concentration
        # one Beta per row (row 0 unused), with torch's parameters: k = (0, 0, 1, ..., dim - 2),
        # Beta(k + 1/2, eta + (dim - 2)/2 - k/2)
        k = ember.cat([ember.zeros(1, dtype=c.dtype), ember.arange(dim - 1, dtype=c.dtype)])
        self._beta = Beta(k + 0.5, (c + 0.5 * (dim - 2)).unsqueeze(-1) - 0.5 * k)
        super().__init__(c.shape, (dim, dim), validate_args=validate_args)

    expand = Expand("concentration")

    def sample(self, sample_shape=()):
        y = self._beta.sample(sample_shape).unsqueeze(-1)  # squared norms of the off-diagonal rows
        u = ember.randn(tuple(self._extended_shape(sample_shape)), dtype=y.dtype).tril(-1)
        direction = u / u.norm(dim=-1, keepdim=True)
        first_row = (ember.arange(self.dim) == 0).unsqueeze(-1)
        direction = ember.where(first_row, 0.0, direction)  # row 0 has no off-diagonal entries (0/0 above)
        w = y.sqrt() * direction
        # unit rows: the diagonal takes what is left (at least tiny, so L stays invertible)
        diag = (1 - w.pow(2).sum(-1)).clamp(min=float(_finfo(w.dtype).tiny)).sqrt()
        return w + ember.diag_embed(diag)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        d, eta = self.dim, self.concentration
        diag = value.diagonal(dim1=-1, dim2=-2)[..., 1:]
        power = 2 * (eta - 1).unsqueeze(-1) + d - ember.arange(2, d + 1, dtype=eta.dtype)
        unnormalized = (power * diag.log()).sum(-1)
        # log normalizer: (d-1)/2 log(pi) + log Gamma_{d-1}(alpha - 1/2) - (d-1) log Gamma(alpha), alpha = eta + (d-1)/2
        alpha = eta + 0.5 * (d - 1)
        log_norm = (0.5 * (d - 1) * math.log(math.pi) + ember.mvlgamma(alpha - 0.5, d - 1)
                    - (d - 1) * ember.lgamma(alpha))
        return unnormalized - log_norm
