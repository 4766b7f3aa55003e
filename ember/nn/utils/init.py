"""torch.nn.utils.skip_init: build a module without running its parameter initialization."""
import inspect

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """An instance of module_cls whose parameters hold arbitrary values (never initialized).

    torch builds it on the meta device; ember builds it normally and puts the random
    generator back as it was, so that, as in torch, no random numbers are used up.
    """
    from ..module import Module
    from ... import random as _random
    if not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    state = _random.get_rng_state()
    try:
        return module_cls(*args, **kwargs)
    finally:
        _random.set_rng_state(state)
