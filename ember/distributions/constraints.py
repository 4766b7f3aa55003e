"""Constraints: the set a parameter or a sample lives in (torch.distributions.constraints).

``check(value)`` answers elementwise over the batch: the last ``event_dim`` dimensions of `value` form one
point and collapse into one bool. ``is_discrete`` says whether the set is countable.
"""
import ember

__all__ = ["Constraint", "boolean", "cat", "corr_cholesky", "dependent", "dependent_property", "greater_than",
           "greater_than_eq", "independent", "integer_interval", "interval", "half_open_interval", "is_dependent",
           "less_than", "lower_cholesky", "lower_triangular", "MixtureSameFamilyConstraint", "multinomial",
           "nonnegative", "nonnegative_integer", "one_hot", "positive", "positive_semidefinite", "positive_definite",
           "positive_integer", "real", "real_vector", "simplex", "square", "stack", "symmetric", "unit_interval"]


class Constraint:
    """A set; ``check`` says which values lie in it."""
    is_discrete = False
    event_dim = 0

    def check(self, value):
        raise NotImplementedError

    def __repr__(self):
        return type(self).__name__.lstrip("_") + "()"


def _all_last(x, n):
    """x reduced with `all` over its last n dimensions."""
    return x.reshape(tuple(x.shape[:x.dim() - n]) + (-1,)).all(-1) if n else x


# --------------------------------------------------------------------- constraints known only at run time
class _Dependent(Constraint):
    """A constraint that depends on other parameters (a Uniform's support, a Binomial's count)."""

    def __init__(self, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        self._is_discrete, self._event_dim = is_discrete, event_dim

    @property
    def is_discrete(self):
        if self._is_discrete is NotImplemented:
            raise NotImplementedError(".is_discrete cannot be determined statically")
        return self._is_discrete

    @property
    def event_dim(self):
        if self._event_dim is NotImplemented:
            raise NotImplementedError(".event_dim cannot be determined statically")
        return self._event_dim

    def __call__(self, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        """A copy with the given static facts filled in."""
        return _Dependent(is_discrete=self._is_discrete if is_discrete is NotImplemented else is_discrete,
                          event_dim=self._event_dim if event_dim is NotImplemented else event_dim)

    def check(self, x):
        raise ValueError("Cannot determine validity of dependent constraint")


def is_dependent(constraint):
    """Whether `constraint` is only known once the distribution's parameters are."""
    return isinstance(constraint, _Dependent)


class _DependentProperty(property, _Dependent):
    """A property that the class also reads as a dependent constraint; usable as ``@dependent_property`` or
    ``@dependent_property(is_discrete=..., event_dim=...)``."""

    def __init__(self, fn=None, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        property.__init__(self, fn)
        _Dependent.__init__(self, is_discrete=is_discrete, event_dim=event_dim)

    def __call__(self, fn):
        return _DependentProperty(fn, is_discrete=self._is_discrete, event_dim=self._event_dim)


# --------------------------------------------------------------------- wrappers
class _Wrapped(Constraint):
    """A constraint read through another one, `base_constraint`, with `extra_dims` more event dims."""
    extra_dims = 0

    def __init__(self, base_constraint):
        assert isinstance(base_constraint, Constraint)
        self.base_constraint = base_constraint

    is_discrete = property(lambda self: self.base_constraint.is_discrete)
    event_dim = property(lambda self: self.base_constraint.event_dim + self.extra_dims)


class _IndependentConstraint(_Wrapped):
    """`base_constraint` with its `reinterpreted_batch_ndims` rightmost batch dims read as event."""

    def __init__(self, base_constraint, reinterpreted_batch_ndims):
        assert isinstance(reinterpreted_batch_ndims, int) and reinterpreted_batch_ndims >= 0
        super().__init__(base_constraint)
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    extra_dims = property(lambda self: self.reinterpreted_batch_ndims)

    def check(self, value):
        ok = self.base_constraint.check(value)
        if ok.dim() < self.reinterpreted_batch_ndims:
            raise ValueError(f"Expected value.dim() >= {self.event_dim} but got {value.dim()}")
        return _all_last(ok, self.reinterpreted_batch_ndims)

    def __repr__(self):
        return f"IndependentConstraint({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


class MixtureSameFamilyConstraint(_Wrapped):
    """The support of a mixture's components, checked over the mixture's batch."""

    def check(self, value):
        ok = self.base_constraint.check(value)
        if value.dim() == 0:
            return ok
        keep = value.dim() - self.event_dim
        return ok.reshape(tuple(ok.shape[:keep]) + (-1,)).all(-1)

    def __repr__(self):
        return f"MixtureSameFamilyConstraint({self.base_constraint!r})"


# --------------------------------------------------------------------- discrete sets
class _Boolean(Constraint):
    is_discrete = True

    def check(self, value):
        return (value == 0) | (value == 1)


class _OneHot(Constraint):
    is_discrete, event_dim = True, 1

    def check(self, value):
        return _Boolean().check(value).all(-1) & (value.sum(-1) == 1)


class _Bounded(Constraint):
    """Shared by the bounded sets: stores the bounds and prints them as torch does."""
    _bounds = ()

    def __init__(self, *bounds):
        for name, b in zip(self._bounds, bounds):
            setattr(self, name, b)
        super().__init__()

    def __repr__(self):
        inner = ", ".join(f"{n}={getattr(self, n)}" for n in self._bounds)
        return f"{type(self).__name__.lstrip('_')}({inner})"


def _is_int(value):
    return value % 1 == 0


class _IntegerInterval(_Bounded):
    is_discrete, _bounds = True, ("lower_bound", "upper_bound")

    def check(self, value):
        return _is_int(value) & (self.lower_bound <= value) & (value <= self.upper_bound)


class _IntegerLessThan(_Bounded):
    is_discrete, _bounds = True, ("upper_bound",)

    def check(self, value):
        return _is_int(value) & (value <= self.upper_bound)


class _IntegerGreaterThan(_Bounded):
    is_discrete, _bounds = True, ("lower_bound",)

    def check(self, value):
        return _is_int(value) & (value >= self.lower_bound)


class _Multinomial(_Bounded):
    """Nonnegative counts that add up to at most `upper_bound`."""
    is_discrete, event_dim, _bounds = True, 1, ("upper_bound",)

    def check(self, x):
        return (x >= 0).all(-1) & (x.sum(-1) <= self.upper_bound)

    def __repr__(self):
        return "Multinomial()"


# --------------------------------------------------------------------- real sets
class _Real(Constraint):
    def check(self, value):
        return value == value  # False only at NaN


class _GreaterThan(_Bounded):
    _bounds = ("lower_bound",)

    def check(self, value):
        return value > self.lower_bound


class _GreaterThanEq(_GreaterThan):
    def check(self, value):
        return value >= self.lower_bound


class _LessThan(_Bounded):
    _bounds = ("upper_bound",)

    def check(self, value):
        return value < self.upper_bound


class _Interval(_Bounded):
    _bounds = ("lower_bound", "upper_bound")

    def check(self, value):
        return (self.lower_bound <= value) & (value <= self.upper_bound)


class _HalfOpenInterval(_Interval):
    def check(self, value):
        return (self.lower_bound <= value) & (value < self.upper_bound)


class _Simplex(Constraint):
    """Nonnegative vectors summing to 1 (to within 1e-6)."""
    event_dim = 1

    def check(self, value):
        return (value >= 0).all(-1) & ((value.sum(-1) - 1).abs() < 1e-6)


# --------------------------------------------------------------------- matrix sets
class _Matrix(Constraint):
    event_dim = 2


class _Square(_Matrix):
    def check(self, value):
        return ember.full(tuple(value.shape[:-2]), value.shape[-2] == value.shape[-1], dtype=ember.bool)


class _Symmetric(_Square):
    def check(self, value):
        square = super().check(value)
        if not square.all():
            return square
        return ember.isclose(value, value.mT, atol=1e-6).all(-1).all(-1)


class _PositiveSemidefinite(_Symmetric):
    def check(self, value):
        sym = super().check(value)
        return sym if not sym.all() else (ember.linalg.eigvalsh(value) >= 0).all(-1)


class _PositiveDefinite(_Symmetric):
    def check(self, value):
        sym = super().check(value)
        return sym if not sym.all() else ember.linalg.cholesky_ex(value).info == 0  # Cholesky exists iff PD


def _is_tril(value):
    return (value == value.tril()).all(-1).all(-1)


class _LowerTriangular(_Matrix):
    def check(self, value):
        return _is_tril(value)


class _LowerCholesky(_Matrix):
    """Lower triangular with a positive diagonal."""

    def check(self, value):
        return _is_tril(value) & (value.diagonal(dim1=-2, dim2=-1) > 0).all(-1)


class _CorrCholesky(_Matrix):
    """Cholesky factors of correlation matrices: lower Cholesky with rows of unit length."""

    def check(self, value):
        from .utils import _finfo
        tol = float(_finfo(value.dtype).eps) * value.shape[-1] * 10  # rounding grows with the row length
        unit_rows = ((value.norm(dim=-1) - 1).abs() <= tol).all(-1)
        return _LowerCholesky().check(value) & unit_rows


# --------------------------------------------------------------------- several constraints side by side
class _Joint(Constraint):
    """Constraints `cseq` applied to parts of a tensor along `dim`."""

    def __init__(self, cseq, dim):
        self.cseq, self.dim = list(cseq), dim
        assert all(isinstance(c, Constraint) for c in self.cseq)

    is_discrete = property(lambda self: any(c.is_discrete for c in self.cseq))

    def _parts_checked(self, value, parts):
        assert -value.dim() <= self.dim < value.dim()
        return [c.check(v) for c, v in zip(self.cseq, parts)]


class _Cat(_Joint):
    """Constraint i applies to the slice of length lengths[i] along `dim`."""

    def __init__(self, cseq, dim=0, lengths=None):
        super().__init__(cseq, dim)
        self.lengths = [1] * len(self.cseq) if lengths is None else list(lengths)
        assert len(self.lengths) == len(self.cseq)

    event_dim = property(lambda self: max(c.event_dim for c in self.cseq))

    def check(self, value):
        starts = [sum(self.lengths[:i]) for i in range(len(self.lengths))]
        parts = [value.narrow(self.dim, a, n) for a, n in zip(starts, self.lengths)]
        return ember.cat(self._parts_checked(value, parts), self.dim)


class _Stack(_Joint):
    """Constraint i applies to entry i along `dim`."""

    def __init__(self, cseq, dim=0):
        super().__init__(cseq, dim)

    @property
    def event_dim(self):
        d = max(c.event_dim for c in self.cseq)
        return d + 1 if self.dim + d < 0 else d  # stacking along an event dimension adds one

    def check(self, value):
        return ember.stack(self._parts_checked(value, value.unbind(self.dim)), self.dim)


# --------------------------------------------------------------------- public instances, torch's names
dependent = _Dependent()
dependent_property = _DependentProperty
independent = _IndependentConstraint
boolean = _Boolean()
one_hot = _OneHot()
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
integer_interval = _IntegerInterval
real = _Real()
real_vector = independent(real, 1)
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
multinomial = _Multinomial
unit_interval = _Interval(0.0, 1.0)
interval = _Interval
half_open_interval = _HalfOpenInterval
simplex = _Simplex()
lower_triangular = _LowerTriangular()
lower_cholesky = _LowerCholesky()
corr_cholesky = _CorrCholesky()
square = _Square()
symmetric = _Symmetric()
positive_semidefinite = _PositiveSemidefinite()
positive_definite = _PositiveDefinite()
cat = _Cat
stack = _Stack
