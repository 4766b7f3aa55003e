"""Optimizer hooks (torch's register_step_pre_hook and friends), as a base class of Optimizer.

`_Hooks.__init_subclass__` wraps ``step``, ``state_dict`` and ``load_state_dict`` wherever a class
defines them (Optimizer itself, and a subclass with its own step such as LBFGS), so the hooks run
around every optimizer's step without each optimizer knowing about them.
"""
import functools
from collections import OrderedDict
from itertools import chain

from ..nn.module import RemovableHandle

_global_pre_hooks = OrderedDict()
_global_post_hooks = OrderedDict()


def register_optimizer_step_pre_hook(hook):
    """A hook ``hook(optimizer, args, kwargs)`` run before every optimizer's step."""
    handle = RemovableHandle(_global_pre_hooks)
    _global_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook):
    """A hook ``hook(optimizer, args, kwargs)`` run after every optimizer's step."""
    handle = RemovableHandle(_global_post_hooks)
    _global_post_hooks[handle.id] = hook
    return handle


def _hooks(opt, name):
    return opt.__dict__.setdefault(name, OrderedDict())


def _add(opt, name, hook, prepend):
    d = _hooks(opt, name)
    handle = RemovableHandle(d)
    d[handle.id] = hook
    if prepend:
        d.move_to_end(handle.id, last=False)
    return handle


def _wrap_step(step):
    @functools.wraps(step)
    def wrapper(*args, **kwargs):
        self = args[0]  # the hooks get the arguments with self, as torch's
        for hook in chain(_global_pre_hooks.values(), _hooks(self, "_optimizer_step_pre_hooks").values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), "
                                       f"but got {result}.")
        out = step(*args, **kwargs)
        for hook in chain(_hooks(self, "_optimizer_step_post_hooks").values(), _global_post_hooks.values()):
            hook(self, args, kwargs)
        return out
    wrapper._hooked = True
    return wrapper


def _wrap_state_dict(fn):
    @functools.wraps(fn)
    def wrapper(self):
        for hook in _hooks(self, "_optimizer_state_dict_pre_hooks").values():
            hook(self)
        state_dict = fn(self)
        for hook in _hooks(self, "_optimizer_state_dict_post_hooks").values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict
    wrapper._hooked = True
    return wrapper


def _wrap_load_state_dict(fn):
    @functools.wraps(fn)
    def wrapper(self, state_dict):
        for hook in _hooks(self, "_optimizer_load_state_dict_pre_hooks").values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        fn(self, state_dict)
        for hook in _hooks(self, "_optimizer_load_state_dict_post_hooks").values():
            hook(self)
    wrapper._hooked = True
    return wrapper


class _Hooks:
    """The hook registry of an optimizer."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name, wrap in (("step", _wrap_step), ("state_dict", _wrap_state_dict),
                           ("load_state_dict", _wrap_load_state_dict)):
            fn = cls.__dict__.get(name)
            if fn is not None and not getattr(fn, "_hooked", False):
                setattr(cls, name, wrap(fn))

    def register_step_pre_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` before step; it may return new (args, kwargs)."""
        return _add(self, "_optimizer_step_pre_hooks", hook, False)

    def register_step_post_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` after step."""
        return _add(self, "_optimizer_step_post_hooks", hook, False)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """``hook(optimizer)`` before state_dict()."""
        return _add(self, "_optimizer_state_dict_pre_hooks", hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """``hook(optimizer, state_dict)`` after state_dict(); it may return a new state dict."""
        return _add(self, "_optimizer_state_dict_post_hooks", hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """``hook(optimizer, state_dict)`` before load_state_dict(); it may return a new state dict."""
        return _add(self, "_optimizer_load_state_dict_pre_hooks", hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """``hook(optimizer)`` after load_state_dict()."""
        return _add(self, "_optimizer_load_state_dict_post_hooks", hook, prepend)
