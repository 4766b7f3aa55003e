"""Nested tuples, lists and dicts of tensors, flattened to a list and rebuilt (the transforms' inputs)."""


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
