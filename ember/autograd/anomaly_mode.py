"""``torch.autograd.detect_anomaly`` / ``set_detect_anomaly``: while on, the engine checks each
backward function's gradients and raises torch's RuntimeError at the first one with a NaN."""
import warnings

from .._backend import get_array_module


class _State:
    __slots__ = ("enabled", "check_nan")

    def __init__(self):
        self.enabled, self.check_nan = False, True


state = _State()  # the engine reads state.enabled once per node


def check(node, grads):
    """Raise if a gradient `node`'s backward returned holds a NaN (the engine calls this in anomaly mode)."""
    if not state.check_nan:
        return
    for i, g in enumerate(grads):
        if g is None:
            continue
        a = getattr(g, "_data", g)
        if a.dtype.kind in "fc" and bool(get_array_module(a).isnan(a).any()):
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


def is_anomaly_enabled():
    return state.enabled


def is_anomaly_check_nan_enabled():
    return state.check_nan


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on inside its block."""

    def __init__(self, check_nan=True):
        self.prev, self.prev_nan, self.check_nan = state.enabled, state.check_nan, check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                      "enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self):
        self.prev, self.prev_nan = state.enabled, state.check_nan
        state.enabled, state.check_nan = True, self.check_nan

    def __exit__(self, *exc):
        state.enabled, state.check_nan = self.prev, self.prev_nan
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off: as a function call, or for a ``with`` block."""

    def __init__(self, mode, check_nan=True):
        self.prev, self.prev_nan = state.enabled, state.check_nan
        state.enabled, state.check_nan = bool(mode), check_nan

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        state.enabled, state.check_nan = self.prev, self.prev_nan
        return False



def set_anomaly_enabled(enabled, check_nan=True):
    """``torch.set_anomaly_enabled``: turn anomaly detection on or off (no context manager)."""
    state.enabled, state.check_nan = bool(enabled), check_nan
