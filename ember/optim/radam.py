"""RAdam: Adam whose adaptive step is rectified while the variance estimate is unreliable."""
import numpy as np

from .optimizer import Optimizer, _step_tensor, _zeros, _count, _grad, _lerp, _addcmul
from .adam import _check_betas


class RAdam(Optimizer):
    """Implements RAdam, as torch.optim.RAdam.

    Args:
        foreach, capturable, differentiable: accepted for compatibility and ignored.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_betas(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": _step_tensor(), "exp_avg": _zeros(p), "exp_avg_sq": _zeros(p)}

    def _update(self, p, g, state, group):
        lr, wd, eps = float(group["lr"]), group["weight_decay"], group["eps"]
        beta1, beta2 = group["betas"]
        step = _count(state)
        if wd != 0 and group["decoupled_weight_decay"]:
            np.multiply(p, 1 - lr * wd, out=p)
            wd = 0
        g = _grad(p, g, wd, group["maximize"])
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        tmp, upd = np.empty_like(p), np.empty_like(p)
        _lerp(m, g, 1 - beta1, tmp)
        np.multiply(v, beta2, out=v)
        _addcmul(v, g, g, 1 - beta2, tmp)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        # rho: the length of the approximated simple moving average; the adaptive step is used
        # only once it exceeds 5 (before that the variance of the adaptive lr is intractable)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        np.divide(m, bias_correction1, out=upd)
        np.multiply(upd, lr, out=upd)
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            np.sqrt(v, out=tmp)                     # adaptive lr: sqrt(bias_correction2) / (sqrt(v) + eps)
            np.add(tmp, eps, out=tmp)
            np.divide(bias_correction2 ** 0.5, tmp, out=tmp)
            np.multiply(upd, tmp, out=upd)
            np.multiply(upd, rect, out=upd)
        np.subtract(p, upd, out=p)
