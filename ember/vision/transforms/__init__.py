"""torchvision.transforms: image transforms for ember tensors, NumPy arrays and PIL images."""
from . import functional  # noqa: F401
from .functional import InterpolationMode  # noqa: F401
from .transforms import (Compose, ToTensor, PILToTensor, ToPILImage, ConvertImageDtype, Normalize,  # noqa: F401
                         Lambda, Resize, CenterCrop, Pad, RandomApply, RandomChoice, RandomOrder,
                         RandomHorizontalFlip, RandomVerticalFlip, RandomCrop, RandomResizedCrop,
                         RandomRotation, RandomAffine, ColorJitter, Grayscale, RandomGrayscale, GaussianBlur,
                         RandomErasing)
