"""`biject_to` and `transform_to`: from an unconstrained real tensor to a constraint's set.

``biject_to(c)`` is a bijection (needed for densities, e.g. in HMC); ``transform_to(c)`` need only land in the
set (e.g. softmax onto the simplex, for optimizing constrained parameters). Both look up the constraint's
class; ``register`` adds a factory ``fn(constraint) -> Transform``.
"""
import numbers

from . import constraints, transforms

__all__ = ["ConstraintRegistry", "biject_to", "transform_to"]


class ConstraintRegistry:
    """Constraint class -> factory building the transform for an instance of it."""

    def __init__(self):
        self._registry = {}

    def register(self, constraint, factory=None):
        """Register `factory` for `constraint` (a Constraint subclass or an instance, meaning its class);
        used bare, as a decorator."""
        if factory is None:
            return lambda f: self.register(constraint, f)
        kind = type(constraint) if isinstance(constraint, constraints.Constraint) else constraint
        if not (isinstance(kind, type) and issubclass(kind, constraints.Constraint)):
            raise TypeError(f"Expected constraint to be either a Constraint subclass or instance, but got {kind}")
        self._registry[kind] = factory
        return factory

    def __call__(self, constraint):
        kind = type(constraint)
        if kind not in self._registry:
            raise NotImplementedError(f"Cannot transform {kind.__name__} constraints")
        return self._registry[kind](constraint)


biject_to, transform_to = ConstraintRegistry(), ConstraintRegistry()


def _both(*classes):
    """Register one factory in both registries for each of `classes`."""
    def deco(fn):
        for c in classes:
            biject_to.register(c, fn)
            transform_to.register(c, fn)
        return fn
    return deco


@_both(constraints.real)
def _to_real(c):
    return transforms.identity_transform  # the one shared empty composition


@_both(constraints.greater_than, constraints.greater_than_eq)
def _to_greater_than(c):
    return transforms.ComposeTransform([transforms.ExpTransform(), transforms.AffineTransform(c.lower_bound, 1)])


@_both(constraints.less_than)
def _to_less_than(c):
    return transforms.ComposeTransform([transforms.ExpTransform(), transforms.AffineTransform(c.upper_bound, -1)])


@_both(constraints.interval, constraints.half_open_interval)
def _to_interval(c):
    lo, hi = c.lower_bound, c.upper_bound
    if isinstance(lo, numbers.Number) and isinstance(hi, numbers.Number) and lo == 0 and hi == 1:
        return transforms.SigmoidTransform()  # the unit interval needs no affine step
    return transforms.ComposeTransform([transforms.SigmoidTransform(), transforms.AffineTransform(lo, hi - lo)])


# constraints whose transform takes no parameters: (constraint, transform class, registries)
_FIXED = [
    (constraints.corr_cholesky, transforms.CorrCholeskyTransform, (biject_to, transform_to)),
    (constraints.simplex, transforms.StickBreakingTransform, (biject_to,)),  # a bijection onto the simplex
    (constraints.simplex, transforms.SoftmaxTransform, (transform_to,)),  # simpler, but not injective
    (constraints.lower_cholesky, transforms.LowerCholeskyTransform, (transform_to,)),
    (constraints.positive_definite, transforms.PositiveDefiniteTransform, (transform_to,)),
    (constraints.positive_semidefinite, transforms.PositiveDefiniteTransform, (transform_to,)),
]
for _c, _t, _regs in _FIXED:
    for _r in _regs:
        _r.register(_c, lambda c, t=_t: t())


def _composite(registry):
    """Factories for the constraints built from others: the same registry's transform of each part."""
    registry.register(constraints.independent, lambda c: transforms.IndependentTransform(
        registry(c.base_constraint), c.reinterpreted_batch_ndims))
    registry.register(constraints.cat, lambda c: transforms.CatTransform([registry(p) for p in c.cseq], c.dim,
                                                                         c.lengths))
    registry.register(constraints.stack, lambda c: transforms.StackTransform([registry(p) for p in c.cseq], c.dim))


_composite(biject_to)
_composite(transform_to)
