"""grad, vjp, jvp, jacrev, jacfwd, hessian, linearize on reverse-mode autograd.

Each calls ``ember.autograd.grad`` with ``create_graph=True``, so the transforms nest; ``jvp`` is
the double-vjp trick: the vjp is linear in its cotangent u, so the gradient of <vjp(u), v> with
respect to u is J v.
"""
import ember
from .._tensor import Tensor
from ._pytree import _flatten, _tree_map


def _as_inputs(x):
    """A fresh node for `x` that the transform differentiates with respect to.

    Under an outer transform `x` already carries a graph; a view keeps it, so that the result
    can be differentiated again. Otherwise a detached leaf.
    """
    if not isinstance(x, Tensor):
        raise RuntimeError(f"Expected all inputs to be Tensors, got {type(x).__name__}")
    if x.requires_grad:
        return x.view_as(x)
    return x.detach().requires_grad_()


def _argnums_tuple(argnums, nargs, fname):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not isinstance(argnums, (int, tuple)) or len(nums) == 0:
        raise RuntimeError(f"{fname}: argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    for n in nums:
        if not -nargs <= n < nargs:
            raise RuntimeError(f"Got argnum={n}, but only {nargs} positional inputs")
    return tuple(n % nargs for n in nums)


def _diff_grad(outputs, inputs, grad_outputs=None):
    """Gradients that stay differentiable; zeros where an input is unused."""
    gs = ember.autograd.grad(outputs, inputs, grad_outputs, create_graph=True, allow_unused=True)
    return [ember.zeros_like(x) if g is None else g for g, x in zip(gs, inputs)]


def _finish(tree, keep):
    """Detach the results unless an outer transform (or the caller's inputs) needs their graph."""
    return tree if keep else _tree_map(lambda t: t.detach() if isinstance(t, Tensor) else t, tree)


def grad_and_value(func, argnums=0, has_aux=False):
    """f -> (x -> (grad of f at x, f(x))); f must return a scalar tensor (or (scalar, aux))."""
    def wrapper(*args, **kwargs):
        nums = _argnums_tuple(argnums, len(args), "grad_and_value")
        outer = any(t.requires_grad for n in nums for t in _flatten(args[n])[0] if isinstance(t, Tensor))
        args = list(args)
        diff = []
        for n in nums:
            leaves, rebuild = _flatten(args[n])
            fresh = [_as_inputs(t) for t in leaves]
            diff.append((fresh, rebuild))
            args[n] = rebuild(fresh)
        with ember.enable_grad():
            out = func(*args, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError("grad_and_value(f)(*args): output of function f should be a tuple: "
                                       "(output, aux) if has_aux is True")
                out, aux = out
            if not isinstance(out, Tensor):
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a Tensor, "
                                   f"got {type(out)}")
            if out.dim() != 0:
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, "
                                   f"got tensor with {out.dim()} dims. Maybe you wanted to use the vjp or "
                                   "jacrev APIs instead?")
            flat = [t for fresh, _ in diff for t in fresh]
            gs = _diff_grad(out, flat) if out.requires_grad else [ember.zeros_like(t) for t in flat]
        grads, i = [], 0
        for fresh, rebuild in diff:
            grads.append(rebuild(gs[i:i + len(fresh)]))
            i += len(fresh)
        g = grads[0] if isinstance(argnums, int) else tuple(grads)
        g = _finish(g, outer)
        out = _finish(out, outer)
        if has_aux:
            return g, (out, _finish(aux, outer))
        return g, out
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """f -> (x -> gradient of f at x) (torch.func.grad)."""
    gv = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        g, v = gv(*args, **kwargs)
        return (g, v[1]) if has_aux else g
    return wrapper


def vjp(func, *primals, has_aux=False):
    """(f(primals), vjp_fn): vjp_fn(cotangents) gives the vector-Jacobian product for each primal."""
    leaves, rebuild = _flatten(primals)
    outer = any(isinstance(t, Tensor) and t.requires_grad for t in leaves)
    fresh = [_as_inputs(t) for t in leaves]
    with ember.enable_grad():
        out = func(*rebuild(fresh))
        aux = None
        if has_aux:
            out, aux = out
    out_leaves, out_rebuild = _flatten(out)

    def vjp_fn(cotangents, retain_graph=True, create_graph=None):
        ct, _ = _flatten(cotangents)
        if len(ct) != len(out_leaves):
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of outputs "
                               "to the function")
        for c, o in zip(ct, out_leaves):
            if tuple(c.shape) != tuple(o.shape):
                raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of {tuple(c.shape)} and "
                                   f"output[0] has a shape of {tuple(o.shape)}.")
        keep = outer or any(c.requires_grad for c in ct)
        with ember.enable_grad():
            pairs = [(o, c) for o, c in zip(out_leaves, ct) if o.requires_grad]
            if pairs:
                gs = _diff_grad([o for o, _ in pairs], fresh, [c for _, c in pairs])
            else:
                gs = [ember.zeros_like(t) for t in fresh]
        return _finish(rebuild(gs), keep)

    out = _finish(out, outer)
    if has_aux:
        return out, vjp_fn, _finish(aux, outer)
    return out, vjp_fn


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """(f(primals), J tangents), by differentiating the vjp with respect to its cotangent."""
    if not isinstance(primals, tuple) or not isinstance(tangents, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to be tuples. "
                           "E.g. it should be valid to call f(*primals).")
    p_leaves, p_rebuild = _flatten(primals)
    t_leaves, _ = _flatten(tangents)
    if len(p_leaves) != len(t_leaves):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have the same python "
                           f"structure. For example, if primals is a tuple of 3 tensors, tangents also must be. "
                           f"Got primals with structure {primals} and tangents with structure {tangents}")
    for p, t in zip(p_leaves, t_leaves):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(f"jvp(f, primals, tangents): Expected primals and tangents to have the same shape. "
                               f"Got primals with shape {tuple(p.shape)} and tangents with shape {tuple(t.shape)}")
    outer = any(t.requires_grad for t in p_leaves + t_leaves)
    fresh = [_as_inputs(t) for t in p_leaves]
    with ember.enable_grad():
        out = func(*p_rebuild(fresh))
        aux = None
        if has_aux:
            out, aux = out
        o_leaves, o_rebuild = _flatten(out)
        us = [ember.zeros_like(o).requires_grad_() for o in o_leaves]
        live = [(o, u) for o, u in zip(o_leaves, us) if o.requires_grad]
        if live:
            gs = ember.autograd.grad([o for o, _ in live], fresh, [u for _, u in live], create_graph=True,
                                     allow_unused=True)
            pairs = [(g, t) for g, t in zip(gs, t_leaves) if g is not None and g.requires_grad]
            if pairs:
                jv = ember.autograd.grad([g for g, _ in pairs], us, [t for _, t in pairs], create_graph=True,
                                         allow_unused=True)
            else:
                jv = [None] * len(us)
        else:
            jv = [None] * len(us)
    tangent_out = o_rebuild([ember.zeros_like(o) if j is None else j for j, o in zip(jv, o_leaves)])
    res = (_finish(out, outer), _finish(tangent_out, outer))
    return res + (_finish(aux, outer),) if has_aux else res


def _jacobian(func, argnums, has_aux, fname, forward):
    def wrapper(*args, **kwargs):
        nums = _argnums_tuple(argnums, len(args), fname)
        outer = any(t.requires_grad for a in args for t in _flatten(a)[0] if isinstance(t, Tensor))
        args = list(args)
        fresh = {n: _as_inputs(args[n]) for n in nums}
        for n in nums:
            args[n] = fresh[n]
        with ember.enable_grad():
            out = func(*args, **kwargs)
            aux = None
            if has_aux:
                out, aux = out
            o_leaves, o_rebuild = _flatten(out)
            ins = [fresh[n] for n in nums]
            per_out = []
            for o in o_leaves:
                jac = []
                for x in ins:
                    jac.append(_jvp_columns(o, x) if forward else _vjp_rows(o, x))
                per_out.append(jac[0] if isinstance(argnums, int) else tuple(jac))
        res = _finish(o_rebuild(per_out), outer)
        return (res, _finish(aux, outer)) if has_aux else res
    return wrapper


def _vjp_rows(o, x):
    """d o / d x, one reverse pass per output element: shape o.shape + x.shape."""
    n = o.numel()
    if not o.requires_grad:
        return ember.zeros(tuple(o.shape) + tuple(x.shape), dtype=o.dtype)
    flat = o.reshape(-1)
    rows = []
    for i in range(n):
        g = ember.autograd.grad(flat[i], x, create_graph=True, retain_graph=True, allow_unused=True)[0]
        rows.append(ember.zeros_like(x) if g is None else g)
    return ember.stack(rows).reshape(tuple(o.shape) + tuple(x.shape)) if rows else \
        ember.zeros(tuple(o.shape) + tuple(x.shape), dtype=o.dtype)


def _jvp_columns(o, x):
    """d o / d x, one forward (double-vjp) product per input element: shape o.shape + x.shape."""
    if not o.requires_grad:
        return ember.zeros(tuple(o.shape) + tuple(x.shape), dtype=o.dtype)
    u = ember.zeros_like(o).requires_grad_()
    g = ember.autograd.grad(o, x, u, create_graph=True, allow_unused=True)[0]
    cols = []
    for i in range(x.numel()):
        e = ember.zeros(x.numel(), dtype=x.dtype)
        e[i] = 1
        e = e.reshape(tuple(x.shape))
        c = None
        if g is not None and g.requires_grad:
            c = ember.autograd.grad(g, u, e, create_graph=True, retain_graph=True, allow_unused=True)[0]
        cols.append(ember.zeros_like(o) if c is None else c)
    if not cols:
        return ember.zeros(tuple(o.shape) + tuple(x.shape), dtype=o.dtype)
    return ember.stack(cols, dim=-1).reshape(tuple(o.shape) + tuple(x.shape))


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """f -> (x -> Jacobian of f at x), by reverse mode: shape output.shape + input.shape."""
    return _jacobian(func, argnums, has_aux, "jacrev", forward=False)


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """f -> (x -> Jacobian of f at x), by forward products (jvp) column by column."""
    return _jacobian(func, argnums, has_aux, "jacfwd", forward=True)


def hessian(func, argnums=0):
    """f -> (x -> Hessian of f at x): jacfwd(jacrev(f))."""
    return jacfwd(jacrev(func, argnums), argnums)


def linearize(func, *primals):
    """(func(*primals), jvp_fn) with jvp_fn(*tangents) the Jacobian-vector product at primals."""
    out = func(*primals)

    def jvp_fn(*tangents):
        return jvp(func, primals, tangents)[1]
    return out, jvp_fn
