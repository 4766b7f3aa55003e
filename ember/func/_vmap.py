"""vmap: the function run once per element of the mapped dimension, the results stacked (the same
numbers as torch's batching rules, one call per element)."""
import ember
from .._tensor import Tensor
from ._pytree import _flatten


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Map `func` over a dimension of its inputs: one call per batch element, results stacked.

    Args:
        randomness: "error" raises torch's error when `func` draws random numbers; "same" gives every
            element the same draws (the generator is rewound before each call); "different" lets each
            call draw its own (the values differ from torch's batched draws).
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. "
                           f"Got {randomness}")

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
        gen = ember.random.default_generator
        start = gen.get_state() if randomness != "different" else None
        for i in range(n):
            if randomness == "same":
                gen.set_state(start)
            sl = [x if d is None else x.select(d, i) for x, d in zip(leaves, leaf_dims)]
            results.append(func(*rebuild(sl), **kwargs))
            if randomness == "error" and not (gen.get_state() == start).all():
                gen.set_state(start)
                raise RuntimeError("vmap: called random operation while in randomness error mode. Please either "
                                   "use the 'same' or 'different' randomness flags on vmap or perform the "
                                   "randomness operation out of vmap")
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
