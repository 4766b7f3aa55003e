"""ember.func: torch.func's function transforms on ember's autograd.

Every transform here is reverse-mode autograd underneath: ``grad``/``vjp``/``jacrev`` call
``ember.autograd.grad`` with ``create_graph=True`` so that transforms nest (``hessian`` is
``jacfwd(jacrev(f))``); ``jvp`` is the double-vjp trick (the vjp is linear in its cotangent u, so
the gradient of <vjp(u), v> with respect to u is J v); ``vmap`` runs the function once per batch
element and stacks the results, which gives the same numbers as torch's batching rules.
"""
import contextlib

import ember
from .._tensor import Tensor

__all__ = ["functional_call", "grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian",
           "vmap", "stack_module_state", "linearize", "functionalize", "debug_unwrap",
           "replace_all_batch_norm_modules_", "rearrange"]


# ------------------------------------------------------------------ pytrees (tuples, lists, dicts)
def _flatten(tree):
    """(leaves, rebuild) for nested tuples/lists/dicts with tensor (or other) leaves."""
    if isinstance(tree, (tuple, list)):
        parts = [_flatten(t) for t in tree]
        leaves = [x for p in parts for x in p[0]]
        sizes = [len(p[0]) for p in parts]

        def rebuild(xs):
            out, i = [], 0
            for (_, rb), n in zip(parts, sizes):
                out.append(rb(xs[i:i + n]))
                i += n
            return type(tree)(out) if not hasattr(tree, "_fields") else type(tree)(*out)
        return leaves, rebuild
    if isinstance(tree, dict):
        keys = list(tree)
        leaves, rb = _flatten([tree[k] for k in keys])
        return leaves, lambda xs: dict(zip(keys, rb(xs)))
    return [tree], lambda xs: xs[0]


def _tree_map(fn, tree):
    leaves, rebuild = _flatten(tree)
    return rebuild([fn(x) for x in leaves])


# --------------------------------------------------------------------------- functional_call
def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Call `module` with some of its parameters and buffers replaced by the given tensors."""
    if isinstance(parameter_and_buffer_dicts, dict):
        values = dict(parameter_and_buffer_dicts)
    else:
        values = {}
        for d in parameter_and_buffer_dicts:
            for k, v in d.items():
                if k in values:
                    raise ValueError(f"{k} appeared in multiple dictionaries; behavior of functional call is ambiguous")
                values[k] = v
    if strict:
        expected = {n for n, _ in module.named_parameters(remove_duplicate=False)} | \
                   {n for n, _ in module.named_buffers(remove_duplicate=False)}
        missing = sorted(expected - set(values))
        unexpected = sorted(set(values) - expected)
        if missing or unexpected:
            msg = "Error(s) in reparametrizing for {}:\n".format(type(module).__name__)
            if unexpected:
                msg += "\tUnexpected key(s): {}.\n".format(", ".join(repr(k) for k in unexpected))
            if missing:
                msg += "\tMissing key(s): {}.\n".format(", ".join(repr(k) for k in missing))
            raise RuntimeError(msg)
    if tie_weights:  # a tensor registered under several names is replaced under all of them
        names_of = {}
        for n, t in list(module.named_parameters(remove_duplicate=False)) + list(module.named_buffers(remove_duplicate=False)):
            names_of.setdefault(id(t), []).append(n)
        for group in names_of.values():
            given = [n for n in group if n in values]
            if given:
                for n in group:
                    if n not in values:
                        values[n] = values[given[0]]
                    elif values[n] is not values[given[0]]:
                        raise ValueError(f"functional_call got multiple values for keys {given}, which are tied. "
                                         "Consider using tie_weights=False")
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _swapped(module, values):
        return module(*args, **(kwargs or {}))


@contextlib.contextmanager
def _swapped(module, values):
    saved = []
    try:
        for name, t in values.items():
            *path, leaf = name.split(".")
            m = module
            for p in path:
                m = getattr(m, p)
            store = m._parameters if leaf in m._parameters else m._buffers if leaf in m._buffers else None
            if store is None:
                saved.append((m, leaf, None, getattr(m, leaf, None)))
                object.__setattr__(m, leaf, t)
            else:
                saved.append((m, leaf, store, store[leaf]))
                store[leaf] = t
        yield
    finally:
        for m, leaf, store, old in reversed(saved):
            if store is None:
                object.__delattr__(m, leaf) if old is None else object.__setattr__(m, leaf, old)
            else:
                store[leaf] = old


def stack_module_state(models):
    """(params, buffers): each model's parameters and buffers stacked along a new leading dim."""
    models = list(models)
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    if len({type(m) for m in models}) != 1:
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")

    def stack(named, leaf):
        out = {}
        for k in dict(named(models[0])):
            ts = [dict(named(m))[k] for m in models]
            s = ember.stack([t.detach() for t in ts])
            if leaf and all(t.requires_grad for t in ts):
                s = s.requires_grad_()
            out[k] = s
        return out
    return stack(lambda m: m.named_parameters(), True), stack(lambda m: m.named_buffers(), False)


# --------------------------------------------------------------------------------- gradients
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


# --------------------------------------------------------------------------------------- vmap
def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Map `func` over a dimension of its inputs: one call per batch element, results stacked."""
    def wrapper(*args, **kwargs):
        dims = in_dims
        if isinstance(dims, int) or dims is None:
            dims = tuple(dims for _ in args)
        elif isinstance(dims, list):
            dims = tuple(dims)
        if not isinstance(dims, tuple) or len(dims) != len(args):
            raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
                             f"structure of `inputs`. in_dims has structure {dims} but inputs has structure {args}.")
        leaves, rebuild = _flatten(list(args))
        leaf_dims = []
        for a, d in zip(args, dims):
            n = len(_flatten(a)[0])
            if isinstance(d, (tuple, list, dict)):
                ds, _ = _flatten(d)
                if len(ds) != n:
                    raise ValueError("vmap: in_dims is not compatible with the structure of `inputs`.")
                leaf_dims += ds
            else:
                leaf_dims += [d] * n
        sizes = set()
        for x, d in zip(leaves, leaf_dims):
            if d is None:
                continue
            if not isinstance(x, Tensor):
                raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input but the "
                                 f"input is of type {type(x)}. We cannot vmap over non-Tensor arguments, please use "
                                 "None as the respective in_dim")
            if not -x.dim() <= d < max(x.dim(), 1) or x.dim() == 0:
                raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some input, but "
                                 f"that input is a Tensor of dimensionality {x.dim()} so expected in_dim to satisfy "
                                 f"-{x.dim()} <= in_dim < {x.dim()}.")
            sizes.add(x.shape[d])
        if not sizes:
            raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): at least one input must be a Tensor "
                             "to vmap over (in_dims may not be all None)")
        if len(sizes) > 1:
            got = [x.shape[d] for x, d in zip(leaves, leaf_dims) if d is not None]
            raise ValueError("vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                             f"{got} for the mapped dimension")
        n = sizes.pop()
        results = []
        for i in range(n):
            sl = [x if d is None else x.select(d, i) for x, d in zip(leaves, leaf_dims)]
            results.append(func(*rebuild(sl), **kwargs))
        o_leaves0, o_rebuild = _flatten(results[0])
        per = [_flatten(r)[0] for r in results]
        odims = out_dims
        if isinstance(odims, int) or odims is None:
            odims = [odims] * len(o_leaves0)
        else:
            odims = _flatten(odims)[0]
            if len(odims) != len(o_leaves0):
                odims = odims * len(o_leaves0) if len(odims) == 1 else odims
        outs = []
        for j, d in enumerate(odims):
            col = [p[j] for p in per]
            if not isinstance(col[0], Tensor):
                raise ValueError(f"vmap({getattr(func, '__name__', 'f')}, ...): `{getattr(func, '__name__', 'f')}` "
                                 f"must only return Tensors, got type {type(col[0])}. Did you mean to set out_dims= "
                                 "to None for output?")
            outs.append(col[0] if d is None else ember.stack(col, dim=d))
        return o_rebuild(outs)
    return wrapper


# ------------------------------------------------------------------------------------ the rest
def linearize(func, *primals):
    """(func(*primals), jvp_fn) with jvp_fn(*tangents) the Jacobian-vector product at primals."""
    out = func(*primals)

    def jvp_fn(*tangents):
        return jvp(func, primals, tangents)[1]
    return out, jvp_fn


def functionalize(func, *, remove="mutations"):
    """func itself: ember runs in-place ops eagerly and the transforms above handle them, so there is
    nothing to rewrite (torch removes mutations for its compiler)."""
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(f"functionalize(f, remove='mutations'): received invalid argument for remove={remove}. "
                           "Valid options are:\n     remove='mutations': all inplace and out= operators will be "
                           "removed from the program, and replaced with their out-of-place equivalents.\n     "
                           "remove='mutations_and_views': In addition to the above, all aliasing operators {view} "
                           "will be replaced with their non-aliasing counterparts, {view}_copy.\n")
    return func


def debug_unwrap(tensor, *, recurse=True):
    """The plain tensor under a transform's wrapper; ember's transforms wrap nothing."""
    return tensor


def replace_all_batch_norm_modules_(root):
    """Make every BatchNorm in `root` use batch statistics only (no running stats), in place."""
    from ..nn.normalization import _BatchNorm
    for module in root.modules():
        if isinstance(module, _BatchNorm) and module.track_running_stats:
            module.running_mean = None
            module.running_var = None
            module.num_batches_tracked = None
            module.track_running_stats = False
    return root


def rearrange(tensor, pattern, **axes_lengths):
    """einops-style rearrange: ``rearrange(x, "b (h w) c -> b h w c", h=2)`` (a list of tensors is stacked)."""
    if isinstance(tensor, (list, tuple)):
        tensor = ember.stack(list(tensor))
    left, right = (_parse_axes(side) for side in pattern.split("->"))
    # sizes of the elementary axes, from the input's shape and the given lengths
    sizes = dict(axes_lengths)
    ell = [i for i, g in enumerate(left) if g == ["..."]]
    n_ell = tensor.dim() - (len(left) - len(ell))
    dims = list(tensor.shape)
    pos = 0
    elementary = []
    for group in left:
        if group == ["..."]:
            names = [f"...{k}" for k in range(n_ell)]
            for name, n in zip(names, dims[pos:pos + n_ell]):
                sizes[name] = n
            elementary += names
            pos += n_ell
            continue
        n = dims[pos]
        unknown = [a for a in group if a not in sizes and not a.isdigit()]
        known = 1
        for a in group:
            known *= int(a) if a.isdigit() else sizes.get(a, 1)
        if len(unknown) > 1:
            raise ValueError(f"Could not infer sizes for {unknown}")
        if unknown:
            sizes[unknown[0]] = n // known
        elif known != n:
            raise ValueError(f"Shape mismatch, can't divide axis of length {n} in chunks of {known}")
        elementary += [a for a in group if not a.isdigit()]
        pos += 1
    x = tensor.reshape([sizes[a] for a in elementary] or [1])
    out_elem = []
    for group in right:
        if group == ["..."]:
            out_elem += [f"...{k}" for k in range(n_ell)]
        else:
            out_elem += [a for a in group if not a.isdigit()]
    if sorted(out_elem) != sorted(elementary):
        raise ValueError(f"Identifiers only on one side of expression (should be on both): "
                         f"{set(out_elem) ^ set(elementary)}")
    x = x.permute([elementary.index(a) for a in out_elem]) if elementary else x
    shape = []
    for group in right:
        if group == ["..."]:
            shape += [sizes[f"...{k}"] for k in range(n_ell)]
        else:
            n = 1
            for a in group:
                n *= int(a) if a.isdigit() else sizes[a]
            shape.append(n)
    return x.reshape(shape)


def _parse_axes(side):
    """'b (h w) ... c' -> [['b'], ['h', 'w'], ['...'], ['c']]."""
    groups, current = [], None
    for tok in side.replace("(", " ( ").replace(")", " ) ").split():
        if tok == "(":
            current = []
        elif tok == ")":
            groups.append(current)
            current = None
        elif current is not None:
            current.append(tok)
        else:
            groups.append([tok])
    return groups
