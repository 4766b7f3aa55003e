"""ember.vision.models against torchvision's architectures.

torchvision is not installable here, so the torch side is written below with torchvision's module
names (as its resnet.py, mobilenetv2.py and vgg.py build them). A torch state_dict saved with
torch.save must load into the ember model with ember.load, key for key, and give the same outputs.
"""
import numpy as np
import pytest
import torch
import torch.nn as tnn

import ember
from ember.vision import models

# ---------------------------------------------------------------- torch references, torchvision's names


class TBasicBlock(tnn.Module):
    expansion = 1

    def __init__(self, cin, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = tnn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(planes)
        self.relu = tnn.ReLU(inplace=True)
        self.conv2 = tnn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


class TBottleneck(tnn.Module):
    expansion = 4

    def __init__(self, cin, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = tnn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(planes)
        self.conv2 = tnn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(planes)
        self.conv3 = tnn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = tnn.BatchNorm2d(planes * 4)
        self.relu = tnn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


class TResNet(tnn.Module):
    def __init__(self, block, layers, num_classes):
        super().__init__()
        self.conv1 = tnn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = tnn.BatchNorm2d(64)
        self.relu = tnn.ReLU(inplace=True)
        self.maxpool = tnn.MaxPool2d(3, 2, 1)
        cin = 64
        for i, (planes, n) in enumerate(zip((64, 128, 256, 512), layers)):
            stride = 1 if i == 0 else 2
            down = None
            if stride != 1 or cin != planes * block.expansion:
                down = tnn.Sequential(tnn.Conv2d(cin, planes * block.expansion, 1, stride, bias=False),
                                      tnn.BatchNorm2d(planes * block.expansion))
            blocks = [block(cin, planes, stride, down)]
            cin = planes * block.expansion
            blocks += [block(cin, planes) for _ in range(n - 1)]
            setattr(self, f"layer{i + 1}", tnn.Sequential(*blocks))
        self.avgpool = tnn.AdaptiveAvgPool2d((1, 1))
        self.fc = tnn.Linear(512 * block.expansion, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def t_cna(cin, cout, k=3, stride=1, groups=1):  # torchvision.ops.Conv2dNormActivation with ReLU6
    return tnn.Sequential(tnn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False),
                          tnn.BatchNorm2d(cout), tnn.ReLU6(inplace=True))


class TInvertedResidual(tnn.Module):
    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hidden = cin * t
        layers = [t_cna(cin, hidden, 1)] if t != 1 else []
        layers += [t_cna(hidden, hidden, 3, stride, hidden), tnn.Conv2d(hidden, cout, 1, bias=False),
                   tnn.BatchNorm2d(cout)]
        self.conv = tnn.Sequential(*layers)
        self.res = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.conv(x) if self.res else self.conv(x)


class TMobileNetV2(tnn.Module):
    def __init__(self, num_classes):
        super().__init__()
        feats, cin = [t_cna(3, 32, stride=2)], 32
        for t, c, n, s in [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1],
                           [6, 160, 3, 2], [6, 320, 1, 1]]:
            for i in range(n):
                feats.append(TInvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        feats.append(t_cna(cin, 1280, 1))
        self.features = tnn.Sequential(*feats)
        self.classifier = tnn.Sequential(tnn.Dropout(0.2), tnn.Linear(1280, num_classes))

    def forward(self, x):
        x = tnn.functional.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(torch.flatten(x, 1))


class TVGG11(tnn.Module):
    def __init__(self, num_classes):
        super().__init__()
        layers, cin = [], 3
        for v in [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]:
            if v == "M":
                layers.append(tnn.MaxPool2d(2, 2))
            else:
                layers += [tnn.Conv2d(cin, v, 3, padding=1), tnn.ReLU(inplace=True)]
                cin = v
        self.features = tnn.Sequential(*layers)
        self.avgpool = tnn.AdaptiveAvgPool2d((7, 7))
        self.classifier = tnn.Sequential(tnn.Linear(512 * 7 * 7, 4096), tnn.ReLU(True), tnn.Dropout(),
                                         tnn.Linear(4096, 4096), tnn.ReLU(True), tnn.Dropout(),
                                         tnn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def _randomize_bn(model):
    """Non-trivial BatchNorm statistics and affine parameters, so that eval mode is a real test."""
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, tnn.BatchNorm2d):
                m.running_mean.normal_(0, 0.1, generator=g)
                m.running_var.uniform_(0.5, 1.5, generator=g)
                m.weight.uniform_(0.5, 1.5, generator=g)
                m.bias.normal_(0, 0.1, generator=g)
    return model


def _load_via_file(ember_model, torch_model, tmp_path):
    """torch.save the torch state_dict, ember.load it, load it strictly; keys and shapes must agree."""
    path = tmp_path / "weights.pth"
    torch.save(torch_model.state_dict(), path)
    sd = ember.load(path)
    ref = torch_model.state_dict()
    own = ember_model.state_dict()
    assert list(own) == list(ref)  # torchvision's keys, in torchvision's order
    assert all(tuple(own[k].shape) == tuple(v.shape) for k, v in ref.items())
    result = ember_model.load_state_dict(sd)
    assert list(result.missing_keys) == [] and list(result.unexpected_keys) == []
    return ember_model


def _compare_eval(em, tm, shape, rtol=1e-4, atol=1e-4, seed=0):
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    em.eval(), tm.eval()
    with ember.no_grad(), torch.no_grad():
        e, t = em(ember.tensor(x)).numpy(), tm(torch.tensor(x)).numpy()
    np.testing.assert_allclose(e, t, rtol=rtol, atol=atol)


# ---------------------------------------------------------------- the tests
def test_resnet18_loads_torch_weights_and_matches(tmp_path):
    torch.manual_seed(0)
    tm = _randomize_bn(TResNet(TBasicBlock, [2, 2, 2, 2], 10))
    em = _load_via_file(models.resnet18(num_classes=10), tm, tmp_path)
    _compare_eval(em, tm, (2, 3, 64, 64))


def test_resnet18_train_mode_gradients(tmp_path):
    # float64: in float32, BatchNorm over the 4 values per channel of layer4 magnifies rounding noise
    torch.manual_seed(1)
    tm = _randomize_bn(TResNet(TBasicBlock, [2, 2, 2, 2], 5)).double()
    em = _load_via_file(models.resnet18(num_classes=5).double(), tm, tmp_path)
    em.train(), tm.train()
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 3, 32, 32))
    y = rng.integers(0, 5, 4)
    ember.nn.functional.cross_entropy(em(ember.tensor(x)), ember.tensor(y)).backward()
    tnn.functional.cross_entropy(tm(torch.tensor(x)), torch.tensor(y)).backward()
    ep = dict(em.named_parameters())
    for name, p in tm.named_parameters():
        np.testing.assert_allclose(ep[name].grad.numpy(), p.grad.numpy(), rtol=1e-7, atol=1e-10, err_msg=name)
    eb = dict(em.named_buffers())
    for name, b in tm.named_buffers():  # train mode updated the running statistics the same way
        np.testing.assert_allclose(eb[name].numpy(), b.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


def test_resnet50_bottleneck_matches(tmp_path):
    torch.manual_seed(0)
    tm = _randomize_bn(TResNet(TBottleneck, [3, 4, 6, 3], 7))
    em = _load_via_file(models.resnet50(num_classes=7), tm, tmp_path)
    _compare_eval(em, tm, (1, 3, 32, 32))


def test_resnet34_parameter_count():
    m = models.resnet34()
    assert sum(p.numel() for p in m.parameters()) == 21797672  # torchvision's resnet34
    assert [len(getattr(m, f"layer{i}")) for i in range(1, 5)] == [3, 4, 6, 3]


def test_mobilenet_v2_loads_torch_weights_and_matches(tmp_path):
    torch.manual_seed(0)
    tm = _randomize_bn(TMobileNetV2(10))
    em = _load_via_file(models.mobilenet_v2(num_classes=10), tm, tmp_path)
    assert sum(p.numel() for p in models.mobilenet_v2().parameters()) == 3504872  # torchvision's count
    _compare_eval(em, tm, (2, 3, 64, 64))


def test_vgg11_loads_torch_weights_and_matches(tmp_path):
    torch.manual_seed(0)
    tm = TVGG11(3)
    # init_weights=False: skip VGG's re-initialisation of 130M weights the checkpoint replaces anyway
    em = _load_via_file(models.vgg11(num_classes=3, init_weights=False), tm, tmp_path)
    _compare_eval(em, tm, (1, 3, 32, 32), rtol=1e-4, atol=1e-5)


def test_lenet_matches_the_tutorial_network(tmp_path):
    class Net(tnn.Module):  # PyTorch's "60 minute blitz" network
        def __init__(self):
            super().__init__()
            self.conv1, self.conv2 = tnn.Conv2d(1, 6, 5), tnn.Conv2d(6, 16, 5)
            self.fc1, self.fc2, self.fc3 = tnn.Linear(400, 120), tnn.Linear(120, 84), tnn.Linear(84, 10)

        def forward(self, x):
            x = tnn.functional.max_pool2d(tnn.functional.relu(self.conv1(x)), 2)
            x = tnn.functional.max_pool2d(tnn.functional.relu(self.conv2(x)), 2)
            x = tnn.functional.relu(self.fc1(torch.flatten(x, 1)))
            return self.fc3(tnn.functional.relu(self.fc2(x)))

    torch.manual_seed(0)
    tm = Net()
    em = _load_via_file(models.LeNet(), tm, tmp_path)
    _compare_eval(em, tm, (3, 1, 32, 32), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("builder", ["resnet18", "resnet50", "mobilenet_v2", "vgg11"])
def test_weights_are_never_downloaded(builder):
    with pytest.raises(ValueError, match=r"never downloads[\s\S]*load_state_dict\(ember.load\("):
        getattr(models, builder)(weights="IMAGENET1K_V1")
    with pytest.raises(ValueError, match="never downloads"):
        getattr(models, builder)(pretrained=True)
