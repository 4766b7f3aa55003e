"""Adamax: Adam with the infinity norm in place of the second moment."""
import numpy as np

from .optimizer import Optimizer, _step_tensor, _zeros, _count, _grad, _lerp, _addcdiv
from .adam import _check_betas


class Adamax(Optimizer):
    """Implements Adamax, as torch.optim.Adamax.

    Args:
        foreach, capturable, differentiable: accepted for compatibility and ignored.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check_betas(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": _step_tensor(), "exp_avg": _zeros(p), "exp_inf": _zeros(p)}

    def _update(self, p, g, state, group):
        lr, eps = float(group["lr"]), group["eps"]
        beta1, beta2 = group["betas"]
        step = _count(state)
        g = _grad(p, g, group["weight_decay"], group["maximize"])
        m, u = state["exp_avg"]._data, state["exp_inf"]._data
        tmp = np.empty_like(p)
        _lerp(m, g, 1 - beta1, tmp)
        np.multiply(u, beta2, out=u)                # u = max(beta2 * u, |g| + eps)
        np.abs(g, out=tmp)
        np.add(tmp, eps, out=tmp)
        np.maximum(u, tmp, out=u)
        clr = lr / (1 - beta1 ** step)
        _addcdiv(p, m, u, -clr, tmp)
