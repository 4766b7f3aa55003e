"""torch.signal.windows: scipy-style window functions, computed as torch computes them (a linspace
through the same ends, then the closed form), so the numbers match torch's."""
import math

import ember as _e

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine", "general_hamming",
           "hamming", "hann", "kaiser", "nuttall"]


def _checks(name, M, dtype, layout):
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    if layout is not None and layout is not _e.strided:
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    if dtype not in (_e.float32, _e.float64):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dtype}")


def _start(name, M, dtype, layout, requires_grad, ones_at_1=True):
    """torch's common prologue: the dtype, the checks, and the window for M == 0 (and M == 1)."""
    dtype = dtype or _e.get_default_dtype()
    _checks(name, M, dtype, layout)
    if M == 0:
        return dtype, _e.empty((0,), dtype=dtype, requires_grad=requires_grad)
    if M == 1 and ones_at_1:
        return dtype, _e.ones((1,), dtype=dtype, requires_grad=requires_grad)
    return dtype, None


def _lin(start, end, M, dtype, requires_grad):
    return _e.linspace(start, end, M, dtype=dtype, requires_grad=requires_grad)


def exponential(M, *, center=None, tau=1.0, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    dtype = dtype or _e.get_default_dtype()
    _checks("exponential", M, dtype, layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    if M == 0:
        return _e.empty((0,), dtype=dtype, requires_grad=requires_grad)
    if center is None:
        center = (M if not sym and M > 1 else M - 1) / 2.0
    c = 1 / tau
    return _e.exp(-_e.abs(_lin(-center * c, (-center + (M - 1)) * c, M, dtype, requires_grad)))


def cosine(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    dtype, w = _start("cosine", M, dtype, layout, requires_grad, ones_at_1=False)
    if w is not None:
        return w
    c = math.pi / (M + 1 if not sym and M > 1 else M)
    return _e.sin(_lin(0.5 * c, (0.5 + (M - 1)) * c, M, dtype, requires_grad))


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    dtype = dtype or _e.get_default_dtype()
    _checks("gaussian", M, dtype, layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    if M == 0:
        return _e.empty((0,), dtype=dtype, requires_grad=requires_grad)
    start = -(M if not sym and M > 1 else M - 1) / 2.0
    c = 1 / (std * math.sqrt(2))
    return _e.exp(-(_lin(start * c, (start + (M - 1)) * c, M, dtype, requires_grad) ** 2))


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    dtype = dtype or _e.get_default_dtype()
    _checks("kaiser", M, dtype, layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    dtype, w = _start("kaiser", M, dtype, layout, requires_grad)
    if w is not None:
        return w
    b = _e.tensor(beta, dtype=dtype)  # in the window's dtype, as torch (no NaN under the root)
    start = -b
    c = 2.0 * b / (M if not sym else M - 1)
    end = _e.minimum(b, start + (M - 1) * c)
    k = _lin(start.item(), end.item(), M, dtype, requires_grad)
    return _e.i0(_e.sqrt(b * b - _e.pow(k, 2))) / _e.i0(b)


def bartlett(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    dtype, w = _start("bartlett", M, dtype, layout, requires_grad)
    if w is not None:
        return w
    c = 2 / (M if not sym else M - 1)
    return 1 - _e.abs(_lin(-1, -1 + (M - 1) * c, M, dtype, requires_grad))


def general_cosine(M, *, a, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    dtype, w = _start("general_cosine", M, dtype, layout, requires_grad)
    if w is not None:
        return w
    if not hasattr(a, "__iter__"):
        raise TypeError("Coefficients must be a list/tuple")
    if not a:
        raise ValueError("Coefficients cannot be empty")
    c = 2 * math.pi / (M if not sym else M - 1)
    k = _lin(0, (M - 1) * c, M, dtype, requires_grad)
    a_i = _e.tensor([(-1) ** i * v for i, v in enumerate(a)], dtype=dtype, requires_grad=requires_grad)
    i = _e.arange(a_i.shape[0], dtype=a_i.dtype, requires_grad=a_i.requires_grad)
    return (a_i.unsqueeze(-1) * _e.cos(i.unsqueeze(-1) * k)).sum(0)


def general_hamming(M, *, alpha=0.54, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout, requires_grad=requires_grad)


def hamming(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, requires_grad=requires_grad)


def hann(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, requires_grad=requires_grad)


def blackman(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    _checks("blackman", M, dtype or _e.get_default_dtype(), layout)
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout, requires_grad=requires_grad)


def nuttall(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym, dtype=dtype, layout=layout,
                          requires_grad=requires_grad)
