"""Adam: adaptive moment estimation, with AMSGrad, L2 or decoupled weight decay."""
import numpy as np

from .._tensor import Tensor
from .optimizer import (Optimizer, _step_tensor, _zeros, _count, _grad, _lerp, _addcmul, _addcdiv, _check,
                        _pieces)


class Adam(Optimizer):
    """Implements Adam, as torch.optim.Adam.

    Args:
        foreach, fused, capturable, differentiable: accepted for compatibility and ignored.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        _check_betas(lr, betas, eps, weight_decay)
        if not (all(isinstance(b, float) for b in betas) or all(isinstance(b, Tensor) for b in betas)):
            raise ValueError("betas must be either both floats or both Tensors")
        betas = tuple(float(b) if isinstance(b, Tensor) else b for b in betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        state = {"step": _step_tensor(), "exp_avg": _zeros(p), "exp_avg_sq": _zeros(p)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = _zeros(p)
        return state

    def _update(self, p, g, state, group):
        lr, wd, eps = float(group["lr"]), group["weight_decay"], group["eps"]
        beta1, beta2 = group["betas"]
        step = _count(state)
        if wd != 0 and group["decoupled_weight_decay"]:
            np.multiply(p, 1 - lr * wd, out=p)  # AdamW: decay the weights, not the gradient
            wd = 0
        g = _grad(p, g, wd, group["maximize"])
        # bias corrections are Python floats, as in torch's single-tensor path
        step_size, correction = lr / (1 - beta1 ** step), (1 - beta2 ** step) ** 0.5
        arrays = [p, g, state["exp_avg"]._data, state["exp_avg_sq"]._data]
        if group["amsgrad"]:
            arrays.append(state["max_exp_avg_sq"]._data)
        for (p, g, m, v, *v_max), tmp, tmp2 in _pieces(arrays):
            _lerp(m, g, 1 - beta1, tmp)                 # m = beta1 * m + (1 - beta1) * g
            np.multiply(v, beta2, out=v)                # v = beta2 * v + (1 - beta2) * g * g
            _addcmul(v, g, g, 1 - beta2, tmp)
            if v_max:
                v = np.maximum(v_max[0], v, out=v_max[0])
            denom = np.sqrt(v, out=tmp)
            np.divide(denom, correction, out=denom)
            np.add(denom, eps, out=denom)
            _addcdiv(p, m, denom, -step_size, tmp2)    # p -= step_size * m / denom


def _check_betas(lr, betas, eps, weight_decay):
    """The argument checks shared by the Adam family, with torch's messages."""
    _check(0.0 <= lr, f"Invalid learning rate: {lr}")
    _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
    _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
    _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
    _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
