"""Automatic differentiation: backward(), grad(), custom Functions and grad modes."""
import numpy as np

from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled)
from .function import Function, Node, Op, once_differentiable
from .engine import run_backward
from .variable import Variable  # noqa: F401 (old code's wrapper: returns a Tensor)
from .gradcheck import gradcheck, gradgradcheck, GradcheckError  # noqa: F401
from .anomaly_mode import detect_anomaly, set_detect_anomaly, is_anomaly_enabled  # noqa: F401
from . import graph, forward_ad  # noqa: F401 (torch.autograd.graph, torch.autograd.forward_ad)
from .. import _tensor


def _make_grads(outputs, grad_outputs):
    """What seeds backward: the given gradient tensors, arrays of ones for scalar outputs
    without one."""
    grads = []
    for out, g in zip(outputs, grad_outputs):
        d = out._data
        if g is None:
            if d.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if d.dtype.kind not in "fc":
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got {out.dtype}")
            # (np.ones_like, which also serves CuPy arrays, is 5x slower on NumPy's)
            g = (np.array(1, d.dtype).reshape(d.shape) if d.ndim else np.array(1, d.dtype)) \
                if d.__class__ is np.ndarray else np.ones_like(d)
        elif not isinstance(g, _tensor.Tensor):
            g = np.full(d.shape, g, dtype=d.dtype)
        elif g._data.shape != d.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of {g.shape} and output[0] has a "
                               f"shape of {out.shape}.")
        grads.append(g)
    return grads


def _seq(x):
    return (x,) if isinstance(x, _tensor.Tensor) else tuple(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate into the ``.grad`` of graph leaves the gradient of `tensors`."""
    tensors = _seq(tensors)
    grads = _make_grads(tensors, _seq(grad_tensors) if grad_tensors is not None else (None,) * len(tensors))
    if inputs is not None:
        inputs = _seq(inputs)
    run_backward(tensors, grads, create_graph if retain_graph is None else retain_graph, create_graph, inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None,
         is_grads_batched=False, materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs`, returned (not accumulated into .grad)."""
    outputs = _seq(outputs)
    inputs = _seq(inputs)
    for t in inputs:
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _make_grads(outputs, _seq(grad_outputs) if grad_outputs is not None else (None,) * len(outputs))
    if retain_graph is None:
        retain_graph = create_graph
    result = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs, accumulate=False)
    out = []
    for t, g in zip(inputs, result):
        if g is None:
            if materialize_grads:
                from ..ops.creation import zeros_like
                g = zeros_like(t)
            elif not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been used in the graph. "
                                   "Set allow_unused=True if this is the desired behavior.")
        out.append(g)
    return tuple(out)


__all__ = ["backward", "grad", "Function", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled"]


def __getattr__(name):
    # torch.autograd.profiler and .functional load on first use (they are not needed to differentiate)
    if name in ("profiler", "functional"):
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    if name == "ProfilerActivity":
        from ..profiler import ProfilerActivity
        return ProfilerActivity
    raise AttributeError(f"module 'ember.autograd' has no attribute '{name}'")


_multithreading = [True]


def is_multithreading_enabled():
    return _multithreading[0]


class set_multithreading_enabled:
    """torch runs backward on a thread per device; ember's engine is one loop, so this is a flag only."""

    def __init__(self, mode):
        self.prev, _multithreading[0] = _multithreading[0], bool(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _multithreading[0] = self.prev


def kineto_available():
    return False  # torch's C++ profiler library; ember.profiler times ops itself


def is_view_replay_enabled():
    return False


def is_tensor_like(inp):
    """A Tensor, or an object that takes part in torch's __torch_function__ protocol."""
    return isinstance(inp, _tensor.Tensor) or hasattr(type(inp), "__torch_function__")
