"""torch.utils.tensorboard: log training to TensorBoard with ``SummaryWriter``.

Needs the optional ``tensorboard`` package (``pip install 'ember[tensorboard]'``)::

    from ember.utils.tensorboard import SummaryWriter
    with SummaryWriter("runs/exp1") as writer:
        for step in range(100):
            writer.add_scalar("loss", train_step(), step)
"""
from .writer import FileWriter, SummaryWriter  # noqa: F401  (raises ImportError naming the extra)

__all__ = ["FileWriter", "SummaryWriter"]
