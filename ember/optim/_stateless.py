"""swap_in_optimizer_params_and_state: run an optimizer on other parameters and state for a while."""
import contextlib
from collections import defaultdict

from .._tensor import Tensor


@contextlib.contextmanager
def swap_in_optimizer_params_and_state(optimizer, swapin_parameters, swapin_optim_state):
    """Within the block, `optimizer` steps `swapin_parameters` (a dict, in param_groups order) with the
    state and group options of `swapin_optim_state` (a state_dict); the live ones come back after."""
    if not optimizer.state:
        raise RuntimeError("swap_in_optimizer_params_and_state requires initialized optimizer state.")
    if not isinstance(swapin_optim_state, dict):
        raise RuntimeError("swap_in_optimizer_params_and_state requires a DCP-style optimizer state_dict.")
    state = swapin_optim_state.get("state")
    if not isinstance(state, dict):
        raise RuntimeError("swap_in_optimizer_params_and_state requires swapin_optim_state['state'] to be a dict "
                           "mapping packed parameter ids to per-param state dicts, got "
                           f"{type(state).__name__}.")
    if any(isinstance(k, Tensor) for k in state):
        raise RuntimeError("swap_in_optimizer_params_and_state requires optimizer.state_dict()-style state keyed "
                           "by packed parameter ids.")
    groups = swapin_optim_state.get("param_groups")
    if not isinstance(groups, list):
        raise RuntimeError("swap_in_optimizer_params_and_state requires swapin_optim_state['param_groups'] to be "
                           f"a list of param-group dicts, got {type(groups).__name__}.")
    if len(optimizer.param_groups) != len(groups):
        raise RuntimeError("swapin_optim_state has a different number of parameter groups than the live optimizer.")
    flat = list(swapin_parameters.values())
    plan, offset, seen = [], 0, set()
    for idx, (group, swapin) in enumerate(zip(optimizer.param_groups, groups)):
        ids = swapin.get("params")
        if len(group["params"]) != len(ids):
            raise RuntimeError(f"swapin_optim_state param group {idx} has a different number of params than the "
                               "live optimizer param group.")
        only_swapin = [k for k in swapin if k not in group]
        only_live = [k for k in group if k not in swapin]
        if only_swapin or only_live:
            raise RuntimeError("swap_in_optimizer_params_and_state requires optimizer.state_dict()-style param group "
                               f"keys to exactly match the live optimizer group keys for group {idx}. Keys only in "
                               f"swap-in: {only_swapin}. Keys only in live: {only_live}.")
        if offset + len(ids) > len(flat):
            raise RuntimeError("swap_in_optimizer_params_and_state requires the explicit parameter state to match "
                               "optimizer.param_groups ordering.")
        plan.append((group, swapin, flat[offset:offset + len(ids)]))
        offset += len(ids)
        seen.update(ids)
    extra = [k for k in state if k not in seen]
    if extra:
        raise RuntimeError("swap_in_optimizer_params_and_state requires swapin_optim_state['state'] to be keyed only "
                           f"by packed parameter ids from param_groups[*]['params']; got extra keys {extra!r}.")
    live_state = optimizer.state
    snapshots = [dict(g) for g in optimizer.param_groups]
    try:
        swapped = defaultdict(dict)
        for group, swapin, params in plan:
            group["params"] = params
            group.update({k: v for k, v in swapin.items() if k != "params"})
            for p, pid in zip(params, swapin["params"]):
                swapped[p] = dict(state.get(pid, {}))
        optimizer.state = swapped
        yield
    finally:
        for group, snapshot in zip(optimizer.param_groups, snapshots):
            group.clear()
            group.update(snapshot)
        optimizer.state = live_state
