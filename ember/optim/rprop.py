"""Rprop: resilient backpropagation (per-element step sizes grown or shrunk by the gradient's sign)."""
import numpy as np

from .._tensor import _wrap
from .optimizer import Optimizer, _step_tensor, _count, _check


class Rprop(Optimizer):
    """Implements the resilient backpropagation algorithm, as torch.optim.Rprop.

    Args:
        foreach, capturable, differentiable: accepted for compatibility and ignored.
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": _step_tensor(), "prev": _wrap(np.zeros_like(p._data)),
                "step_size": _wrap(np.full_like(p._data, float(group["lr"])))}

    def _update(self, p, g, state, group):
        etaminus, etaplus = group["etas"]
        lo, hi = group["step_sizes"]
        dt = p.dtype.type
        _count(state)
        if group["maximize"]:
            g = -g
        prev, step_size = state["prev"]._data, state["step_size"]._data
        sign = np.sign(g * prev)
        # the sign of g * prev picks the factor: grow, shrink, or keep the step
        sign = np.where(sign > 0, dt(etaplus), np.where(sign < 0, dt(etaminus), dt(1))).astype(p.dtype)
        np.multiply(step_size, sign, out=step_size)
        np.clip(step_size, dt(lo), dt(hi), out=step_size)
        g = np.where(sign == dt(etaminus), dt(0), g)  # after a sign change, no step and no memory
        np.subtract(p, np.sign(g) * step_size, out=p)
        prev[...] = g
