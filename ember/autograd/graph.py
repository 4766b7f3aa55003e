"""torch.autograd.graph: hooks on the tensors the graph saves for backward, and graph inspection.

``saved_tensors_hooks(pack, unpack)``: while it is in force, each tensor an op keeps for its
backward (its inputs, or its output for ops that differentiate from it, and what a custom
Function saves) goes through ``pack`` when it is saved, under no_grad; backward works on what
``unpack`` gives back. ember's ops save the tensors their own backward reads, which for a few
ops (a Linear's bias) differs from torch's choice, so the hooks may be called a different
number of times than under torch; the gradients are the same.
"""
import contextlib
from typing import NamedTuple

from .function import Node, saved_hooks
from .engine import AccumulateGrad

__all__ = ["saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks", "Node", "GradientEdge",
           "get_gradient_edge", "increment_version"]

_disabled = []  # messages of the disable_saved_tensors_hooks in force


class saved_tensors_hooks:
    """Context manager: `pack_hook(tensor) -> anything` when a tensor is saved for backward,
    `unpack_hook(that) -> tensor` when backward needs it back."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        if _disabled:
            raise RuntimeError(_disabled[-1])
        saved_hooks.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc):
        saved_hooks.pop()
        return False


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors kept on the CPU and moved back to their device for backward."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack(t):
            return t.device, t.cpu()

        def unpack(packed):
            device, t = packed
            return t.to(device)
        super().__init__(pack, unpack)


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message):
    """Within it, entering saved_tensors_hooks raises RuntimeError(error_message)."""
    _disabled.append(error_message)
    try:
        yield
    finally:
        _disabled.pop()


class GradientEdge(NamedTuple):
    """Where a tensor's gradient flows: its grad_fn (AccumulateGrad for a leaf) and output index."""
    node: object
    output_nr: int
    ownership_token: object = None


def get_gradient_edge(tensor):
    """The GradientEdge of a tensor that requires grad."""
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does not require "
                           "gradients")
    if tensor.grad_fn is None:
        return GradientEdge(AccumulateGrad(tensor), 0)
    return GradientEdge(tensor.grad_fn, tensor._out_nr)


def increment_version(tensor):
    """Bump the version counter(s), as an in-place change made outside autograd would."""
    for t in tensor if isinstance(tensor, (list, tuple)) else (tensor,):
        t._version[0] += 1
