"""functional_call and stack_module_state: a module run with other tensors in place of its own."""
import contextlib

import ember


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
