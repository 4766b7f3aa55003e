"""torchvision.datasets: image datasets that need no download."""
from .vision import VisionDataset  # noqa: F401
from .digits import Digits  # noqa: F401
from .fakedata import FakeData  # noqa: F401
from .folder import DatasetFolder, ImageFolder, IMG_EXTENSIONS, default_loader, pil_loader  # noqa: F401
from .mnist import MNIST, FashionMNIST, read_idx  # noqa: F401
