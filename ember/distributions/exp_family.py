"""`ExponentialFamily`: p(x) = exp(<t(x), theta> - F(theta) + k(x)); entropy and KL follow from F alone."""
import ember
from .distribution import Distribution


class ExponentialFamily(Distribution):
    """Base of the exponential families. A subclass names its natural parameters theta, the log-normalizer F
    (``_log_normalizer``) and E[k(X)] (``_mean_carrier_measure``)."""

    @property
    def _natural_params(self):
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        raise NotImplementedError

    def entropy(self):
        """H = F(theta) - <theta, grad F(theta)> - E[k(X)]; grad F(theta) = E[t(X)] comes from autograd."""
        theta = [p.detach().requires_grad_() for p in self._natural_params]
        f = self._log_normalizer(*theta)
        grad_f = ember.autograd.grad(f.sum(), theta, create_graph=True)
        h = f - self._mean_carrier_measure
        for t, g in zip(theta, grad_f):
            h = h - (t * g).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return h
