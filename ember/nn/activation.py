"""Activation functions: each functional form (F.relu) sits right above its module (nn.ReLU).

Most are composites of ember ops. Primitives are kept for softmax and log-softmax (the
max-shift makes them stable, and their backward is one line from the saved output),
GELU (a hot path in transformers: one node instead of six), and hardtanh, hardswish and
hardsigmoid (torch's gradients at the kinks, or torch's float constants, differ from what
the composites would give).
"""
import math
import warnings

import numpy as np

from .._backend import get_array_module
from .._tensor import _inplace, _wrap
from .._threads import parallel_rows
from ..autograd.function import Op
from ..autograd import trace as _trace
from ..ops import pointwise as P
from ..ops import creation as C
from .module import Module
from .parameter import Parameter


def _maybe_inplace(input, inplace, fn, *args):
    """fn(input, *args), or the same result written into input (torch's ``inplace=True``)."""
    return _inplace(input, fn, *args) if inplace else fn(input, *args)


# ---------------------------------------------------------------- primitives
class HardtanhOp(Op):
    def forward(self, x, lo, hi):
        return np.clip(x, lo, hi)

    def backward(self, gy):
        x, lo, hi = self.inputs
        return gy * ((x > lo) & (x < hi)), None, None  # torch: zero gradient at the clip points

    def name(self):
        return "HardtanhBackward0"


class HardsigmoidOp(Op):
    def forward(self, x):
        return np.clip(x + 3, 0, 6) / 6

    def backward(self, gy):
        x = self.inputs[0]
        # torch multiplies by the float constant 1.0f / 6.0f, in every dtype
        return gy * (((x > -3) & (x < 3)) * float(np.float32(1) / np.float32(6)))

    def name(self):
        return "HardsigmoidBackward0"


class HardswishOp(Op):
    def forward(self, x):
        return x * np.clip(x + 3, 0, 6) / 6

    def backward(self, gy):
        x = self.inputs[0]
        # torch: 0 up to -3, x/3 + 1/2 strictly between, 1 from 3 on
        return gy * P.where(x <= -3, 0.0, P.where(x < 3, x / 3 + 0.5, 1.0))

    def name(self):
        return "HardswishBackward0"


# GELU (erf form) with a float32 erfc
# F.gelu computes erf in float64, which makes GELU most of a BERT forward's elementwise time.
# Here: gelu(x) = relu(x) - |x|/2 * erfc(|x|/sqrt(2)), with erfc from Numerical Recipes'
# Chebyshev fit (relative error < 1.2e-7 in exact arithmetic), evaluated in float32 in chunks
# that stay in the CPU's cache. Measured on [-12, 12] against float64: absolute error < 2.4e-7
# (torch's own CPU gelu: 1.2e-6), relative error < 1.4e-6 for |x| < 3. About 20x faster than
# F.gelu's float64 erf, which float64 inputs still use.
_ERFC = [np.float32(c) for c in (-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
                                  0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277)]
_CHUNK = 1 << 16  # elements per piece: with four temporaries, 1 MiB of float32


def _half_erfc(a):
    """Phi(-a) = erfc(a / sqrt(2)) / 2 for a >= 0, in a's float32 (constants folded to save passes)."""
    t = a + _K                                   # t = 1 / (1 + z/2), z = a/sqrt(2): k / (a + k)
    np.divide(_K, t, out=t)
    r = t * _ERFC[9]
    for c in _ERFC[8:0:-1]:  # Horner's rule, in place
        r += c
        r *= t
    r += _C0                                     # the first coefficient, and log(1/2) for the halving
    z2 = np.square(a)
    z2 *= np.float32(0.5)                        # z^2 = a^2 / 2
    r -= z2
    np.exp(r, out=r)
    r *= t
    return r


_K = np.float32(2 * math.sqrt(2))
_C0 = np.float32(-1.26551223 + math.log(0.5))


def _chunked(fn, x):
    """fn(x_piece, out_piece) over cache-sized pieces of x (whole-array passes would miss the cache),
    the pieces split over ember's threads."""
    out = np.empty_like(x)
    xf, of = x.reshape(-1), out.reshape(-1)

    def run(start, stop):
        for s in range(start * _CHUNK, min(stop * _CHUNK, xf.size), _CHUNK):
            fn(xf[s:s + _CHUNK], of[s:s + _CHUNK])
    parallel_rows(run, -(-xf.size // _CHUNK))
    return out


def _gelu32(x, out):
    a = np.abs(x)
    h = _half_erfc(a)
    h *= a
    np.maximum(x, np.float32(0), out=out)
    out -= h                                                 # relu(x) - |x| Phi(-|x|)


def _gelu_grad32(x, out):
    h = _half_erfc(np.abs(x))
    np.exp(x * x * np.float32(-0.5), out=out)
    out *= x
    out *= np.float32(1 / math.sqrt(2 * math.pi))            # x phi(x)
    out += np.where(x > 0, 1 - h, h)                         # + Phi(x)


class Gelu(Op):
    """``x * Phi(x)``, Phi the standard normal CDF (F.gelu with approximate='none')."""

    def forward(self, x):
        if x.dtype == np.float32 and isinstance(x, np.ndarray):
            return _chunked(_gelu32, x)
        return x * 0.5 * (1 + P._erf(x * math.sqrt(0.5)))

    def backward(self, gy):
        return gy * GeluGrad.apply(self.inputs[0])


class GeluGrad(Op):
    """``Phi(x) + x * phi(x)``, gelu's derivative; an op of its own so double backward works."""

    def forward(self, x):
        if x.dtype == np.float32 and isinstance(x, np.ndarray):
            return _chunked(_gelu_grad32, x)
        cdf = 0.5 * (1 + P._erf(x * math.sqrt(0.5)))
        return cdf + x * np.exp(x * x * -0.5) / math.sqrt(2 * math.pi)

    def backward(self, gy):
        x = self.inputs[0]
        return gy * P.exp(x * x * -0.5) * (1 / math.sqrt(2 * math.pi)) * (2 - x * x)


class GeluTanh(Op):
    """GELU's tanh approximation (approximate='tanh')."""

    def forward(self, x):
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)))

    def backward(self, gy):
        x = self.inputs[0]
        k = math.sqrt(2 / math.pi)
        t = P.tanh(k * (x + 0.044715 * x * x * x))
        return gy * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x))


def _softmax_rows(x):
    """Softmax over the last dim of a large float32 array, fused: max, shift, exp, sum and divide
    run on cache-sized blocks of rows (one trip through memory instead of five), over ember's threads."""
    d = x.shape[-1]
    x2 = x.reshape(-1, d)
    out = np.empty(x2.shape, x.dtype)
    step = max(1, _CHUNK // d)
    ones = np.ones((d, 1), x.dtype)  # row sums as a matrix product: BLAS sums short rows ~4x faster than NumPy

    def run(start, stop):
        for s in range(start, stop, step):
            xb, ob = x2[s:min(s + step, stop)], out[s:min(s + step, stop)]
            np.subtract(xb, np.maximum.reduce(xb, -1, keepdims=True), out=ob)  # shift by the max: exp cannot overflow
            np.exp(ob, out=ob)
            ob /= ob.dot(ones)
    parallel_rows(run, x2.shape[0], step)
    return out.reshape(x.shape)


class SoftmaxOp(Op):
    save, saves_output = False, True

    def forward(self, x, dim):
        self.dim = dim
        if x.__class__ is np.ndarray and x.dtype == np.float32 and x.size >= _CHUNK and dim % x.ndim == x.ndim - 1:
            return _softmax_rows(x)
        e = np.exp(x - x.max(dim, keepdims=True))  # shift by the max so exp cannot overflow
        e /= e.sum(dim, keepdims=True)
        return e

    def backward(self, gy):
        y = self.out()
        return y * (gy - (gy * y).sum(self.dim, keepdim=True)), None

    def name(self):
        return "SoftmaxBackward0"


class LogSoftmaxOp(Op):
    save, saves_output = False, True

    def forward(self, x, dim):
        self.dim = dim
        s = x - x.max(dim, keepdims=True)  # log-sum-exp trick: exp of the shifted values cannot overflow
        s -= np.log(np.exp(s).sum(dim, keepdims=True))
        return s

    def backward(self, gy):
        return gy - P.exp(self.out()) * gy.sum(self.dim, keepdim=True), None

    def name(self):
        return "LogSoftmaxBackward0"


# ---------------------------------------------------------------- functional forms and modules
def threshold(input, threshold, value, inplace=False):
    """``x if x > threshold else value``."""
    return _maybe_inplace(input, inplace, lambda x: P.where(x > threshold, x, value))


threshold_ = lambda input, threshold_value, value: threshold(input, threshold_value, value, True)  # noqa: E731


class Threshold(Module):
    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}{', inplace=True' if self.inplace else ''}"


def relu(input, inplace=False):
    """``max(x, 0)``."""
    return input.relu_() if inplace else P.relu(input)


def relu_(input):
    return input.relu_()


class ReLU(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return input.relu_() if self.inplace else P.relu(input)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``clamp(x, min_val, max_val)`` with zero gradient at the clip points."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(input, inplace, HardtanhOp.apply, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


class Hardtanh(Module):
    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None):
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and rename to `min_val`", FutureWarning)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and rename to `max_val`", FutureWarning)
            max_val = max_value
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace
        if self.max_val <= self.min_val:
            raise AssertionError(f"max_val ({max_val}) must be greater than min_val ({min_val})")

    def forward(self, input):
        return hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}{', inplace=True' if self.inplace else ''}"


def relu6(input, inplace=False):
    """``min(max(x, 0), 6)``."""
    return hardtanh(input, 0.0, 6.0, inplace)


class ReLU6(Hardtanh):
    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``x if x > 0 else negative_slope * x``."""
    # x * (1 or slope): one multiply whose gradient is gy * (1 or slope), as torch's; np.where
    # (the obvious composite) measured ~15x slower than a multiply on large arrays
    def fn(x):
        if _trace.active is not None:  # (the mask below is made outside the ops: trace the composite)
            return P.where(x > 0, x, x * negative_slope)
        a = x._data
        table = get_array_module(a).asarray([negative_slope, 1], dtype=a.dtype)
        return x * _wrap(table.take((a > 0).view(np.int8)))  # exactly slope or 1 per element
    return _maybe_inplace(input, inplace, fn)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


class LeakyReLU(Module):
    def __init__(self, negative_slope=1e-2, inplace=False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):
        return leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}{', inplace=True' if self.inplace else ''}"


def prelu(input, weight):
    """leaky_relu with a learnt slope per channel (dim 1) or one shared slope."""
    if weight._data.size != 1 and input._data.ndim >= 2:
        if weight._data.size != input._data.shape[1]:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{weight._data.size} and channel size = {input._data.shape[1]}.")
        weight = weight.reshape((-1,) + (1,) * (input._data.ndim - 2))
    elif input._data.ndim == 0 and weight._data.ndim:
        weight = weight.reshape(())  # a 0-d input keeps its shape, as in torch
    return P.where(input > 0, input, weight * input)


class PReLU(Module):
    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(C.empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        from . import init as _init
        _init.constant_(self.weight, self.init)

    def forward(self, input):
        return prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: a slope drawn from U(lower, upper) per negative input when training."""
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    from .. import random as _random
    x = input._data
    xp = get_array_module(x)
    neg = x <= 0
    slopes = xp.ones(x.shape, dtype=x.dtype)
    # torch draws one double uniform per non-positive element, in memory order
    u = _random.default_generator.uniform((int(neg.sum()),), np.float64, lower, upper)
    slopes[neg] = xp.asarray(u).astype(x.dtype)
    return _maybe_inplace(input, inplace, lambda t: t * _wrap(slopes))


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


class RReLU(Module):
    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input):
        return rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}{', inplace=True' if self.inplace else ''}"


def _exp_neg_part(x, alpha, scale=1.0):
    # exp only ever sees x <= 0: exp of a large positive x would overflow and its
    # gradient (0 * inf) would poison the branch that where() discards
    return alpha * P.expm1(P.clamp(x, max=0) * scale)


def elu(input, alpha=1.0, inplace=False):
    """``x if x > 0 else alpha * (exp(x) - 1)``."""
    return _maybe_inplace(input, inplace, lambda x: P.where(x > 0, x, _exp_neg_part(x, alpha)))


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


class ELU(Module):
    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}{', inplace=True' if self.inplace else ''}"


def celu(input, alpha=1.0, inplace=False):
    """``x if x > 0 else alpha * (exp(x / alpha) - 1)``."""
    return _maybe_inplace(input, inplace, lambda x: P.where(x > 0, x, _exp_neg_part(x, alpha, 1.0 / alpha)))


def celu_(input, alpha=1.0):
    return celu(input, alpha, True)


class CELU(ELU):
    def forward(self, input):
        return celu(input, self.alpha, self.inplace)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """``scale * elu(x, alpha)`` with the self-normalizing constants."""
    return _maybe_inplace(input, inplace,
                          lambda x: P.where(x > 0, x * _SELU_SCALE, _exp_neg_part(x, _SELU_ALPHA * _SELU_SCALE)))


def selu_(input):
    return selu(input, True)


class SELU(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return selu(input, self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


def gelu(input, approximate="none"):
    """``x * Phi(x)`` (approximate='none', via erf) or its tanh approximation."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return (GeluTanh if approximate == "tanh" else Gelu).apply(input)


class GELU(Module):
    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return gelu(input, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


def silu(input, inplace=False):
    """``x * sigmoid(x)``."""
    return _maybe_inplace(input, inplace, lambda x: x * P.sigmoid(x))


class SiLU(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return silu(input, self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * x)) / beta``, and x itself where beta * x > threshold."""
    bx = input * beta
    # exp only sees values up to the threshold (see _exp_neg_part)
    soft = P.log1p(P.exp(P.clamp(bx, max=threshold))) / beta
    return P.where(bx > threshold, input, soft)


class Softplus(Module):
    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


def mish(input, inplace=False):
    """``x * tanh(softplus(x))``."""
    return _maybe_inplace(input, inplace, lambda x: x * P.tanh(softplus(x)))


class Mish(SiLU):
    def forward(self, input):
        return mish(input, self.inplace)


def sigmoid(input):
    return P.sigmoid(input)


class Sigmoid(Module):
    def forward(self, input):
        return P.sigmoid(input)


def tanh(input):
    return P.tanh(input)


class Tanh(Module):
    def forward(self, input):
        return P.tanh(input)


def softsign(input):
    """``x / (1 + |x|)``."""
    return input / (P.abs(input) + 1)


class Softsign(Module):
    def forward(self, input):
        return softsign(input)


def hardsigmoid(input, inplace=False):
    """``relu6(x + 3) / 6``."""
    return _maybe_inplace(input, inplace, HardsigmoidOp.apply)


class Hardsigmoid(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return hardsigmoid(input, self.inplace)


def hardswish(input, inplace=False):
    """``x * relu6(x + 3) / 6``."""
    return _maybe_inplace(input, inplace, HardswishOp.apply)


class Hardswish(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return hardswish(input, self.inplace)


def hardshrink(input, lambd=0.5):
    """``x if |x| > lambd else 0``."""
    return input * (P.abs(input) > lambd)


class Hardshrink(Module):
    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return hardshrink(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


def softshrink(input, lambd=0.5):
    """``x - lambd`` above lambd, ``x + lambd`` below -lambd, 0 between."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return P.where(input > lambd, input - lambd, P.where(input < -lambd, input + lambd, 0.0))


class Softshrink(Hardshrink):
    def forward(self, input):
        return softshrink(input, self.lambd)

    def extra_repr(self):
        return str(self.lambd)


def tanhshrink(input):
    """``x - tanh(x)``."""
    return input - P.tanh(input)


class Tanhshrink(Module):
    def forward(self, input):
        return tanhshrink(input)


def logsigmoid(input):
    """``log(sigmoid(x))`` = ``-softplus(-x)``, stable for large |x|."""
    return -softplus(-input)


class LogSigmoid(Module):
    def forward(self, input):
        return logsigmoid(input)


def glu(input, dim=-1):
    """``a * sigmoid(b)`` where a and b are the two halves of input along dim."""
    if input._data.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    size = input.size(dim)
    if size % 2:
        d = dim % input._data.ndim
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {size}")
    a, b = input.chunk(2, dim)
    return a * P.sigmoid(b)


class GLU(Module):
    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


def _softmax_dim(ndim, stacklevel=3, name="softmax"):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_like(op, input, dim, dtype):
    if dim is None:
        dim = _softmax_dim(input._data.ndim, 4, "log_softmax" if op is LogSoftmaxOp else "softmax")
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind not in "fc":
        raise RuntimeError(f'"softmax_lastdim_kernel_impl" not implemented for \'{input.dtype.name.capitalize()}\'')
    nd = input._data.ndim
    if not -max(nd, 1) <= dim < max(nd, 1):
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(nd, 1)}, {max(nd, 1) - 1}], "
                         f"but got {dim})")
    if nd == 0:
        return op.apply(input.reshape(1), 0).reshape(())
    if not input._data.size:  # nothing to normalise (NumPy's max has no identity over an empty dim)
        return input.clone()
    return op.apply(input, dim % nd)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``exp(x) / sum(exp(x))`` along dim."""
    return _softmax_like(SoftmaxOp, input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``x - log(sum(exp(x)))`` along dim, computed stably."""
    return _softmax_like(LogSoftmaxOp, input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-x)`` along dim."""
    if dim is None:
        dim = _softmax_dim(input._data.ndim, 3, "softmin")
    if dtype is not None:
        input = input.to(dtype)
    return _softmax_like(SoftmaxOp, -input, dim, None)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """Samples from the Gumbel-softmax distribution; ``hard=True`` returns one-hot samples
    whose gradient is the soft sample's (the straight-through estimator)."""
    from .. import empty_like, zeros_like
    gumbels = -empty_like(logits).exponential_().log()  # ~ Gumbel(0, 1), drawn as torch draws it
    y_soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


class _SoftmaxBase(Module):
    _fn = None

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "dim"):
            self.dim = None

    def forward(self, input):
        return type(self)._fn(input, self.dim, _stacklevel=5)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax(_SoftmaxBase):
    _fn = staticmethod(softmax)


class LogSoftmax(_SoftmaxBase):
    _fn = staticmethod(log_softmax)


class Softmin(_SoftmaxBase):
    _fn = staticmethod(softmin)


class Softmax2d(Module):
    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead")
        return softmax(input, -3, _stacklevel=5)
