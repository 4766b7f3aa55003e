"""Adadelta: steps scaled by the ratio of running RMS of updates to running RMS of gradients."""
import numpy as np

from .optimizer import Optimizer, _step_tensor, _zeros, _count, _grad, _addcmul, _add, _check


class Adadelta(Optimizer):
    """Implements Adadelta, as torch.optim.Adadelta.

    Args:
        foreach, capturable, differentiable: accepted for compatibility and ignored.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": _step_tensor(), "square_avg": _zeros(p), "acc_delta": _zeros(p)}

    def _update(self, p, g, state, group):
        lr, rho, eps = float(group["lr"]), group["rho"], group["eps"]
        _count(state)
        g = _grad(p, g, group["weight_decay"], group["maximize"])
        sq, acc = state["square_avg"]._data, state["acc_delta"]._data
        tmp, std, delta = np.empty_like(p), np.empty_like(p), np.empty_like(p)
        np.multiply(sq, rho, out=sq)                # E[g^2] = rho * E[g^2] + (1 - rho) * g^2
        _addcmul(sq, g, g, 1 - rho, tmp)
        np.add(sq, eps, out=std)
        np.sqrt(std, out=std)
        np.add(acc, eps, out=delta)                 # delta = sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g
        np.sqrt(delta, out=delta)
        np.divide(delta, std, out=delta)
        np.multiply(delta, g, out=delta)
        np.multiply(acc, rho, out=acc)              # E[dx^2] = rho * E[dx^2] + (1 - rho) * delta^2
        _addcmul(acc, delta, delta, 1 - rho, tmp)
        _add(p, delta, -lr, tmp)
