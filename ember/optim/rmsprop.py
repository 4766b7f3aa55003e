"""RMSprop: divide the gradient by a running root mean square of recent gradients."""
import numpy as np

from .optimizer import Optimizer, _step_tensor, _zeros, _count, _grad, _lerp, _addcmul, _addcdiv, _add, _check


class RMSprop(Optimizer):
    """Implements RMSprop (optionally centered, with momentum), as torch.optim.RMSprop.

    Args:
        foreach, capturable, differentiable: accepted for compatibility and ignored.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _check(0.0 <= momentum, f"Invalid momentum value: {momentum}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _check(0.0 <= alpha, f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        state = {"step": _step_tensor(), "square_avg": _zeros(p)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = _zeros(p)
        if group["centered"]:
            state["grad_avg"] = _zeros(p)
        return state

    def _update(self, p, g, state, group):
        lr, alpha, momentum = float(group["lr"]), group["alpha"], group["momentum"]
        _count(state)
        g = _grad(p, g, group["weight_decay"], group["maximize"])
        sq = state["square_avg"]._data
        tmp, avg = np.empty_like(p), np.empty_like(p)
        np.multiply(sq, alpha, out=sq)              # E[g^2] = alpha * E[g^2] + (1 - alpha) * g^2
        _addcmul(sq, g, g, 1 - alpha, tmp)
        if group["centered"]:                       # subtract E[g]^2: the variance, not the 2nd moment
            g_avg = state["grad_avg"]._data
            _lerp(g_avg, g, 1 - alpha, tmp)
            np.copyto(avg, sq)
            _addcmul(avg, g_avg, g_avg, -1, tmp)
            np.sqrt(avg, out=avg)
        else:
            np.sqrt(sq, out=avg)
        np.add(avg, group["eps"], out=avg)
        if momentum > 0:
            buf = state["momentum_buffer"]._data
            np.multiply(buf, momentum, out=buf)
            _addcdiv(buf, g, avg, 1, tmp)
            _add(p, buf, -lr, tmp)
        else:
            _addcdiv(p, g, avg, -lr, tmp)
