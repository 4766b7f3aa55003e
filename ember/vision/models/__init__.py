"""torchvision.models for ember: the same architectures under the same module names, so that
torchvision's checkpoints load with ``model.load_state_dict(ember.load(path))``.

ember never downloads: ``weights=`` other than None raises an error that shows how to load a local file.
"""
from .resnet import (ResNet, resnet18, resnet34, resnet50, resnet101, resnet152,  # noqa: F401
                     resnext50_32x4d, wide_resnet50_2)
from .mobilenet import MobileNetV2, mobilenet_v2  # noqa: F401
from .vgg import VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn  # noqa: F401
from .lenet import LeNet  # noqa: F401
