"""torch.nn.modules: the package torch's layers live in, for code that imports from it
(``from torch.nn.modules.batchnorm import _BatchNorm``). ember keeps each layer in one file
of ember.nn (see its layout); torch's submodule names here point at those files."""
import importlib
import sys

from .. import *  # noqa: F401,F403  (every layer, as torch.nn.modules has them)
from . import utils  # noqa: F401

# torch's file name -> the ember.nn file that holds the same layers
_FILES = {"activation": "activation", "adaptive": "adaptive", "batchnorm": "normalization",
          "channelshuffle": "vision", "container": "container", "conv": "conv", "distance": "distance",
          "dropout": "dropout", "flatten": "flatten", "fold": "fold", "instancenorm": "normalization",
          "lazy": "lazy", "linear": "linear", "linear_cross_entropy": "loss", "linear_cross_entropy_options": "loss",
          "loss": "loss", "module": "module", "normalization": "normalization", "padding": "padding",
          "pixelshuffle": "vision", "pooling": "pooling", "rnn": "rnn", "sparse": "sparse",
          "transformer": "transformer", "upsampling": "vision"}
for _name, _file in _FILES.items():
    _module = importlib.import_module(f"ember.nn.{_file}")
    sys.modules[f"{__name__}.{_name}"] = _module
    globals()[_name] = _module
