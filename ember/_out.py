"""torch's ``out=`` argument, given in one place to every top-level function torch accepts it on.

``torch.add(a, b, out=c)`` computes the result, then writes it into `c` as torch does: `c` is
resized when its shape differs (with torch's warning if it had elements), the result is cast to
`c`'s dtype when torch's casting rule allows it (not float into int, nor anything but bool into
bool), and `c` itself is returned. Functions that make tensors (zeros, arange, randn, ...) take
their dtype from `c`. Functions with several results take a tuple of tensors.
"""
import functools
import warnings

# torch 2.13's top-level functions that take out= (those of its operator schemas with a keyword-only
# `out` whose Python binding accepts it, checked by calling each; the tuple-out ones from `sort` on)
NAMES = frozenset("""
abs absolute acos acosh add addbmm addcdiv addcmul addmm addmv addr all amax amin any arange arccos arccosh arcsin
arcsinh arctan arctan2 arctanh argmax argmin argsort asin asinh atan atan2 atanh baddbmm bernoulli bitwise_and
bitwise_left_shift bitwise_not bitwise_or bitwise_right_shift bitwise_xor bmm bucketize cat ceil chain_matmul
cholesky cholesky_inverse cholesky_solve clamp clamp_max clamp_min clip column_stack complex concat concatenate
copysign cos cosh cross cumprod cumsum deg2rad diag diff digamma div divide dot dstack empty eq erf erfc erfinv exp
exp2 expm1 eye fix float_power floor floor_divide fmax fmin fmod frac full gather gcd ge ger greater greater_equal
gt heaviside histc hstack hypot i0 igamma igammac index_add index_copy index_select inner inverse isin isneginf
isposinf kron lcm ldexp le lerp less less_equal lgamma linspace log log10 log1p log2 log_softmax logaddexp
logaddexp2 logcumsumexp logical_and logical_not logical_or logical_xor logit logspace logsumexp lt lu_solve
masked_select matmul matrix_power max maximum mean median min minimum mm msort mul multinomial multiply mv mvlgamma
nan_to_num nanmean nanmedian nanquantile nansum ne neg negative nextafter nonzero norm normal not_equal ones outer
polar polygamma pow prod quantile rad2deg rand randint randn randperm range reciprocal remainder renorm round
row_stack rsqrt scatter scatter_add scatter_reduce searchsorted sgn sigmoid sign signbit sin sinc sinh softmax sqrt
square stack std sub subtract sum take take_along_dim tan tanh tensordot threshold tril triu true_divide trunc var
vdot vstack where xlogy zeros sort topk kthvalue mode cummax cummin aminmax frexp slogdet svd qr histogram
lu_unpack
""".split())

# the same for torch.linalg, torch.special and torch.fft (their modules call add_out with their name)
MODULE_NAMES = {
    "linalg": frozenset("""cholesky cholesky_ex cond cross det eig eigh eigvals eigvalsh householder_product inv inv_ex
    ldl_factor ldl_factor_ex ldl_solve lstsq lu lu_factor lu_factor_ex lu_solve matmul matrix_exp matrix_norm
    matrix_power matrix_rank multi_dot norm pinv qr slogdet solve solve_ex solve_triangular svd svdvals tensorinv
    tensorsolve vecdot vector_norm""".split()),
    "special": frozenset("""airy_ai bessel_j0 bessel_j1 bessel_y0 bessel_y1 chebyshev_polynomial_t chebyshev_polynomial_u
    chebyshev_polynomial_v chebyshev_polynomial_w digamma entr erf erfc erfcx erfinv exp2 expit expm1 gammainc
    gammaincc gammaln hermite_polynomial_h hermite_polynomial_he i0 i0e i1 i1e laguerre_polynomial_l
    legendre_polynomial_p log1p log_ndtr logit logsumexp modified_bessel_i0 modified_bessel_i1 modified_bessel_k0
    modified_bessel_k1 multigammaln ndtr ndtri polygamma psi round scaled_modified_bessel_k0
    scaled_modified_bessel_k1 shifted_chebyshev_polynomial_t shifted_chebyshev_polynomial_u
    shifted_chebyshev_polynomial_v shifted_chebyshev_polynomial_w sinc spherical_bessel_j0 xlog1py xlogy
    zeta""".split()),
    "fft": frozenset("""fft fft2 fftfreq fftn hfft hfft2 hfftn ifft ifft2 ifftn ihfft ihfft2 ihfftn irfft irfft2 irfftn
    rfft rfft2 rfftfreq rfftn""".split()),
}

# functions that make a tensor rather than compute one from inputs: out= chooses their dtype
MAKERS = frozenset("arange range linspace logspace zeros ones empty full eye rand randn randint randperm normal "
                   "fftfreq rfftfreq".split())

_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
          "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
          "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def add_out(namespace, module=None):
    """Give every function of `namespace` (a module's globals) that torch gives ``out=`` the keyword:
    those in NAMES for the top level, in MODULE_NAMES[module] for torch.linalg, special, fft."""
    for name in NAMES if module is None else MODULE_NAMES[module]:
        fn = namespace.get(name)
        if callable(fn) and not isinstance(fn, type) and not getattr(fn, "_takes_out", False):
            namespace[name] = with_out(fn, name)


def with_out(fn, name=None):
    """`fn` with torch's ``out=`` keyword (one extra Python call when out is not given)."""
    name = name or fn.__name__
    maker = name in MAKERS

    @functools.wraps(fn)
    def wrapper(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        return _into(fn, name, maker, args, kwargs, out)
    wrapper._takes_out = True
    return wrapper


def _requires_grad(args, kwargs):
    from ._tensor import Tensor
    for a in list(args) + list(kwargs.values()):
        if isinstance(a, Tensor) and a._rg:
            return True
        if isinstance(a, (list, tuple)) and any(isinstance(t, Tensor) and t._rg for t in a):
            return True
    return False


def _into(fn, name, maker, args, kwargs, out):
    from ._tensor import Tensor
    from .autograd.grad_mode import is_grad_enabled
    outs = out if isinstance(out, tuple) else (out,)
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(o).__name__}")
    if is_grad_enabled() and (_requires_grad(args, kwargs) or any(o._rg for o in outs)):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad.")
    if maker and "dtype" not in kwargs:
        kwargs["dtype"] = outs[0].dtype
    result = fn(*args, **kwargs)
    results = tuple(result) if isinstance(result, tuple) else (result,)
    if isinstance(out, Tensor) == isinstance(result, tuple) or len(results) != len(outs):
        raise TypeError(f"{name}(): argument 'out' must be {'tuple of Tensors' if len(results) > 1 else 'Tensor'}"
                        f" of length {len(results)}")
    for o, r in zip(outs, results):
        _write(o, r)
    if isinstance(result, tuple):
        return type(result)(*outs) if hasattr(result, "_fields") else tuple(outs)
    return out


def _write(out, r):
    """Write result tensor `r` into `out`: resize if the shapes differ, cast by torch's rule."""
    from .ops.creation import tensor as _tensor
    from ._backend import get_array_module
    a = r._data if hasattr(r, "_data") else _tensor(r)._data
    src, dst = a.dtype, out._data.dtype
    if src != dst and not _can_cast(src, dst):
        raise RuntimeError(f"result type {_NAMES.get(str(src), src)} can't be cast to the desired output type "
                           f"{_NAMES.get(str(dst), dst)}")
    if out._data.shape != a.shape:
        if out._data.size:
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(out._data.shape)}, which does not match the required output shape {list(a.shape)}. "
                          "This behavior is deprecated, and in a future PyTorch release outputs will not be resized "
                          "unless they have zero elements. You can explicitly reuse an out tensor t by resizing it, "
                          "inplace, to zero elements with t.resize_(0).", UserWarning, stacklevel=4)
        out._data = get_array_module(out._data).empty(a.shape, dst)
    out._data[...] = a
    out._version[0] += 1


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def _can_cast(src, dst):
    # torch's canCast: never to a lower category (complex > float > integer > bool)
    return _CATEGORY.get(src.kind, 2) <= _CATEGORY.get(dst.kind, 2)
