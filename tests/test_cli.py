"""The `ember` command as a user runs it: the lecture tasks, `ember train`, and its errors."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ember_cmd(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "ember", *args], capture_output=True, text=True, timeout=600,
                          cwd=cwd, env=dict(os.environ, PYTHONPATH=ROOT))


def test_lecture_tasks_fit_the_line():
    r = ember_cmd("--steps", "500")
    assert r.returncode == 0, r.stderr
    fits = re.findall(r"w0 = ([-\d.]+)\s+w1 = ([-\d.]+)", r.stdout)
    assert len(fits) == 3
    for w0, w1 in fits:  # the generated line is y = 2 + 3x
        assert abs(float(w0) - 2) < 0.05 and abs(float(w1) - 3) < 0.05


def test_bad_lecture_option_is_an_error_not_a_traceback():
    r = ember_cmd("--lr", "-1")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "--lr" in r.stderr


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    pytest.importorskip("sklearn")
    outs = []
    for i in range(2):
        d = tmp_path_factory.mktemp(f"run{i}")
        r = ember_cmd("train", "--epochs", "2", "--out", str(d), "--seed", "3")
        assert r.returncode == 0, r.stderr
        outs.append((r.stdout, d))
    return outs


def test_train_writes_every_artefact(two_runs):
    out, d = two_runs[0]
    assert "test accuracy" in out
    assert (d / "best.pt").exists()
    import ember
    state = ember.load(str(d / "best.pt"))
    assert any(k.endswith("running_mean") for k in state)  # batch norm is in the model
    if pytest.importorskip("tensorboard"):
        assert any(p.name.startswith("events.out.tfevents") for p in (d / "runs").rglob("*"))
    if os.environ.get("NO_MPL") is None:
        pytest.importorskip("matplotlib")
        assert (d / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_same_numbers(two_runs):
    def numbers(text):
        return [line for line in text.splitlines() if line.startswith("epoch") or "accuracy" in line]
    a, b = (numbers(o) for o, _ in two_runs)
    strip = [re.sub(r"; [\d.]+ s$", "", line) for line in a]  # the wall time may differ
    assert strip == [re.sub(r"; [\d.]+ s$", "", line) for line in b] and len(a) >= 3


@pytest.mark.parametrize("args, message", [
    (["--epochs", "0"], "--epochs"),
    (["--model", "rnn"], "--model"),
    (["--batch-size", "-4"], "--batch-size"),
    (["--lr", "abc"], "--lr"),
])
def test_train_bad_options(args, message, tmp_path):
    r = ember_cmd("train", *args, "--out", str(tmp_path))
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("content, message", [
    ("a,b,label\n1,2,x\n", "non-numeric"),
    ("p1,p2,p3,p4,label\n" + "1,2,3,4,0\n" * 3 + "1,2,3\n", "columns"),
    ("p1,p2,p3,label\n" + "1,2,3,0\n" * 20, "square"),
    ("", "empty"),
])
def test_train_malformed_csv(content, message, tmp_path):
    f = tmp_path / "data.csv"
    f.write_text(content)
    r = ember_cmd("train", "--data", str(f), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_train_malformed_npz(tmp_path):
    f = tmp_path / "data.npz"
    np.savez(f, x=np.zeros((20, 4, 4)), y=np.zeros(19))
    r = ember_cmd("train", "--data", str(f), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "20 images but 19 labels" in r.stderr
    np.savez(f, images=np.zeros((20, 4, 4)))
    r = ember_cmd("train", "--data", str(f), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "expected arrays" in r.stderr
    r = ember_cmd("train", "--data", str(tmp_path / "missing.npz"), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "no such file" in r.stderr


def test_train_on_user_npz(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    x = rng.standard_normal((300, 6, 6)) * 0.1 + y[:, None, None]  # an easy 3-class problem
    np.savez(tmp_path / "mine.npz", x=x, y=y)
    r = ember_cmd("train", "--data", str(tmp_path / "mine.npz"), "--epochs", "10", "--model", "mlp",
                  "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    acc = float(re.search(r"test accuracy ([\d.]+)", r.stdout).group(1))
    assert acc > 0.6
