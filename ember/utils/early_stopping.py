"""Early stopping for the lecture's explicit training loop.

Stop when the validation metric has not improved for `patience` epochs, and go back to the
weights of the best epoch (the lowest point of the U-shaped validation-loss curve)::

    stopper = EarlyStopping(patience=5, path="best.pt")
    for epoch in range(100):
        train_one_epoch()
        if stopper.step(validation_loss(), model):
            break
    stopper.restore(model)
"""
import copy
import math


class EarlyStopping:
    """Track a validation metric; ``step()`` says when to stop.

    Args:
        patience: epochs without improvement to wait before stopping.
        min_delta: an improvement smaller than this does not count.
        mode: ``'min'`` for a loss, ``'max'`` for an accuracy.
        path: if given, the best model's state_dict is also saved there with ``ember.save``.
    """

    def __init__(self, patience=5, min_delta=0.0, mode="min", path=None):
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if patience < 0 or min_delta < 0:
            raise ValueError("patience and min_delta must be non-negative")
        self.patience, self.min_delta, self.mode, self.path = patience, min_delta, mode, path
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = -1
        self.best_state = None
        self.epoch = -1
        self.bad_epochs = 0

    def improved(self, value):
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def step(self, value, model=None):
        """Record this epoch's metric; return True when training should stop."""
        value = float(value)
        self.epoch += 1
        if self.improved(value):
            self.best, self.best_epoch, self.bad_epochs = value, self.epoch, 0
            if model is not None:
                # a deep copy: the live parameters keep changing in place
                self.best_state = copy.deepcopy(model.state_dict())
                if self.path is not None:
                    from .. import save
                    save(self.best_state, self.path)
            return False
        self.bad_epochs += 1
        return self.bad_epochs > self.patience

    @property
    def should_stop(self):
        return self.bad_epochs > self.patience

    def restore(self, model):
        """Load the best epoch's weights back into `model` (a no-op if none were kept)."""
        if self.best_state is not None:
            model.load_state_dict(self.best_state)
        return model

    def state_dict(self):
        return {k: getattr(self, k) for k in ("best", "best_epoch", "epoch", "bad_epochs")}

    def load_state_dict(self, state):
        for k, v in state.items():
            setattr(self, k, v)
