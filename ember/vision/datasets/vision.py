"""The base of the image datasets: a root folder and the transforms applied to each sample."""
import os

import numpy as np

from ...utils.data import Dataset

DATA_EXTRA = "pip install 'ember[data]'"


class VisionDataset(Dataset):
    """A dataset under `root` whose samples pass through `transform` (image) and `target_transform` (label)."""

    def __init__(self, root=None, transform=None, target_transform=None):
        self.root = os.path.expanduser(root) if isinstance(root, str) else root
        self.transform, self.target_transform = transform, target_transform

    def _transformed(self, img, target):
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __repr__(self):
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}"]
        if self.root is not None:
            lines.append(f"    Root location: {self.root}")
        lines += [f"    {k}: {v}" for k, v in (("Transform", self.transform), ("Target transform",
                                                                              self.target_transform)) if v is not None]
        return "\n".join(lines)


def to_image(hwc):
    """A uint8 (H, W) or (H, W, C) array as a PIL image, as torchvision returns; the array itself when
    Pillow is not installed (ToTensor and the transforms take both)."""
    try:
        from PIL import Image
    except ImportError:
        return hwc
    return Image.fromarray(np.ascontiguousarray(hwc))
