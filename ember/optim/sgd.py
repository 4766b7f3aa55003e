"""SGD: stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""
import numpy as np

from .._tensor import _wrap
from .optimizer import Optimizer, _grad, _add, _check


class SGD(Optimizer):
    """Implements stochastic gradient descent (optionally with momentum), as torch.optim.SGD.

    Args:
        foreach, fused, differentiable: accepted for compatibility and ignored (one implementation).
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        _check(not nesterov or (momentum > 0 and dampening == 0),
               "Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        # the buffer starts as a copy of the first gradient, in _update; plain SGD keeps no state
        return {"momentum_buffer": None} if group["momentum"] != 0 else {}

    def _update(self, p, g, state, group):
        lr, momentum = float(group["lr"]), group["momentum"]
        g = _grad(p, g, group["weight_decay"], group["maximize"])
        if momentum != 0:
            tmp = np.empty_like(p)
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = g.copy()
                state["momentum_buffer"] = _wrap(buf)
            else:
                buf = buf._data
                np.multiply(buf, momentum, out=buf)
                _add(buf, g, 1 - group["dampening"], tmp)
            if group["nesterov"]:
                np.multiply(buf, momentum, out=tmp)
                g = np.add(g, tmp, out=tmp)
            else:
                g = buf
        np.subtract(p, np.multiply(g, lr), out=p)  # p -= lr * g, torch's p.add_(g, alpha=-lr)
