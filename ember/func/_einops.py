"""rearrange: einops' pattern language for reshapes and transposes (torch.func.rearrange)."""
import ember


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
