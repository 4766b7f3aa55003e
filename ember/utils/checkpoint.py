"""``torch.utils.checkpoint``: trade compute for memory. The forward runs without recording a
graph; backward runs it again (same random numbers) with the graph on and backpropagates
through that, so the activations inside exist only during backward. Gradients equal those of
the plain call."""
import warnings

from ..autograd import Function, backward as _backward
from ..autograd.grad_mode import no_grad, enable_grad
from .._tensor import Tensor
from .. import random as _random


class CheckpointFunction(Function):
    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        ctx.run_function, ctx.preserve = run_function, preserve_rng_state
        if preserve_rng_state:
            ctx.rng_state = _random.get_rng_state()
        ctx.args = args  # (not ctx.inputs: the graph node keeps its own)
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grad_outputs):
        xs = [x.detach().requires_grad_(x.requires_grad) if isinstance(x, Tensor) else x for x in ctx.args]
        now = _random.get_rng_state()
        if ctx.preserve:
            _random.set_rng_state(ctx.rng_state)
        try:
            with enable_grad():
                outs = ctx.run_function(*xs)
        finally:
            _random.set_rng_state(now)
        outs = outs if isinstance(outs, tuple) else (outs,)
        pairs = [(o, g) for o, g in zip(outs, grad_outputs) if isinstance(o, Tensor) and o.requires_grad]
        if pairs:
            # parameters used inside get their .grad here, as torch's reentrant checkpoint
            _backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(x.grad if isinstance(x, Tensor) else None for x in xs)


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check="default", debug=False,
               preserve_rng_state=True, **kwargs):
    """``function(*args, **kwargs)`` with its activations recomputed in backward instead of kept."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in "
                      "PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. "
                      "use_reentrant=False is recommended, but if you need to preserve the current default behavior, "
                      "you can pass use_reentrant=True. Refer to docs for more details on the differences between "
                      "the two variants.", UserWarning, stacklevel=2)
        use_reentrant = True
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    fn = function if not kwargs else (lambda *a: function(*a, **kwargs))
    if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
        if use_reentrant:
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", UserWarning,
                          stacklevel=2)
            return CheckpointFunction.apply(fn, preserve_rng_state, *args)
        return fn(*args)  # (non-reentrant: parameters inside still get gradients; nothing to save)
    return CheckpointFunction.apply(fn, preserve_rng_state, *args)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a Sequential (or list of modules) in `segments` checkpointed chunks; the last runs plainly."""
    if isinstance(functions, Tensor):
        raise TypeError("checkpoint_sequential expects modules first")
    functions = list(functions.children()) if hasattr(functions, "children") else list(functions)
    size = len(functions) // segments
    end = -1

    def run(start, stop):
        def forward(x):
            for f in functions[start:stop + 1]:
                x = f(x)
            return x
        return forward

    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, **kwargs)
    return run(end + 1, len(functions) - 1)(input)
