"""NAdam: Adam with Nesterov momentum (and a momentum schedule)."""
import numpy as np

from .optimizer import Optimizer, _step_tensor, _zeros, _count, _grad, _lerp, _addcmul, _addcdiv, _check
from .adam import _check_betas


class NAdam(Optimizer):
    """Implements NAdam, as torch.optim.NAdam.

    Args:
        foreach, capturable, differentiable: accepted for compatibility and ignored.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_betas(lr, betas, eps, weight_decay)
        _check(0.0 <= momentum_decay, f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": _step_tensor(), "mu_product": _step_tensor(1.0), "exp_avg": _zeros(p),
                "exp_avg_sq": _zeros(p)}

    def _update(self, p, g, state, group):
        lr, wd, eps = float(group["lr"]), group["weight_decay"], group["eps"]
        beta1, beta2 = group["betas"]
        psi = group["momentum_decay"]
        step = _count(state)
        bias_correction2 = 1 - beta2 ** step
        if wd != 0 and group["decoupled_weight_decay"]:
            np.multiply(p, 1 - lr * wd, out=p)
            wd = 0
        g = _grad(p, g, wd, group["maximize"])
        # the momentum schedule: mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * psi)); mu_product is a
        # float32 tensor in torch, so its running product is rounded to float32 each step
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
        mu_product = state["mu_product"]._data
        np.multiply(mu_product, mu, out=mu_product)
        mu_product = float(mu_product)
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        tmp, denom = np.empty_like(p), np.empty_like(p)
        _lerp(m, g, 1 - beta1, tmp)
        np.multiply(v, beta2, out=v)
        _addcmul(v, g, g, 1 - beta2, tmp)
        np.divide(v, bias_correction2, out=denom)
        np.sqrt(denom, out=denom)
        np.add(denom, eps, out=denom)
        # p -= lr * ((1 - mu) / (1 - mu_product) * g + mu_next / (1 - mu_product * mu_next) * m) / denom
        _addcdiv(p, g, denom, -lr * (1.0 - mu) / (1.0 - mu_product), tmp)
        _addcdiv(p, m, denom, (-lr * mu_next) / (1.0 - mu_product * mu_next), tmp)
