"""ember.utils.safetensors against safetensors.torch: files and bytes written by one, read by the other."""
import builtins
import json
import os
import struct

import numpy as np
import pytest
import torch

import ember

pytest.importorskip("safetensors")
import safetensors.torch as st_torch  # noqa: E402

from ember.utils import safetensors as st_ember  # noqa: E402

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


def _arrays(seed=0):
    rng = np.random.default_rng(seed)
    out = {}
    for dt in DTYPES:
        a = rng.standard_normal((3, 4)) * 50
        out[dt] = (a > 0) if dt == "bool" else a.astype(dt)
    out["scalar"] = np.array(2.5, dtype=np.float32)
    out["empty"] = np.zeros((0, 5), dtype=np.float32)
    out["big.nested.name"] = rng.standard_normal((2, 3, 4)).astype(np.float32)
    return out


def _header(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n))


def test_ember_writes_torch_reads(tmp_path):
    arrays = _arrays()
    path = tmp_path / "e.safetensors"
    st_ember.save_file({k: ember.tensor(v) for k, v in arrays.items()}, path)
    got = st_torch.load_file(path)
    assert set(got) == set(arrays)
    for k, a in arrays.items():
        assert str(got[k].dtype) == f"torch.{a.dtype.name}"
        np.testing.assert_array_equal(got[k].numpy(), a)
    assert _header(path)["__metadata__"] == {"format": "pt"}  # what Hugging Face's loaders check


def test_torch_writes_ember_reads(tmp_path):
    arrays = _arrays(1)
    path = tmp_path / "t.safetensors"
    st_torch.save_file({k: torch.from_numpy(v) for k, v in arrays.items()}, path)
    got = st_ember.load_file(path)
    assert set(got) == set(arrays)
    for k, a in arrays.items():
        assert isinstance(got[k], ember.Tensor) and got[k].dtype == getattr(ember, a.dtype.name)
        np.testing.assert_array_equal(got[k].numpy(), a)
    got["float32"].add_(1)  # loaded tensors own writable memory
    got["float32"].requires_grad_()


def test_bfloat16_is_widened_to_float32(tmp_path):
    t = torch.randn(4, 3).to(torch.bfloat16)
    path = tmp_path / "bf.safetensors"
    st_torch.save_file({"w": t}, path)
    got = st_ember.load_file(path)["w"]
    assert got.dtype == ember.float32
    np.testing.assert_array_equal(got.numpy(), t.float().numpy())


def test_bytes_round_trip_both_ways():
    arrays = _arrays(2)
    data = st_ember.save({k: ember.tensor(v) for k, v in arrays.items()}, metadata={"step": "7"})
    got = st_torch.load(data)
    for k, a in arrays.items():
        np.testing.assert_array_equal(got[k].numpy(), a)
    back = st_ember.load(st_torch.save(got))
    for k, a in arrays.items():
        np.testing.assert_array_equal(back[k].numpy(), a)
    n = struct.unpack("<Q", data[:8])[0]
    assert json.loads(data[8:8 + n])["__metadata__"] == {"format": "pt", "step": "7"}


def test_views_and_grad_tensors_are_written_as_values():
    base = ember.arange(24.0).reshape(4, 6)
    w = ember.randn(3, 2, requires_grad=True)
    t = {"T": base.t(), "strided": base[:, ::2], "row": base[1], "w": w * 1}
    got = st_torch.load(st_ember.save(t))
    np.testing.assert_array_equal(got["T"].numpy(), base.numpy().T)
    np.testing.assert_array_equal(got["strided"].numpy(), base.numpy()[:, ::2])
    np.testing.assert_array_equal(got["row"].numpy(), base.numpy()[1])
    np.testing.assert_array_equal(got["w"].numpy(), w.detach().numpy())


def test_model_state_dict_round_trip(tmp_path):
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.Linear(3, 2))
    path = tmp_path / "m.safetensors"
    st_torch.save_model(tm, path)
    em = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.BatchNorm1d(3), ember.nn.Linear(3, 2))
    missing, unexpected = st_ember.load_model(em, path)
    assert missing == [] and unexpected == []
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    em.eval(), tm.eval()
    np.testing.assert_allclose(em(ember.tensor(x)).detach().numpy(), tm(torch.tensor(x)).detach().numpy(),
                               rtol=1e-6, atol=1e-6)
    st_ember.save_model(em, path)  # and back
    tm2 = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.Linear(3, 2))
    st_torch.load_model(tm2, path)
    for (k, a), (k2, b) in zip(tm.state_dict().items(), tm2.state_dict().items()):
        assert k == k2 and torch.equal(a, b)


def test_save_file_is_atomic(tmp_path):
    path = tmp_path / "keep.safetensors"
    st_ember.save_file({"a": ember.ones(3)}, path)
    good = path.read_bytes()
    with pytest.raises(ValueError):
        st_ember.save_file({"a": ember.ones(3), "b": np.ones(2)}, path)  # not a tensor: fails before writing
    assert path.read_bytes() == good
    st_ember.save_file({"a": ember.zeros(3)}, path)  # a good save replaces the file
    np.testing.assert_array_equal(st_torch.load_file(path)["a"].numpy(), np.zeros(3, np.float32))
    assert os.listdir(tmp_path) == ["keep.safetensors"]  # no temporary file left behind


def test_missing_package_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_safetensors(name, *args, **kwargs):
        if name.startswith("safetensors"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_safetensors)
    with pytest.raises(ImportError, match=r"pip install 'ember\[safetensors\]'"):
        st_ember.save({"a": ember.ones(1)})
