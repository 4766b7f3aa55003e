"""Identity, Linear and Bilinear layers with their functional forms F.linear and F.bilinear."""
import math

import numpy as np

from ..autograd.engine import sum_to
from ..autograd.function import Op
from ..autograd.grad_mode import state as _mode
from ..autograd import trace as _trace
from .. import _runtime
from .._tensor import _wrap
from ..ops.linalg import _mm
from ..ops import creation as C
from . import init
from .module import Module
from .parameter import Parameter


class Addmm(Op):
    """``x @ w.T + b`` as one node: Linear is the hottest op in small models, and one node
    instead of three (transpose, matmul, add) cuts its Python overhead by half."""
    arrays = True

    def forward(self, x, w, b):
        if x.ndim > 2:  # one GEMM over all leading dims
            y = x.reshape(-1, x.shape[-1]).dot(w.T).reshape(x.shape[:-1] + (w.shape[0],))
        else:  # (ndarray.dot: matmul's small-shape path and np.dot's dispatch are slower)
            y = x.dot(w.T) if x.ndim == 2 else x @ w.T
        if b is not None:
            y += b
        return y

    def backward(self, gy):
        x, w, b = self.saved(gy)
        n = self.needs_input_grad
        gx = _mm(gy, w) if n[0] else None
        gw = gb = None
        if n[1]:
            if x.ndim == 1:
                gw = _mm(gy.reshape((-1, 1)), x.reshape((1, -1)))
            else:
                x2 = x.reshape((-1, x.shape[-1])) if x.ndim > 2 else x
                g2 = gy.reshape((-1, gy.shape[-1])) if gy.ndim > 2 else gy
                gw = _mm(g2.T, x2)
        if b is not None and n[2]:
            gb = sum_to(gy, b.shape) if gy.__class__ is np.ndarray else gy.sum(tuple(range(gy.ndim - 1)))
        return gx, gw, gb


def linear(input, weight, bias=None):
    """``input @ weight.T + bias``."""
    if _runtime.autocast_dtype is not None:  # torch.autocast: in bfloat16
        return _runtime.autocast_run(linear, input, weight, bias)
    x, w = input._data, weight._data
    if x.dtype == w.dtype and w.ndim == 2 and x.ndim and x.shape[-1] == w.shape[1] and _trace.active is None:
        # the common case, checked at once, and its node made without apply's generic dispatch
        b = None if bias is None else bias._data
        f = Addmm()
        try:
            out = _wrap(f.forward(x, w, b))
        except ValueError:  # a bias that does not fit: apply() raises torch's error
            return Addmm.apply(input, weight, bias)
        if (input._rg or weight._rg or bias is not None and bias._rg) and _mode.enabled:
            f.connect((input, weight, bias), out, [x, w, b])
        return out
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{input.dtype.name.capitalize()} and {weight.dtype.name.capitalize()}")
    if input._data.shape[-1] != weight._data.shape[-1]:
        rows = math.prod(input._data.shape[:-1]) if input._data.ndim > 1 else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input._data.shape[-1]} and "
                           f"{weight._data.shape[1] if weight._data.ndim > 1 else 1}x{weight._data.shape[0]})")
    if weight._data.ndim == 1:  # a vector weight: a dot product per row
        y = input @ weight
        return y + bias if bias is not None else y
    return Addmm.apply(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """``y_k = x1 @ weight[k] @ x2 + bias_k``."""
    from ..ops.linalg import einsum
    y = einsum("...i,kij,...j->...k", input1, weight, input2)
    return y + bias if bias is not None else y


class Identity(Module):
    """Returns its input; its arguments are ignored."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


def _factory(device, dtype):
    return {"device": device, "dtype": dtype}


class Linear(Module):
    """``y = x @ weight.T + bias``, weight of shape (out_features, in_features)."""

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(C.empty((out_features, in_features), **_factory(device, dtype)))
        if bias:
            self.bias = Parameter(C.empty(out_features, **_factory(device, dtype)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        # kaiming_uniform_ with a=sqrt(5) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)), as torch
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        p = self._parameters
        if "weight" in p and "bias" in p:  # read directly: Module.__getattr__'s fallback costs ~0.4 us each
            return linear(input, p["weight"], p["bias"])
        return linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    """``y = x1 @ weight @ x2 + bias``, weight of shape (out_features, in1_features, in2_features)."""

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        self.weight = Parameter(C.empty((out_features, in1_features, in2_features), **_factory(device, dtype)))
        if bias:
            self.bias = Parameter(C.empty(out_features, **_factory(device, dtype)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


def grouped_mm(mat_a, mat_b, *, offs=None, bias=None, out_dtype=None):
    """Matrix products of groups (a mixture of experts' tokens and weights): 3-D operands list
    the groups; a 2-D operand is cut into groups at the int32 ends in `offs` (torch's layout rules:
    2-D @ 3-D cuts the rows of mat_a, 3-D @ 2-D the columns of mat_b, 2-D @ 2-D the shared dim)."""
    from ..ops.shape import cat, stack
    a2, b2 = mat_a.dim() == 2, mat_b.dim() == 2
    if mat_a.dim() not in (2, 3) or mat_b.dim() not in (2, 3):
        raise RuntimeError("grouped_mm: mat_a and mat_b must be 2D or 3D tensors")
    if (a2 or b2) and offs is None:
        raise RuntimeError("grouped_mm: offs is required when either operand is 2D")
    if not (a2 or b2) and offs is not None:
        raise RuntimeError("grouped_mm: offs must be None when both operands are 3D")
    ends = [int(v) for v in offs.tolist()] if offs is not None else []
    starts = [0] + ends[:-1]
    if a2 and b2:      # (M, K) @ (K, N), K cut into groups: (G, M, N)
        out = stack([mat_a[:, s:e] @ mat_b[s:e] for s, e in zip(starts, ends)])
    elif a2:           # (M, K) rows cut into groups @ (G, K, N): (M, N); rows past the last end are 0
        parts = [mat_a[s:e] @ mat_b[g] for g, (s, e) in enumerate(zip(starts, ends))]
        if ends[-1] < mat_a.shape[0]:
            parts.append(mat_a.new_zeros((mat_a.shape[0] - ends[-1], mat_b.shape[-1])))
        out = cat(parts)
    elif b2:           # (G, M, K) @ (K, N) columns cut into groups: (M, N)
        parts = [mat_a[g] @ mat_b[:, s:e] for g, (s, e) in enumerate(zip(starts, ends))]
        if ends[-1] < mat_b.shape[1]:
            parts.append(mat_b.new_zeros((mat_a.shape[1], mat_b.shape[1] - ends[-1])))
        out = cat(parts, 1)
    else:              # (G, M, K) @ (G, K, N)
        out = mat_a @ mat_b
    if bias is not None:
        out = out + bias
    return out if out_dtype is None else out.to(out_dtype)
