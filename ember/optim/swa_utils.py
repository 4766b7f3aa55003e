"""Weight averaging (torch.optim.swa_utils): stochastic weight averaging (SWA) and exponential moving
averages (EMA) of a model's parameters, the SWALR schedule that goes with SWA, and update_bn.

An averaging rule comes in two forms: ``avg_fn(avg, new, n)`` returns the new average of one tensor,
and ``multi_avg_fn(avgs, news, n)`` updates lists of tensors in place; n is the number of models
averaged so far. SWA is the running mean avg + (new - avg) / (n + 1); EMA is
decay * avg + (1 - decay) * new.
"""
import itertools
import math
from copy import deepcopy

import ember
from ..nn.module import Module
from ..nn.normalization import _BatchNorm
from ..autograd.grad_mode import no_grad
from .lr_scheduler import LRScheduler, _per_group

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
           "get_ema_avg_fn", "get_swa_avg_fn"]


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def get_ema_avg_fn(decay=0.999):
    """EMA of one tensor: ``decay * avg + (1 - decay) * new``."""
    _check_decay(decay)
    return lambda avg, new, n: decay * avg + (1 - decay) * new


def get_swa_avg_fn():
    """SWA of one tensor: the running mean over the n models seen and the new one."""
    return lambda avg, new, n: avg + (new - avg) / (n + 1)


def _in_place(avg_fn):
    """The multi form of a one-tensor rule: each average is overwritten with ``avg_fn``'s result
    (for an integer tensor, such as a batch count, the result is cast back: it truncates)."""
    def update(avgs, news, n):
        for avg, new in zip(avgs, news):
            avg.copy_(avg_fn(avg, new, n))
    return update


def get_ema_multi_avg_fn(decay=0.999):
    """EMA of lists of tensors, in place (floating tensors by lerp: avg += (1 - decay) (new - avg))."""
    _check_decay(decay)
    blend = _in_place(get_ema_avg_fn(decay))

    def update(avgs, news, n):
        if avgs and (avgs[0].is_floating_point() or avgs[0].is_complex()):
            for avg, new in zip(avgs, news):
                avg.lerp_(new, 1 - decay)
        else:
            blend(avgs, news, n)
    return update


def get_swa_multi_avg_fn():
    """SWA of lists of tensors, in place."""
    return _in_place(get_swa_avg_fn())


class AveragedModel(Module):
    """A copy of `model` whose parameters are the average (SWA by default) of the `model`s given to
    `update_parameters`. Buffers are copied from the model, or averaged too with ``use_buffers=True``;
    ``n_averaged`` (a buffer) counts the updates. `device` is accepted for torch's signature."""

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        assert avg_fn is None or multi_avg_fn is None, "Only one of avg_fn and multi_avg_fn should be provided"
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", ember.tensor(0, dtype=ember.long))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def _tensors(self, model):
        ts = itertools.chain(model.parameters(), model.buffers()) if self.use_buffers else model.parameters()
        return [t.detach() for t in ts]

    @no_grad()
    def update_parameters(self, model):
        """Fold `model`'s current parameters (and buffers, with use_buffers) into the average."""
        avgs, news = self._tensors(self.module), self._tensors(model)
        if int(self.n_averaged) == 0:  # the first model is the average
            for avg, new in zip(avgs, news):
                avg.copy_(new)
        elif self.avg_fn is not None:
            _in_place(self.avg_fn)(avgs, news, self.n_averaged)
        else:
            # a multi rule sees one dtype at a time (an integer buffer must not go through lerp)
            rule = self.multi_avg_fn or get_swa_multi_avg_fn()
            groups = {}
            for avg, new in zip(avgs, news):
                pair = groups.setdefault(avg.dtype, ([], []))
                pair[0].append(avg)
                pair[1].append(new)
            for group_avgs, group_news in groups.values():
                rule(group_avgs, group_news, self.n_averaged)
        if not self.use_buffers:  # buffers (batch-norm statistics) follow the model
            for mine, theirs in zip(self.module.buffers(), model.buffers()):
                mine.detach().copy_(theirs.detach())
        self.n_averaged += 1


@no_grad()
def update_bn(loader, model, device=None):
    """Recompute the batch-norm running statistics of `model` with one pass over `loader`.

    The statistics of averaged weights are not the average of the statistics, so they are
    re-estimated: reset, then accumulated as a plain mean (momentum None) over every batch.
    A batch that is a list or tuple contributes its first element."""
    norms = {m: m.momentum for m in model.modules() if isinstance(m, _BatchNorm)}
    if not norms:
        return
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    was_training = model.training
    model.train()
    for batch in loader:
        x = batch[0] if isinstance(batch, (list, tuple)) else batch
        model(x if device is None else x.to(device))
    for m, momentum in norms.items():
        m.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each group's lr to its `swa_lr` over `anneal_epochs` steps ("cos" or "linear"), then
    holds it there.

    Each step mixes ``lr = (1 - a) * start + a * swa_lr`` with a rising from 0 to 1; `start` is not
    stored but recovered from the current lr and the previous step's a, so that another scheduler's
    changes to the lr carry through."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        for group, lr in zip(optimizer.param_groups, _per_group("swa_lr", optimizer, swa_lr)):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self._anneal_strategy = anneal_strategy
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    def anneal_func(self, t):
        """How far along the annealing is (0 to 1) at fraction t of anneal_epochs."""
        return (1 - math.cos(math.pi * t)) / 2 if self._anneal_strategy == "cos" else t

    def _alpha(self, step):
        return self.anneal_func(min(1, max(0, step / max(1, self.anneal_epochs))))

    def get_lr(self):
        step = self._step_count - 1
        if self.anneal_epochs == 0:  # no annealing: straight to swa_lr
            step = max(1, step)
        a_prev, a = self._alpha(step - 1), self._alpha(step)
        lrs = []
        for group in self.optimizer.param_groups:
            lr, swa = group["lr"], group["swa_lr"]
            start = swa if a_prev == 1 else (lr - a_prev * swa) / (1 - a_prev)
            lrs.append(swa * a + start * (1 - a))
        return lrs
