"""Transforms: invertible (or at least computable) maps y = f(x) between constraint sets, with
log|det df/dx| so that densities can be pushed through them (torch.distributions.transforms)."""
import math
import numbers
import weakref
from functools import reduce

import ember
from . import constraints
from .utils import _finfo, _sum_rightmost, broadcast_all, tril_matrix_to_vec, vec_to_tril_matrix

__all__ = ["AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform", "CorrCholeskyTransform",
           "CumulativeDistributionTransform", "ExpTransform", "IndependentTransform", "LowerCholeskyTransform",
           "PositiveDefiniteTransform", "PowerTransform", "ReshapeTransform", "SigmoidTransform", "SoftplusTransform",
           "TanhTransform", "SoftmaxTransform", "StackTransform", "StickBreakingTransform", "Transform",
           "identity_transform"]


def _softplus(x):
    return ember.nn.functional.softplus(x)


def _clipped_sigmoid(x):
    # keep sigmoid strictly inside (0, 1): its log and log(1 - .) must stay finite downstream
    fi = _finfo(x.dtype)
    return ember.sigmoid(x).clamp(min=float(fi.tiny), max=1.0 - float(fi.eps))


def _at_least(shape, n):
    """`shape` as a tuple, after checking it has n dimensions or more."""
    if len(shape) < n:
        raise ValueError("Too few dimensions on input")
    return tuple(shape)


def _prepend(x, value, end=False):
    """x with one more entry `value` at the start (or end) of its last dimension."""
    edge = ember.full(tuple(x.shape[:-1]) + (1,), value, dtype=x.dtype)
    return ember.cat([x, edge] if end else [edge, x], -1)


class Transform:
    """A map y = f(x) from ``domain`` to ``codomain``.

    Subclasses write ``_call`` (x -> y), ``_inverse`` (y -> x) and ``log_abs_det_jacobian``. With
    ``cache_size=1`` the last (x, y) pair is remembered, so that ``t.inv(t(x)) is x``.
    """
    bijective = False
    domain = constraints.real
    codomain = constraints.real

    def __init__(self, cache_size=0):
        if cache_size not in (0, 1):
            raise ValueError("cache_size must be 0 or 1")
        self._cache_size = cache_size
        self._cached_x_y = None, None
        self._inv = None  # a weak reference to the inverse, built on first use

    def __getstate__(self):
        state = dict(self.__dict__)
        if isinstance(state["_inv"], weakref.ref):
            state["_inv"] = None  # weak references do not pickle; the inverse is rebuilt on demand
        return state

    @property
    def event_dim(self):
        if self.domain.event_dim == self.codomain.event_dim:
            return self.domain.event_dim
        raise ValueError("Please use either .domain.event_dim or .codomain.event_dim")

    @property
    def inv(self):
        """The inverse transform (t.inv.inv is t)."""
        inv = self._inv() if self._inv is not None else None
        if inv is None:
            inv = _InverseTransform(self)
            self._inv = weakref.ref(inv)
        return inv

    @property
    def sign(self):
        """+1 or -1: whether the (elementwise) map increases or decreases."""
        raise NotImplementedError

    def _params(self):
        """The constructor's positional arguments, from which `with_cache` rebuilds the transform."""
        if type(self).__init__ is not Transform.__init__:
            raise NotImplementedError(f"{type(self)}.with_cache is not implemented")
        return ()

    def with_cache(self, cache_size=1):
        """This transform with a cache of `cache_size` (0 or 1)."""
        return self if self._cache_size == cache_size else type(self)(*self._params(), cache_size=cache_size)

    def __eq__(self, other):
        return self is other

    __hash__ = object.__hash__

    def _cached(self, v, side):
        """Map v forward (side 0: v is an x) or back (side 1: v is a y), reusing the cached pair when v is in it."""
        if not self._cache_size:
            return self._call(v) if side == 0 else self._inverse(v)
        pair = self._cached_x_y
        if v is pair[side]:
            return pair[1 - side]
        out = self._call(v) if side == 0 else self._inverse(v)
        self._cached_x_y = (v, out) if side == 0 else (out, v)
        return out

    def __call__(self, x):
        return self._cached(x, 0)

    def _inv_call(self, y):
        return self._cached(y, 1)

    def _call(self, x):
        raise NotImplementedError

    def _inverse(self, y):
        raise NotImplementedError

    def log_abs_det_jacobian(self, x, y):
        raise NotImplementedError

    def forward_shape(self, shape):
        """The shape of f(x) for x of `shape`."""
        return shape

    def inverse_shape(self, shape):
        """The shape of the preimage of y of `shape`."""
        return shape

    def __repr__(self):
        return type(self).__name__ + "()"


class _InverseTransform(Transform):
    """The inverse of a transform, sharing its cache by calling back into it."""

    def __init__(self, transform):
        super().__init__(cache_size=transform._cache_size)
        self._inv = transform  # a strong reference: the inverse keeps its forward alive

    domain = property(lambda self: self._inv.codomain)
    codomain = property(lambda self: self._inv.domain)
    bijective = property(lambda self: self._inv.bijective)
    sign = property(lambda self: self._inv.sign)
    inv = property(lambda self: self._inv)

    def with_cache(self, cache_size=1):
        return self.inv.with_cache(cache_size).inv

    def __eq__(self, other):
        return isinstance(other, _InverseTransform) and self._inv == other._inv

    __hash__ = object.__hash__

    def __repr__(self):
        return f"{type(self).__name__}({self._inv!r})"

    def __call__(self, x):
        return self._inv._inv_call(x)

    def log_abs_det_jacobian(self, x, y):
        return -self._inv.log_abs_det_jacobian(y, x)

    def forward_shape(self, shape):
        return self._inv.inverse_shape(shape)

    def inverse_shape(self, shape):
        return self._inv.forward_shape(shape)


class _ByType(Transform):
    """A parameterless transform: any two instances are equal."""

    def __eq__(self, other):
        return type(other) is type(self)

    __hash__ = object.__hash__


# ------------------------------------------------------------------------------ combinators
class ComposeTransform(Transform):
    """parts[-1](...parts[0](x)); the empty composition is the identity."""

    def __init__(self, parts, cache_size=0):
        parts = [p.with_cache(cache_size) for p in parts] if cache_size else list(parts)
        super().__init__(cache_size=cache_size)
        self.parts = parts

    def __eq__(self, other):
        return isinstance(other, ComposeTransform) and self.parts == other.parts

    __hash__ = object.__hash__

    def _widen(self, constraint, parts, into, out_of):
        """`constraint` made independent over as many dims as the chain of parts consumes end to end."""
        dim = getattr(parts[-1], out_of).event_dim
        for p in reversed(parts):
            dim = max(dim + getattr(p, into).event_dim - getattr(p, out_of).event_dim, getattr(p, into).event_dim)
        assert dim >= constraint.event_dim
        return constraints.independent(constraint, dim - constraint.event_dim) if dim > constraint.event_dim \
            else constraint

    @property
    def domain(self):
        if not self.parts:
            return constraints.real
        return self._widen(self.parts[0].domain, self.parts, "domain", "codomain")

    @property
    def codomain(self):
        if not self.parts:
            return constraints.real
        return self._widen(self.parts[-1].codomain, self.parts[::-1], "codomain", "domain")

    @property
    def bijective(self):
        return all(p.bijective for p in self.parts)

    @property
    def sign(self):
        return reduce(lambda s, p: s * p.sign, self.parts, 1)

    @property
    def inv(self):
        inv = self._inv() if self._inv is not None else None
        if inv is None:
            inv = ComposeTransform([p.inv for p in reversed(self.parts)])
            self._inv = weakref.ref(inv)
            inv._inv = weakref.ref(self)
        return inv

    def _params(self):
        return (self.parts,)

    def __call__(self, x):
        for p in self.parts:
            x = p(x)
        return x

    def log_abs_det_jacobian(self, x, y):
        if not self.parts:
            return ember.zeros_like(x)
        xs = [x]
        for p in self.parts[:-1]:
            xs.append(p(xs[-1]))
        xs.append(y)
        # each part's term is summed over the event dims the whole chain has but that part does not
        dim, total = self.domain.event_dim, 0
        for p, a, b in zip(self.parts, xs[:-1], xs[1:]):
            total = total + _sum_rightmost(p.log_abs_det_jacobian(a, b), dim - p.domain.event_dim)
            dim += p.codomain.event_dim - p.domain.event_dim
        return total

    def forward_shape(self, shape):
        for p in self.parts:
            shape = p.forward_shape(shape)
        return shape

    def inverse_shape(self, shape):
        for p in reversed(self.parts):
            shape = p.inverse_shape(shape)
        return shape

    def __repr__(self):
        return type(self).__name__ + "(\n    " + ",\n    ".join(repr(p) for p in self.parts) + "\n)"


identity_transform = ComposeTransform([])


class IndependentTransform(Transform):
    """`base_transform` with its `reinterpreted_batch_ndims` rightmost batch dims read as event dims."""

    def __init__(self, base_transform, reinterpreted_batch_ndims, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.base_transform = base_transform.with_cache(cache_size)
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    def _params(self):
        return self.base_transform, self.reinterpreted_batch_ndims

    domain = property(lambda self: constraints.independent(self.base_transform.domain, self.reinterpreted_batch_ndims))
    codomain = property(lambda self: constraints.independent(self.base_transform.codomain,
                                                             self.reinterpreted_batch_ndims))
    bijective = property(lambda self: self.base_transform.bijective)
    sign = property(lambda self: self.base_transform.sign)

    def _call(self, x):
        _at_least(x.shape, self.domain.event_dim)
        return self.base_transform(x)

    def _inverse(self, y):
        _at_least(y.shape, self.codomain.event_dim)
        return self.base_transform.inv(y)

    def log_abs_det_jacobian(self, x, y):
        return _sum_rightmost(self.base_transform.log_abs_det_jacobian(x, y), self.reinterpreted_batch_ndims)

    def __repr__(self):
        return f"{type(self).__name__}({self.base_transform!r}, {self.reinterpreted_batch_ndims})"

    def forward_shape(self, shape):
        return self.base_transform.forward_shape(shape)

    def inverse_shape(self, shape):
        return self.base_transform.inverse_shape(shape)


class ReshapeTransform(Transform):
    """Reshapes the rightmost `in_shape` dimensions into `out_shape` (log-det 0)."""
    bijective = True

    def __init__(self, in_shape, out_shape, cache_size=0):
        self.in_shape, self.out_shape = ember.Size(in_shape), ember.Size(out_shape)
        if self.in_shape.numel() != self.out_shape.numel():
            raise ValueError("in_shape, out_shape have different numbers of elements")
        super().__init__(cache_size=cache_size)

    domain = property(lambda self: constraints.independent(constraints.real, len(self.in_shape)))
    codomain = property(lambda self: constraints.independent(constraints.real, len(self.out_shape)))

    def _params(self):
        return self.in_shape, self.out_shape

    @staticmethod
    def _swap(x, old, new):
        return x.reshape(tuple(x.shape[:x.dim() - len(old)]) + tuple(new))

    def _call(self, x):
        return self._swap(x, self.in_shape, self.out_shape)

    def _inverse(self, y):
        return self._swap(y, self.out_shape, self.in_shape)

    def log_abs_det_jacobian(self, x, y):
        return x.new_zeros(tuple(x.shape[:x.dim() - len(self.in_shape)]))

    @staticmethod
    def _reshape_shape(shape, old, new):
        cut = len(_at_least(shape, len(old))) - len(old)
        if tuple(shape[cut:]) != tuple(old):
            raise ValueError(f"Shape mismatch: expected {tuple(shape[cut:])} but got {old}")
        return tuple(shape[:cut]) + tuple(new)

    def forward_shape(self, shape):
        return self._reshape_shape(shape, self.in_shape, self.out_shape)

    def inverse_shape(self, shape):
        return self._reshape_shape(shape, self.out_shape, self.in_shape)


# ------------------------------------------------------------------------------ elementwise maps
class ExpTransform(_ByType):
    """y = exp(x)."""
    codomain, bijective, sign = constraints.positive, True, +1

    def _call(self, x):
        return x.exp()

    def _inverse(self, y):
        return y.log()

    def log_abs_det_jacobian(self, x, y):
        return x  # d exp(x)/dx = exp(x)


class PowerTransform(Transform):
    """y = x ** exponent on the positive reals."""
    domain = codomain = constraints.positive
    bijective = True

    def __init__(self, exponent, cache_size=0):
        super().__init__(cache_size=cache_size)
        (self.exponent,) = broadcast_all(exponent)

    def _params(self):
        return (self.exponent,)

    @property
    def sign(self):
        return self.exponent.sign()

    def __eq__(self, other):
        return isinstance(other, PowerTransform) and bool(self.exponent.eq(other.exponent).all().item())

    __hash__ = object.__hash__

    def _call(self, x):
        return x.pow(self.exponent)

    def _inverse(self, y):
        return y.pow(1 / self.exponent)

    def log_abs_det_jacobian(self, x, y):
        return (self.exponent * y / x).abs().log()  # |e x^(e-1)| = |e y / x|

    def forward_shape(self, shape):
        return ember.broadcast_shapes(shape, tuple(getattr(self.exponent, "shape", ())))

    inverse_shape = forward_shape


class SigmoidTransform(_ByType):
    """y = 1 / (1 + exp(-x))."""
    codomain, bijective, sign = constraints.unit_interval, True, +1

    def _call(self, x):
        return _clipped_sigmoid(x)

    def _inverse(self, y):
        fi = _finfo(y.dtype)
        y = y.clamp(min=float(fi.tiny), max=1.0 - float(fi.eps))
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x, y):
        return -_softplus(-x) - _softplus(x)  # log s(x)(1 - s(x)), computed stably


class TanhTransform(_ByType):
    """y = tanh(x)."""
    codomain, bijective, sign = constraints.interval(-1.0, 1.0), True, +1

    def _call(self, x):
        return x.tanh()

    def _inverse(self, y):
        return y.atanh()

    def log_abs_det_jacobian(self, x, y):
        # log(1 - tanh(x)^2) = 2 (log 2 - x - softplus(-2x)): no cancellation for large |x|
        return 2.0 * (math.log(2.0) - x - _softplus(-2.0 * x))


class SoftplusTransform(_ByType):
    """y = log(1 + exp(x))."""
    codomain, bijective, sign = constraints.positive, True, +1

    def _call(self, x):
        return _softplus(x)

    def _inverse(self, y):
        return (-y).expm1().neg().log() + y  # log(exp(y) - 1) = y + log(1 - exp(-y))

    def log_abs_det_jacobian(self, x, y):
        return -_softplus(-x)  # log sigmoid(x)


class AbsTransform(_ByType):
    """y = |x| (not injective: the inverse returns the nonnegative preimage)."""
    codomain = constraints.positive

    def _call(self, x):
        return x.abs()

    def _inverse(self, y):
        return y


class AffineTransform(Transform):
    """y = loc + scale * x, over `event_dim` rightmost dimensions."""
    bijective = True

    def __init__(self, loc, scale, event_dim=0, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.loc, self.scale, self._event_dim = loc, scale, event_dim

    @property
    def event_dim(self):
        return self._event_dim

    @property
    def domain(self):
        return constraints.real if not self._event_dim else constraints.independent(constraints.real, self._event_dim)

    codomain = domain

    def _params(self):
        return self.loc, self.scale, self._event_dim

    def __eq__(self, other):
        if not isinstance(other, AffineTransform):
            return False

        def same(a, b):
            if isinstance(a, numbers.Number) and isinstance(b, numbers.Number):
                return a == b
            return bool((a == b).all().item())
        return same(self.loc, other.loc) and same(self.scale, other.scale)

    __hash__ = object.__hash__

    @property
    def sign(self):
        s = self.scale
        return int(s > 0) - int(s < 0) if isinstance(s, numbers.Real) else s.sign()

    def _call(self, x):
        return self.loc + self.scale * x

    def _inverse(self, y):
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x, y):
        s = self.scale
        out = ember.full_like(x, math.log(abs(s))) if isinstance(s, numbers.Real) else s.abs().log()
        shape = tuple(x.shape)
        if self._event_dim:
            out = _sum_rightmost(out, self._event_dim)
            shape = shape[:len(shape) - self._event_dim]
        return out.expand(shape)

    def forward_shape(self, shape):
        return ember.broadcast_shapes(shape, tuple(getattr(self.loc, "shape", ())),
                                      tuple(getattr(self.scale, "shape", ())))

    inverse_shape = forward_shape


# ------------------------------------------------------------------------------ vector and matrix maps
class CorrCholeskyTransform(_ByType):
    """Unconstrained vectors of length D(D-1)/2 -> Cholesky factors of D x D correlation matrices.

    tanh turns each entry into a partial correlation z_ij in (-1, 1); row i is then built by stick breaking:
    L_ij = z_ij * sqrt(1 - sum_{k<j} L_ik^2), and the diagonal takes what is left, so every row has unit norm.
    """
    domain, codomain, bijective = constraints.real_vector, constraints.corr_cholesky, True

    def _call(self, x):
        eps = float(_finfo(x.dtype).eps)
        z = vec_to_tril_matrix(x.tanh().clamp(min=-1 + eps, max=1 - eps), diag=-1)
        # sqrt of what each row has left before column j: prod_{k<j} sqrt(1 - z_ik^2)
        left = _prepend((1 - z * z).sqrt().cumprod(-1)[..., :-1], 1.0)
        return (z + ember.eye(z.shape[-1], dtype=z.dtype)) * left

    def _inverse(self, y):
        left = _prepend((1 - (y * y).cumsum(-1))[..., :-1], 1.0)
        z = tril_matrix_to_vec(y, diag=-1) / tril_matrix_to_vec(left, diag=-1).sqrt()
        return z.atanh()

    def log_abs_det_jacobian(self, x, y, intermediates=None):
        # stick breaking: dL_ij/dz_ij = sqrt(1 - sum_{k<j} L_ik^2); the entries with j >= 1 lie below diagonal -2
        left = 1 - (y * y).cumsum(-1)
        stick = 0.5 * tril_matrix_to_vec(left, diag=-2).log().sum(-1)  # select first: the row ends hold log(0)
        tanh = 2.0 * (math.log(2.0) - x - _softplus(-2.0 * x)).sum(-1)  # log(1 - tanh(x)^2)
        return stick + tanh

    def forward_shape(self, shape):
        n = _at_least(shape, 1)[-1]
        d = round((0.25 + 2 * n) ** 0.5 + 0.5)  # the root of d(d-1)/2 = n
        if d * (d - 1) // 2 != n:
            raise ValueError("Input is not a flattend lower-diagonal number")
        return tuple(shape[:-1]) + (d, d)

    def inverse_shape(self, shape):
        if _at_least(shape, 2)[-2] != shape[-1]:
            raise ValueError("Input is not square")
        d = shape[-1]
        return tuple(shape[:-2]) + (d * (d - 1) // 2,)


class SoftmaxTransform(_ByType):
    """Unconstrained vectors -> the simplex by softmax (not injective; the inverse is the log)."""
    domain, codomain = constraints.real_vector, constraints.simplex

    def _call(self, x):
        p = (x - x.max(-1, True)[0]).exp()  # shifted by the max: exp cannot overflow
        return p / p.sum(-1, True)

    def _inverse(self, y):
        return y.log()

    def forward_shape(self, shape):
        _at_least(shape, 1)
        return shape

    inverse_shape = forward_shape


class StickBreakingTransform(_ByType):
    """R^(K-1) -> the K-simplex by stick breaking: piece k takes the fraction
    z_k = sigmoid(x_k - log(K - k)) of what is left; the shift maps x = 0 to the uniform vector."""
    domain, codomain, bijective = constraints.real_vector, constraints.simplex, True

    @staticmethod
    def _shift(n, like):
        return (n - ember.arange(n, dtype=like.dtype)).log()  # log(K - k) for k = 1..K-1

    def _call(self, x):
        z = _clipped_sigmoid(x - self._shift(x.shape[-1], x))
        rest = (1 - z).cumprod(-1)
        return _prepend(z, 1.0, end=True) * _prepend(rest, 1.0)

    def _inverse(self, y):
        head = y[..., :-1]
        left = (1 - head.cumsum(-1)).clamp(min=float(_finfo(y.dtype).tiny))
        return head.log() - left.log() + self._shift(head.shape[-1], y)  # logit(z_k) + log(K - k)

    def log_abs_det_jacobian(self, x, y):
        # triangular Jacobian: dy_k/dx_k = y_k (1 - z_k), and log(1 - z) = logsigmoid(u) - u with u = x - shift
        u = x - self._shift(x.shape[-1], x)
        return (-u + ember.nn.functional.logsigmoid(u) + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape):
        return _at_least(shape, 1)[:-1] + (shape[-1] + 1,)  # K-1 free coordinates -> K probabilities

    def inverse_shape(self, shape):
        return _at_least(shape, 1)[:-1] + (shape[-1] - 1,)


class LowerCholeskyTransform(_ByType):
    """Square matrices -> lower triangular with positive diagonal: keep the strict lower part, exp the diagonal."""
    domain, codomain = constraints.independent(constraints.real, 2), constraints.lower_cholesky

    @staticmethod
    def _map(x, fn):
        return x.tril(-1) + fn(x.diagonal(dim1=-2, dim2=-1)).diag_embed()

    def _call(self, x):
        return self._map(x, ember.exp)

    def _inverse(self, y):
        return self._map(y, ember.log)


class PositiveDefiniteTransform(_ByType):
    """Square matrices -> positive definite ones, as L L^T of their lower Cholesky image."""
    domain, codomain = constraints.independent(constraints.real, 2), constraints.positive_definite

    def _call(self, x):
        low = LowerCholeskyTransform()(x)
        return low @ low.mT

    def _inverse(self, y):
        return LowerCholeskyTransform().inv(ember.linalg.cholesky(y))


# ------------------------------------------------------------------------------ transforms side by side
class _Joint(Transform):
    """Transforms `tseq` applied to parts of a tensor along `dim`."""

    def __init__(self, tseq, dim, cache_size):
        assert all(isinstance(t, Transform) for t in tseq)
        super().__init__(cache_size=cache_size)
        self.transforms = [t.with_cache(cache_size) for t in tseq] if cache_size else list(tseq)
        self.dim = dim

    @property
    def bijective(self):
        return all(t.bijective for t in self.transforms)

    def _check(self, x, size):
        assert -x.dim() <= self.dim < x.dim() and x.size(self.dim) == size


class CatTransform(_Joint):
    """tseq[i] applies to the slice of length lengths[i] along `dim`."""

    def __init__(self, tseq, dim=0, lengths=None, cache_size=0):
        super().__init__(tseq, dim, cache_size)
        self.lengths = [1] * len(self.transforms) if lengths is None else list(lengths)
        assert len(self.lengths) == len(self.transforms)

    def _params(self):
        return self.transforms, self.dim, self.lengths

    @property
    def event_dim(self):
        return max(t.event_dim for t in self.transforms)

    @property
    def length(self):
        return sum(self.lengths)

    def _pieces(self, *tensors):
        """(transform, slices of each tensor) for every piece along `dim`."""
        self._check(tensors[0], self.length)
        start = 0
        for t, n in zip(self.transforms, self.lengths):
            yield t, [v.narrow(self.dim, start, n) for v in tensors]
            start += n

    def _call(self, x):
        return ember.cat([t(a) for t, (a,) in self._pieces(x)], self.dim)

    def _inverse(self, y):
        return ember.cat([t.inv(b) for t, (b,) in self._pieces(y)], self.dim)

    def log_abs_det_jacobian(self, x, y):
        terms = [_sum_rightmost(t.log_abs_det_jacobian(a, b), self.event_dim - t.event_dim)
                 for t, (a, b) in self._pieces(x, y)]
        # `dim` counted from the right, after the event dims are summed out: a batch dim -> concatenate the
        # pieces' terms; an event dim -> the pieces are parts of one event, so their terms add
        dim = (self.dim - x.dim() if self.dim >= 0 else self.dim) + self.event_dim
        return ember.cat(terms, dim) if dim < 0 else sum(terms)

    domain = property(lambda self: constraints.cat([t.domain for t in self.transforms], self.dim, self.lengths))
    codomain = property(lambda self: constraints.cat([t.codomain for t in self.transforms], self.dim, self.lengths))


class StackTransform(_Joint):
    """tseq[i] applies to entry i along `dim`."""

    def __init__(self, tseq, dim=0, cache_size=0):
        super().__init__(tseq, dim, cache_size)

    def _params(self):
        return self.transforms, self.dim

    def _each(self, fn, *tensors):
        self._check(tensors[0], len(self.transforms))
        parts = zip(self.transforms, *(v.unbind(self.dim) for v in tensors))
        return ember.stack([fn(t, *vs) for t, *vs in parts], self.dim)

    def _call(self, x):
        return self._each(lambda t, a: t(a), x)

    def _inverse(self, y):
        return self._each(lambda t, b: t.inv(b), y)

    def log_abs_det_jacobian(self, x, y):
        return self._each(lambda t, a, b: t.log_abs_det_jacobian(a, b), x, y)

    domain = property(lambda self: constraints.stack([t.domain for t in self.transforms], self.dim))
    codomain = property(lambda self: constraints.stack([t.codomain for t in self.transforms], self.dim))


class CumulativeDistributionTransform(Transform):
    """x -> F(x), the CDF of a univariate `distribution`; its log-det is the log-density."""
    bijective, codomain, sign = True, constraints.unit_interval, +1

    def __init__(self, distribution, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.distribution = distribution

    @property
    def domain(self):
        return self.distribution.support

    def _call(self, x):
        return self.distribution.cdf(x)

    def _inverse(self, y):
        return self.distribution.icdf(y)

    def log_abs_det_jacobian(self, x, y):
        return self.distribution.log_prob(x)

    def _params(self):
        return (self.distribution,)
