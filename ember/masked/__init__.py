"""torch.masked: reductions and normalizations over the elements a boolean mask keeps, computed as torch
computes them (the masked-out elements take the operation's identity, then the plain op runs), so
values, NaNs of empty selections and gradients match. torch's prototype MaskedTensor class is not here."""
import math as _math

import ember as _e

__all__ = ["amax", "amin", "argmax", "argmin", "cumprod", "cumsum", "log_softmax", "logaddexp", "logsumexp", "mean",
           "median", "norm", "normalize", "prod", "softmax", "softmin", "std", "sum", "var"]


def _dims(input, dim):
    if dim is None:
        return tuple(range(input.dim()))
    if isinstance(dim, int):
        return (dim % max(input.dim(), 1),)
    return tuple(d % max(input.dim(), 1) for d in dim)


def _mask(input, mask):
    if mask is None:
        return _e.ones(input.shape, dtype=_e.bool)
    mask = mask.to(_e.bool)
    while mask.dim() < input.dim():
        mask = mask.unsqueeze(0)
    return mask.broadcast_to(input.shape)


def _fill(input, mask, value):
    return _e.where(_mask(input, mask), input, _e.tensor(value, dtype=input.dtype))


def _low(dtype):
    return -_math.inf if dtype.is_floating_point else _e.iinfo(dtype).min


def _high(dtype):
    return _math.inf if dtype.is_floating_point else _e.iinfo(dtype).max


def sum(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    return _e.sum(_fill(input, mask, 0), _dims(input, dim), keepdim=bool(keepdim), dtype=dtype)


def prod(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    x = _fill(input, mask, 1)
    if dtype is not None:
        x = x.to(dtype)
    for d in sorted(_dims(input, dim), reverse=True):
        x = x.prod(d, keepdim=True)
    if not keepdim:
        x = x.reshape([s for i, s in enumerate(x.shape) if i not in _dims(input, dim)])
    return x


def amax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    dtype = dtype or input.dtype
    return _e.amax(_fill(input, mask, _low(input.dtype)), _dims(input, dim), bool(keepdim)).to(dtype)


def amin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    dtype = dtype or input.dtype
    return _e.amin(_fill(input, mask, _high(input.dtype)), _dims(input, dim), bool(keepdim)).to(dtype)


def argmax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    dtype = dtype or input.dtype
    return _e.argmax(_fill(input, mask, _low(input.dtype)), dim, bool(keepdim)).to(dtype)


def argmin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    dtype = dtype or input.dtype
    return _e.argmin(_fill(input, mask, _high(input.dtype)), dim, bool(keepdim)).to(dtype)


def _count(input, dim, keepdim, mask, dtype):
    return sum(_e.ones(input.shape, dtype=dtype), dim, keepdim=keepdim, mask=mask)


def mean(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    dtype = dtype or input.dtype
    total = sum(input, dim, keepdim=keepdim, dtype=dtype, mask=mask)
    return total / _count(input, dim, keepdim, mask, dtype)


def median(input, dim=-1, *, keepdim=False, dtype=None, mask=None):
    dtype = dtype or input.dtype
    x = _fill(input.to(_e.get_default_dtype()) if not input.is_floating_point() else input, mask, _math.nan)
    return _e.nanmedian(x, dim, keepdim=keepdim).values.to(dtype)


def logsumexp(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    dtype = dtype or input.dtype
    return _e.logsumexp(_fill(input, mask, -_math.inf), _dims(input, dim), keepdim=bool(keepdim)).to(dtype)


def norm(input, ord=2.0, dim=None, *, keepdim=False, dtype=None, mask=None):
    ident = _math.inf if ord is not None and ord < 0 else 0
    return _e.linalg.vector_norm(_fill(input, mask, ident), 2.0 if ord is None else ord, _dims(input, dim),
                                 bool(keepdim), dtype=dtype)


def _var(input, dim, unbiased, correction, keepdim, dtype, mask):
    if unbiased is not None and correction is not None:
        raise ValueError("Only one of unbiased and correction can be given")
    corr = correction if correction is not None else (int(unbiased) if unbiased is not None else 1)
    dtype = dtype or input.dtype
    x = input.to(dtype)
    count = _count(x, dim, True, mask, dtype)
    m = sum(x, dim, keepdim=True, mask=mask) / count
    d = x - m
    total = sum(d * d.conj() if d.is_complex() else d * d, dim, keepdim=keepdim, mask=mask)
    if not keepdim:
        count = count.reshape(total.shape)
    if corr != 0:
        count = _e.clamp(count - corr, min=0)
    return total / count


def var(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    return _var(input, dim, unbiased, correction, keepdim, dtype, mask)


def std(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    return _e.sqrt(_var(input, dim, unbiased, correction, keepdim, dtype, mask))


def cumsum(input, dim, *, dtype=None, mask=None):
    return _e.cumsum(_fill(input, mask, 0), dim, dtype=dtype)


def cumprod(input, dim, *, dtype=None, mask=None):
    return _e.cumprod(_fill(input, mask, 1), dim, dtype=dtype)


def softmax(input, dim, *, dtype=None, mask=None):
    return _e.softmax(_fill(input, mask, -_math.inf), dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None, mask=None):
    return _e.log_softmax(_fill(input, mask, -_math.inf), dim, dtype=dtype)


def softmin(input, dim, *, dtype=None, mask=None):
    return _e.softmax(-_fill(input, mask, _math.inf), dim, dtype=dtype)


def normalize(input, ord, dim, *, eps=1e-12, dtype=None, mask=None):
    x = _fill(input, mask, 0)
    nrm = norm(input, ord, dim, keepdim=True, dtype=dtype, mask=mask)
    return x / _e.clamp(nrm, min=eps)


def logaddexp(input, other, *, dtype=None, input_mask=None, other_mask=None):
    dtype = dtype or input.dtype
    return _e.logaddexp(_fill(input, input_mask, -_math.inf), _fill(other, other_mask, -_math.inf)).to(dtype)
