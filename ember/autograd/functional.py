"""``torch.autograd.functional``: Jacobians, Hessians and their products with vectors for a
function of tensors, computed by reverse mode (one backward pass per output element for the
full matrices, as torch's default ``vectorize=False``)."""
from .._tensor import Tensor


def _tuple(x):
    return (isinstance(x, tuple), (x,) if isinstance(x, Tensor) else tuple(x))


def _prepare(inputs, create_graph):
    # fresh leaves (or, with create_graph, views that keep the caller's graph) that require grad
    return tuple(x if create_graph and x.requires_grad else x.detach().requires_grad_(True) for x in inputs)


def _grad(outputs, inputs, grad_outputs, create_graph, retain_graph=True):
    from . import grad
    from ..ops.creation import zeros_like
    diff = [o.requires_grad for o in outputs]
    outs = [o for o, d in zip(outputs, diff) if d]
    gos = [g for g, d in zip(grad_outputs, diff) if d]
    if not outs:
        return tuple(zeros_like(x) for x in inputs)
    gs = grad(outs, inputs, gos, retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)
    return tuple(zeros_like(x) if g is None else g for x, g in zip(inputs, gs))


def _untuple(is_tuple, values):
    return tuple(values) if is_tuple else values[0]


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T J)``."""
    from ..ops.creation import ones_like
    in_tuple, xs = _tuple(inputs)
    xs = _prepare(xs, create_graph)
    out = func(*xs)
    out_tuple, outs = _tuple(out)
    if v is None:
        if len(outs) != 1 or outs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function returns a single "
                               "Tensor with a single element.")
        vs = (ones_like(outs[0]),)
    else:
        vs = _tuple(v)[1]
    g = _grad(outs, xs, vs, create_graph)
    res = out if create_graph else (tuple(o.detach() for o in outs) if out_tuple else outs[0].detach())
    return res, _untuple(in_tuple, g if create_graph else [t.detach() for t in g])


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)``, by the double-backward trick (torch's own)."""
    from ..ops.creation import zeros_like, ones_like
    in_tuple, xs = _tuple(inputs)
    xs = _prepare(xs, create_graph)
    out = func(*xs)
    out_tuple, outs = _tuple(out)
    if v is None:
        if len(xs) != 1 or xs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided function is a "
                               "single Tensor with a single element.")
        vs = (ones_like(xs[0]),)
    else:
        vs = _tuple(v)[1]
    us = tuple(zeros_like(o).requires_grad_(True) for o in outs)
    g = _grad(outs, xs, us, create_graph=True)
    jv = _grad(g, us, vs, create_graph)
    res = tuple(o if create_graph else o.detach() for o in outs)
    return _untuple(out_tuple, res), _untuple(out_tuple, [t if create_graph else t.detach() for t in jv])


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """d func(inputs) / d inputs: for each output and input, a tensor of shape out.shape + in.shape."""
    from ..ops.creation import zeros_like
    from ..ops.shape import stack
    in_tuple, xs = _tuple(inputs)
    xs = _prepare(xs, create_graph)
    out = func(*xs)
    out_tuple, outs = _tuple(out)
    result = []
    for o in outs:
        rows = [[] for _ in xs]
        flat = o.reshape(-1)
        for j in range(flat.numel()):
            if o.requires_grad:
                seed = zeros_like(flat)
                seed._data[j] = 1
                gs = _grad((flat,), xs, (seed,), create_graph)
            else:
                gs = tuple(zeros_like(x) for x in xs)
            for i, g in enumerate(gs):
                rows[i].append(g if create_graph else g.detach())
        per_input = [stack(r).reshape(tuple(o.shape) + tuple(x.shape)) if r else
                     zeros_like(x).reshape(tuple(o.shape) + tuple(x.shape)) for r, x in zip(rows, xs)]
        result.append(_untuple(in_tuple, per_input))
    return _untuple(out_tuple, result)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The second derivatives of a function with one scalar output: in.shape + in.shape per pair of inputs."""
    in_tuple, xs = _tuple(inputs)

    def first(*args):
        out = func(*args)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor with a single element")
        return jacobian(lambda *a: func(*a).reshape(()), args if in_tuple else args[0], create_graph=True)

    return jacobian(first, inputs, create_graph=create_graph)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T H)`` for a scalar function."""
    in_tuple, xs = _tuple(inputs)
    xs = _prepare(xs, True)
    out = func(*xs)
    from ..ops.creation import ones_like
    g = _grad((out,), xs, (ones_like(out),), create_graph=True)
    vs = _tuple(v)[1]
    r = _grad(g, xs, vs, create_graph)
    return out.detach() if not create_graph else out, _untuple(in_tuple, [t if create_graph else t.detach()
                                                                         for t in r])


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), H v)`` for a scalar function (H is symmetric: the same numbers as vhp)."""
    return vhp(func, inputs, v, create_graph, strict)
