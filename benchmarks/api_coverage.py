"""How much of torch's public API ember has: per module, implemented / unsupported / missing.

    python benchmarks/api_coverage.py                       # the table
    python benchmarks/api_coverage.py --missing torch.Tensor
    python benchmarks/api_coverage.py --unsupported torch   # the classified names, with the reason

A module's public names are torch's ``dir()`` without leading underscores (what a user can
reach as ``torch.<name>``). A name is implemented when ember has it under the same path
(``torch.nn.functional.gelu`` -> ``ember.nn.functional.gelu``), unsupported when
``ember/_unsupported.py`` classifies it (the one list, with reasons: sparse, quantization,
TorchScript bindings, typing helpers ...), missing otherwise. An ember submodule that does
not import counts as all missing.
"""
import argparse
import importlib
import os
import sys
import types

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

MODULES = ["torch", "torch.Tensor", "torch.nn", "torch.nn.functional", "torch.nn.init", "torch.nn.utils",
           "torch.nn.utils.rnn", "torch.nn.utils.parametrize", "torch.nn.utils.parametrizations",
           "torch.nn.utils.stateless", "torch.linalg", "torch.fft", "torch.special", "torch.distributions",
           "torch.func", "torch.autograd", "torch.optim", "torch.optim.lr_scheduler", "torch.optim.swa_utils",
           "torch.utils.data"]


def _resolve(path):
    """The module (or class, for torch.Tensor) at a dotted path, or None if it does not import."""
    if path.endswith(".Tensor"):
        mod = _resolve(path[:-len(".Tensor")])
        return getattr(mod, "Tensor", None)
    try:
        return importlib.import_module(path)
    except Exception:
        return None


def _has(obj, name):
    try:
        getattr(obj, name)
        return True
    except Exception:  # a lazy ember submodule that fails to import, a property that raises
        return False


def public_names(path):
    """torch's public names at `path` (sorted), each with its object."""
    obj = _resolve(path)
    out = {}
    for name in dir(obj):
        if not name.startswith("_"):
            try:
                out[name] = getattr(obj, name)
            except Exception:
                out[name] = None
    return out


def classify(path):
    """{'implemented': [...], 'unsupported': [(name, reason)], 'missing': [...]} for torch's `path`."""
    from ember._unsupported import reason
    torch_names = public_names(path)
    ember_obj = _resolve("ember" + path[len("torch"):])
    result = {"implemented": [], "unsupported": [], "missing": []}
    for name, obj in sorted(torch_names.items()):
        qual = f"{path}.{name}"
        if isinstance(obj, types.ModuleType) and obj.__name__ != qual:
            why = reason(qual, obj) or "module imported by torch's source, not part of its API"
            result["unsupported"].append((name, why))
            continue
        why = reason(qual, obj)
        mine = getattr(ember_obj, name, None) if ember_obj is not None and _has(ember_obj, name) else None
        if mine is not None and not hasattr(mine, "_unsupported"):
            result["implemented"].append(name)
        elif why is not None or mine is not None:
            result["unsupported"].append((name, why or mine._unsupported))
        elif ember_obj is not None and _has(ember_obj, name):  # present and None (a constant)
            result["implemented"].append(name)
        else:
            result["missing"].append(name)
    return result


def table(modules=MODULES):
    """One row per module: (module, total, implemented, unsupported, missing)."""
    rows = []
    for path in modules:
        c = classify(path)
        n = sum(len(v) for v in c.values())
        rows.append((path, n, len(c["implemented"]), len(c["unsupported"]), len(c["missing"])))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--missing", metavar="MODULE", help="list the names of MODULE ember lacks")
    ap.add_argument("--unsupported", metavar="MODULE", help="list the classified names of MODULE, with reasons")
    args = ap.parse_args(argv)
    import torch
    if args.missing:
        print("\n".join(classify(args.missing)["missing"]))
        return
    if args.unsupported:
        for name, why in classify(args.unsupported)["unsupported"]:
            print(f"{name:40s} {why}")
        return
    print(f"torch {torch.__version__} public names vs ember (implemented + unsupported = covered)\n")
    print(f"{'module':34s} {'names':>6s} {'impl.':>6s} {'unsup.':>6s} {'missing':>7s} {'impl.%':>7s} {'covered%':>8s}")
    totals = [0, 0, 0, 0]
    for path, n, impl, unsup, miss in table():
        for i, v in enumerate((n, impl, unsup, miss)):
            totals[i] += v
        print(f"{path:34s} {n:6d} {impl:6d} {unsup:6d} {miss:7d} {100 * impl / max(n, 1):6.1f}% "
              f"{100 * (impl + unsup) / max(n, 1):7.1f}%")
    n, impl, unsup, miss = totals
    print(f"{'all':34s} {n:6d} {impl:6d} {unsup:6d} {miss:7d} {100 * impl / n:6.1f}% {100 * (impl + unsup) / n:7.1f}%")


if __name__ == "__main__":
    main()
