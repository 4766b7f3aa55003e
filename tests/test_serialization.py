"""ember.save / ember.load against the real torch.save / torch.load, in both directions and both formats."""
import io
import os
import pickle
import stat
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import ember
from ember import _dtype, serialization
from ember._backend import device

save, load = serialization.save, serialization.load

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool",
          "complex64", "complex128"]
FORMATS = ["zip", "legacy"]


# --- ember tensors, or a stand-in while ember's Tensor is being written -------------------------------

REAL_TENSOR = hasattr(ember, "from_numpy")


class _StandIn:
    """The two things serialization needs from a Tensor: `_data` and `requires_grad`."""
    __slots__ = ("_data", "requires_grad")

    def __init__(self, arr, requires_grad=False):
        self._data, self.requires_grad = arr, requires_grad


@pytest.fixture(autouse=True)
def _tensor_seam(monkeypatch):
    if not REAL_TENSOR:
        monkeypatch.setattr(serialization, "_tensor_class", lambda: _StandIn)
        monkeypatch.setattr(serialization, "_from_array", _StandIn)


def tensor(arr, requires_grad=False):
    t = ember.from_numpy(arr) if REAL_TENSOR else _StandIn(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def is_tensor(x):
    return isinstance(x, ember.Tensor if REAL_TENSOR else _StandIn)


def torch_save(obj, path, fmt):
    torch.save(obj, path, _use_new_zipfile_serialization=(fmt == "zip"))


def to_ember(obj):
    """torch objects -> ember objects (tensors copied), for feeding ember.save."""
    if isinstance(obj, torch.Tensor):
        return tensor(obj.detach().numpy().copy(), obj.requires_grad)
    if isinstance(obj, dict):
        out = type(obj)((k, to_ember(v)) for k, v in obj.items())
        if hasattr(obj, "_metadata"):
            out._metadata = obj._metadata
        return out
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_ember(v) for v in obj)
    return obj


def assert_matches(e, t, strides=True):
    """ember object `e` holds the same thing as torch object `t`."""
    if isinstance(t, torch.Tensor):
        assert is_tensor(e), type(e)
        a = e._data
        assert a.shape == tuple(t.shape)
        assert a.dtype.name == str(t.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(a, t.detach().numpy())
        if strides:
            assert tuple(s // a.itemsize for s in a.strides) == t.stride()
        assert bool(e.requires_grad) == t.requires_grad
    elif isinstance(t, dict):
        assert type(e) is type(t) and list(e) == list(t)
        assert getattr(e, "_metadata", None) == getattr(t, "_metadata", None)
        for k in t:
            assert_matches(e[k], t[k], strides)
    elif isinstance(t, torch.Size):
        assert type(e) is tuple and e == tuple(t)
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t)
        for x, y in zip(e, t):
            assert_matches(x, y, strides)
    elif isinstance(t, torch.dtype):
        assert e is _dtype._names[str(t).removeprefix("torch.")]
    elif isinstance(t, torch.device):
        assert isinstance(e, device) and str(e) == str(t)
    else:
        assert type(e) is type(t) and e == t


def sample(dtype, shape=(3, 4)):
    a = np.arange(int(np.prod(shape))).reshape(shape)
    return (a % 2 if dtype == "bool" else a + 1j * a if dtype.startswith("complex") else a).astype(dtype)


# --- round trips -----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_every_shared_dtype_both_ways(dtype, tmp_path):
    a = sample(dtype)
    obj = {"x": tensor(a), "xt": tensor(a.T), "row": tensor(a[1]), "scalar": tensor(a[1, 2, ...])}
    save(obj, tmp_path / "e.pt")
    assert_matches(obj, torch.load(tmp_path / "e.pt", weights_only=True))

    ta = torch.from_numpy(sample(dtype))
    for fmt in FORMATS:
        theirs = {"x": ta, "xt": ta.t(), "row": ta[1], "scalar": ta[1, 2]}
        torch_save(theirs, tmp_path / f"t_{fmt}.pt", fmt)
        assert_matches(load(tmp_path / f"t_{fmt}.pt"), theirs)


@pytest.mark.parametrize("fmt", FORMATS)
def test_state_dict_keeps_metadata(fmt, tmp_path):
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    sd = model.state_dict()
    assert sd._metadata  # torch pickles it as the OrderedDict's attribute (a BUILD after the items)
    torch_save(sd, tmp_path / "t.pt", fmt)
    ours = load(tmp_path / "t.pt")
    assert_matches(ours, sd)

    save(ours, tmp_path / "e.pt")
    back = torch.load(tmp_path / "e.pt", weights_only=True)
    assert_matches(ours, back)
    torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4)).load_state_dict(back)


@pytest.mark.parametrize("fmt", FORMATS)
def test_optimizer_state_dict(fmt, tmp_path):
    w = torch.nn.Parameter(torch.randn(3, 2))
    opt = torch.optim.Adam([w], lr=0.01, betas=(0.8, 0.9))
    w.sum().backward()
    opt.step()
    sd = opt.state_dict()
    torch_save(sd, tmp_path / "t.pt", fmt)
    ours = load(tmp_path / "t.pt")
    assert_matches(ours, sd)

    save(ours, tmp_path / "e.pt")
    back = torch.load(tmp_path / "e.pt", weights_only=True)
    assert_matches(ours, back)
    torch.optim.Adam([torch.nn.Parameter(torch.zeros(3, 2))]).load_state_dict(back)


def test_nested_containers_numbers_strings_and_torch_values(tmp_path):
    t = tensor(sample("float32"))
    obj = {"list": [t, (1, 2.5, "x", None, True, False), {"deep": [[tensor(sample("int64", (2,)))]]}],
           "big": 2 ** 70, "neg": -5, "complex": 3 + 4j, "bytes": b"\x00\xff", "set": {1, 2},
           "dtype": _dtype.float16, "device": device("cpu"), "same": t, "np": np.float32(1.5)}
    save(obj, tmp_path / "e.pt")
    theirs = torch.load(tmp_path / "e.pt", weights_only=True)
    assert theirs["dtype"] is torch.float16 and theirs["device"] == torch.device("cpu")
    assert theirs["same"] is theirs["list"][0]  # one object saved twice is one object loaded
    assert theirs["np"] == 1.5 and type(theirs["np"]) is float
    expected = dict(obj, np=1.5)
    assert_matches(expected, theirs)

    torch.save(theirs | {"size": torch.Size([2, 3]), "dt64": torch.float64}, tmp_path / "t.pt")
    ours = load(tmp_path / "t.pt")
    assert ours["size"] == (2, 3) and ours["dt64"] is _dtype.float64
    assert ours["same"] is ours["list"][0]
    assert_matches(ours, theirs | {"size": torch.Size([2, 3]), "dt64": torch.float64})


def test_views_are_saved_as_one_storage(tmp_path):
    base = sample("float32")
    views = {"base": base, "rows": base[1:], "t": base.T, "col": base[:, 1], "step": base[::2, 1::2],
             "scalar": base[1, 2, ...], "expand": np.broadcast_to(base[0], (2, 4))}
    save({k: tensor(v) for k, v in views.items()}, tmp_path / "e.pt")
    assert [n for n in zipfile.ZipFile(tmp_path / "e.pt").namelist() if "/data/" in n] == ["archive/data/0"]

    theirs = torch.load(tmp_path / "e.pt", weights_only=True)
    ptr = theirs["base"].untyped_storage().data_ptr()
    for k, v in views.items():
        assert theirs[k].untyped_storage().data_ptr() == ptr
        assert theirs[k].storage_offset() == (v.ctypes.data - base.ctypes.data) // 4
        assert_matches(tensor(v), theirs[k])
    theirs["base"][1, 2] = 100.0
    assert theirs["t"][2, 1] == 100.0 and theirs["scalar"] == 100.0


@pytest.mark.parametrize("fmt", FORMATS)
def test_torch_views_load_sharing_memory(fmt, tmp_path):
    base = torch.arange(12.0).reshape(3, 4)
    theirs = {"base": base, "rows": base[1:], "t": base.t(), "col": base[:, 1], "step": base[::2, 1::2],
              "scalar": base[1, 2], "expand": base[0].expand(2, 4)}
    torch_save(theirs, tmp_path / "t.pt", fmt)
    ours = load(tmp_path / "t.pt")
    assert_matches(ours, theirs)
    for k in theirs:
        assert np.shares_memory(ours[k]._data, ours["base"]._data)
    ours["base"]._data[1, 2] = 100.0
    assert ours["t"]._data[2, 1] == 100.0 and ours["scalar"]._data == 100.0

    save(ours, tmp_path / "e.pt")  # and they stay one storage when ember saves them again
    again = torch.load(tmp_path / "e.pt", weights_only=True)
    assert len({v.untyped_storage().data_ptr() for v in again.values()}) == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_zero_d_and_empty_tensors(fmt, tmp_path):
    theirs = {"zero_d": torch.tensor(3.5), "empty": torch.empty(0),
              "empty_2d": torch.zeros(2, 0, 3, dtype=torch.int64),
              "empty_slice": torch.arange(4.0)[4:]}
    torch_save(theirs, tmp_path / "t.pt", fmt)
    assert_matches(load(tmp_path / "t.pt"), theirs, strides=False)

    ours = {"zero_d": tensor(np.array(3.5, np.float32)), "empty": tensor(np.empty(0, np.float32)),
            "empty_2d": tensor(np.zeros((2, 0, 3), np.int64)), "empty_slice": tensor(np.arange(4.0)[4:])}
    save(ours, tmp_path / "e.pt")
    assert_matches(ours, torch.load(tmp_path / "e.pt", weights_only=True), strides=False)


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_random_views_keep_sharing_and_values(data):
    shape = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    base = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    views = [base]
    for _ in range(3):  # slices with steps and transposes of the base
        index = tuple(slice(data.draw(st.integers(0, n - 1)), None, data.draw(st.integers(1, 2)))
                      for n in shape)
        views.append(base[index].transpose(data.draw(st.permutations(range(len(shape))))))
    buf = io.BytesIO()
    save([tensor(v) for v in views], buf)
    theirs = torch.load(io.BytesIO(buf.getvalue()), weights_only=True)
    assert len({t.untyped_storage().data_ptr() for t in theirs}) == 1
    ours = load(io.BytesIO(buf.getvalue()))
    for v, t, e in zip(views, theirs, ours):
        assert_matches(tensor(v), t)
        assert np.shares_memory(e._data, ours[0]._data)
        np.testing.assert_array_equal(e._data, v)


def test_tensor_attributes_survive(tmp_path):
    t = torch.ones(2)
    t.note = "hello"  # torch pickles this through torch._tensor._rebuild_from_type_v2
    torch.save({"t": t}, tmp_path / "t.pt")
    ours = load(tmp_path / "t.pt")["t"]
    assert ours.note == "hello"
    np.testing.assert_array_equal(ours._data, [1.0, 1.0])


def test_negative_strides_are_saved_as_copies(tmp_path):
    a = sample("float32")
    save({"flip": tensor(a[::-1]), "a": tensor(a)}, tmp_path / "e.pt")
    theirs = torch.load(tmp_path / "e.pt", weights_only=True)
    np.testing.assert_array_equal(theirs["flip"].numpy(), a[::-1])
    np.testing.assert_array_equal(theirs["a"].numpy(), a)


@pytest.fixture
def stand_in(monkeypatch):
    """Tensors of dtypes ember lacks (uint32, big-endian floats), held by the stand-in tensor."""
    monkeypatch.setattr(serialization, "_tensor_class", lambda: _StandIn)
    monkeypatch.setattr(serialization, "_from_array", _StandIn)


def test_byteswapped_arrays_are_saved_native(stand_in, tmp_path):
    a = sample("float32")
    save({"swapped": _StandIn(a.astype(">f4"))}, tmp_path / "e.pt")
    theirs = torch.load(tmp_path / "e.pt", weights_only=True)
    assert theirs["swapped"].dtype is torch.float32
    np.testing.assert_array_equal(theirs["swapped"].numpy(), a)


def test_views_of_one_array_as_two_dtypes_fail_like_torch(tmp_path):
    b = np.arange(4, dtype=np.int32)
    with pytest.raises(RuntimeError, match="view the same data as different types"):
        save([tensor(b), tensor(b.view(np.float32))], tmp_path / "e.pt")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_parameters_and_requires_grad(fmt, tmp_path):
    theirs = {"p": torch.nn.Parameter(torch.ones(2)),
              "frozen": torch.nn.Parameter(torch.ones(2), requires_grad=False)}
    torch_save(theirs, tmp_path / "t.pt", fmt)
    ours = load(tmp_path / "t.pt")
    assert ours["p"].requires_grad and not ours["frozen"].requires_grad
    parameter = serialization._parameter_class()
    if parameter is not None:
        assert isinstance(ours["p"], parameter)

    save({"w": tensor(np.ones(2, np.float32), requires_grad=True)}, tmp_path / "e.pt")
    assert torch.load(tmp_path / "e.pt", weights_only=True)["w"].requires_grad


def test_unsigned_dtypes_use_untyped_storage(stand_in, tmp_path):
    # torch pickles uint16/32/64 as a byte UntypedStorage plus the dtype (_rebuild_tensor_v3)
    a = np.arange(6, dtype=np.uint32).reshape(2, 3)
    save({"a": _StandIn(a), "t": _StandIn(a.T)}, tmp_path / "e.pt")
    theirs = torch.load(tmp_path / "e.pt", weights_only=True)
    assert theirs["t"].dtype is torch.uint32 and theirs["t"].stride() == (1, 3)
    np.testing.assert_array_equal(theirs["t"].numpy(), a.T)
    torch.save(theirs, tmp_path / "t.pt")
    ours = load(tmp_path / "t.pt")
    assert ours["t"]._data.dtype == np.uint32 and np.shares_memory(ours["a"]._data, ours["t"]._data)
    np.testing.assert_array_equal(ours["t"]._data, a.T)


# --- files, devices, mmap ------------------------------------------------------------------------------

def test_file_objects_and_pathlike(tmp_path):
    obj = {"x": tensor(sample("float64"))}
    buf = io.BytesIO()
    save(obj, buf)
    buf.seek(0)
    assert_matches(obj, torch.load(buf, weights_only=True))
    buf.seek(0)
    assert_matches(load(buf), {"x": torch.from_numpy(sample("float64"))})

    torch.save(obj["x"]._data.tolist(), str(tmp_path / "list.pt"))
    with open(tmp_path / "list.pt", "rb") as fh:
        assert load(fh) == sample("float64").tolist()
    assert load(str(tmp_path / "list.pt")) == sample("float64").tolist()


def test_layout_matches_torch(tmp_path):
    save({"x": tensor(sample("float32"))}, tmp_path / "e.pt")
    torch.save({"x": torch.ones(1)}, tmp_path / "t.pt")
    ours = zipfile.ZipFile(tmp_path / "e.pt").namelist()
    theirs = [n.replace("t/", "archive/", 1) for n in zipfile.ZipFile(tmp_path / "t.pt").namelist()]
    assert ours == theirs
    with open(tmp_path / "e.pt", "rb") as fh:  # every record starts 64-byte aligned, for mmap
        for info in zipfile.ZipFile(fh).infolist():
            assert serialization._data_offset(fh, info) % 64 == 0


@pytest.mark.parametrize("where", ["cpu", torch.device("cpu"), device("cpu"), {"cuda:0": "cpu"},
                                   lambda storage, location: storage])
def test_map_location_is_accepted(where, tmp_path):
    torch.save({"x": torch.ones(2)}, tmp_path / "t.pt")
    assert_matches(load(tmp_path / "t.pt", map_location=where), {"x": torch.ones(2)})


def test_bad_map_location_raises(tmp_path):
    torch.save(1, tmp_path / "t.pt")
    with pytest.raises(TypeError):
        load(tmp_path / "t.pt", map_location=3)


def test_mmap(tmp_path):
    base = torch.arange(12.0).reshape(3, 4)
    torch.save({"a": base, "t": base.t()}, tmp_path / "t.pt")
    ours = load(tmp_path / "t.pt", mmap=True)
    assert_matches(ours, {"a": base, "t": base.t()})
    assert np.shares_memory(ours["a"]._data, ours["t"]._data)
    ours["a"]._data[0, 0] = 7  # copy-on-write: the file is untouched
    assert load(tmp_path / "t.pt")["a"]._data[0, 0] == 0

    save(ours, tmp_path / "e.pt")
    assert torch.load(tmp_path / "e.pt", mmap=True, weights_only=True)["t"][0, 0] == 7

    with pytest.raises(ValueError):
        load(io.BytesIO((tmp_path / "t.pt").read_bytes()), mmap=True)
    torch_save(1, tmp_path / "legacy.pt", "legacy")
    with pytest.raises(RuntimeError, match="mmap"):
        load(tmp_path / "legacy.pt", mmap=True)


# --- safety ----------------------------------------------------------------------------------------

class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("weights_only", [True, False])
def test_files_that_would_run_code_are_refused(fmt, weights_only, tmp_path):
    marker = tmp_path / "MARKER"
    torch_save({"w": torch.ones(2), "evil": _Evil(marker)}, tmp_path / "evil.pt", fmt)
    with pytest.raises(pickle.UnpicklingError, match=r"Unsupported global: GLOBAL (posix|nt|os)\.system"):
        load(tmp_path / "evil.pt", weights_only=weights_only)
    assert not marker.exists()


def _zip_with(path, pkl, records=()):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", pkl)
        for name, data in records:
            z.writestr(f"archive/data/{name}", data)


@pytest.mark.parametrize("pkl, refused", [
    (b"cbuiltins\neval\n(V__import__('os').system('touch MARKER')\ntR.", "builtins.eval"),
    (b"c__builtin__\ngetattr\n(c__builtin__\nset\nVadd\ntR.", "builtins.getattr"),
    (b"csubprocess\ncheck_call\n((VtouchVMARKER\nltR.", "subprocess.check_call"),
    (b"cnumpy\nfrombuffer\n(C\x00\x00\x00\x00Vfloat32\ntR.", "numpy.frombuffer"),
    (b"ctorch._utils\n_rebuild_meta_tensor_no_storage\n.", "torch._utils._rebuild_meta_tensor_no_storage"),
    (b"(Vmodule\nVos\ntQ.", "persistent id"),
    # BUILD on a shared allowlisted object would change it for the whole process: ember.float32.np = 1
    (b"ctorch\nfloat32\n(N}Vnp\nI1\nstb.", "BUILD"),
    (b"\x80\x02\x82\x01.", "extension codes"),  # EXT1: a global by number, from copyreg's registry
])
def test_crafted_pickles_are_refused(pkl, refused, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _zip_with(tmp_path / "x.pt", pkl)
    with pytest.raises(pickle.UnpicklingError, match=refused.replace(".", r"\.")):
        load(tmp_path / "x.pt")
    assert not (tmp_path / "MARKER").exists()
    assert _dtype.float32.np == np.float32


def test_crafted_legacy_file_is_refused(tmp_path):
    legacy_head = b"".join(pickle.dumps(x, protocol=2) for x in (serialization._MAGIC_NUMBER, 1001, {}))
    (tmp_path / "x.pt").write_bytes(legacy_head + b"cposix\nsystem\n(Vtouch MARKER\ntR.")
    with pytest.raises(pickle.UnpicklingError, match=r"posix\.system"):
        load(tmp_path / "x.pt")


def _tensor_pickle(size, stride, offset=0):
    geometry = "".join(f"I{n}\n" for n in size), "".join(f"I{n}\n" for n in stride)
    return (f"ctorch._utils\n_rebuild_tensor_v2\n((Vstorage\nctorch\nFloatStorage\nV0\nVcpu\nI4\nt"
            f"QI{offset}\n"
            f"({geometry[0]}t({geometry[1]}tI00\nccollections\nOrderedDict\n)RtR.").encode()


@pytest.mark.parametrize("size, stride, offset", [((100,), (1,), 0), ((2, 2), (3, 1), 0), ((4,), (1,), 1)])
def test_out_of_bounds_geometry_is_refused(size, stride, offset, tmp_path):
    four_floats = [("0", np.arange(4, dtype=np.float32).tobytes())]
    _zip_with(tmp_path / "ok.pt", _tensor_pickle((2, 2), (2, 1)), four_floats)
    np.testing.assert_array_equal(load(tmp_path / "ok.pt")._data, [[0, 1], [2, 3]])
    _zip_with(tmp_path / "x.pt", _tensor_pickle(size, stride, offset), [("0", bytes(16))])
    with pytest.raises(RuntimeError, match="x.pt"):
        load(tmp_path / "x.pt")


# --- corrupt files ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["ember", *FORMATS])
def test_truncated_files_raise_naming_the_file(fmt, tmp_path):
    obj = {"w": torch.arange(64.0), "b": torch.ones(3)}
    path = tmp_path / "ckpt.pt"
    if fmt == "ember":
        save(to_ember(obj), path)
    else:
        torch_save(obj, path, fmt)
    data = path.read_bytes()
    for cut in [0, 1, 10, len(data) // 3, len(data) // 2, len(data) - 30, len(data) - 1]:
        path.write_bytes(data[:cut])
        with pytest.raises(RuntimeError, match="ckpt.pt"):
            load(path)


def test_corrupt_storage_bytes_raise(tmp_path):
    path = tmp_path / "ckpt.pt"
    save({"w": tensor(np.arange(64.0))}, path)
    data = bytearray(path.read_bytes())
    with open(path, "rb") as fh:
        info = zipfile.ZipFile(fh).getinfo("archive/data/0")
        start = serialization._data_offset(fh, info)
    data[start + 5] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="ckpt.pt"):
        load(path)


def test_garbage_raises(tmp_path):
    (tmp_path / "g.pt").write_bytes(os.urandom(256))
    with pytest.raises(RuntimeError, match="g.pt"):
        load(tmp_path / "g.pt")
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.pt")


# --- atomic writes ---------------------------------------------------------------------------------

def test_unpicklable_object_leaves_target_untouched(tmp_path):
    target = tmp_path / "ckpt.pt"
    target.write_bytes(b"old")
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        save({"w": tensor(np.ones(3)), "f": lambda: 0}, target)
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["ckpt.pt"]


def test_failure_while_writing_removes_the_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "ckpt.pt"
    target.write_bytes(b"old")

    def broken_fsync(fd):
        raise OSError("disk full")
    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        save({"w": tensor(np.ones(3))}, target)
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["ckpt.pt"]


def test_saved_file_gets_ordinary_permissions(tmp_path):
    save(1, tmp_path / "e.pt")
    (tmp_path / "plain").write_bytes(b"")
    mode = stat.S_IMODE(os.stat(tmp_path / "e.pt").st_mode)
    assert mode == stat.S_IMODE(os.stat(tmp_path / "plain").st_mode)
    assert struct.unpack("<I", (tmp_path / "e.pt").read_bytes()[:4])[0] == 0x04034B50  # a zip file
