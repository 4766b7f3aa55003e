"""Digits: the 1,797 8x8 handwritten digits that scikit-learn ships (no download)."""
import numpy as np

from ..._tensor import _wrap
from ...random import Generator
from ...utils.data import random_split
from .vision import VisionDataset, DATA_EXTRA


class Digits(VisionDataset):
    """scikit-learn's ``load_digits``: (image, label) with the image a float32 (1, 8, 8) tensor in [0, 1].

    The pixels are scikit-learn's values (0..16) divided by 16, the range ``ToTensor`` gives
    MNIST. ``data`` holds the raw uint8 values (N, 8, 8) and ``targets`` the int64 labels.

    Args:
        root: unused (the data ships with scikit-learn); accepted for torchvision's signature.
        train: the training split (True) or the test split (False).
        split: "train", "test" or "all"; overrides `train`. The split is fixed: 80% / 20% as
            ``random_split(range(1797), [0.8, 0.2], generator=Generator().manual_seed(0))``
            (1,438 train, 359 test), in that permuted order.
    """
    classes = [str(d) for d in range(10)]

    def __init__(self, root=None, train=True, transform=None, target_transform=None, split=None):
        super().__init__(root, transform, target_transform)
        split = split or ("train" if train else "test")
        if split not in ("train", "test", "all"):
            raise ValueError(f"split should be 'train', 'test' or 'all', got {split!r}")
        try:
            from sklearn.datasets import load_digits
        except ImportError:
            raise ImportError(f"Digits reads the digits that scikit-learn ships, and scikit-learn is not "
                              f"installed: {DATA_EXTRA} (or pip install scikit-learn)") from None
        d = load_digits()
        images, labels = d.images.astype(np.uint8), d.target.astype(np.int64)
        if split != "all":
            train_idx, test_idx = random_split(range(len(labels)), [0.8, 0.2], generator=Generator().manual_seed(0))
            idx = np.array((train_idx if split == "train" else test_idx).indices)
            images, labels = images[idx], labels[idx]
        self.split = split
        self.data, self.targets = _wrap(images), _wrap(labels)

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def __getitem__(self, index):
        img = _wrap(self.data._data[index][None].astype(np.float32) / np.float32(16))
        return self._transformed(img, int(self.targets._data[index]))

    def __len__(self):
        return len(self.targets._data)
