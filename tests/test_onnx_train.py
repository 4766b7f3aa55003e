"""`ember train` deploys what it trains: model.onnx beside best.pt, a checkpoint that rebuilds its
model (read without running code, also by torch), and `ember export CHECKPOINT -o FILE`."""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import ember
from ember import train

ort = pytest.importorskip("onnxruntime")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ember_cmd(*args):
    return subprocess.run([sys.executable, "-m", "ember", *args], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1"))


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    pytest.importorskip("sklearn")
    d = tmp_path_factory.mktemp("train")
    r = ember_cmd("train", "--epochs", "1", "--out", str(d), "--no-augment")
    assert r.returncode == 0, r.stderr
    assert "ONNX model:" in r.stdout
    return d


def test_checkpoint_carries_metadata_readable_without_code(run_dir):
    state = ember.load(str(run_dir / "best.pt"))  # the weights-only loader
    assert any(k.endswith("running_mean") for k in state)  # still a plain state_dict
    meta = train.checkpoint_metadata(state)
    assert meta["arch"] == "cnn" and meta["input_shape"] == [1, 8, 8]
    assert meta["classes"] == [str(i) for i in range(10)] and meta["scale"] == 16.0
    assert meta["mean"] == [0.0] and meta["std"] == [1.0]
    # torch reads the same file with its own weights-only loader, metadata included
    tstate = torch.load(str(run_dir / "best.pt"), weights_only=True)
    assert tstate._metadata[""]["ember_train"] == meta


def test_model_onnx_matches_the_rebuilt_checkpoint(run_dir):
    model, meta = train.load_checkpoint_model(str(run_dir))
    assert not model.training
    sess = ort.InferenceSession(str(run_dir / "model.onnx"), providers=["CPUExecutionProvider"])
    assert [i.name for i in sess.get_inputs()] == ["input"] and sess.get_outputs()[0].name == "logits"
    for n in (1, 6):
        pixels = np.random.default_rng(n).integers(0, 17, (n, 1, 8, 8)).astype(np.float32)  # digits' units
        x = (pixels / meta["scale"] - np.float32(meta["mean"][0])) / np.float32(meta["std"][0])
        with ember.no_grad():
            want = model(ember.from_numpy(x.astype(np.float32))).numpy()
        np.testing.assert_allclose(sess.run(None, {"input": x.astype(np.float32)})[0], want, rtol=1e-4, atol=1e-5)


def test_ember_export_command(run_dir, tmp_path):
    out = tmp_path / "exported.onnx"
    r = ember_cmd("export", str(run_dir / "best.pt"), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == (run_dir / "model.onnx").read_bytes()
    # a state_dict without the model's description: a clear error, no file, no traceback
    plain = tmp_path / "plain.pt"
    ember.save(ember.nn.Linear(2, 2).state_dict(), str(plain))
    r = ember_cmd("export", str(plain), "-o", str(tmp_path / "no.onnx"))
    assert r.returncode == 2 and "no model description" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "no.onnx").exists()
