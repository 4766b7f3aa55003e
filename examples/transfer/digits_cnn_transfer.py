"""Transfer learning on handwritten digits: reuse a CNN trained on 0-4 to learn 5-9 from few examples.

1. Train a small CNN on digits 0-4 (scikit-learn's 8x8 digits).
2. Freeze its feature extractor (``requires_grad_(False)``), replace the 5-way head by a new one for
   digits 5-9, and train only the head on a few labelled examples of 5-9 (a budget of STEPS steps).
3. Optionally unfreeze everything and fine-tune, with a smaller learning rate, for STEPS more steps.
4. Compare with the same network trained from scratch on the same few examples for STEPS steps.

    python examples/transfer/digits_cnn_transfer.py

What to expect: on these tiny 8x8 images a CNN from scratch is already good with 10 examples per
class, and features tuned to tell 0-4 apart serve a frozen backbone less well than that; fine-tuning
recovers most of the gap. Frozen features pay off when they come from much more, and more varied,
data than the new task has (see text_classifier.py). Swap the import for ``import torch`` and the
script runs unchanged on PyTorch, with the same numbers (ember draws torch's random numbers).
Needs scikit-learn.
"""
import numpy as np
from sklearn.datasets import load_digits

import ember as torch
import ember.nn as nn

SHOTS = 10      # labelled examples per class of the new task
STEPS = 60      # optimizer steps allowed on the new task (the "small budget")
torch.manual_seed(0)
rng = np.random.default_rng(0)


class DigitsCNN(nn.Module):
    """Two conv blocks and a dense layer (the backbone), then a linear classifier (the head)."""

    def __init__(self, num_classes):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # 8x8 -> 4x4
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 4x4 -> 2x2
            nn.Flatten(), nn.Linear(32 * 2 * 2, 64), nn.ReLU(),
        )
        self.head = nn.Linear(64, num_classes)

    def forward(self, x):
        return self.head(self.backbone(x))


def train(model, x, y, steps, lr, batch_size=64):
    """Adam on the parameters that require grad, `steps` minibatches drawn from (x, y)."""
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(steps):
        idx = rng.choice(len(x), size=min(batch_size, len(x)), replace=False)
        optimizer.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        optimizer.step()
    return loss.item()


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


# ---- data: 0-4 is the source task, 5-9 the target task (labels 0-4 there too)
digits = load_digits()
images = torch.tensor(digits.images[:, None] / 16.0, dtype=torch.float32)   # (1797, 1, 8, 8) in [0, 1]
labels = torch.tensor(digits.target)
source = labels < 5
xs, ys = images[source], labels[source]
xt, yt = images[~source], labels[~source] - 5
few = np.concatenate([rng.choice(np.flatnonzero(yt.numpy() == c), SHOTS, replace=False) for c in range(5)])
rest = np.setdiff1d(np.arange(len(yt)), few)
x_few, y_few, x_test, y_test = xt[few], yt[few], xt[rest], yt[rest]
print(f"source task: {len(ys)} images of 0-4; target task: {len(few)} labelled images of 5-9 "
      f"({SHOTS} per class), {len(rest)} to test on; budget {STEPS} steps")

# ---- 1. pretrain on 0-4
pretrained = DigitsCNN(5)
train(pretrained, xs, ys, steps=300, lr=3e-3)
print(f"pretrained on 0-4:                 accuracy on 0-4 {accuracy(pretrained, xs, ys):.3f}")

# ---- 2. freeze the backbone, new head, train the head only
pretrained.backbone.requires_grad_(False)
pretrained.head = nn.Linear(64, 5)                     # a fresh head for digits 5-9
train(pretrained, x_few, y_few, steps=STEPS, lr=1e-2)
head_only = accuracy(pretrained, x_test, y_test)
print(f"frozen backbone, new head trained: accuracy on 5-9 {head_only:.3f}")

# ---- 3. unfreeze and fine-tune everything, with a smaller learning rate
pretrained.backbone.requires_grad_(True)
train(pretrained, x_few, y_few, steps=STEPS, lr=1e-3)
fine_tuned = accuracy(pretrained, x_test, y_test)
print(f"then fine-tuned end to end:        accuracy on 5-9 {fine_tuned:.3f}")

# ---- 4. the same network from scratch, same examples, same budget
scratch = DigitsCNN(5)
train(scratch, x_few, y_few, steps=STEPS, lr=1e-2)
from_scratch = accuracy(scratch, x_test, y_test)
print(f"from scratch, same budget:         accuracy on 5-9 {from_scratch:.3f}")
