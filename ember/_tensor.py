"""The Tensor: a NumPy (or CuPy) array plus what autograd needs to know about it.

Every method here is one line that delegates to the op that implements it in
``ember/ops``; the ops hold the maths, the engine (``ember/autograd``) the bookkeeping.
"""
import functools as _functools
import operator as _operator

import numpy as np

from . import _dtype
from ._backend import device_of, to_device, get_array_module

_from_np = _dtype._from_np
_new, _ndarray, _add_reduce = object.__new__, np.ndarray, np.add.reduce


class Size(tuple):
    """A tensor's shape: a tuple, printed like torch.Size."""

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self):
        return f"ember.Size({list(self)})"

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r


class Tensor:
    """A multi-dimensional array that can record the operations made on it."""
    __slots__ = ("_data", "_rg", "grad", "grad_fn", "_out_nr", "_version", "_base", "_view", "_hooks",
                 "__weakref__", "__dict__")

    def _init(self, data, requires_grad=False):
        self._data = data
        self._rg = requires_grad
        self.grad = self.grad_fn = self._base = self._view = self._hooks = None
        self._out_nr = 0
        self._version = [0]  # shared by all views of one memory, bumped by in-place ops

    def __init__(self, *args, device=None):
        # torch.Tensor(2, 3) / Tensor(Size) is uninitialised, Tensor(data) copies data in the default
        # dtype, Tensor(tensor) shares its memory (the legacy forms, in _legacy.py)
        from ._legacy import legacy_data
        self._init(legacy_data(args, None, device))

    # ------------------------------------------------------------------ properties
    @property
    def data(self):
        """The same memory, detached from the graph."""
        return self.detach()

    @data.setter
    def data(self, value):
        self._data = value._data

    @property
    def requires_grad(self):
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value):
        if self.grad_fn is not None and not value:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want "
                               "to use a computed variable in a subgraph that doesn't require "
                               "differentiation use var_no_grad = var.detach().")
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._rg = bool(value)

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        return _from_np[self._data.dtype]

    @property
    def device(self):
        return device_of(self._data)

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    def stride(self, dim=None):
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self):
        base = self._data
        while base.base is not None and isinstance(base.base, type(self._data)):
            base = base.base
        return (self._data.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // self._data.itemsize

    def is_contiguous(self, memory_format=None):
        if memory_format is channels_last or memory_format is channels_last_3d:
            n = self._data.ndim  # contiguous with the channels dim innermost (N, H, W, C order)
            return n == (4 if memory_format is channels_last else 5) and \
                _S.permute(self, (0,) + tuple(range(2, n)) + (1,))._data.flags.c_contiguous
        return self._data.flags.c_contiguous

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return self._data.dtype.kind == "c"

    @property
    def T(self):
        return _S.permute(self, tuple(range(self._data.ndim - 1, -1, -1)))

    @property
    def mT(self):
        return _S.transpose(self, -2, -1)

    @property
    def H(self):
        return self.T.conj()

    @property
    def mH(self):
        return self.mT.conj()

    @property
    def real(self):
        return _P.real(self)

    @property
    def imag(self):
        return _P.imag(self)

    @property
    def _version_counter(self):
        return self._version[0]

    # ------------------------------------------------------------------ conversion
    def item(self):
        if _trace.host is not None:  # (ember.compile: a value read on the host)
            _trace.host(self)
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item()

    def tolist(self):
        if _trace.host is not None:
            _trace.host(self)
        return to_device(self._data, "cpu").tolist()

    def numpy(self, force=False):
        if _trace.host is not None:
            _trace.host(self)
        if self._rg and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if get_array_module(self._data) is not np:
            if not force:
                raise TypeError("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to "
                                "copy the tensor to host memory first.")
            return to_device(self._data, "cpu")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if _trace.host is not None:
            _trace.host(self)
        a = to_device(self._data, "cpu")
        return a if dtype is None else a.astype(dtype)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(_S.unbind(self, 0))

    def __bool__(self):
        if _trace.host is not None:
            _trace.host(self)
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    __hash__ = object.__hash__  # by identity, as torch's (and in C: tensors key optimizer state)

    def __repr__(self):
        if _trace.host is not None:
            _trace.host(self)
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        # plain pickle (used by multiprocessing data loaders) carries the array and requires_grad
        return (_rebuild, (to_device(self._data, "cpu"), self._rg))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment.")
        new = type(self).__new__(type(self))
        new._init(self._data.copy(), self._rg)
        if self.grad is not None:
            new.grad = self.grad.clone()
        new.__dict__.update(self.__dict__)
        memo[id(self)] = new
        return new

    # ------------------------------------------------------------------ autograd
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        t = Tensor.__new__(Tensor)
        t._init(self._data)
        t._version, t._base = self._version, self._base
        return t

    def detach_(self):
        self.grad_fn, self._rg = None, False
        return self

    def retain_grad(self):
        if self.grad_fn is None:
            return
        import weakref
        f = self.grad_fn
        f.retained = dict(f.retained or {})
        f.retained[self._out_nr] = weakref.ref(self)

    @property
    def retains_grad(self):
        f = self.grad_fn
        return bool(f is not None and f.retained and self._out_nr in f.retained)

    def register_hook(self, hook):
        """Call `hook(grad)` when this tensor's gradient is computed; it may return a new gradient."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            self._hooks = (self._hooks or []) + [hook]
            owner, key = self, None
        else:
            f = self.grad_fn
            f.hooks = dict(f.hooks or {})
            f.hooks[self._out_nr] = f.hooks.get(self._out_nr, []) + [hook]
            owner, key = f, self._out_nr
        return _RemovableHandle(owner, key, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call `hook(self)` after a gradient has been accumulated into this leaf's ``.grad``."""
        from .autograd.engine import register_post_accumulate_grad_hook
        return register_post_accumulate_grad_hook(self, hook)

    # ------------------------------------------------------------------ dtype / device
    def to(self, *args, **kwargs):
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``; ``copy=True`` forces a copy."""
        dt, dev = kwargs.get("dtype"), kwargs.get("device")
        for a in args:
            if isinstance(a, Tensor):
                dt, dev = a.dtype, a.device
            elif isinstance(a, _dtype.dtype) or (isinstance(a, type) and a in (float, int, bool)):
                dt = a
            elif a is not None:
                dev = a
        t = self
        if dev is not None and device_of(self._data) != dev:
            t = _P.to_device(t, dev)
        if dt is not None and _dtype.to_np(dt) != self._data.dtype:
            t = _P.cast(t, _dtype.to_np(dt))
        if kwargs.get("copy") and t is self:
            t = self.clone()
        return t

    def type(self, dtype=None, non_blocking=False):
        # x.type() is torch's legacy name ('torch.FloatTensor'); x.type(torch.LongTensor or 'torch.LongTensor')
        from ._legacy import to_type
        return to_type(self, dtype, non_blocking)

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self, memory_format=None):
        return self.to(_dtype.float32)

    def double(self, memory_format=None):
        return self.to(_dtype.float64)

    def half(self, memory_format=None):
        return self.to(_dtype.float16)

    def long(self, memory_format=None):
        return self.to(_dtype.int64)

    def int(self, memory_format=None):
        return self.to(_dtype.int32)

    def short(self, memory_format=None):
        return self.to(_dtype.int16)

    def char(self, memory_format=None):
        return self.to(_dtype.int8)

    def byte(self, memory_format=None):
        return self.to(_dtype.uint8)

    def bool(self, memory_format=None):
        return self.to(_dtype.bool)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else f"cuda:{device}" if isinstance(device, int) else device)

    def clone(self, memory_format=None):
        return _P.clone(self)

    def contiguous(self, memory_format=None):
        return self if self._data.flags.c_contiguous else _P.clone(self)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        return _C.tensor(data, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return _C.zeros(*size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return _C.ones(*size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        return _C.full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return _C.empty(*size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)

    # ------------------------------------------------------------------ named methods (torch's Tensor API)
    # pointwise
    def add(self, other, *legacy, alpha=1):
        if legacy: other, alpha = _alpha_first("add", other, legacy)  # noqa: E701 (deprecated add(alpha, other))
        return _P.add(self, other, alpha=alpha)
    def sub(self, other, *legacy, alpha=1):
        if legacy: other, alpha = _alpha_first("sub", other, legacy)  # noqa: E701
        return _P.sub(self, other, alpha=alpha)
    subtract = sub
    def mul(self, other): return _P.mul(self, other)
    multiply = mul
    def div(self, other, *, rounding_mode=None): return _P.div(self, other, rounding_mode=rounding_mode)
    divide = true_divide = div
    def floor_divide(self, other): return _P.floor_divide(self, other)
    def remainder(self, other): return _P.remainder(self, other)
    def fmod(self, other): return _P.fmod(self, other)
    def pow(self, exponent): return _P.pow(self, exponent)
    def float_power(self, exponent): return _P.float_power(self, exponent)
    def neg(self): return _P.neg(self)
    negative = neg
    def abs(self): return _P.abs(self)
    absolute = abs
    def sign(self): return _P.sign(self)
    def sgn(self): return _P.sgn(self)
    def exp(self): return _P.exp(self)
    def exp2(self): return _P.exp2(self)
    def expm1(self): return _P.expm1(self)
    def log(self): return _P.log(self)
    def log2(self): return _P.log2(self)
    def log10(self): return _P.log10(self)
    def log1p(self): return _P.log1p(self)
    def sqrt(self): return _P.sqrt(self)
    def rsqrt(self): return _P.rsqrt(self)
    def square(self): return _P.square(self)
    def reciprocal(self): return _P.reciprocal(self)
    def sin(self): return _P.sin(self)
    def cos(self): return _P.cos(self)
    def tan(self): return _P.tan(self)
    def asin(self): return _P.asin(self)
    def acos(self): return _P.acos(self)
    def atan(self): return _P.atan(self)
    arcsin, arccos, arctan = asin, acos, atan
    def atan2(self, other): return _P.atan2(self, other)
    arctan2 = atan2
    def sinh(self): return _P.sinh(self)
    def cosh(self): return _P.cosh(self)
    def tanh(self): return _P.tanh(self)
    def asinh(self): return _P.asinh(self)
    def acosh(self): return _P.acosh(self)
    def atanh(self): return _P.atanh(self)
    arcsinh, arccosh, arctanh = asinh, acosh, atanh
    def sigmoid(self): return _P.sigmoid(self)
    def relu(self): return _P.relu(self)
    def erf(self): return _P.erf(self)
    def erfc(self): return _P.erfc(self)
    def erfinv(self): return _P.erfinv(self)
    def floor(self): return _P.floor(self)
    def ceil(self): return _P.ceil(self)
    def round(self, *, decimals=0): return _P.round(self, decimals=decimals)
    def trunc(self): return _P.trunc(self)
    fix = trunc
    def frac(self): return _P.frac(self)
    def clamp(self, min=None, max=None): return _P.clamp(self, min, max)
    clip = clamp
    def clamp_min(self, min): return _P.clamp(self, min=min)
    def clamp_max(self, max): return _P.clamp(self, max=max)
    def lerp(self, end, weight): return _P.lerp(self, end, weight)
    def logit(self, eps=None): return _P.logit(self, eps)
    def xlogy(self, other): return _P.xlogy(self, other)
    def nan_to_num(self, nan=0.0, posinf=None, neginf=None): return _P.nan_to_num(self, nan, posinf, neginf)
    def where(self, condition, other): return _P.where(condition, self, other)
    def maximum(self, other): return _P.maximum(self, other)
    def minimum(self, other): return _P.minimum(self, other)
    def addcmul(self, tensor1, tensor2, *, value=1): return _P.addcmul(self, tensor1, tensor2, value=value)
    def addcdiv(self, tensor1, tensor2, *, value=1): return _P.addcdiv(self, tensor1, tensor2, value=value)
    def conj(self): return _P.conj(self)
    def eq(self, other): return _P.eq(self, other)
    def ne(self, other): return _P.ne(self, other)
    def lt(self, other): return _P.lt(self, other)
    def le(self, other): return _P.le(self, other)
    def gt(self, other): return _P.gt(self, other)
    def ge(self, other): return _P.ge(self, other)
    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
    def equal(self, other): return _P.equal(self, other)
    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False): return _P.isclose(self, other, rtol, atol, equal_nan)
    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False): return _P.allclose(self, other, rtol, atol, equal_nan)
    def logical_and(self, other): return _P.logical_and(self, other)
    def logical_or(self, other): return _P.logical_or(self, other)
    def logical_xor(self, other): return _P.logical_xor(self, other)
    def logical_not(self): return _P.logical_not(self)
    def bitwise_not(self): return _P.bitwise_not(self)
    def isnan(self): return _P.isnan(self)
    def isinf(self): return _P.isinf(self)
    def isfinite(self): return _P.isfinite(self)
    def isposinf(self): return _P.isposinf(self)
    def isneginf(self): return _P.isneginf(self)
    def signbit(self): return _P.signbit(self)

    # reductions
    def sum(self, dim=None, keepdim=False, *, dtype=None):
        if dim is None and not keepdim and dtype is None and self._data.dtype.kind == "f":  # the common case
            a = self._data
            if (self._rg and _grad_state.enabled) or a.__class__ is not _ndarray or _trace.active is not None:
                return _R.sum_all(self)
            return _wrap(_add_reduce(a, None))  # (the hottest call of all: no layer in between)
        return _R.sum(self, dim, keepdim, dtype=dtype)
    def nansum(self, dim=None, keepdim=False, *, dtype=None): return _R.nansum(self, dim, keepdim, dtype=dtype)
    def mean(self, dim=None, keepdim=False, *, dtype=None):
        if dim is None and not keepdim and dtype is None and self._data.dtype.kind == "f" and self._data.size:
            return _R.sum_all(self, self._data.size)  # the common case
        return _R.mean(self, dim, keepdim, dtype=dtype)
    def nanmean(self, dim=None, keepdim=False, *, dtype=None): return _R.nanmean(self, dim, keepdim, dtype=dtype)
    def prod(self, dim=None, keepdim=False, *, dtype=None): return _R.prod(self, dim, keepdim, dtype=dtype)
    def max(self, dim=None, keepdim=False): return _R.max(self, dim, keepdim)
    def min(self, dim=None, keepdim=False): return _R.min(self, dim, keepdim)
    def amax(self, dim=(), keepdim=False): return _R.amax(self, dim, keepdim)
    def amin(self, dim=(), keepdim=False): return _R.amin(self, dim, keepdim)
    def aminmax(self, *, dim=None, keepdim=False): return _R.aminmax(self, dim=dim, keepdim=keepdim)
    def argmax(self, dim=None, keepdim=False): return _R.argmax(self, dim, keepdim)
    def argmin(self, dim=None, keepdim=False): return _R.argmin(self, dim, keepdim)
    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None): return _R.var(self, dim, unbiased, keepdim, correction=correction)
    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None): return _R.std(self, dim, unbiased, keepdim, correction=correction)
    def logsumexp(self, dim, keepdim=False): return _R.logsumexp(self, dim, keepdim)
    def norm(self, p="fro", dim=None, keepdim=False, dtype=None): return _R.norm(self, p, dim, keepdim, dtype)
    def cumsum(self, dim, *, dtype=None): return _R.cumsum(self, dim, dtype=dtype)
    def cumprod(self, dim, *, dtype=None): return _R.cumprod(self, dim, dtype=dtype)
    def cummax(self, dim): return _R.cummax(self, dim)
    def cummin(self, dim): return _R.cummin(self, dim)
    def all(self, dim=None, keepdim=False): return _R.all(self, dim, keepdim)
    def any(self, dim=None, keepdim=False): return _R.any(self, dim, keepdim)
    def count_nonzero(self, dim=None): return _R.count_nonzero(self, dim)
    def sort(self, dim=-1, descending=False, stable=False): return _R.sort(self, dim, descending, stable)
    def argsort(self, dim=-1, descending=False, stable=False): return _R.argsort(self, dim, descending, stable)
    def topk(self, k, dim=-1, largest=True, sorted=True): return _R.topk(self, k, dim, largest, sorted)
    def kthvalue(self, k, dim=-1, keepdim=False): return _R.kthvalue(self, k, dim, keepdim)
    def median(self, dim=None, keepdim=False): return _R.median(self, dim, keepdim)
    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"): return _R.quantile(self, q, dim, keepdim, interpolation=interpolation)
    def mode(self, dim=-1, keepdim=False): return _R.mode(self, dim, keepdim)
    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None): return _R.unique(self, sorted, return_inverse, return_counts, dim)
    def bincount(self, weights=None, minlength=0): return _R.bincount(self, weights, minlength)

    # linear algebra
    def matmul(self, other): return _L.matmul(self, other)
    def mm(self, mat2): return _L.mm(self, mat2)
    def bmm(self, mat2): return _L.bmm(self, mat2)
    def mv(self, vec): return _L.mv(self, vec)
    def dot(self, other): return _L.dot(self, other)
    inner = dot
    def outer(self, vec2): return _L.outer(self, vec2)
    ger = outer
    def addmm(self, mat1, mat2, *, beta=1, alpha=1): return _L.addmm(self, mat1, mat2, beta=beta, alpha=alpha)
    def inverse(self): return _L.inv(self)
    def det(self): return _L.det(self)
    def trace(self): return _L.trace(self)
    def cross(self, other, dim=None): return _L.cross(self, other, dim)

    # shape
    def reshape(self, *shape): return _S.reshape(self, *shape)
    def view(self, *shape): return _S.view(self, *shape)
    def view_as(self, other): return _S.view_as(self, other)
    def reshape_as(self, other): return _S.reshape_as(self, other)
    def flatten(self, start_dim=0, end_dim=-1): return _S.flatten(self, start_dim, end_dim)
    def ravel(self): return _S.ravel(self)
    def unflatten(self, dim, sizes): return _S.unflatten(self, dim, sizes)
    def squeeze(self, dim=None): return _S.squeeze(self, dim)
    def unsqueeze(self, dim): return _S.unsqueeze(self, dim)
    def permute(self, *dims): return _S.permute(self, *dims)
    def transpose(self, dim0, dim1): return _S.transpose(self, dim0, dim1)
    swapaxes = swapdims = transpose
    def t(self): return _S.t(self)
    def adjoint(self): return _S.adjoint(self)
    def movedim(self, source, destination): return _S.movedim(self, source, destination)
    moveaxis = movedim
    def expand(self, *sizes): return _S.expand(self, *sizes)
    def expand_as(self, other): return _S.expand_as(self, other)
    def broadcast_to(self, shape): return _S.broadcast_to(self, shape)
    def sum_to_size(self, *size): return _S.sum_to_size(self, *size)
    def repeat(self, *sizes): return _S.repeat(self, *sizes)
    def tile(self, *dims): return _S.tile(self, dims[0] if len(dims) == 1 else dims)
    def repeat_interleave(self, repeats, dim=None, *, output_size=None): return _S.repeat_interleave(self, repeats, dim)
    def split(self, split_size, dim=0): return _S.split(self, split_size, dim)
    def tensor_split(self, indices_or_sections, dim=0): return _S.tensor_split(self, indices_or_sections, dim)
    def chunk(self, chunks, dim=0): return _S.chunk(self, chunks, dim)
    def unbind(self, dim=0): return _S.unbind(self, dim)
    def narrow(self, dim, start, length): return _S.narrow(self, dim, start, length)
    def select(self, dim, index): return _S.select(self, dim, index)
    def flip(self, *dims): return _S.flip(self, dims[0] if len(dims) == 1 else dims)
    def fliplr(self): return _S.fliplr(self)
    def flipud(self): return _S.flipud(self)
    def roll(self, shifts, dims=None): return _S.roll(self, shifts, dims)
    def tril(self, diagonal=0): return _S.tril(self, diagonal)
    def triu(self, diagonal=0): return _S.triu(self, diagonal)
    def diagonal(self, offset=0, dim1=0, dim2=1): return _S.diagonal(self, offset, dim1, dim2)
    def diag(self, diagonal=0): return _S.diag(self, diagonal)
    def diag_embed(self, offset=0, dim1=-2, dim2=-1): return _S.diag_embed(self, offset, dim1, dim2)

    # indexing
    def index_select(self, dim, index): return _I.index_select(self, dim, index)
    def gather(self, dim, index): return _I.gather(self, dim, index)
    def take_along_dim(self, indices, dim=None): return _I.take_along_dim(self, indices, dim)
    def take(self, index): return _I.take(self, index)
    def scatter(self, dim, index, src=None, *, value=None, reduce=None): return _I.scatter(self, dim, index, src, value=value, reduce=reduce)
    def scatter_add(self, dim, index, src): return _I.scatter_add(self, dim, index, src)
    def index_add(self, dim, index, source, *, alpha=1): return _I.index_add(self, dim, index, source, alpha=alpha)
    def index_copy(self, dim, index, source): return _I.index_copy(self, dim, index, source)
    def index_fill(self, dim, index, value): return _I.index_fill(self, dim, index, value)
    def masked_fill(self, mask, value): return _I.masked_fill(self, mask, value)
    def masked_select(self, mask): return _I.masked_select(self, mask)
    def masked_scatter(self, mask, source): return _I.masked_scatter(self, mask, source)
    def nonzero(self, *, as_tuple=False): return _I.nonzero(self, as_tuple=as_tuple)
    def argwhere(self): return _I.argwhere(self)

    # in place: compute out of place, write into this tensor's memory (see _inplace)
    def add_(self, other, *legacy, alpha=1):
        if legacy: other, alpha = _alpha_first("add_", other, legacy)  # noqa: E701
        return _update(self, np.add, _P.add, other, alpha)
    def sub_(self, other, *legacy, alpha=1):
        if legacy: other, alpha = _alpha_first("sub_", other, legacy)  # noqa: E701
        return _update(self, np.subtract, _P.sub, other, alpha)
    subtract_ = sub_
    def mul_(self, other): return _update(self, np.multiply, _P.mul, other)
    multiply_ = mul_
    def div_(self, other, *, rounding_mode=None):
        if rounding_mode is None and self._data.dtype.kind in "fc":
            return _update(self, np.true_divide, _P.div, other)
        return _inplace(self, _P.div, other, rounding_mode=rounding_mode)
    divide_ = true_divide_ = div_
    def pow_(self, exponent): return _inplace(self, _P.pow, exponent)
    def neg_(self): return _inplace(self, _P.neg)
    def abs_(self): return _inplace(self, _P.abs)
    def exp_(self): return _inplace(self, _P.exp)
    def log_(self): return _inplace(self, _P.log)
    def sqrt_(self): return _inplace(self, _P.sqrt)
    def sigmoid_(self): return _inplace(self, _P.sigmoid)
    def tanh_(self): return _inplace(self, _P.tanh)
    def relu_(self): return _inplace(self, _P.relu)
    def floor_(self): return _inplace(self, _P.floor)
    def ceil_(self): return _inplace(self, _P.ceil)
    def round_(self, *, decimals=0): return _inplace(self, _P.round, decimals=decimals)
    def trunc_(self): return _inplace(self, _P.trunc)
    def reciprocal_(self): return _inplace(self, _P.reciprocal)
    def square_(self): return _inplace(self, _P.square)
    def clamp_(self, min=None, max=None): return _inplace(self, _P.clamp, min, max)
    clip_ = clamp_
    def clamp_min_(self, min): return _inplace(self, _P.clamp, min, None)
    def clamp_max_(self, max): return _inplace(self, _P.clamp, None, max)
    def lerp_(self, end, weight): return _inplace(self, _P.lerp, end, weight)
    def addcmul_(self, tensor1, tensor2, *, value=1): return _inplace(self, _P.addcmul, tensor1, tensor2, value=value)
    def addcdiv_(self, tensor1, tensor2, *, value=1): return _inplace(self, _P.addcdiv, tensor1, tensor2, value=value)
    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None): return _inplace(self, _P.nan_to_num, nan, posinf, neginf)
    def maximum_(self, other): return _inplace(self, _P.maximum, other)
    def minimum_(self, other): return _inplace(self, _P.minimum, other)
    def masked_fill_(self, mask, value): return _inplace(self, _I.masked_fill, mask, value)
    def scatter_(self, dim, index, src=None, *, value=None, reduce=None): return _inplace(self, _I.scatter, dim, index, src, value=value, reduce=reduce)
    def scatter_add_(self, dim, index, src): return _inplace(self, _I.scatter_add, dim, index, src)
    def index_add_(self, dim, index, source, *, alpha=1): return _inplace(self, _I.index_add, dim, index, source, alpha=alpha)
    def index_copy_(self, dim, index, source): return _inplace(self, _I.index_copy, dim, index, source)
    def index_fill_(self, dim, index, value): return _inplace(self, _I.index_fill, dim, index, value)
    def copy_(self, src, non_blocking=False): return _inplace(self, _copy_from, src)
    def zero_(self): return _fill(self, 0)
    def fill_(self, value): return _fill(self, value)
    def t_(self): return _set_view(self, _S.t(self))
    def transpose_(self, dim0, dim1): return _set_view(self, _S.transpose(self, dim0, dim1))
    def squeeze_(self, dim=None): return _set_view(self, _S.squeeze(self, dim))
    def unsqueeze_(self, dim): return _set_view(self, _S.unsqueeze(self, dim))
    def resize_(self, *sizes): return _set_view(self, _C.zeros(*sizes, dtype=self.dtype))

    # random fills, drawn from torch's generator (ember.random)
    def uniform_(self, a=0.0, b=1.0, *, generator=None): return _fill_random(self, "uniform", generator, a, b)
    def normal_(self, mean=0.0, std=1.0, *, generator=None): return _fill_random(self, "normal", generator, mean, std)
    def exponential_(self, lambd=1.0, *, generator=None): return _fill_random(self, "exponential", generator, lambd)
    def bernoulli_(self, p=0.5, *, generator=None): return _fill_random(self, "bernoulli", generator, p._data if isinstance(p, Tensor) else p)
    def bernoulli(self, p=None, *, generator=None): return _C.bernoulli(self, p, generator=generator)
    def multinomial(self, num_samples, replacement=False, *, generator=None): return _C.multinomial(self, num_samples, replacement, generator=generator)
    def random_(self, from_=0, to=None, *, generator=None):
        if to is None:  # random_(to) draws from [0, to); random_() from [0, 2**mantissa] for floats
            from_, to = (0, from_) if from_ else (0, _random_top(self._data.dtype))
        return _fill_random(self, "randint", generator, from_, to)

    # ------------------------------------------------------------------ more of torch's Tensor API (issue 10)
    # in place: the pointwise methods above, written into this tensor (see _inplace)
    def absolute_(self): return _inplace(self, _P.abs)
    def acos_(self): return _inplace(self, _P.acos)
    def acosh_(self): return _inplace(self, _P.acosh)
    def asin_(self): return _inplace(self, _P.asin)
    def asinh_(self): return _inplace(self, _P.asinh)
    def atan_(self): return _inplace(self, _P.atan)
    def atanh_(self): return _inplace(self, _P.atanh)
    arccos_, arccosh_, arcsin_, arcsinh_, arctan_, arctanh_ = acos_, acosh_, asin_, asinh_, atan_, atanh_
    def atan2_(self, other): return _inplace(self, _P.atan2, other)
    arctan2_ = atan2_
    def cos_(self): return _inplace(self, _P.cos)
    def cosh_(self): return _inplace(self, _P.cosh)
    def sin_(self): return _inplace(self, _P.sin)
    def sinh_(self): return _inplace(self, _P.sinh)
    def tan_(self): return _inplace(self, _P.tan)
    def erf_(self): return _inplace(self, _P.erf)
    def erfc_(self): return _inplace(self, _P.erfc)
    def erfinv_(self): return _inplace(self, _P.erfinv)
    def exp2_(self): return _inplace(self, _P.exp2)
    def expm1_(self): return _inplace(self, _P.expm1)
    def log10_(self): return _inplace(self, _P.log10)
    def log1p_(self): return _inplace(self, _P.log1p)
    def log2_(self): return _inplace(self, _P.log2)
    def rsqrt_(self): return _inplace(self, _P.rsqrt)
    def frac_(self): return _inplace(self, _P.frac)
    fix_ = trunc_
    def sign_(self): return _inplace(self, _P.sign)
    sgn_ = sign_
    negative_ = neg_
    def logit_(self, eps=None): return _inplace(self, _P.logit, eps)
    def sinc_(self): return _inplace(self, _P.sinc)
    def deg2rad_(self): return _inplace(self, _P.deg2rad)
    def rad2deg_(self): return _inplace(self, _P.rad2deg)
    def conj_physical_(self): return _inplace(self, _P.conj)
    def float_power_(self, exponent):
        if self._data.dtype not in (np.float64, np.complex128):
            raise RuntimeError(f"the base given to float_power_ has dtype {_P._tname(self._data.dtype)} but the "
                               "operation's result requires dtype Double")
        return _inplace(self, _P.float_power, exponent)
    def floor_divide_(self, other): return _inplace(self, _P.floor_divide, other)
    def fmod_(self, other): return _inplace(self, _P.fmod, other)
    def remainder_(self, other): return _inplace(self, _P.remainder, other)
    def xlogy_(self, other): return _inplace(self, _P.xlogy, other)
    def copysign_(self, other): return _inplace(self, _P.copysign, other)
    def hypot_(self, other): return _inplace(self, _P.hypot, other)
    def heaviside_(self, values): return _inplace(self, _P.heaviside, values)
    def gcd_(self, other): return _inplace(self, _P.gcd, other)
    def lcm_(self, other): return _inplace(self, _P.lcm, other)
    def ldexp_(self, other): return _inplace(self, _P.ldexp, other)
    def nextafter_(self, other): return _inplace(self, _P.nextafter, other)
    def logical_and_(self, other): return _inplace(self, _P.logical_and, other)
    def logical_or_(self, other): return _inplace(self, _P.logical_or, other)
    def logical_xor_(self, other): return _inplace(self, _P.logical_xor, other)
    def logical_not_(self): return _inplace(self, _P.logical_not)
    def eq_(self, other): return _inplace(self, _P.eq, other)
    def ne_(self, other): return _inplace(self, _P.ne, other)
    def lt_(self, other): return _inplace(self, _P.lt, other)
    def le_(self, other): return _inplace(self, _P.le, other)
    def gt_(self, other): return _inplace(self, _P.gt, other)
    def ge_(self, other): return _inplace(self, _P.ge, other)
    greater_, greater_equal_, less_, less_equal_, not_equal_ = gt_, ge_, lt_, le_, ne_
    def bitwise_and_(self, other): return _inplace(self, _P.bitwise_and, other)
    def bitwise_or_(self, other): return _inplace(self, _P.bitwise_or, other)
    def bitwise_xor_(self, other): return _inplace(self, _P.bitwise_xor, other)
    def bitwise_not_(self): return _inplace(self, _P.bitwise_not)
    def bitwise_left_shift_(self, other): return _inplace(self, _P.bitwise_left_shift, other)
    def bitwise_right_shift_(self, other): return _inplace(self, _P.bitwise_right_shift, other)
    def cumsum_(self, dim, *, dtype=None): return _inplace(self, _R.cumsum, dim, dtype=dtype)
    def cumprod_(self, dim, *, dtype=None): return _inplace(self, _R.cumprod, dim, dtype=dtype)
    def tril_(self, diagonal=0): return _inplace(self, _S.tril, diagonal)
    def triu_(self, diagonal=0): return _inplace(self, _S.triu, diagonal)
    def renorm_(self, p, dim, maxnorm): return _inplace(self, _R.renorm, p, dim, maxnorm)
    def addmm_(self, mat1, mat2, *, beta=1, alpha=1): return _inplace(self, _L.addmm, mat1, mat2, beta=beta, alpha=alpha)
    def addmv_(self, mat, vec, *, beta=1, alpha=1): return _inplace(self, _L.addmv, mat, vec, beta=beta, alpha=alpha)
    def addr_(self, vec1, vec2, *, beta=1, alpha=1): return _inplace(self, _L.addr, vec1, vec2, beta=beta, alpha=alpha)
    def addbmm_(self, batch1, batch2, *, beta=1, alpha=1): return _inplace(self, _L.addbmm, batch1, batch2, beta=beta, alpha=alpha)
    def baddbmm_(self, batch1, batch2, *, beta=1, alpha=1): return _inplace(self, _L.baddbmm, batch1, batch2, beta=beta, alpha=alpha)
    def masked_scatter_(self, mask, source): return _inplace(self, _I.masked_scatter, mask, source)
    def index_put_(self, indices, values, accumulate=False): return _inplace(self, _I.index_put, indices, values, accumulate)
    def index_reduce_(self, dim, index, source, reduce, *, include_self=True): return _inplace(self, _I.index_reduce, dim, index, source, reduce, include_self=include_self)
    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True): return _inplace(self, _I.scatter_reduce, dim, index, src, reduce, include_self=include_self)
    def put_(self, index, source, accumulate=False): return _inplace(self, _I.put, index, source, accumulate)
    def fill_diagonal_(self, fill_value, wrap=False): return _inplace(self, _I.fill_diagonal, fill_value, wrap)
    swapaxes_ = swapdims_ = transpose_
    def as_strided_(self, size, stride, storage_offset=None): return _set_view(self, _S.as_strided(self, size, stride, storage_offset))
    def resize_as_(self, tensor, memory_format=None): return self.resize_(*tensor.shape)
    def cauchy_(self, median=0.0, sigma=1.0, *, generator=None): return _fill_drawn(self, generator, lambda u: median + sigma * np.tan(np.pi * (u - 0.5)))
    def log_normal_(self, mean=1.0, std=2.0, *, generator=None): return _fill_drawn(self, generator, lambda z: np.exp(mean + std * z), "normal")
    def geometric_(self, p, *, generator=None): return _fill_drawn(self, generator, lambda u: np.ceil(np.log1p(-u) / np.log1p(-p)))
    def apply_(self, callable): return _fill_with(self, np.vectorize(callable, otypes=[self._data.dtype])(self._data))
    def map_(self, tensor, callable): return _fill_with(self, np.vectorize(callable, otypes=[self._data.dtype])(self._data, tensor._data))
    def set_(self, source=None, storage_offset=0, size=None, stride=None): return _set_to(self, source, storage_offset, size, stride)

    # functions of torch.nn.functional and of torch.* as methods
    def softmax(self, dim=None, dtype=None): return _top.softmax(self, dim, dtype=dtype)
    def log_softmax(self, dim=None, dtype=None): return _top.log_softmax(self, dim, dtype=dtype)
    def hardshrink(self, lambd=0.5): return _top.nn.functional.hardshrink(self, lambd)
    def prelu(self, weight): return _top.nn.functional.prelu(self, weight)
    def bitwise_and(self, other): return _P.bitwise_and(self, other)
    def bitwise_or(self, other): return _P.bitwise_or(self, other)
    def bitwise_xor(self, other): return _P.bitwise_xor(self, other)
    def bitwise_left_shift(self, other): return _P.bitwise_left_shift(self, other)
    def bitwise_right_shift(self, other): return _P.bitwise_right_shift(self, other)
    def copysign(self, other): return _P.copysign(self, other)
    def angle(self): return _P.angle(self)
    def gcd(self, other): return _P.gcd(self, other)
    def lcm(self, other): return _P.lcm(self, other)
    def ldexp(self, other): return _P.ldexp(self, other)
    def frexp(self): return _P.frexp(self)
    def hypot(self, other): return _P.hypot(self, other)
    def heaviside(self, values): return _P.heaviside(self, values)
    def logaddexp(self, other): return _P.logaddexp(self, other)
    def logaddexp2(self, other): return _P.logaddexp2(self, other)
    def nextafter(self, other): return _P.nextafter(self, other)
    def fmax(self, other): return _P.fmax(self, other)
    def fmin(self, other): return _P.fmin(self, other)
    def sinc(self): return _P.sinc(self)
    def deg2rad(self): return _P.deg2rad(self)
    def rad2deg(self): return _P.rad2deg(self)
    def positive(self): return _P.positive(self)
    def conj_physical(self): return _P.conj_physical(self)
    def resolve_conj(self): return _P.resolve_conj(self)
    def resolve_neg(self): return _P.resolve_neg(self)
    def is_conj(self): return False
    def is_neg(self): return False
    def isreal(self): return _P.isreal(self)
    def is_nonzero(self): return _P.is_nonzero(self)
    def is_same_size(self, other): return _P.is_same_size(self, other)
    def is_signed(self): return _P.is_signed(self)
    def addbmm(self, batch1, batch2, *, beta=1, alpha=1): return _L.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1): return _L.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    def addmv(self, mat, vec, *, beta=1, alpha=1): return _L.addmv(self, mat, vec, beta=beta, alpha=alpha)
    def addr(self, vec1, vec2, *, beta=1, alpha=1): return _L.addr(self, vec1, vec2, beta=beta, alpha=alpha)
    def vdot(self, other): return _L.vdot(self, other)
    def kron(self, other): return _L.kron(self, other)
    def logdet(self): return _L.logdet(self)
    def slogdet(self): return _top.linalg.slogdet(self)
    def pinverse(self, rcond=1e-15): return _top.linalg.pinv(self, rtol=rcond)
    def matrix_power(self, n): return _top.matrix_power(self, n)
    def matrix_exp(self): return _top.matrix_exp(self)
    def cholesky(self, upper=False): return _top.cholesky(self, upper)
    def svd(self, some=True, compute_uv=True): return _top.svd(self, some, compute_uv)
    def lu(self, pivot=True, get_infos=False): return _top.lu(self, pivot, get_infos)
    def qr(self, some=True): return _top.qr(self, some)
    def triangular_solve(self, A, upper=True, transpose=False, unitriangular=False): return _top.triangular_solve(self, A, upper, transpose, unitriangular)
    def cholesky_solve(self, input2, upper=False): return _top.cholesky_solve(self, input2, upper)
    def cholesky_inverse(self, upper=False): return _top.cholesky_inverse(self, upper)
    def lu_solve(self, LU_data, LU_pivots): return _top.lu_solve(self, LU_data, LU_pivots)
    def geqrf(self): return _top.geqrf(self)
    def orgqr(self, input2): return _top.orgqr(self, input2)
    def ormqr(self, input2, input3, left=True, transpose=False): return _top.ormqr(self, input2, input3, left, transpose)
    def stft(self, *args, **kwargs): return _top.stft(self, *args, **kwargs)
    def istft(self, *args, **kwargs): return _top.istft(self, *args, **kwargs)
    def lgamma(self): return _top.lgamma(self)
    def digamma(self): return _top.digamma(self)
    def polygamma(self, n): return _top.polygamma(n, self)
    def mvlgamma(self, p): return _top.mvlgamma(self, p)
    def igamma(self, other): return _top.igamma(self, other)
    def igammac(self, other): return _top.igammac(self, other)
    def i0(self): return _top.i0(self)
    def lgamma_(self): return _inplace(self, _top.lgamma)
    def digamma_(self): return _inplace(self, _top.digamma)
    def polygamma_(self, n): return _inplace(self, lambda x: _top.polygamma(n, x))
    def mvlgamma_(self, p): return _inplace(self, _top.mvlgamma, p)
    def igamma_(self, other): return _inplace(self, _top.igamma, other)
    def igammac_(self, other): return _inplace(self, _top.igammac, other)
    def i0_(self): return _inplace(self, _top.i0)
    def cov(self, *, correction=1, fweights=None, aweights=None): return _R.cov(self, correction=correction, fweights=fweights, aweights=aweights)
    def corrcoef(self): return _R.corrcoef(self)
    def diff(self, n=1, dim=-1, prepend=None, append=None): return _S.diff(self, n, dim, prepend, append)
    def diagflat(self, offset=0): return _S.diagflat(self, offset)
    def rot90(self, k=1, dims=(0, 1)): return _S.rot90(self, k, dims)
    def dist(self, other, p=2): return _R.dist(self, other, p)
    def renorm(self, p, dim, maxnorm): return _R.renorm(self, p, dim, maxnorm)
    def histc(self, bins=100, min=0, max=0): return _R.histc(self, bins, min, max)
    def histogram(self, bins=100, *, range=None, weight=None, density=False): return _R.histogram(self, bins, range=range, weight=weight, density=density)
    def logcumsumexp(self, dim): return _R.logcumsumexp(self, dim)
    def msort(self): return _R.msort(self)
    def nanmedian(self, dim=None, keepdim=False): return _R.nanmedian(self, dim, keepdim)
    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation="linear"): return _R.nanquantile(self, q, dim, keepdim, interpolation=interpolation)
    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None): return _R.unique_consecutive(self, return_inverse, return_counts, dim)
    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True): return _I.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)
    def index_reduce(self, dim, index, source, reduce, *, include_self=True): return _I.index_reduce(self, dim, index, source, reduce, include_self=include_self)
    def index_put(self, indices, values, accumulate=False): return _I.index_put(self, indices, values, accumulate)
    def put(self, index, source, accumulate=False): return _I.put(self, index, source, accumulate)
    def nonzero_static(self, *, size, fill_value=-1): return _I.nonzero_static(self, size=size, fill_value=fill_value)
    def as_strided(self, size, stride, storage_offset=None): return _S.as_strided(self, size, stride, storage_offset)
    def unfold(self, dimension, size, step): return _S.unfold(self, dimension, size, step)
    def as_strided_scatter(self, src, size, stride, storage_offset=None): return _S.as_strided_scatter(self, src, size, stride, storage_offset)
    def diagonal_scatter(self, src, offset=0, dim1=0, dim2=1): return _S.diagonal_scatter(self, src, offset, dim1, dim2)
    def select_scatter(self, src, dim, index): return _S.select_scatter(self, src, dim, index)
    def slice_scatter(self, src, dim=0, start=None, end=None, step=1): return _S.slice_scatter(self, src, dim, start, end, step)
    def split_with_sizes(self, split_sizes, dim=0): return _S.split_with_sizes(self, split_sizes, dim)
    unsafe_split, unsafe_split_with_sizes = split, split_with_sizes
    def unsafe_chunk(self, chunks, dim=0): return _S.chunk(self, chunks, dim)
    def hsplit(self, sections): return _S.hsplit(self, sections)
    def vsplit(self, sections): return _S.vsplit(self, sections)
    def dsplit(self, sections): return _S.dsplit(self, sections)
    def narrow_copy(self, dim, start, length): return _S.narrow_copy(self, dim, start, length)
    def resize(self, *sizes): return _resized(self, sizes)
    def resize_as(self, tensor): return _resized(self, tensor.shape)

    # dtypes, memory and other facts about the tensor
    def to_dense(self, dtype=None, *, masked_grad=None): return self if dtype is None else self.to(dtype)  # (already dense)
    def cfloat(self, memory_format=None): return self.to(_dtype.complex64)
    def bfloat16(self, memory_format=None): return self.to(_top.bfloat16)  # (ml_dtypes' bfloat16: the `amp` extra)
    def cdouble(self, memory_format=None): return self.to(_dtype.complex128)
    def new(self, *args, **kwargs): return _new_legacy(self, args, kwargs)
    def new_empty_strided(self, size, stride, dtype=None, device=None, requires_grad=False): return _C.empty_strided(size, stride, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)
    def data_ptr(self): return _S._ptr(self._data)
    const_data_ptr = data_ptr
    def untyped_storage(self): return UntypedStorage._of(self._data)
    def storage(self): return TypedStorage._of(self._data)
    def is_set_to(self, tensor): return _S._ptr(self._data) == _S._ptr(tensor._data) and self._data.shape == tensor._data.shape and self._data.strides == tensor._data.strides
    def get_device(self): return -1 if self.device.type == "cpu" else (self.device.index or 0)
    def dim_order(self, *, ambiguity_check=False): return tuple(sorted(range(self._data.ndim), key=lambda d: -self._data.strides[d]))
    def is_distributed(self): return False
    is_cpu = property(lambda self: self.device.type == "cpu")
    is_sparse = is_quantized = is_meta = is_mkldnn = is_nested = property(lambda self: False)
    # never true of an ember tensor (dense, on the CPU or a CUDA GPU), answered as torch's CPU tensors answer
    is_sparse_csr = is_mps = is_xpu = is_ipu = is_xla = is_vulkan = is_mtia = is_maia = property(lambda self: False)
    def is_pinned(self, device=None): return False
    def is_shared(self): return False
    itemsize = property(lambda self: self._data.itemsize)
    nbytes = property(lambda self: self._data.size * self._data.itemsize)
    layout = property(lambda self: strided)
    output_nr = property(lambda self: self._out_nr)

    @property
    def volatile(self):
        import warnings
        warnings.warn("volatile was removed (Variable.volatile is always False)", stacklevel=2)
        return False

    # ------------------------------------------------------------------ operators
    def __floordiv__(self, other):
        return _P.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _P.floor_divide(other, self)

    def __mod__(self, other):
        return _P.remainder(self, other)

    def __rmod__(self, other):
        return _P.remainder(other, self)

    def __rpow__(self, other):
        return _P.pow(other, self)

    def __matmul__(self, other):
        return _L.matmul(self, other)

    def __rmatmul__(self, other):
        return _L.matmul(other, self)

    def __neg__(self):
        return _P.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _P.abs(self)

    def __invert__(self):
        if self._data.dtype.kind in "fc":
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
        return _P.bitwise_not(self)

    def __and__(self, other):
        return _P.bitwise_and(self, other)

    __rand__ = __and__

    def __or__(self, other):
        return _P.bitwise_or(self, other)

    __ror__ = __or__

    def __xor__(self, other):
        return _P.bitwise_xor(self, other)

    __rxor__ = __xor__

    def __lshift__(self, other):
        return _P.bitwise_left_shift(self, other)

    def __rshift__(self, other):
        return _P.bitwise_right_shift(self, other)

    def __rlshift__(self, other):
        return _P.bitwise_left_shift(other, self)

    def __rrshift__(self, other):
        return _P.bitwise_right_shift(other, self)

    def __eq__(self, other):
        return _P.eq(self, other)

    def __ne__(self, other):
        return _P.ne(self, other)

    def __lt__(self, other):
        return _P.lt(self, other)

    def __le__(self, other):
        return _P.le(self, other)

    def __gt__(self, other):
        return _P.gt(self, other)

    def __ge__(self, other):
        return _P.ge(self, other)

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def __ifloordiv__(self, other):
        return _inplace(self, _P.floor_divide, other)

    def __imod__(self, other):
        return _inplace(self, _P.remainder, other)

    def __ipow__(self, other):
        return self.pow_(other)

    def __iand__(self, other):
        return _inplace(self, _P.bitwise_and, other)

    def __ior__(self, other):
        return _inplace(self, _P.bitwise_or, other)

    def __ixor__(self, other):
        return _inplace(self, _P.bitwise_xor, other)

    def __getitem__(self, index):
        # the hot path: ints and slices without steps, on a tensor that records nothing (a view)
        if index.__class__ is tuple and not (self._rg and _grad_state.enabled) and _trace.active is None:
            for i in index:
                c = i.__class__
                if c is not int and (c is not slice or i.step is not None):
                    break
            else:
                index += (Ellipsis,)  # (so that all ints give a 0-d view, not a NumPy scalar)
                try:
                    return _view(self, self._data[index], _I.BasicIndex, (index,), _no_options)
                except IndexError:
                    pass  # getitem raises torch's error
        return _I.getitem(self, index)

    def __setitem__(self, index, value):
        _I.setitem(self, index, value)


def _arith(op, fn, full, reflected=False, scalars_only=False):
    """An arithmetic dunder. `full(x, y)` is the op's function (promotion, errors, autograd);
    the common case skips it: a float tensor with a tensor of the same dtype or a Python
    float or int (no promotion needed) goes straight to ``fn(a, b)``, `op`'s forward on the
    arrays (it keeps no state), and when that is recorded, becomes a node of `op` as
    ``op.apply`` would make it."""
    assert not op.view

    def dunder(self, other):
        a = self._data
        c = other.__class__
        if c is float or c is int:
            b, rg = other, self._rg
        elif (c is Tensor or isinstance(other, Tensor)) and not scalars_only and other._data.dtype is a.dtype:
            b, rg = other._data, self._rg or other._rg
        else:
            return full(other, self) if reflected else full(self, other)
        if a.dtype.kind != "f" or _trace.active is not None:  # (while tracing, full() records the op)
            return full(other, self) if reflected else full(self, other)
        try:
            y = fn(b, a) if reflected else fn(a, b)
        except ValueError:  # operands that do not broadcast: full() raises torch's error
            return full(other, self) if reflected else full(self, other)
        out = _wrap(y)
        if rg and _grad_state.enabled:
            if reflected:
                _new(op).connect((other, self), out, [b, a])
            else:
                _new(op).connect((self, other), out, [a, b])
        return out
    return dunder


def _rebuild(array, requires_grad):
    t = Tensor.__new__(Tensor)
    t._init(array, requires_grad)
    return t


def _wrap(data):
    """A new tensor around an array (the hot-path constructor used by every op)."""
    t = Tensor.__new__(Tensor)
    if data.__class__ is not _ndarray and isinstance(data, np.generic):  # NumPy returns scalars from 0-d operations
        data = np.asarray(data)
    t._data = data
    t._rg = False
    t.grad = t.grad_fn = t._base = t._view = t._hooks = None
    t._out_nr = 0
    t._version = [0]
    return t


_no_options = {}


def _view(x, data, op, args, options):
    """A new tensor around `data`, a view of `x`'s memory made by ``op(x, *args, **options)``:
    it shares x's version counter, and keeps how to make it again from the base. Outside
    autograd it still requires grad if x does (a leaf, as torch's views made under no_grad)."""
    t = Tensor.__new__(Tensor)
    t._data = data
    t._rg = x._rg
    t.grad = t.grad_fn = t._hooks = None
    t._out_nr = 0
    t._version, t._base = x._version, (x._base if x._base is not None else x)
    t._view = (x._view or ()) + ((op, args, options),)
    return t


def _wrap_dim(dim, ndim):
    """torch's dim wrapping: negative dims count from the end; out of range is an IndexError."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n if ndim else 0


class _RemovableHandle:
    def __init__(self, owner, key, hook):
        self.owner, self.key, self.hook = owner, key, hook

    def remove(self):
        if self.key is None:
            self.owner._hooks = [h for h in (self.owner._hooks or []) if h is not self.hook]
        else:
            hooks = self.owner.hooks or {}
            hooks[self.key] = [h for h in hooks.get(self.key, []) if h is not self.hook]


_TYPE_NAMES = {"float32": "ember.FloatTensor", "float64": "ember.DoubleTensor", "float16": "ember.HalfTensor",
               "int64": "ember.LongTensor", "int32": "ember.IntTensor", "int16": "ember.ShortTensor",
               "int8": "ember.CharTensor", "uint8": "ember.ByteTensor", "bool": "ember.BoolTensor"}


def _alpha_first(name, alpha, legacy):
    """(other, alpha) of the deprecated ``x.add(alpha, other)`` (torch warns, then runs it)."""
    from ._legacy import alpha_first
    return alpha_first(name, alpha, legacy)


def _inplace(x, op, *args, **kwargs):
    """``x.op_(...)``: compute ``op(x, ...)`` and write it into x's memory, as torch does.

    When the graph is recorded, x's history is rebased onto the new op (its old value
    is copied first so the op can still use it in backward); an in-place op on a leaf
    that requires grad is an error, as in torch. When x is a view of a tensor in the
    graph, that base's history is rebased too (torch's CopySlices).
    """
    recording = _grad_state.enabled and (x._rg or any(isinstance(a, Tensor) and a._rg for a in args))
    base = x._base
    rebase = recording and base is not None and (base._rg or not x._rg)
    if recording:
        if x._rg and x.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        if base is not None and base._rg and base.grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
        if rebase:
            if x._view is None:
                raise RuntimeError("ember cannot record this in-place operation on a view: clone() the view first")
            old_base = _wrap(base._data.copy())
            old_base.grad_fn, old_base._rg, old_base._out_nr = base.grad_fn, base._rg, base._out_nr
            old = _replay_view(old_base, x._view)
        else:
            old = _wrap(x._data.copy())
            old.grad_fn, old._rg, old._out_nr = x.grad_fn, x._rg, x._out_nr
        # x.mul_(x): the other operand is the old value too
        r = op(old, *(old if a is x else a for a in args), **kwargs)
    else:
        r = op(x, *args, **kwargs)
    _check_cast(r._data.dtype, x._data.dtype)
    if x._data.shape != r._data.shape and np.broadcast_shapes(x._data.shape, r._data.shape) != x._data.shape:
        raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast shape {list(r.shape)}")
    try:
        x._data[...] = r._data
    except ValueError:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers "
                           "to a single memory location. Please clone() the tensor before performing the "
                           "operation.") from None
    x._version[0] += 1
    if rebase:
        from .autograd.function import ViewScatter
        new_base = ViewScatter.apply(old_base, r, x._view)
        base.grad_fn, base._rg, base._out_nr = new_base.grad_fn, True, 0
        v = _replay_view(base, x._view)  # x is now this view of the new history
        x.grad_fn, x._rg, x._out_nr = v.grad_fn, True, 0
    elif recording:
        f = r.grad_fn
        x.grad_fn, x._rg, x._out_nr = f, r._rg, 0
        if f is not None and f.saves_output:  # the saved output now lives in x's memory
            f.y, f.vout = x._data, (x._version, x._version[0])
    if _trace.active is not None:
        _trace.active("inplace", (x, r), _no_options, x)
    return x


def _replay_view(t, chain):
    """Apply again the view ops that made a view from its base (recorded in ``_view``)."""
    for cls, args, options in chain:
        t = cls.apply(t, *args, **options)
    return t


def _copy_from(x, src):
    """The value of ``x.copy_(src)``: src broadcast to x's shape, in x's dtype and device."""
    from .ops.shape import expand
    if not isinstance(src, Tensor):
        src = _C.tensor(src)
    src = src.to(x.dtype, device=x.device)
    # a new node (not src itself), so that x's rebased history leads back to src
    return expand(src, x._data.shape) if src._data.shape != x._data.shape else _P.clone(src)


def _fill(x, value):
    """zero_() and fill_(): no history is needed for the old value."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        if _grad_state.enabled and value._rg:
            return _inplace(x, lambda t, v: t * 0 + v, value)
        value = value.item()
    if (_grad_state.enabled and x._rg) or _trace.active is not None:
        return _inplace(x, _C.Fill.apply, value)
    x._data.fill(value)
    x._version[0] += 1
    return x


def _set_view(x, v):
    """Make `x` itself take the shape of the view `v` (transpose_, squeeze_, ...)."""
    x._data = v._data
    if v.grad_fn is not None:
        x.grad_fn, x._out_nr = v.grad_fn, 0
    x._version[0] += 1
    if _trace.active is not None:
        _trace.active("inplace", (x, v), _no_options, x)
    return x


def _fill_random(x, kind, generator, *args):
    """x.uniform_(), x.normal_(), ...: draw from torch's generator straight into x's memory."""
    from . import random as _random
    if _grad_state.enabled and x._rg and x.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    g = _random.default_generator if generator is None else generator
    a = x._data
    if kind == "bernoulli":
        x._data[...] = g.bernoulli(args[0], a.shape, a.dtype)
    elif kind == "randint":
        x._data[...] = g.randint(args[0], args[1], a.shape, a.dtype)
    else:
        x._data[...] = getattr(g, kind)(a.shape, a.dtype, *args)
    x._version[0] += 1
    return x


def _fill_drawn(x, generator, transform, kind="uniform"):
    """cauchy_(), log_normal_(), geometric_(): draws from torch's generator (uniform on [0, 1)
    or standard normal), transformed, written into x."""
    from . import random as _random
    if _grad_state.enabled and x._rg and x.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    g = _random.default_generator if generator is None else generator
    a = x._data
    draw = g.uniform(a.shape, np.float64, 0.0, 1.0) if kind == "uniform" else g.normal(a.shape, np.float64, 0.0, 1.0)
    a[...] = transform(draw)
    x._version[0] += 1
    return x


def _fill_with(x, values):
    """apply_() and map_(): values computed in Python, written into x (torch allows this only outside autograd)."""
    if x._rg and _grad_state.enabled:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    x._data[...] = values
    x._version[0] += 1
    return x


def _set_to(x, source, storage_offset, size, stride):
    """x.set_(source): x becomes a view of source's memory (with size and stride, a strided one)."""
    if source is None:
        x._data = x._data[:0].reshape(0) if x._data.ndim else x._data.reshape(1)[:0]
    elif isinstance(source, Tensor):
        if size is not None:
            source = _S.as_strided(source, size, stride or _contiguous_strides(size), storage_offset)
        x._data, x._version = source._data, source._version
        x._base = source._base if source._base is not None else source
    else:  # a storage
        a = source._array
        x._data = a if size is None else np.lib.stride_tricks.as_strided(
            a[storage_offset:], tuple(size), tuple(s * a.itemsize for s in (stride or _contiguous_strides(size))))
    x._version[0] += 1
    return x


def _contiguous_strides(size):
    st, acc = [], 1
    for s in reversed(tuple(size)):
        st.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(st))


def _resized(x, sizes):
    """The deprecated out-of-place resize(): a reshape to as many elements."""
    import warnings
    warnings.warn("non-inplace resize is deprecated", stacklevel=3)
    from .ops.shape import _shape_arg
    return x.reshape(_shape_arg(tuple(sizes)))


def _new_legacy(x, args, kwargs):
    """x.new(...): torch.Tensor(...)'s forms, in x's dtype and device."""
    dtype, device = kwargs.pop("dtype", None) or x.dtype, kwargs.pop("device", None) or x.device
    if len(args) == 1 and isinstance(args[0], Tensor):
        return args[0]  # torch's legacy form: the same memory
    if len(args) == 1 and isinstance(args[0], Size):
        args = tuple(args[0])
    if all(isinstance(a, (int, np.integer)) for a in args):
        return _C.empty(*(args or (0,)), dtype=dtype, device=device)  # x.new() and x.new(2, 3): uninitialised
    return _C.tensor(args[0], dtype=dtype, device=device)  # x.new([1, 2]): data


class UntypedStorage:
    """The bytes under a tensor (torch.UntypedStorage): their address and size, and the bytes as a list."""

    def __init__(self, array):
        self._array = array

    @classmethod
    def _of(cls, a):
        flat, _ = _S._storage(a)
        return cls(flat)

    def data_ptr(self):
        return _S._ptr(self._array)

    def nbytes(self):
        return self._array.size * self._array.itemsize

    def size(self):
        return self.nbytes()

    __len__ = size

    def element_size(self):
        return 1

    @property
    def device(self):
        return device_of(self._array)

    def tolist(self):
        return list(to_device(self._array, "cpu").view(np.uint8).reshape(-1).tolist())

    def __getitem__(self, i):
        return self.tolist()[i]

    def __repr__(self):
        return f"{type(self).__name__} of {self.size()} elements"


class TypedStorage(UntypedStorage):
    """The elements under a tensor (torch.TypedStorage, what the deprecated Tensor.storage() returns)."""

    @property
    def dtype(self):
        return _from_np[self._array.dtype]

    def size(self):
        return self._array.size

    __len__ = size

    def element_size(self):
        return self._array.itemsize

    def tolist(self):
        return to_device(self._array, "cpu").reshape(-1).tolist()

    def untyped(self):
        return UntypedStorage(self._array)


class layout:
    """A tensor's memory layout: ember has only ``ember.strided`` (dense)."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"ember.{self.name}"


class memory_format:
    """An order of a tensor's dimensions in memory. ember's arrays keep C order; these are
    accepted wherever torch accepts them, and only ``is_contiguous`` tells them apart."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"ember.{self.name}"


strided = layout("strided")
contiguous_format, channels_last, channels_last_3d, preserve_format, legacy_contiguous_format = (
    memory_format(n) for n in ("contiguous_format", "channels_last", "channels_last_3d", "preserve_format",
                               "legacy_contiguous_format"))


def _random_top(dt):
    if dt.kind == "f":
        return 2 ** np.finfo(dt).nmant + 1
    if dt.kind == "b":
        return 2
    return int(np.iinfo(dt).max) + 1


def _update(x, ufunc, op, other, alpha=1):
    """add_/sub_/mul_/div_: NumPy writes straight into x's memory when no graph is recorded
    (the optimizer's hot path); otherwise, and for odd cases, the general ``_inplace``."""
    r = _ufunc_(x, ufunc, other, alpha)
    if r is not None:
        return r
    return _inplace(x, op, other, alpha=alpha) if alpha != 1 else _inplace(x, op, other)


def _ufunc_(x, ufunc, other, alpha=1):
    o = other._data if isinstance(other, Tensor) else other
    if _grad_state.enabled and (x._rg or (isinstance(other, Tensor) and other._rg)) or _trace.active is not None:
        return None
    if isinstance(o, np.ndarray) or isinstance(o, (float, int)) and not isinstance(o, bool):
        if alpha != 1:
            o = o * alpha
        xd = x._data
        od = o.dtype if isinstance(o, np.ndarray) else None
        if od is not None and od != xd.dtype:
            _check_cast(od, xd.dtype)
        elif od is None and isinstance(o, float) and xd.dtype.kind not in "fc":
            return None  # let the general path raise torch's cast error
        try:
            ufunc(xd, o, out=xd, casting="unsafe" if od is not None else "same_kind")
        except ValueError:
            return None  # shapes that do not broadcast into x: the general path raises torch's error
        x._version[0] += 1
        return x
    return None


def _check_cast(src, dst):
    if src != dst and _dtype._CATEGORY[src.kind] > _dtype._CATEGORY[dst.kind]:
        raise RuntimeError(f"result type {_P._tname(src)} can't be cast to the desired "
                           f"output type {_P._tname(dst)}")


# The ops modules import Tensor from here, so they are bound at the end.
from .autograd.grad_mode import state as _grad_state  # noqa: E402
from .autograd import trace as _trace  # noqa: E402
from . import autograd as _autograd  # noqa: E402
from .ops import pointwise as _P, reduction as _R, shape as _S, indexing as _I, linalg as _L, creation as _C  # noqa: E402
import importlib as _importlib  # noqa: E402
_top = _importlib.import_module(__package__)  # the ember package (softmax, matrix_exp ... live there)


def _unsupported_method(name):
    def method(self, *args, **kwargs):
        from ._unsupported import unsupported  # (loaded only when such a method is called)
        return unsupported("torch.Tensor." + name)()
    method.__name__ = method.__qualname__ = name
    method._unsupported = "see ember/_unsupported.py"
    return method


def _unsupported_methods():
    """torch's methods for what NumPy cannot hold (sparse layouts, quantized and named tensors, oneDNN):
    each raises NotImplementedError naming the feature (the reasons are in ember/_unsupported.py)."""
    for name in ("to_sparse", "to_sparse_coo", "to_sparse_csr", "to_sparse_csc", "to_sparse_bsr", "to_sparse_bsc",
                 "coalesce", "indices", "values", "crow_indices", "col_indices", "ccol_indices", "row_indices",
                 "sparse_dim", "dense_dim", "sparse_mask", "sparse_resize_", "sparse_resize_and_clear_", "smm",
                 "sspaddmm", "q_scale", "q_zero_point", "q_per_channel_scales", "q_per_channel_zero_points",
                 "q_per_channel_axis", "qscheme", "int_repr", "dequantize", "refine_names", "rename", "rename_",
                 "align_to", "align_as", "to_mkldnn", "to_padded_tensor"):
        setattr(Tensor, name, _unsupported_method(name))


_unsupported_methods()

# the arithmetic dunders' fast paths need the ops, so they are set once those have loaded
Tensor.__add__ = _arith(_P.Add, _operator.add, _P.add)
Tensor.__radd__ = _arith(_P.Add, _operator.add, _P.add, reflected=True)
Tensor.__sub__ = _arith(_P.Sub, _operator.sub, _P.sub)
Tensor.__rsub__ = _arith(_P.Sub, _operator.sub, _P.sub, reflected=True)
Tensor.__mul__ = _arith(_P.Mul, _operator.mul, _P.mul)
Tensor.__rmul__ = _arith(_P.Mul, _operator.mul, _P.mul, reflected=True)
Tensor.__truediv__ = _arith(_P.Div, _operator.truediv, _P.div)
Tensor.__rtruediv__ = _arith(_P.Div, _operator.truediv, _P.div, reflected=True)
Tensor.__pow__ = _arith(_P.Pow, _functools.partial(_P.Pow.forward, None), _P.pow, scalars_only=True)
