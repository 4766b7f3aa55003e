"""ember.utils.tensorboard: write with ember, read back with TensorBoard's own reader (and
server), and compare with what torch.utils.tensorboard writes for the same data."""
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

import ember  # noqa: E402
from ember.utils.tensorboard import SummaryWriter  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read(logdir):
    """Everything TensorBoard's EventAccumulator finds in one run folder (no subsampling)."""
    keys = ("scalars", "histograms", "images", "tensors", "audio", "compressedHistograms")
    return EventAccumulator(str(logdir), size_guidance={k: 0 for k in keys}).Reload()


def torch_writer(logdir):
    return pytest.importorskip("torch.utils.tensorboard").SummaryWriter(str(logdir))


def decode(png):
    Image = pytest.importorskip("PIL.Image")
    return np.asarray(Image.open(io.BytesIO(png)))


# ---------------------------------------------------------------------------------- scalars
def test_scalars_match_torch(tmp_path):
    import torch
    values = [0.5, np.float32(0.25), 0.125, [2.0], np.array(7), 3]
    for lib, path in ((ember, tmp_path / "e"), (torch, tmp_path / "t")):
        w = SummaryWriter(str(path)) if lib is ember else torch_writer(path)
        for step, v in enumerate(values):
            w.add_scalar("loss/train", lib.tensor(v) if isinstance(v, (float, list)) else v, step * 10)
        w.add_scalar("lr", 0.1, np.int64(4))
        w.close()
    e, t = read(tmp_path / "e"), read(tmp_path / "t")
    assert sorted(e.Tags()["scalars"]) == sorted(t.Tags()["scalars"]) == ["loss/train", "lr"]
    for tag in ("loss/train", "lr"):
        assert [(s.step, s.value) for s in e.Scalars(tag)] == [(s.step, s.value) for s in t.Scalars(tag)]
    assert [s.step for s in e.Scalars("loss/train")] == [0, 10, 20, 30, 40, 50]
    assert [s.value for s in e.Scalars("loss/train")] == [0.5, 0.25, 0.125, 2.0, 7.0, 3.0]


def test_scalar_new_style_walltime_and_errors(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        w.add_scalar("acc", ember.tensor(0.75), 3, walltime=123.5, new_style=True)
        w.add_scalar("acc64", 1 / 3, 1, new_style=True, double_precision=True)
        with pytest.raises(AssertionError):
            w.add_scalar("bad", ember.ones(2), 0)
    acc = read(tmp_path)
    (ev,) = acc.Tensors("acc")
    assert (ev.step, ev.wall_time, float(tensor_util.make_ndarray(ev.tensor_proto))) == (3, 123.5, 0.75)
    assert acc.SummaryMetadata("acc").plugin_data.plugin_name == "scalars"
    assert float(tensor_util.make_ndarray(acc.Tensors("acc64")[0].tensor_proto)) == 1 / 3


def test_add_scalars_writes_one_run_per_key(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        for step in range(3):
            w.add_scalars("loss/all", {"train": 1.0 / (step + 1), "val": ember.tensor(2.0 * step)}, step)
    assert sorted(d.name for d in tmp_path.iterdir() if d.is_dir()) == ["loss_all_train", "loss_all_val"]
    train, val = read(tmp_path / "loss_all_train"), read(tmp_path / "loss_all_val")
    assert train.Tags()["scalars"] == val.Tags()["scalars"] == ["loss/all"]
    assert [(s.step, s.value) for s in train.Scalars("loss/all")] == [(0, 1.0), (1, 0.5), (2, np.float32(1 / 3))]
    assert [(s.step, s.value) for s in val.Scalars("loss/all")] == [(0, 0.0), (1, 2.0), (2, 4.0)]
    # one walltime for all the keys of one call, as torch writes it
    assert [s.wall_time for s in train.Scalars("loss/all")] == [s.wall_time for s in val.Scalars("loss/all")]


# ---------------------------------------------------------------------------------- histograms
@pytest.mark.parametrize("bins,max_bins", [("tensorflow", None), ("auto", None), (30, 7), (np.linspace(-4, 4, 9), None)])
def test_histogram_matches_torch(tmp_path, bins, max_bins):
    x = np.random.default_rng(0).standard_normal(2000).astype(np.float32)
    with SummaryWriter(str(tmp_path / "e")) as w:
        w.add_histogram("w", ember.tensor(x), 5, bins=bins, max_bins=max_bins)
    t = torch_writer(tmp_path / "t")
    import torch
    t.add_histogram("w", torch.from_numpy(x), 5, bins=bins, max_bins=max_bins)
    t.close()
    (he,), (ht,) = read(tmp_path / "e").Histograms("w"), read(tmp_path / "t").Histograms("w")
    assert he.step == 5
    a, b = he.histogram_value, ht.histogram_value
    assert (a.min, a.max, a.num, a.sum, a.sum_squares) == (b.min, b.max, b.num, b.sum, b.sum_squares)
    assert list(a.bucket_limit) == list(b.bucket_limit) and list(a.bucket) == list(b.bucket)
    assert a.num == 2000 and sum(a.bucket) == 2000 and a.min == x.min()


def test_histogram_raw_and_tensor(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        w.add_histogram_raw("raw", min=0.0, max=3.0, num=6, sum=9.0, sum_squares=17.0,
                            bucket_limits=[1.0, 2.0, 3.0], bucket_counts=ember.tensor([1, 2, 3]), global_step=1)
        w.add_tensor("t", ember.arange(6).reshape(2, 3), 2)
        with pytest.raises(ValueError):
            w.add_histogram_raw("bad", 0, 1, 1, 1, 1, [1.0, 2.0], [1])
    acc = read(tmp_path)
    h = acc.Histograms("raw")[0].histogram_value
    assert (h.num, h.sum, list(h.bucket_limit), list(h.bucket)) == (6, 9.0, [1.0, 2.0, 3.0], [1, 2, 3])
    (ev,) = acc.Tensors("t")
    np.testing.assert_array_equal(tensor_util.make_ndarray(ev.tensor_proto), np.arange(6).reshape(2, 3))


# ---------------------------------------------------------------------------------- images
def test_images_match_torch(tmp_path):
    import torch
    rng = np.random.default_rng(1)
    chw = rng.random((3, 6, 10)).astype(np.float32)
    hwc = rng.integers(0, 256, (5, 7, 3)).astype(np.uint8)
    hw = rng.random((4, 9))
    batch = rng.random((10, 1, 4, 5)).astype(np.float32)
    cases = [("chw", chw, "CHW", False), ("hwc", hwc, "HWC", False), ("hw", hw, "HW", False),
             ("batch", batch, "NCHW", True), ("nhwc", batch.transpose(0, 2, 3, 1), "NHWC", True)]
    t = torch_writer(tmp_path / "t")
    with SummaryWriter(str(tmp_path / "e")) as w:
        for tag, img, fmt, many in cases:
            (w.add_images if many else w.add_image)(tag, ember.tensor(img), 2, dataformats=fmt)
            (t.add_images if many else t.add_image)(tag, torch.from_numpy(img), 2, dataformats=fmt)
    t.close()
    e, tt = read(tmp_path / "e"), read(tmp_path / "t")
    sizes = {"chw": (10, 6), "hwc": (7, 5), "hw": (9, 4), "batch": (40, 8), "nhwc": (40, 8)}
    for tag, *_ in cases:
        (ie,), (it,) = e.Images(tag), tt.Images(tag)
        assert (ie.step, ie.width, ie.height) == (2, *sizes[tag])
        pe, pt = decode(ie.encoded_image_string), decode(it.encoded_image_string)
        assert pe.shape == (sizes[tag][1], sizes[tag][0], 3)
        np.testing.assert_array_equal(pe, pt)
    # float pixels scale by 255 (truncating), uint8 pass through
    np.testing.assert_array_equal(decode(e.Images("chw")[0].encoded_image_string),
                                  (chw.transpose(1, 2, 0) * 255).astype(np.uint8))
    np.testing.assert_array_equal(decode(e.Images("hwc")[0].encoded_image_string), hwc)


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_png_encoder_without_pil(channels):
    from ember.utils.tensorboard._convert import _png_zlib
    img = np.random.default_rng(channels).integers(0, 256, (5, 7, channels)).astype(np.uint8)
    out = decode(_png_zlib(img))
    np.testing.assert_array_equal(out, img[:, :, 0] if channels == 1 else img)


def test_add_figure(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figs = [plt.figure(figsize=(2, 1.5), dpi=50) for _ in range(2)]
    figs[0].gca().plot([0, 1], [1, 0])
    with SummaryWriter(str(tmp_path)) as w:
        w.add_figure("fig", figs[0], 1)
        w.add_figure("figs", figs, 1)
    (one,), (two,) = read(tmp_path).Images("fig"), read(tmp_path).Images("figs")
    assert (one.width, one.height) == (100, 75) and (two.width, two.height) == (200, 75)
    assert not plt.get_fignums()  # closed after drawing, as torch does by default


# ---------------------------------------------------------------------------------- text, hparams, PR
def test_text(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        w.add_text("notes", "**lr** = 0.1 ü", 4)
    acc = read(tmp_path)
    (ev,) = acc.Tensors("notes/text_summary")
    assert ev.step == 4 and acc.SummaryMetadata("notes/text_summary").plugin_data.plugin_name == "text"
    assert tensor_util.make_ndarray(ev.tensor_proto).tolist() == ["**lr** = 0.1 ü".encode()]


def test_hparams_write_a_sub_run(tmp_path):
    from tensorboard.plugins.hparams import metadata
    with SummaryWriter(str(tmp_path)) as w:
        w.add_hparams({"lr": 0.01, "batch": 32, "opt": "adam", "nesterov": True, "unused": None},
                      {"hparam/accuracy": ember.tensor(0.9), "hparam/loss": 0.3},
                      hparam_domain_discrete={"opt": ["adam", "sgd"]}, run_name="trial1")
        with pytest.raises(TypeError):
            w.add_hparams([("lr", 1)], {})
    acc = read(tmp_path / "trial1")
    content = acc.PluginTagToContent(metadata.PLUGIN_NAME)
    assert set(content) == {metadata.EXPERIMENT_TAG, metadata.SESSION_START_INFO_TAG, metadata.SESSION_END_INFO_TAG}
    start = metadata.parse_session_start_info_plugin_data(content[metadata.SESSION_START_INFO_TAG])
    hp = start.hparams
    assert (hp["lr"].number_value, hp["batch"].number_value, hp["opt"].string_value) == (0.01, 32, "adam")
    assert hp["nesterov"].bool_value is True and "unused" not in hp
    exp = metadata.parse_experiment_plugin_data(content[metadata.EXPERIMENT_TAG])
    assert [m.name.tag for m in exp.metric_infos] == ["hparam/accuracy", "hparam/loss"]
    opt = next(i for i in exp.hparam_infos if i.name == "opt")
    assert [v.string_value for v in opt.domain_discrete.values] == ["adam", "sgd"]
    assert [s.value for s in acc.Scalars("hparam/accuracy")] == [np.float32(0.9)]
    assert [s.value for s in acc.Scalars("hparam/loss")] == [np.float32(0.3)]


def test_pr_curve_matches_torch(tmp_path):
    import torch
    rng = np.random.default_rng(2)
    labels, preds = rng.integers(0, 2, 200), rng.random(200)
    with SummaryWriter(str(tmp_path / "e")) as w:
        w.add_pr_curve("pr", ember.tensor(labels), ember.tensor(preds), 1, num_thresholds=20)
    t = torch_writer(tmp_path / "t")
    t.add_pr_curve("pr", torch.from_numpy(labels), torch.from_numpy(preds), 1, num_thresholds=20)
    t.close()
    (a,), (b,) = read(tmp_path / "e").Tensors("pr"), read(tmp_path / "t").Tensors("pr")
    ae, bt = tensor_util.make_ndarray(a.tensor_proto), tensor_util.make_ndarray(b.tensor_proto)
    assert ae.shape == (6, 20)
    np.testing.assert_array_equal(ae, bt)


# ---------------------------------------------------------------------------------- graph
def _mlp():
    """A two-layer model with submodules, from ember.nn.Module and raw ops (no nn layers needed)."""
    nn = pytest.importorskip("ember.nn")

    class Affine(nn.Module):
        def __init__(self, n_in, n_out):
            super().__init__()
            self.weight = nn.Parameter(ember.randn(n_out, n_in))
            self.bias = nn.Parameter(ember.zeros(n_out))

        def forward(self, x):
            return x @ self.weight.T + self.bias

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = Affine(3, 5), Affine(5, 2)

        def forward(self, x):
            return self.fc2(self.fc1(x).relu())

    return Net()


def _graph(path):
    acc = read(path)
    assert acc.Tags()["graph"] and acc.Tags()["run_metadata"] == ["step1"]
    return {n.name: n for n in acc.Graph().node}


def _reaches(nodes, start, goal):
    """Whether ``goal`` is an ancestor of ``start`` following the input edges."""
    todo, seen = [start], set()
    while todo:
        name = todo.pop().split(":")[0]
        if name == goal:
            return True
        if name not in seen:
            seen.add(name)
            todo.extend(nodes[name].input)
    return False


def test_graph_of_a_module(tmp_path):
    model = _mlp()
    model.train()
    with SummaryWriter(str(tmp_path)) as w:
        w.add_graph(model, ember.randn(4, 3))
    assert model.training  # restored after the eval-mode run
    nodes = _graph(tmp_path)
    for name, node in nodes.items():
        assert all(i.split(":")[0] in nodes for i in node.input), name
    params = {n for n, v in nodes.items() if v.op == "Parameter"}
    assert params == {"Net/Affine[fc1]/weight", "Net/Affine[fc1]/bias", "Net/Affine[fc2]/weight", "Net/Affine[fc2]/bias"}
    assert nodes["input/input.0"].op == "IO Node"
    out = nodes["output/output.0"]
    assert out.op == "IO Node" and [d.size for d in out.attr["_output_shapes"].list.shape[0].dim] == [4, 2]
    for p in params | {"input/input.0"}:
        assert _reaches(nodes, "output/output.0", p)
    # ops carry the scope of the module that ran them, and the shape of their result
    ops = {n.split("/")[-1].rsplit("_", 1)[0] for n in nodes if n.startswith("Net/Affine[fc1]/") and n not in params}
    assert {"Matmul", "Add"} <= ops
    relu = next(v for n, v in nodes.items() if v.op == "Relu")
    assert relu.name.startswith("Net/Relu") and relu.input[0].startswith("Net/Affine[fc1]/")
    assert [d.size for d in relu.attr["_output_shapes"].list.shape[0].dim] == [4, 5]


def test_graph_of_a_plain_callable(tmp_path):
    class Model:  # not an nn.Module: a callable with named_parameters()
        def __init__(self):
            self.w = ember.randn(3, 2, requires_grad=True)

        def named_parameters(self):
            return [("w", self.w)]

        def __call__(self, x, mask):
            return (x @ self.w).tanh() * mask, x.sum()

    with SummaryWriter(str(tmp_path)) as w:
        w.add_graph(Model(), (ember.randn(4, 3), ember.ones(4, 2, dtype=ember.int64)))
    nodes = _graph(tmp_path)
    assert nodes["Model/w"].op == "Parameter" and {"output/output.0", "output/output.1"} <= set(nodes)
    assert _reaches(nodes, "output/output.0", "Model/w") and _reaches(nodes, "output/output.0", "input/input.0")
    # the integer mask is an input node; cast to float inside `*`, it reaches Mul as a constant
    assert nodes["input/input.1"].op == "IO Node"
    mul = nodes[nodes["output/output.0"].input[0]]
    assert mul.op == "Mul" and [nodes[i].op for i in mul.input] == ["Tanh", "Tensor"]
    assert not _reaches(nodes, "output/output.1", "Model/w")


# ---------------------------------------------------------------------------------- embedding
def test_embedding_matches_torch(tmp_path):
    import torch
    rng = np.random.default_rng(3)
    mat, imgs = rng.standard_normal((6, 4)).astype(np.float32), rng.random((6, 3, 5, 5)).astype(np.float32)
    meta = [["a", 1], ["b", 2], ["c", 3], ["d", 4], ["e", 5], ["f", 6]]
    with SummaryWriter(str(tmp_path / "e")) as w:
        w.add_embedding(ember.tensor(mat), metadata=meta, label_img=ember.tensor(imgs), metadata_header=["ch", "n"])
        w.add_embedding(mat[:3], metadata=["x", "y", "z"], global_step=7, tag="a/b")
    t = torch_writer(tmp_path / "t")
    t.add_embedding(torch.from_numpy(mat), metadata=meta, label_img=torch.from_numpy(imgs), metadata_header=["ch", "n"])
    t.add_embedding(torch.from_numpy(mat[:3]), metadata=["x", "y", "z"], global_step=7, tag="a/b")
    t.close()
    for f in ("projector_config.pbtxt", "00000/default/tensors.tsv", "00000/default/metadata.tsv",
              "00007/a%2fb/tensors.tsv", "00007/a%2fb/metadata.tsv"):
        assert (tmp_path / "e" / f).read_bytes() == (tmp_path / "t" / f).read_bytes(), f
    np.testing.assert_allclose(np.loadtxt(tmp_path / "e/00000/default/tensors.tsv"), mat, rtol=1e-6)
    sprite = decode((tmp_path / "e/00000/default/sprite.png").read_bytes())
    np.testing.assert_array_equal(sprite, decode((tmp_path / "t/00000/default/sprite.png").read_bytes()))
    assert sprite.shape == (15, 15, 3)


# ---------------------------------------------------------------------------------- the writer itself
def test_default_logdir_context_manager_and_purge_step(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with SummaryWriter(comment="_lr0.1") as w:
        logdir = w.get_logdir()
        w.add_scalar("x", 1.0, 0)
    assert os.path.dirname(logdir) == "runs" and logdir.endswith("_" + socket.gethostname() + "_lr0.1")
    assert any(f.startswith("events.out.tfevents") for f in os.listdir(logdir))
    w.add_scalar("x", 2.0, 1)  # writing after close opens a new event file, as torch does
    w.close()
    assert [s.value for s in read(logdir).Scalars("x")] == [1.0, 2.0]
    # a restart at step 2 hides the crashed run's steps >= 2
    with SummaryWriter(str(tmp_path / "p"), filename_suffix=".a") as w:
        for step in range(4):
            w.add_scalar("y", step, step)
    time.sleep(1.1)  # event files are read in name order, and names carry the second
    with SummaryWriter(str(tmp_path / "p"), purge_step=2, filename_suffix=".b") as w:
        w.add_scalar("y", 20.0, 2)
    assert [(s.step, s.value) for s in read(tmp_path / "p").Scalars("y")] == [(0, 0.0), (1, 1.0), (2, 20.0)]
    assert all(f.endswith((".a", ".b")) for f in os.listdir(tmp_path / "p"))


def test_import_error_names_the_extra():
    code = ("import sys; sys.modules['tensorboard'] = None\n"
            "try:\n    import ember.utils.tensorboard\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60,
                         env={**os.environ, "PYTHONPATH": ROOT})
    assert "pip install 'ember[tensorboard]'" in out.stdout, out.stderr


# ---------------------------------------------------------------------------------- a real server
def test_tensorboard_server_serves_the_scalars(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        for step in range(5):
            w.add_scalar("train/loss", 1.0 / (step + 1), step)
        w.add_graph(_mlp(), ember.randn(1, 3))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "tensorboard.main", "--logdir", str(tmp_path), "--host", "127.0.0.1",
           "--port", str(port), "--load_fast", "false", "--reload_interval", "1"]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/data/plugin/scalars/scalars?tag=train%2Floss&run=."
    try:
        data, deadline = None, time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    data = json.loads(r.read())
                if len(data) == 5:
                    break
            except OSError:  # not listening yet, or the run not loaded yet (HTTP 400)
                pass
            time.sleep(0.5)
        assert data is not None, server.stderr.read().decode() if server.poll() is not None else "no answer"
        assert [(step, value) for _, step, value in data] == [(i, np.float32(1.0 / (i + 1))) for i in range(5)]
        # the graphs plugin serves the drawn graph back as text
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/data/plugin/graphs/graph?run=.", timeout=5) as r:
            graph = r.read().decode()
        assert 'name: "Net/Affine[fc1]/weight"' in graph and 'op: "Relu"' in graph
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
