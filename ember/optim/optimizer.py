"""`Optimizer`: parameter groups, per-parameter state, state_dict, and the shared update loop.

An optimizer subclass is only its maths: `_init_state` (the state a parameter starts with)
and `_update` (one step for one parameter, in place, on raw arrays). The loop over groups
and parameters, the closure and the bookkeeping live here, once.
"""
import warnings
from collections import defaultdict
from copy import deepcopy
from itertools import chain

import numpy as np

from .._tensor import Tensor, _wrap
from .. import _dtype
from ..autograd.grad_mode import enable_grad
from ..autograd.trace import replayed
from ..nn.parameter import zero_grads
from ._hooks import _Hooks, register_optimizer_step_pre_hook, register_optimizer_step_post_hook  # noqa: F401


class _RequiredParameter:
    """Marks an option with no default (torch.optim.optimizer.required)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer(_Hooks):
    """Base class for all optimizers.

    Args:
        params: an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts (parameter groups).
        defaults: the options a group gets when it does not set them.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors "
                            "or dicts, but got " + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ the update loop
    @replayed  # (ember.compile calls the step again on replay: it writes the arrays directly)
    def step(self, closure=None):
        """One optimization step; `closure` re-evaluates the model and returns the loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        states, update = self.state, self._update
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                state = states.get(p)
                if not state:
                    if p._data.dtype.kind == "c":  # torch steps complex params as (real, imag) pairs
                        raise NotImplementedError("ember.optim does not support complex parameters yet")
                    state = self._init_state(p, group)
                    if state:  # an optimizer with no state (plain SGD) keeps self.state empty, as torch
                        states[p] = state
                update(p._data, g._data, state, group)
                p._version[0] += 1
        return loss

    def _init_state(self, p, group):
        """The state of parameter `p` before its first step (a dict of tensors)."""
        return {}

    def _update(self, p, g, state, group):
        """Update array `p` in place from its gradient array `g`."""
        raise NotImplementedError

    @replayed
    def zero_grad(self, set_to_none=True):
        """Reset the gradients: to None (the default), or to zeros."""
        zero_grads(chain.from_iterable(g["params"] for g in self.param_groups), set_to_none)

    # ------------------------------------------------------------------ parameter groups
    def add_param_group(self, param_group):
        """Add a group of parameters, with its own options, to the optimizer."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of tensors in sets will change between runs. Please use a list instead.")
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = params
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names

        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(p))
            if not self.defaults.get("differentiable", None) and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization "
                                 f"parameter {name}")
            param_group.setdefault(name, default)

        if len(params) != len(set(params)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this "
                          "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                          "information", stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ------------------------------------------------------------------ state_dict
    def state_dict(self):
        """The optimizer's state in torch's layout: ``state`` keyed by parameter index (in group
        order), and ``param_groups`` whose ``params`` are lists of those indices."""
        index = {}
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load a state from `state_dict` (ember's, or torch's with its tensors converted to ember)."""
        saved_groups = deepcopy(state_dict["param_groups"])
        groups = self.param_groups
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size "
                             "of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                p = id_map[k]
                state[p] = _cast(p, v)
            else:
                state[k] = v
        for group, new in zip(groups, saved_groups):
            new["params"] = group["params"]
            if "param_names" in group and "param_names" not in new:
                new["param_names"] = group["param_names"]
            for name, default in self.defaults.items():  # options newer than the checkpoint
                new.setdefault(name, default)
        self.state, self.param_groups = state, saved_groups

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"


def _cast(p, value, key=None):
    """A state value for parameter `p`: tensors moved to p's device (and, unless it is the step
    count, p's floating dtype); containers converted item by item."""
    if isinstance(value, Tensor):
        if key == "step" or not p.is_floating_point():
            return value.to(device=p.device)
        return value.to(dtype=p.dtype, device=p.device)
    if key == "step" and isinstance(value, (int, float)):  # old checkpoints kept a number
        return _step_tensor(value)
    if isinstance(value, dict):
        return {k: _cast(p, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(p, v) for v in value)
    return value


def _typename(x):
    """torch.typename: a tensor's type name (ember.FloatTensor), else the qualified class name."""
    if isinstance(x, Tensor):
        return x.type()
    module = type(x).__module__
    name = type(x).__qualname__
    return name if module in (None, "builtins") else module + "." + name


# ---------------------------------------------------------------- helpers for the updates
def _step_tensor(value=0.0):
    """The step count: a 0-d tensor on the CPU, float32 (float64 under a float64 default dtype), as torch."""
    dt = np.float64 if _dtype.get_default_dtype() is _dtype.float64 else np.float32
    return _wrap(np.array(value, dtype=dt))


def _zeros(p):
    """A zero state tensor shaped, typed and placed like parameter `p`."""
    return _wrap(np.zeros_like(p._data))


def _count(state):
    """Advance the state's step count in place; return it as a Python number."""
    s = state["step"]._data
    s += 1
    return float(s)


def _grad(p, g, weight_decay, maximize):
    """The gradient the update uses: ``-g`` when maximizing, plus ``weight_decay * p`` (L2).

    A new array whenever it differs from `g`, so ``p.grad`` itself is never changed.
    """
    if weight_decay != 0:
        d = np.multiply(p, weight_decay)
        return np.subtract(d, g, out=d) if maximize else np.add(g, d, out=d)
    return np.negative(g) if maximize else g


_PIECE = 1 << 16  # elements per piece: an update's dozen passes over a piece of each array stay in the cache


def _pieces(arrays):
    """``(pieces, tmp, tmp2)`` over cache-sized pieces of same-shaped arrays, with two scratch
    arrays as long as a piece: an update run piece by piece makes each pass from the cache
    (~1.2-1.4x faster on a 200K-element Adam step). All at once where that cannot help or a
    piece would not be a view (a small, non-contiguous or GPU array)."""
    first = arrays[0]
    if first.size <= _PIECE or type(first) is not np.ndarray or not all(a.flags.c_contiguous for a in arrays):
        yield arrays, np.empty_like(first), np.empty_like(first)
        return
    flat = [a.reshape(-1) for a in arrays]
    tmp, tmp2 = np.empty(_PIECE, first.dtype), np.empty(_PIECE, first.dtype)
    for start in range(0, first.size, _PIECE):
        stop = min(start + _PIECE, first.size)
        yield [f[start:stop] for f in flat], tmp[:stop - start], tmp2[:stop - start]


def _lerp(x, y, w, tmp):
    """``x += w * (y - x)`` in place, as torch's lerp: from x for |w| < 0.5, else from y, so that
    a weight near 1 still lands on y exactly. `tmp` is a scratch array shaped like x."""
    w = x.dtype.type(w)  # torch rounds the weight to x's dtype before computing w - 1
    np.subtract(y, x, out=tmp)
    if abs(w) < 0.5:
        np.multiply(tmp, w, out=tmp)
        np.add(x, tmp, out=x)
    else:
        np.multiply(tmp, w - 1, out=tmp)
        np.add(y, tmp, out=x)


def _addcmul(x, a, b, value, tmp):
    """``x += value * a * b`` in place (torch's addcmul_ order: (value * a) * b)."""
    np.multiply(a, value, out=tmp)
    np.multiply(tmp, b, out=tmp)
    np.add(x, tmp, out=x)


def _addcdiv(x, a, b, value, tmp):
    """``x += value * a / b`` in place (torch's addcdiv_ order: (value * a) / b)."""
    np.multiply(a, value, out=tmp)
    np.divide(tmp, b, out=tmp)
    np.add(x, tmp, out=x)


def _add(x, y, alpha, tmp):
    """``x += alpha * y`` in place (torch's add_ with alpha)."""
    if alpha == 1:
        np.add(x, y, out=x)
    else:
        np.multiply(y, alpha, out=tmp)
        np.add(x, tmp, out=x)


def _check(cond, message):
    if not cond:
        raise ValueError(message)
