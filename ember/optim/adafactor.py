"""Adafactor: Adam-like steps with a factored (row x column) second moment for matrices."""
import math

import numpy as np

from .._tensor import _wrap
from .optimizer import Optimizer, _step_tensor, _count, _lerp, _check


class Adafactor(Optimizer):
    """Implements Adafactor (Shazeer and Stern, 2018), as torch.optim.Adafactor.

    Args:
        foreach: accepted for compatibility and ignored.
    """

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        _check(0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}")
        _check(0.0 >= beta2_decay, f"beta2_decay should be <= 0 but is: {beta2_decay}")
        _check(eps[0] is None or 0.0 <= eps[0], f"epsilon1 should be >= 0 but is: {eps[0]}")
        _check(0.0 <= eps[1], f"epsilon2 should be >= 0 but is: {eps[1]}")
        _check(1.0 <= d, f"Clipping threshold d should be >= 1 but is: {d}")
        _check(0.0 <= weight_decay, f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        if p.dim() > 1:
            row, col = list(p.shape), list(p.shape)
            row[-1], col[-2] = 1, 1
            return {"step": _step_tensor(), "row_var": _wrap(np.zeros(row, p._data.dtype)),
                    "col_var": _wrap(np.zeros(col, p._data.dtype))}
        return {"step": _step_tensor(), "variance": _wrap(np.zeros_like(p._data))}

    def _update(self, p, g, state, group):
        lr, wd = float(group["lr"]), group["weight_decay"]
        eps1, eps2 = group["eps"]
        if eps1 is None:
            eps1 = float(np.finfo(p.dtype).eps)
        if group["maximize"]:
            g = -g
        step = _count(state)
        w = step ** group["beta2_decay"]  # 1 - beta2_t
        rho = min(lr, 1 / step ** 0.5)
        alpha = max(eps2, float(_norm(p)) / math.sqrt(p.size)) * rho
        if wd != 0:
            np.multiply(p, 1 - lr * wd, out=p)
        if g.ndim > 1:
            row_var, col_var = state["row_var"]._data, state["col_var"]._data
            row_mean = np.square(_norm(g, -1)) / g.shape[-1]
            _lerp(row_var, row_mean, w, np.empty_like(row_var))
            col_mean = np.square(_norm(g, -2)) / g.shape[-2]
            _lerp(col_var, col_mean, w, np.empty_like(col_var))
            var = row_var @ col_var  # the rank-1 (per matrix) estimate of E[g^2]
            var = var / np.maximum(row_var.mean(axis=-2, keepdims=True), p.dtype.type(eps1))
        else:
            variance = state["variance"]._data
            _lerp(variance, g * g, w, np.empty_like(variance))
            var = variance.copy()
        update = 1 / np.sqrt(np.maximum(var, p.dtype.type(eps1 * eps1)))
        update = (update * g).astype(p.dtype, copy=False)
        denom = max(1.0, float(_norm(update)) / (math.sqrt(update.size) * group["d"]))
        p -= update * p.dtype.type(alpha / denom)


def _norm(x, axis=None):
    """The 2-norm, over `axis` (kept as a size-1 dim) or over everything; float64 accumulation."""
    if axis is None:
        return np.sqrt(np.sum(np.square(x, dtype=np.float64)))
    return np.sqrt(np.sum(np.square(x, dtype=np.float64), axis=axis, keepdims=True)).astype(x.dtype)
