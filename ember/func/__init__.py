"""ember.func: torch.func's function transforms on ember's autograd.

Every transform here is reverse-mode autograd underneath: ``grad``/``vjp``/``jacrev`` call
``ember.autograd.grad`` with ``create_graph=True`` so that transforms nest (``hessian`` is
``jacfwd(jacrev(f))``); ``jvp`` is the double-vjp trick (the vjp is linear in its cotangent u, so
the gradient of <vjp(u), v> with respect to u is J v); ``vmap`` runs the function once per batch
element and stacks the results, which gives the same numbers as torch's batching rules.
"""
from ._functional_call import functional_call, stack_module_state  # noqa: F401
from ._eager_transforms import grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, linearize  # noqa: F401
from ._vmap import vmap  # noqa: F401
from ._misc import functionalize, debug_unwrap, replace_all_batch_norm_modules_  # noqa: F401
from ._einops import rearrange  # noqa: F401

__all__ = ["functional_call", "grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian",
           "vmap", "stack_module_state", "linearize", "functionalize", "debug_unwrap",
           "replace_all_batch_norm_modules_", "rearrange"]
