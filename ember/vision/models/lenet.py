"""LeNet-5 (LeCun et al., 1998) for 32x32 images, with the module names of PyTorch's tutorial network.

Not in torchvision; a small CNN to train from scratch and to fine-tune. 28x28 images (MNIST)
are padded to 32x32 first, as in the paper: ``F.pad(x, (2, 2, 2, 2))``.
"""
from ... import nn
from ...nn import functional as F
from ...ops.shape import flatten

__all__ = ["LeNet"]


class LeNet(nn.Module):
    """conv 5x5 (6) -> pool -> conv 5x5 (16) -> pool -> fc 120 -> fc 84 -> fc num_classes.

    Args:
        in_channels: 1 for grey images, 3 for colour.
    """

    def __init__(self, num_classes=10, in_channels=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def features(self, x):
        """The 84 features before the classifier (what transfer learning reuses)."""
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return F.relu(self.fc2(F.relu(self.fc1(flatten(x, 1)))))

    def forward(self, x):
        return self.fc3(self.features(x))
