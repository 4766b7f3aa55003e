"""MNIST and FashionMNIST from the IDX files a user already has (ember downloads nothing)."""
import gzip
import os

import numpy as np

from ..._tensor import _wrap
from .vision import VisionDataset, to_image

# IDX type codes: the third byte of the magic number
_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """An IDX file (gzipped or not) as a NumPy array: 2 zero bytes, a type code, the number of dims,
    the dims as big-endian int32, then the big-endian data."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise RuntimeError(f"{path} is not an IDX file (bad magic number)")
    ndim = raw[3]
    shape = tuple(int(s) for s in np.frombuffer(raw, ">i4", ndim, offset=4))
    dt = np.dtype(_IDX_TYPES[raw[2]])
    return np.frombuffer(raw, dt, int(np.prod(shape)), offset=4 + 4 * ndim).reshape(shape).astype(dt.newbyteorder("="))


class MNIST(VisionDataset):
    """MNIST read from ``root/MNIST/raw/`` (files plain or .gz); sample i is (28x28 PIL image, label).

    ``data`` is the uint8 tensor (N, 28, 28) and ``targets`` the int64 labels. Without Pillow
    the image is the uint8 (28, 28) array (ToTensor takes both).

    Args:
        download: ember never downloads; True raises a RuntimeError saying where to put the files.
    """
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]
    files = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform, target_transform)
        self.train = train
        if download:
            raise RuntimeError(f"ember does not download datasets. {self._where()}")
        paths = [self._find(name) for name in self.files[train]]
        if None in paths:
            raise RuntimeError(f"Dataset not found. {self._where()}")
        self.data = _wrap(read_idx(paths[0]))
        self.targets = _wrap(read_idx(paths[1]).astype(np.int64))

    @property
    def raw_folder(self):
        return os.path.join(self.root, type(self).__name__, "raw")

    def _where(self):
        names = ", ".join(n for pair in self.files.values() for n in pair)
        return (f"Put the {type(self).__name__} IDX files ({names}; plain or with .gz) in {self.raw_folder}/ "
                f"(get them from the dataset's site, e.g. with torchvision once).")

    def _find(self, name):
        for path in (os.path.join(self.raw_folder, name), os.path.join(self.raw_folder, name + ".gz")):
            if os.path.isfile(path):
                return path
        return None

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def __getitem__(self, index):
        img, target = self.data._data[index], int(self.targets._data[index])
        return self._transformed(to_image(img), target)

    def __len__(self):
        return len(self.data._data)


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando's clothes, same format as MNIST) from ``root/FashionMNIST/raw/``."""
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
