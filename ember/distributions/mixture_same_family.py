"""`MixtureSameFamily`: a finite mixture whose components all come from one batched distribution."""
import ember
from .._tensor import Size
from . import constraints
from .categorical import Categorical
from .distribution import Distribution


class MixtureSameFamily(Distribution):
    """p(x) = sum_k pi_k p_k(x): `mixture_distribution` (a Categorical over K) picks the component, and the
    rightmost batch dimension (of size K) of `component_distribution` indexes the components."""
    arg_constraints = {}
    has_rsample = False

    def __init__(self, mixture_distribution, component_distribution, validate_args=None):
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError(" The Mixture distribution needs to be an  instance of torch.distributions.Categorical")
        if not isinstance(component_distribution, Distribution):
            raise ValueError("The Component distribution needs to be an instance of torch.distributions.Distribution")
        mix_batch, comp_batch = mixture_distribution.batch_shape, component_distribution.batch_shape[:-1]
        for a, b in zip(reversed(tuple(mix_batch)), reversed(tuple(comp_batch))):
            if a != 1 and b != 1 and a != b:
                raise ValueError(f"`mixture_distribution.batch_shape` ({mix_batch}) is not compatible with "
                                 f"`component_distribution.batch_shape`({comp_batch})")
        k_mix, k_comp = mixture_distribution.logits.shape[-1], component_distribution.batch_shape[-1]
        if k_mix != k_comp:
            raise ValueError(f"`mixture_distribution component` ({k_mix}) does not equal "
                             f"`component_distribution.batch_shape[-1]` ({k_comp})")
        self._mixture_distribution, self._component_distribution = mixture_distribution, component_distribution
        self._num_component = k_mix
        self._event_ndims = len(component_distribution.event_shape)
        super().__init__(comp_batch, component_distribution.event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(MixtureSameFamily, _instance)
        batch_shape = Size(batch_shape)
        new._component_distribution = self._component_distribution.expand(tuple(batch_shape) + (self._num_component,))
        new._mixture_distribution = self._mixture_distribution.expand(batch_shape)
        new._num_component, new._event_ndims = self._num_component, self._event_ndims
        return self._finish_expand(new, batch_shape, new._component_distribution.event_shape)

    @constraints.dependent_property
    def support(self):
        return constraints.MixtureSameFamilyConstraint(self._component_distribution.support)

    @property
    def mixture_distribution(self):
        return self._mixture_distribution

    @property
    def component_distribution(self):
        return self._component_distribution

    def _weights(self):
        """Mixture probabilities shaped to multiply the components' per-event quantities."""
        p = self._mixture_distribution.probs
        return p.reshape(tuple(p.shape) + (1,) * self._event_ndims)

    def _pad(self, x):
        """Room for the component dimension, just left of the event dimensions."""
        return x.unsqueeze(-1 - self._event_ndims)

    @property
    def mean(self):
        return (self._weights() * self._component_distribution.mean).sum(-1 - self._event_ndims)

    @property
    def variance(self):
        # law of total variance: E[Var(X | k)] + Var(E[X | k])
        w, comp, k_dim = self._weights(), self._component_distribution, -1 - self._event_ndims
        spread = (comp.mean - self._pad(self.mean)).pow(2.0)
        return (w * comp.variance).sum(k_dim) + (w * spread).sum(k_dim)

    def cdf(self, x):
        return (self._component_distribution.cdf(self._pad(x)) * self._mixture_distribution.probs).sum(-1)

    def log_prob(self, x):
        if self._validate_args:
            self._validate_sample(x)
        log_px = self._component_distribution.log_prob(self._pad(x))
        log_w = ember.log_softmax(self._mixture_distribution.logits, dim=-1)
        return ember.logsumexp(log_px + log_w, dim=-1)  # log sum_k pi_k p_k(x), without underflow

    def sample(self, sample_shape=Size()):
        with ember.no_grad():
            # draw the component indices first, then every component, and keep the chosen one (torch's order)
            k = self._mixture_distribution.sample(sample_shape)
            xs = self._component_distribution.sample(sample_shape)  # sample + batch + (K,) + event
            event = tuple(self.event_shape)
            k_dim = len(tuple(sample_shape)) + len(tuple(self.batch_shape))
            index = k.reshape(tuple(k.shape) + (1,) * (len(event) + 1)).expand(tuple(k.shape) + (1,) + event)
            return xs.gather(k_dim, index).squeeze(k_dim)

    def __repr__(self):
        return f"{type(self).__name__}(\n  {self._mixture_distribution},\n  {self._component_distribution})"
