"""torchvision for ember: ``transforms`` and ``datasets`` under torchvision's names."""
from . import transforms, datasets  # noqa: F401
from . import models  # noqa: F401,E402
