"""``torch.autograd.gradcheck`` / ``gradgradcheck``: compare the gradients autograd computes with
central finite differences, one input element at a time (small inputs, float64 as torch advises)."""
import warnings

import numpy as np

from .._tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by gradcheck and gradgradcheck (a RuntimeError, as torch's)."""


def _as_tuple(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _outputs(func, inputs):
    return [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor)]


def _numerical(func, inputs, x, eps):
    """d(outputs)/dx by central differences: one (x.numel, out.numel) matrix per output."""
    flat = x._data.reshape(-1)  # x is contiguous (checked), so this writes into x
    cols = []
    for i in range(flat.size):  # (with the graph on: func may itself differentiate, as in gradgradcheck)
        v = flat[i]
        flat[i] = v + eps
        plus = [o._data.reshape(-1).astype(np.float64) for o in _outputs(func, inputs)]
        flat[i] = v - eps
        minus = [o._data.reshape(-1).astype(np.float64) for o in _outputs(func, inputs)]
        flat[i] = v
        cols.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    n_out = len(cols[0]) if cols else len(_outputs(func, inputs))
    return [np.array([c[k] for c in cols]).reshape(flat.size, -1) for k in range(n_out)]


def _analytical(outputs, diff_inputs):
    """d(outputs)/d(inputs) from backward, one unit vector per output element."""
    from . import grad
    from ..ops.creation import zeros_like
    jac = [[np.zeros((x.numel(), o.numel())) for o in outputs] for x in diff_inputs]
    for k, o in enumerate(outputs):
        if not o.requires_grad:
            continue
        for j in range(o.numel()):
            seed = zeros_like(o)
            seed._data.reshape(-1)[j] = 1
            gs = grad(o, diff_inputs, seed, retain_graph=True, allow_unused=True)
            for i, g in enumerate(gs):
                if g is not None:
                    jac[i][k][:, j] = np.asarray(g._data, dtype=np.float64).reshape(-1)
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """True when autograd's gradients of `func` at `inputs` match finite differences; otherwise raise
    GradcheckError (or return False with ``raise_exception=False``).

    Args:
        check_batched_grad, check_forward_ad, fast_mode: accepted; ember checks the full
            backward Jacobian only.
    """
    inputs = _as_tuple(inputs)
    diff = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the them "
                         "have requires_grad=True.")
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad:
            if x._data.dtype != np.float64 and x._data.dtype != np.complex128:
                warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point or "
                              "complex. This check will likely fail if all the inputs are not of double precision "
                              "floating point or complex. ", UserWarning, stacklevel=2)
            if not x._data.flags.c_contiguous:
                raise ValueError("gradcheck needs contiguous inputs")
    outputs = _outputs(func, inputs)
    analytical = _analytical(outputs, diff)
    for i, x in enumerate(diff):
        numerical = _numerical(func, inputs, x, eps)
        for k, (a, n) in enumerate(zip(analytical[i], numerical)):
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(f"Jacobian mismatch for output {k} with respect to input {i},\n"
                                     f"numerical:{n}\nanalytical:{a}\n")
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception=True, nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """gradcheck of the gradients: second derivatives of `func` against finite differences of
    its first derivatives (random `grad_outputs` when none are given)."""
    from . import grad
    from .. import random as _random
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        from .._tensor import _wrap
        outs = _outputs(func, inputs)
        grad_outputs = [_wrap(_random.default_generator.normal(o._data.shape, o._data.dtype, 0.0, 1.0))
                        .requires_grad_() for o in outs]
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)

    def first_derivatives(*args):
        xs, gys = args[:n], args[n:]
        outs = _outputs(func, xs)
        d = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        gs = grad(outs, d, gys, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_derivatives, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
