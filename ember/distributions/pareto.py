"""`Pareto`: scale * exp(E) for E ~ Exponential(alpha); density alpha scale^alpha / x^(alpha+1), x >= scale."""
import ember
from . import constraints
from ._shared import Expand
from .exponential import Exponential
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, ExpTransform
from .utils import broadcast_all


class Pareto(TransformedDistribution):
    """The Pareto type I distribution with minimum `scale` and tail index `alpha`."""
    arg_constraints = {"alpha": constraints.positive, "scale": constraints.positive}

    def __init__(self, scale, alpha, validate_args=None):
        self.scale, self.alpha = broadcast_all(scale, alpha)
        super().__init__(Exponential(self.alpha, validate_args=validate_args),
                         [ExpTransform(), AffineTransform(loc=0, scale=self.scale)], validate_args=validate_args)

    expand = Expand("scale", "alpha", transformed=True)

    @property
    def mean(self):
        a = self.alpha.clamp(min=1)  # infinite for alpha <= 1
        return self.scale * a / (a - 1)

    mode = property(lambda self: self.scale)

    @property
    def variance(self):
        a = self.alpha.clamp(min=2)  # infinite for alpha <= 2
        return (self.scale / (a - 1)).pow(2) * a / (a - 2)

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        return constraints.greater_than_eq(self.scale)

    # closed forms of what the transforms compute: y = log(x / scale) ~ Exponential(alpha)
    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ember.log(self.alpha) - self.alpha * ember.log(value / self.scale) - ember.log(value)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 1 - ember.exp(-self.alpha * ember.log(value / self.scale))

    def icdf(self, value):
        return self.scale * ember.exp(-ember.log1p(-value) / self.alpha)

    def entropy(self):
        return ember.log(self.scale / self.alpha) + 1 + 1 / self.alpha
