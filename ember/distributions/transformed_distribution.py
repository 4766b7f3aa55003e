"""`TransformedDistribution`: the law of Y = f(X) for X from a base distribution and f a chain of transforms."""
import ember
from .._tensor import Size
from . import constraints
from .distribution import Distribution
from .independent import Independent
from .transforms import ComposeTransform, Transform
from .utils import _sum_rightmost


class TransformedDistribution(Distribution):
    """Y = transforms[-1](...transforms[0](X)). By change of variables,
    log p(y) = log p_X(x) - sum_i log|det J_i|, each term summed over the event dims it does not have itself."""
    arg_constraints = {}

    def __init__(self, base_distribution, transforms, validate_args=None):
        if isinstance(transforms, Transform):
            transforms = [transforms]
        elif not (isinstance(transforms, list) and all(isinstance(t, Transform) for t in transforms)):
            raise ValueError(f"transforms must be a Transform or a list of Transforms, but was {transforms}")
        self.transforms = transforms
        chain = ComposeTransform(transforms)
        base_shape = tuple(base_distribution.batch_shape) + tuple(base_distribution.event_shape)
        base_event = len(base_distribution.event_shape)
        if len(base_shape) < chain.domain.event_dim:
            raise ValueError(f"base_distribution needs to have shape with size at least {chain.domain.event_dim}, "
                             f"but got {Size(base_shape)}.")
        shape = tuple(chain.forward_shape(base_shape))
        full_base = tuple(chain.inverse_shape(shape))
        if full_base != base_shape:  # the transforms' parameters broadcast the base: expand it to match
            base_distribution = base_distribution.expand(full_base[:len(full_base) - base_event])
        if chain.domain.event_dim > base_event:  # the chain reads some base batch dims as one event
            base_distribution = Independent(base_distribution, chain.domain.event_dim - base_event)
        self.base_dist = base_distribution
        event_dim = chain.codomain.event_dim + max(base_event - chain.domain.event_dim, 0)
        cut = len(shape) - event_dim
        super().__init__(shape[:cut], shape[cut:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(TransformedDistribution, _instance)
        batch_shape = Size(batch_shape)
        base = tuple(ComposeTransform(self.transforms).inverse_shape(tuple(batch_shape) + tuple(self.event_shape)))
        new.base_dist = self.base_dist.expand(base[:len(base) - len(self.base_dist.event_shape)])
        new.transforms = self.transforms
        return self._finish_expand(new, batch_shape, self.event_shape)

    @constraints.dependent_property(is_discrete=False)
    def support(self):
        if not self.transforms:
            return self.base_dist.support
        s = self.transforms[-1].codomain
        extra = len(self.event_shape) - s.event_dim
        return constraints.independent(s, extra) if extra > 0 else s

    has_rsample = property(lambda self: self.base_dist.has_rsample)

    def _push(self, x):
        """x through the chain of transforms."""
        for t in self.transforms:
            x = t(x)
        return x

    def _pull(self, y):
        """y back through the chain's inverses."""
        for t in self.transforms[::-1]:
            y = t.inv(y)
        return y

    def sample(self, sample_shape=Size()):
        with ember.no_grad():
            return self._push(self.base_dist.sample(sample_shape))

    def rsample(self, sample_shape=Size()):
        return self._push(self.base_dist.rsample(sample_shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        event_dim, y, lp = len(self.event_shape), value, 0.0
        for t in self.transforms[::-1]:
            x = t.inv(y)
            event_dim += t.domain.event_dim - t.codomain.event_dim
            lp = lp - _sum_rightmost(t.log_abs_det_jacobian(x, y), event_dim - t.domain.event_dim)
            y = x
        return lp + _sum_rightmost(self.base_dist.log_prob(y), event_dim - len(self.base_dist.event_shape))

    def _monotonize_cdf(self, value):
        """F_Y(y) = F_X(x) for an increasing chain, 1 - F_X(x) for a decreasing one."""
        sign = ComposeTransform(self.transforms).sign  # +1 or -1 (elementwise when a scale is a tensor)
        if isinstance(sign, int) and sign == 1:
            return value
        return 0.5 + sign * (value - 0.5)  # maps u to 1 - u where the sign is -1

    def cdf(self, value):
        x = self._pull(value)
        if self._validate_args:
            self.base_dist._validate_sample(x)
        return self._monotonize_cdf(self.base_dist.cdf(x))

    def icdf(self, value):
        return self._push(self.base_dist.icdf(self._monotonize_cdf(value)))
