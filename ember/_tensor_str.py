"""Printing tensors the way torch does: ``tensor([1.0000, 2.5000], requires_grad=True)``."""
import numpy as np

from . import _dtype
from ._backend import to_device


class _printoptions:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    if profile == "default":
        _printoptions.precision, _printoptions.threshold, _printoptions.edgeitems = 4, 1000, 3
        _printoptions.linewidth = 80
    elif profile == "short":
        _printoptions.precision, _printoptions.threshold, _printoptions.edgeitems = 2, 1000, 2
    elif profile == "full":
        _printoptions.precision, _printoptions.threshold = 4, float("inf")
    for k, v in dict(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth).items():
        if v is not None:
            setattr(_printoptions, k, v)
    _printoptions.sci_mode = sci_mode


def _float_formatter(values):
    """torch's float format, chosen from the nonzero finite values: integers print as '1.',
    a wide dynamic range in scientific notation, the rest with `precision` decimals. Returns
    the formatter; widths come from the nonzero finite values only, as in torch."""
    p = _printoptions.precision
    finite = values[np.isfinite(values)].astype(np.float64)
    nz = np.abs(finite[finite != 0])
    int_mode = bool(np.all(finite == np.round(finite)))
    sci = _printoptions.sci_mode
    if sci is None and nz.size:
        wide = nz.max() / nz.min() > 1000.0 or nz.max() > 1e8
        sci = wide if int_mode else (wide or nz.min() < 1e-4)
    if sci:
        return lambda v: _nonfinite(v) or f"{v:.{p}e}"
    if int_mode:
        return lambda v: _nonfinite(v) or f"{v:.0f}."
    return lambda v: _nonfinite(v) or f"{v:.{p}f}"


def _nonfinite(v):
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return None


def _format_array(a):
    if a.dtype == np.bool_:
        fmt = lambda v: "True" if v else "False"  # noqa: E731
    elif a.dtype.kind in "iu":
        fmt = str
    elif a.dtype.kind == "c":
        fr, fi = _float_formatter(a.real.ravel()), _float_formatter(a.imag.ravel())
        fmt = lambda v: f"{fr(v.real)}{'+' if v.imag >= 0 else '-'}{fi(abs(v.imag))}j"  # noqa: E731
    else:
        fmt = _float_formatter(a.ravel())
    summarize = a.size > _printoptions.threshold
    items = _collect(a, summarize)
    if a.dtype.kind == "f":  # torch sizes columns by the nonzero finite values only
        items = [v for v in items if v != 0 and np.isfinite(v)]
    width = max((len(fmt(v)) for v in items), default=1)
    return fmt, width, summarize


def _collect(a, summarize):
    if not summarize or a.ndim == 0:
        return a.ravel().tolist() if a.dtype.kind != "c" else list(a.ravel())
    e = _printoptions.edgeitems
    if a.shape[0] > 2 * e:
        parts = [a[:e], a[-e:]]
    else:
        parts = [a]
    out = []
    for p in parts:
        if p.ndim == 1:
            out += list(p)
        else:
            for row in p:
                out += _collect(row, summarize)
    return out


def _render(a, fmt, width, indent, summarize):
    if a.ndim == 0:
        return fmt(a.item() if a.dtype.kind != "c" else a[()])
    e = _printoptions.edgeitems
    if a.ndim == 1:
        vals = [fmt(v).rjust(width) for v in (a.tolist() if a.dtype.kind != "c" else list(a))]
        if summarize and len(vals) > 2 * e:
            vals = vals[:e] + [" ..."] + vals[-e:]
        per_line = max(1, (_printoptions.linewidth - indent) // (width + 2))
        lines = [", ".join(vals[i:i + per_line]) for i in range(0, len(vals), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = list(range(a.shape[0]))
    if summarize and a.shape[0] > 2 * e:
        rows = rows[:e] + [None] + rows[-e:]
    sep = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    parts = ["..." if r is None else _render(a[r], fmt, width, indent + 1, summarize) for r in rows]
    return "[" + sep.join(parts) + "]"


def tensor_repr(t, prefix="tensor("):
    a = to_device(t._data, "cpu")
    suffixes = []
    default_int = a.dtype == np.int64
    default_float = a.dtype == _dtype.get_default_dtype().np
    if a.size == 0:
        body = "[]"
        if a.shape != (0,):
            suffixes.append(f"size={tuple(a.shape)}")
    else:
        fmt, width, summarize = _format_array(a)
        body = _render(a, fmt, width, len(prefix), summarize)
    if not (default_float or default_int or a.dtype == np.bool_ or
            (a.dtype == np.complex64 and _dtype.get_default_dtype() is _dtype.float32)):
        suffixes.append(f"dtype={_dtype.from_np(a.dtype)!r}")
    if t.device.type != "cpu":
        suffixes.insert(0, f"device='{t.device}'")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._rg:
        suffixes.append("requires_grad=True")
    return prefix + ", ".join([body] + suffixes) + ")"
