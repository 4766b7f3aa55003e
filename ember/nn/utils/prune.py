"""Pruning (torch.nn.utils.prune): zero chosen entries of a module's tensor through a mask.

Pruning ``module.<name>`` moves the trained parameter to ``<name>_orig``, adds a buffer ``<name>_mask``
and a forward pre-hook (the method object itself) that sets ``module.<name> = <name>_orig * <name>_mask``
before every forward, so gradients reach only the kept entries. Pruning the same tensor again
narrows the mask: the new method sees only what the earlier ones kept, and all of them are kept, in
order, in a `PruningContainer`. `remove` makes the pruning permanent.

An ``amount`` is a fraction of the entries (float in [0, 1]) or a count (int); random methods draw
with ``rand``/``rand_like`` as torch does, so a seed gives torch's masks.
"""
import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable

import ember
from .convert_parameters import parameters_to_vector


# ------------------------------------------------------------------ checks shared by the methods
def _check_amount(amount):
    if not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    if amount < 0 or (not isinstance(amount, numbers.Integral) and amount > 1):
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a non-negative integer")


def _how_many(amount, size):
    """How many of `size` entries (or channels) `amount` prunes."""
    k = amount if isinstance(amount, numbers.Integral) else round(amount * size)
    if k > size:
        raise ValueError(f"amount={k} should be smaller than the number of parameters to prune={size}")
    return k


def _channels(t, dim):
    """The number of slices of `t` along `dim`, which a structured method prunes whole."""
    if t.dim() <= 1:
        raise ValueError("Structured pruning can only be applied to multidimensional tensors. "
                         f"Found tensor of shape {t.shape} with {t.dim()} dims")
    if dim >= t.dim():
        raise IndexError(f"Invalid index {dim} for tensor of size {t.shape}")
    return t.shape[dim]


def _zero_ranked(mask, scores, k, largest):
    """A copy of `mask` with the k entries of largest (or smallest) score set to zero."""
    mask = mask.clone()
    mask.view(-1)[scores.reshape(-1).topk(k, largest=largest).indices] = 0
    return mask


def _keep_slices(t, dim, keep, default_mask):
    """Ones on the slices `keep` (a bool mask or indices) along `dim`, zeros elsewhere, times `default_mask`."""
    mask = ember.zeros_like(t)
    where = [slice(None)] * t.dim()
    where[dim] = keep
    mask[tuple(where)] = 1
    return mask * default_mask.to(mask.dtype)


# ------------------------------------------------------------------ the base class
class BasePruningMethod(ABC):
    """A rule for choosing what to prune; once applied, also the forward pre-hook that re-masks."""

    def __call__(self, module, inputs):
        setattr(module, self._tensor_name, self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t, default_mask):
        """The mask for `t` given the mask it already has (`default_mask`: 1 kept, 0 pruned)."""

    def apply_mask(self, module):
        """The pruned tensor, ``<name>_orig * <name>_mask``."""
        assert self._tensor_name is not None, f"Module {module} has to be pruned"
        return getattr(module, self._tensor_name + "_orig") * getattr(module, self._tensor_name + "_mask")

    @classmethod
    def apply(cls, module, name, *args, importance_scores=None, **kwargs):
        """Prune ``module.<name>`` with ``cls(*args, **kwargs)``, on top of any earlier pruning of it.

        `importance_scores` (same shape as the tensor) rank the entries instead of the tensor's values.
        """
        method = _stack_on(module, name, cls(*args, **kwargs))
        orig = getattr(module, name)  # the parameter, or the pruned tensor on a second pruning
        scores = _scores(orig, importance_scores)
        first = not isinstance(method, PruningContainer)
        if first:
            module.register_parameter(name + "_orig", orig)
            del module._parameters[name]
            default_mask = ember.ones_like(orig)
        else:
            default_mask = getattr(module, name + "_mask").detach().clone()
        try:
            mask = method.compute_mask(scores, default_mask=default_mask)
        except Exception:
            if first:  # leave the module as it was
                module.register_parameter(name, module._parameters.pop(name + "_orig"))
            raise
        module.register_buffer(name + "_mask", mask)
        setattr(module, name, method.apply_mask(module))
        module.register_forward_pre_hook(method)
        return method

    def prune(self, t, default_mask=None, importance_scores=None):
        """`t` times this method's mask, without a module."""
        default_mask = ember.ones_like(t) if default_mask is None else default_mask
        return t * self.compute_mask(_scores(t, importance_scores), default_mask=default_mask)

    def remove(self, module):
        """Make the pruning permanent: ``<name>`` is a plain parameter again, holding orig * mask."""
        assert self._tensor_name is not None, f"Module {module} has to be pruned before pruning can be removed"
        name = self._tensor_name
        pruned = self.apply_mask(module)
        if hasattr(module, name):
            delattr(module, name)
        param = module._parameters.pop(name + "_orig")
        param.data = pruned.data
        del module._buffers[name + "_mask"]
        setattr(module, name, param)


def _scores(t, importance_scores):
    """What ranks the entries of `t`: its own values, or `importance_scores` of the same shape."""
    if importance_scores is None:
        return t
    assert importance_scores.shape == t.shape, "importance_scores should have the same shape as the pruned tensor"
    return importance_scores


def _hook_keys(module, name):
    """The keys of the module's pruning hooks for tensor `name` (at most one, unless misused)."""
    hooks = module._forward_pre_hooks
    return [k for k, h in hooks.items() if isinstance(h, BasePruningMethod) and h._tensor_name == name]


def _stack_on(module, name, method):
    """`method` for tensor `name`, joined (in a container) to the hook of an earlier pruning of it, if any.

    The earlier hook leaves the module; the caller registers the returned one."""
    method._tensor_name = name
    earlier = _hook_keys(module, name)
    assert len(earlier) <= 1, (f"Avoid adding multiple pruning hooks to the same tensor {name} of module {module}. "
                               "Use a PruningContainer.")
    if not earlier:
        return method
    old = module._forward_pre_hooks.pop(earlier[0])
    container = old if isinstance(old, PruningContainer) else PruningContainer(old)
    container.add_pruning_method(method)
    return container


class PruningContainer(BasePruningMethod):
    """The methods applied, in order, to one tensor; the newest prunes only what the others kept."""

    def __init__(self, *args):
        self._pruning_methods = ()
        self._tensor_name = args[0]._tensor_name if args else None
        for method in args:
            self.add_pruning_method(method)

    def add_pruning_method(self, method):
        if not isinstance(method, BasePruningMethod):
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if method._tensor_name != self._tensor_name:
            raise ValueError(f"Can only add pruning methods acting on the parameter named '{self._tensor_name}' "
                             f"to PruningContainer {self}. Found '{method._tensor_name}'")
        self._pruning_methods += (method,)

    def __len__(self):
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, idx):
        return self._pruning_methods[idx]

    def compute_mask(self, t, default_mask):
        """Run the newest method on the still-kept part of `t` and write its mask back there."""
        newest = self._pruning_methods[-1]
        kind = newest.PRUNING_TYPE
        if kind == "unstructured":  # the entries still kept, as a flat selection
            where = default_mask == 1
        elif kind == "structured":  # the slices along method.dim that keep at least one entry
            dim = newest.dim % t.dim()
            kept = default_mask.sum(dim=[d for d in range(t.dim()) if d != dim]) != 0
            where = tuple(kept if d == dim else slice(None) for d in range(t.dim()))
        elif kind == "global":  # the whole tensor
            where = (slice(None),) * t.dim()
        else:
            raise ValueError(f"Unrecognized PRUNING_TYPE {kind}")
        mask = default_mask.to(t.dtype).clone()
        mask[where] = newest.compute_mask(t[where], default_mask=mask[where]).to(mask.dtype)
        return mask


# ------------------------------------------------------------------ the methods
class Identity(BasePruningMethod):
    """Prunes nothing (adds the mask and hook only)."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return default_mask


class _ByAmount(BasePruningMethod):
    """A method that prunes `amount` entries (unstructured) or slices along ``self.dim`` (structured).

    Subclasses define ``_prune(t, default_mask, k)``: the mask with k more entries (slices) pruned, k > 0."""

    def __init__(self, amount):
        _check_amount(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        size = _channels(t, self.dim) if self.PRUNING_TYPE == "structured" else t.nelement()
        k = _how_many(self.amount, size)
        return self._prune(t, default_mask, k) if k else default_mask.clone()


class RandomUnstructured(_ByAmount):
    """Prunes `amount` entries chosen uniformly at random."""

    PRUNING_TYPE = "unstructured"

    def _prune(self, t, default_mask, k):
        # the k largest of uniform draws are a uniform k-subset (torch's draws, so a seed gives its mask)
        return _zero_ranked(default_mask, ember.rand_like(t), k, largest=True)


class L1Unstructured(_ByAmount):
    """Prunes the `amount` entries of smallest absolute value."""

    PRUNING_TYPE = "unstructured"

    def _prune(self, t, default_mask, k):
        return _zero_ranked(default_mask, t.abs(), k, largest=False)


class RandomStructured(_ByAmount):
    """Prunes `amount` whole slices along `dim`, chosen uniformly at random."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim=-1):
        super().__init__(amount)
        self.dim = dim

    def _prune(self, t, default_mask, k):
        draws = ember.rand(t.shape[self.dim])  # one uniform draw per slice; keep those above the k-th smallest
        return _keep_slices(t, self.dim, draws > draws.kthvalue(k).values, default_mask)


class LnStructured(_ByAmount):
    """Prunes the `amount` slices along `dim` of smallest L`n` norm (``n`` as ``p`` in ``torch.norm``)."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount, n, dim=-1):
        super().__init__(amount)
        self.n, self.dim = n, dim

    def _prune(self, t, default_mask, k):
        dim = self.dim % t.dim()
        norms = ember.norm(t, p=self.n, dim=[d for d in range(t.dim()) if d != dim])
        return _keep_slices(t, dim, norms.topk(t.shape[dim] - k).indices, default_mask)


class CustomFromMask(BasePruningMethod):
    """Prunes where a given mask is zero."""

    PRUNING_TYPE = "global"

    def __init__(self, mask):
        self.mask = mask

    def compute_mask(self, t, default_mask):
        assert default_mask.shape == self.mask.shape
        return default_mask * self.mask.to(default_mask.dtype)


# ------------------------------------------------------------------ functional forms (return the module)
def identity(module, name):
    """Add the pruning bookkeeping to ``module.<name>`` without pruning anything."""
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    """Prune `amount` random entries of ``module.<name>``."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    """Prune the `amount` entries of ``module.<name>`` (or of `importance_scores`) smallest in magnitude."""
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    """Prune `amount` random slices of ``module.<name>`` along `dim`."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    """Prune the `amount` slices along `dim` of smallest L`n` norm."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def custom_from_mask(module, name, mask):
    """Prune ``module.<name>`` where `mask` is zero."""
    CustomFromMask.apply(module, name, mask)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs):
    """Prune the ``(module, name)`` pairs as one tensor: `pruning_method(**kwargs)` ranks all their entries.

    `importance_scores` maps a pair to scores that replace its tensor's values in the ranking."""
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    importance_scores = {} if importance_scores is None else importance_scores
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    parameters = list(parameters)
    scores = parameters_to_vector([importance_scores.get((m, n), getattr(m, n)) for m, n in parameters])
    masks = parameters_to_vector([getattr(m, n + "_mask", ember.ones_like(getattr(m, n))) for m, n in parameters])
    rule = pruning_method(**kwargs)
    if rule.PRUNING_TYPE != "unstructured":
        raise TypeError('Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. '
                        f"Found method {pruning_method} of type {rule.PRUNING_TYPE}")
    rule._tensor_name = "temp"
    mask = PruningContainer(rule).compute_mask(scores, masks)  # prunes only what earlier masks kept
    start = 0
    for m, n in parameters:  # cut the joint mask back into one mask per tensor
        t = getattr(m, n)
        custom_from_mask(m, n, mask=mask[start:start + t.numel()].view_as(t))
        start += t.numel()


def remove(module, name):
    """Make the pruning of ``module.<name>`` permanent and drop its mask and hook."""
    keys = _hook_keys(module, name)
    if not keys:
        raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning can be removed")
    module._forward_pre_hooks.pop(keys[0]).remove(module)
    return module


def is_pruned(module):
    """Whether any submodule of `module` carries a pruning hook."""
    return any(isinstance(h, BasePruningMethod) for m in module.modules() for h in m._forward_pre_hooks.values())
