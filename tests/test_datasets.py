"""ember.vision.datasets: Digits against scikit-learn, FakeData against torch's draws, IDX and image folders."""
import gzip
import sys

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import ember
import ember.vision.datasets as D
import ember.vision.transforms as T
from ember.utils.data import DataLoader


# ------------------------------------------------------------------ Digits

def test_digits_equal_sklearn_and_split_like_torch():
    sk = pytest.importorskip("sklearn.datasets").load_digits()
    full = D.Digits(split="all")
    assert len(full) == 1797 and full.data.shape == (1797, 8, 8) and full.data.dtype == ember.uint8
    assert np.array_equal(full.data.numpy(), sk.images) and np.array_equal(full.targets.numpy(), sk.target)
    img, label = full[5]
    assert img.shape == (1, 8, 8) and img.dtype == ember.float32 and isinstance(label, int)
    assert np.array_equal(img.numpy()[0] * 16, sk.images[5]) and label == sk.target[5]
    train, test = D.Digits(train=True), D.Digits(train=False)
    assert (len(train), len(test)) == (1438, 359)
    # the fixed split is torch's random_split with a generator seeded 0
    ts = tud.random_split(range(1797), [0.8, 0.2], generator=torch.Generator().manual_seed(0))
    assert np.array_equal(train.targets.numpy(), sk.target[ts[0].indices])
    assert np.array_equal(test.data.numpy(), sk.images[ts[1].indices])
    assert D.Digits(split="test").targets.tolist() == test.targets.tolist()
    with pytest.raises(ValueError):
        D.Digits(split="val")


def test_digits_transforms_and_loader():
    pytest.importorskip("sklearn")
    ds = D.Digits(transform=T.Normalize([0.5], [0.5]), target_transform=lambda y: y * 10)
    img, label = ds[0]
    raw = D.Digits()[0]
    assert np.array_equal(img.numpy(), (raw[0].numpy() - np.float32(0.5)) / np.float32(0.5)) and label == raw[1] * 10
    x, y = next(iter(DataLoader(D.Digits(), batch_size=32, shuffle=True)))
    assert x.shape == (32, 1, 8, 8) and y.dtype == ember.int64
    assert ds.classes == [str(d) for d in range(10)] and ds.class_to_idx["7"] == 7


def test_digits_without_sklearn(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install 'ember\[data\]'"):
        D.Digits()


# ------------------------------------------------------------------ FakeData

def test_fakedata_equals_torch_draws():
    ds = D.FakeData(size=6, image_size=(3, 5, 4), num_classes=7, random_offset=10)
    assert len(ds) == 6
    state = ember.get_rng_state()
    for i in (0, 5):
        img, label = ds[i]
        torch.manual_seed(i + 10)
        ref = torch.randn(3, 5, 4).mul(255).byte().permute(1, 2, 0).numpy()  # what torchvision's ToPILImage gets
        assert label == torch.randint(0, 7, size=(1,), dtype=torch.long)[0].item()
        assert np.array_equal(np.asarray(img), ref)
    assert np.array_equal(ember.get_rng_state(), state)  # the global generator is untouched
    assert np.array_equal(np.asarray(ds[2][0]), np.asarray(ds[2][0]))
    gray = D.FakeData(2, (1, 3, 3), transform=T.ToTensor())[1][0]
    assert gray.shape == (1, 3, 3) and gray.dtype == ember.float32
    with pytest.raises(IndexError):
        ds[6]


# ------------------------------------------------------------------ MNIST IDX files

def write_idx(path, a, gz=False):
    code = {np.dtype(np.uint8): 0x08, np.dtype(">i2"): 0x0B, np.dtype(">f4"): 0x0D}[a.dtype]
    raw = bytes([0, 0, code, a.ndim]) + np.array(a.shape, ">i4").tobytes() + a.tobytes()
    with (gzip.open if gz else open)(str(path) + (".gz" if gz else ""), "wb") as f:
        f.write(raw)


@pytest.mark.parametrize("cls", [D.MNIST, D.FashionMNIST])
def test_mnist_reads_idx_files(tmp_path, cls):
    raw = tmp_path / cls.__name__ / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5], np.uint8)
    write_idx(raw / "train-images-idx3-ubyte", images, gz=True)   # gzipped
    write_idx(raw / "train-labels-idx1-ubyte", labels)            # plain
    ds = cls(str(tmp_path), train=True, transform=T.ToTensor())
    assert len(ds) == 5 and ds.data.shape == (5, 28, 28) and ds.targets.dtype == ember.int64
    assert np.array_equal(ds.data.numpy(), images) and ds.targets.tolist() == [3, 1, 4, 1, 5]
    img, label = ds[2]
    assert label == 4 and img.shape == (1, 28, 28)
    assert np.array_equal(img.numpy()[0], images[2].astype(np.float32) / np.float32(255))
    assert len(ds.classes) == 10 and ds.class_to_idx[ds.classes[9]] == 9
    pil = cls(str(tmp_path))[0][0]
    assert np.array_equal(np.asarray(pil), images[0])
    with pytest.raises(RuntimeError, match="t10k-images-idx3-ubyte"):  # says which files, and where
        cls(str(tmp_path), train=False)
    with pytest.raises(RuntimeError, match=str(raw)):
        cls(str(tmp_path), download=True)


def test_read_idx_dtypes(tmp_path):
    for a in ((np.arange(6).reshape(2, 3) - 3).astype(">i2"), np.linspace(0, 1, 4).astype(">f4")):
        write_idx(tmp_path / "x", a)
        out = D.read_idx(str(tmp_path / "x"))
        assert out.shape == a.shape and np.array_equal(out, a) and out.dtype.isnative
    (tmp_path / "bad").write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(RuntimeError):
        D.read_idx(str(tmp_path / "bad"))


# ------------------------------------------------------------------ image folders

def test_image_folder(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(2)
    written = {}
    for cls, n in (("dog", 2), ("cat", 3)):
        (tmp_path / cls / "sub").mkdir(parents=True)
        for k in range(n):
            a = rng.integers(0, 256, (6, 5, 3), dtype=np.uint8)
            path = tmp_path / cls / ("sub" if k == 2 else "") / f"{k}.png"
            Image.fromarray(a).save(path)
            written[str(path)] = a
    (tmp_path / "cat" / "notes.txt").write_text("not an image")
    ds = D.ImageFolder(str(tmp_path))
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    assert [t for _, t in ds.samples] == [0, 0, 0, 1, 1] == ds.targets and ds.imgs == ds.samples
    assert [p for p, _ in ds.samples] == sorted(p for p in written if "/cat/" in p) + \
        sorted(p for p in written if "/dog/" in p)
    img, label = ds[3]
    assert img.mode == "RGB" and np.array_equal(np.asarray(img), written[ds.samples[3][0]]) and label == 1
    x, y = next(iter(DataLoader(D.ImageFolder(str(tmp_path), transform=T.ToTensor()), batch_size=5)))
    assert x.shape == (5, 3, 6, 5) and y.tolist() == [0, 0, 0, 1, 1]
    txt = D.DatasetFolder(str(tmp_path), loader=lambda p: open(p).read(), extensions=".txt", allow_empty=True)
    assert len(txt) == 1 and txt[0] == ("not an image", 0)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="empty"):
        D.ImageFolder(str(tmp_path))
