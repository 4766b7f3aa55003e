"""ASGD: averaged stochastic gradient descent (Polyak-Juditsky averaging in ``ax``)."""
import numpy as np

from .._tensor import _wrap
from .optimizer import Optimizer, _step_tensor, _count, _grad, _add, _check


class ASGD(Optimizer):
    """Implements averaged stochastic gradient descent, as torch.optim.ASGD.

    Args:
        foreach, capturable, differentiable: accepted for compatibility and ignored.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": _step_tensor(), "eta": _step_tensor(float(group["lr"])), "mu": _step_tensor(1.0),
                "ax": _wrap(np.zeros_like(p._data))}

    def _update(self, p, g, state, group):
        lr, lambd = float(group["lr"]), group["lambd"]
        step = _count(state)
        g = _grad(p, g, group["weight_decay"], group["maximize"])
        eta_t, mu_t, ax = state["eta"]._data, state["mu"]._data, state["ax"]._data
        eta = float(eta_t)
        np.multiply(p, 1 - lambd * eta, out=p)  # decay, then a plain SGD step with the current eta
        _add(p, g, -eta, np.empty_like(p))
        if float(mu_t) != 1:
            ax += (p - ax) * mu_t.astype(p.dtype)
        else:
            ax[...] = p
        # eta and mu are float32 (the scalar dtype) as in torch: computed in double, then rounded
        eta_t[...] = lr / (1 + lambd * lr * step) ** group["alpha"]
        mu_t[...] = 1 / max(1, step - group["t0"])
