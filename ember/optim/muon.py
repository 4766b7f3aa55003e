"""Muon: momentum SGD whose 2-D update is orthogonalized by a Newton-Schulz iteration in bfloat16."""
import math

import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import Optimizer, _lerp, _check

EPS = 1e-7
DEFAULT_A, DEFAULT_B, DEFAULT_C = 3.4445, -4.775, 2.0315
DEFAULT_NS_STEPS = 5


def _bf16(x):
    """Round float32 values to bfloat16 (round to nearest even), kept in a float32 array."""
    u = np.ascontiguousarray(x, np.float32).view(np.uint32)
    u = (u + np.uint32(0x7FFF) + ((u >> np.uint32(16)) & np.uint32(1))) & np.uint32(0xFFFF0000)
    return u.view(np.float32)


def _zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps):
    """The nearest semi-orthogonal matrix to `grad`, by the quintic Newton-Schulz iteration.

    As torch, the iterate is bfloat16: each product sums in float32 and rounds once to bfloat16.
    """
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if grad.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = (np.float32(v) for v in ns_coefficients)
    x = _bf16(grad)
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = x.T
    norm = _bf16(np.sqrt(np.sum(np.square(x, dtype=np.float32), dtype=np.float32)))
    x = _bf16(x / np.maximum(norm, _bf16(np.float32(eps))))
    for _ in range(ns_steps):
        gram = _bf16(x @ x.T)
        gram_update = _bf16(b * gram + c * (gram @ gram))  # addmm(gram, gram, gram, beta=b, alpha=c)
        x = _bf16(a * x + gram_update @ x)  # addmm(x, gram_update, x, beta=a)
    return x.T if tall else x


def _adjust_lr(lr, adjust_lr_fn, param_shape):
    """The lr scaled to the matrix's shape: sqrt(max(1, A/B)) (the original), or 0.2 sqrt(max(A, B))."""
    rows, cols = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    return lr * ratio


class Muon(Optimizer):
    """Implements Muon, as torch.optim.Muon (2-D parameters only)."""

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps=EPS, ns_steps=DEFAULT_NS_STEPS,
                 adjust_lr_fn=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check(0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}")
        _check(0.0 <= momentum, f"momentum should be >= 0 but is: {momentum}")
        _check(0.0 <= weight_decay, f"weight decay should be >= 0 but is: {weight_decay}")
        _check(adjust_lr_fn is None or adjust_lr_fn in ["original", "match_rms_adamw"],
               f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a parameter with size: "
                                     f"{p.size()}")

    def _init_state(self, p, group):
        return {"momentum_buffer": _wrap(np.zeros_like(p._data))}

    def _update(self, p, g, state, group):
        lr, momentum = float(group["lr"]), group["momentum"]
        buf = state["momentum_buffer"]._data
        tmp = np.empty_like(buf)
        _lerp(buf, g, 1 - momentum, tmp)
        if group["nesterov"]:
            update = g.copy()
            _lerp(update, buf, momentum, tmp)  # grad.lerp(buf, momentum)
        else:
            update = buf
        update = _zeropower_via_newtonschulz(update, group["ns_coefficients"], group["ns_steps"], group["eps"])
        np.multiply(p, 1 - lr * group["weight_decay"], out=p)
        p -= (update * np.float32(_adjust_lr(lr, group["adjust_lr_fn"], p.shape))).astype(p.dtype)
