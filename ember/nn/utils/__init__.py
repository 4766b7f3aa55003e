"""torch.nn.utils: gradient clipping and parameter/vector conversion (clip_grad.py and
convert_parameters.py), plus whatever helpers the other nn files add here."""
import importlib
import importlib.util


def _gather():
    g = globals()
    for name in ("clip_grad", "convert_parameters", "rnn", "parametrize", "weight_norm", "spectral_norm",
                 "stateless", "fusion", "prune"):
        if importlib.util.find_spec(f"{__package__}.{name}") is None:
            continue
        m = importlib.import_module(f"{__package__}.{name}")
        g[name] = m
        for k, v in vars(m).items():
            if not k.startswith("_") and callable(v) and getattr(v, "__module__", None) == m.__name__:
                g.setdefault(k, v)


_gather()
