"""Switches for gradient recording: no_grad, enable_grad, set_grad_enabled, inference_mode."""
import functools


class _State:
    __slots__ = ("enabled",)

    def __init__(self):
        self.enabled = True


state = _State()  # read by every op on its hot path, so one attribute on one object


def is_grad_enabled():
    return state.enabled


class _Mode:
    """Base of the grad-mode context managers; each also works as a decorator."""
    _enter = True

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self._enter

    def __exit__(self, *exc):
        state.enabled = self._prev

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args()):
                return fn(*args, **kwargs)
        return wrapper

    def _args(self):
        return ()

    def clone(self):
        return self.__class__(*self._args())


class no_grad(_Mode):
    """Operations inside record no graph."""
    _enter = False


class enable_grad(_Mode):
    """Turn recording back on inside a no_grad block."""
    _enter = True


class set_grad_enabled(_Mode):
    """Recording on or off; takes effect at once, like torch, and also works as a context manager."""

    def __init__(self, mode):
        self._enter = bool(mode)
        self._prev = state.enabled
        state.enabled = self._enter

    def __enter__(self):
        pass

    def __call__(self, fn):
        state.enabled = self._prev  # as a decorator it only applies inside the function
        return super().__call__(fn)

    def _args(self):
        return (self._enter,)


class inference_mode(_Mode):
    """Like no_grad (ember has no separate inference tensors)."""

    def __init__(self, mode=True):
        self._enter = not mode

    def __enter__(self):
        super().__enter__()
        self._prev_inference = _inference[0]
        _inference[0] = not self._enter

    def __exit__(self, *exc):
        super().__exit__(*exc)
        _inference[0] = self._prev_inference

    def _args(self):
        return (not self._enter,)


_inference = [False]


def is_inference_mode_enabled():
    return _inference[0]
