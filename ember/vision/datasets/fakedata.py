"""FakeData: random images, the same ones for the same index every time."""
import numpy as np

from ...random import Generator
from .vision import VisionDataset, to_image


class FakeData(VisionDataset):
    """`size` random images of `image_size` (C, H, W) with random labels, reproducible per index.

    Sample i is drawn from a generator seeded with ``i + random_offset`` exactly as torchvision
    draws it (``randn(*image_size)``, then ``randint(0, num_classes, (1,))``), so the images
    and labels equal torchvision's. The image is a PIL image (torchvision's ``ToPILImage`` of
    the normal samples), or the same uint8 (H, W, C) array when Pillow is not installed.
    """

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None, target_transform=None,
                 random_offset=0):
        super().__init__(None, transform, target_transform)
        self.size, self.num_classes = size, num_classes
        self.image_size, self.random_offset = image_size, random_offset

    def __getitem__(self, index):
        if index >= len(self):
            raise IndexError(f"{type(self).__name__} index out of range")
        g = Generator().manual_seed(index + self.random_offset)
        img = g.normal(tuple(self.image_size), np.float32)
        target = int(g.randint(0, self.num_classes, (1,), np.int64)[0])
        # ToPILImage: * 255, then torch's float -> uint8 cast (truncates; out-of-range values wrap)
        hwc = (img * np.float32(255)).astype(np.int64).astype(np.uint8).transpose(1, 2, 0)
        img = to_image(hwc[:, :, 0] if hwc.shape[2] == 1 else hwc)
        return self._transformed(img, target)

    def __len__(self):
        return self.size
