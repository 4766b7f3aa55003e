"""torch.nn.modules.utils: the tuple helpers layers use for their size arguments."""
__all__ = ["consume_prefix_in_state_dict_if_present"]


def _as_tuple(n):
    """A parser that turns `x` into an n-tuple: a scalar repeated, any iterable as it is."""
    def parse(x):
        return tuple(x) if hasattr(x, "__iter__") else (x,) * n
    return parse


_single, _pair, _triple, _quadruple = (_as_tuple(n) for n in (1, 2, 3, 4))
_ntuple = _as_tuple


def _reverse_repeat_tuple(t, n):
    """(a, b) -> (b, b, a, a) for n = 2: the order F.pad wants its per-side paddings in."""
    return tuple(x for x in t[::-1] for _ in range(n))


def _list_with_default(out_size, defaults):
    """An adaptive pool's output size with its None entries taken from the input's trailing sizes."""
    if isinstance(out_size, int):
        return out_size
    if len(out_size) >= len(defaults):
        raise ValueError(f"Input dimension should be at least {len(out_size) + 1}")
    tail = defaults[len(defaults) - len(out_size):]
    return [d if v is None else v for v, d in zip(out_size, tail)]


def consume_prefix_in_state_dict_if_present(state_dict, prefix):
    """Strip `prefix` from the keys of state_dict (and of its metadata) in place, e.g. DDP's 'module.'."""
    n = len(prefix)
    for key in sorted(k for k in state_dict if k.startswith(prefix)):
        state_dict[key[n:]] = state_dict.pop(key)
    meta = getattr(state_dict, "_metadata", None) or {}
    for key in [k for k in meta if k and (k.startswith(prefix) or k == prefix.rstrip("."))]:
        meta[key[n:]] = meta.pop(key)
