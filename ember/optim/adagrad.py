"""Adagrad: per-coordinate learning rates from the sum of all past squared gradients."""
import numpy as np

from .._tensor import _wrap
from .optimizer import Optimizer, _step_tensor, _count, _grad, _addcmul, _addcdiv, _check


class Adagrad(Optimizer):
    """Implements Adagrad, as torch.optim.Adagrad.

    Args:
        foreach, fused, differentiable: accepted for compatibility and ignored.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 <= lr_decay, f"Invalid lr_decay value: {lr_decay}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _check(0.0 <= initial_accumulator_value,
               f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        # unlike the others, torch's Adagrad creates its state up front, from each group's value
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = self._new_state(p, group["initial_accumulator_value"])

    def _init_state(self, p, group):
        # a group added later starts from the optimizer's default, as in torch
        return self._new_state(p, self.defaults["initial_accumulator_value"])

    @staticmethod
    def _new_state(p, init):
        return {"step": _step_tensor(), "sum": _wrap(np.full_like(p._data, init))}

    def _update(self, p, g, state, group):
        lr = float(group["lr"])
        step = _count(state)
        g = _grad(p, g, group["weight_decay"], group["maximize"])
        clr = lr / (1 + (step - 1) * group["lr_decay"])
        s = state["sum"]._data
        tmp, std = np.empty_like(p), np.empty_like(p)
        _addcmul(s, g, g, 1, tmp)                   # sum += g * g
        np.sqrt(s, out=std)
        np.add(std, group["eps"], out=std)
        _addcdiv(p, g, std, -clr, tmp)              # p -= clr * g / (sqrt(sum) + eps)
