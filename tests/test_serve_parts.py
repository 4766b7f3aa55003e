"""``ember serve``'s three pieces on their own, no server: the batcher, the input checks, model loading."""
import asyncio
import io
import threading

import numpy as np
import pytest
import torch

import ember
from ember.serve import Batcher, ModelError, Predictor, load_predictor
from ember.serve.inputs import BadInput, from_image, from_json



# ---------------------------------------------------------------- batching
def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


def test_batcher_groups_concurrent_requests_and_returns_each_its_rows():
    calls = []

    def fn(x):
        calls.append(len(x))
        return x * 2 + 1

    async def main():
        b = Batcher(fn, max_batch=8, max_wait_ms=50)
        await b.start()
        xs = [np.full((1 + i % 3, 2), i, np.float32) for i in range(12)]
        outs = await asyncio.gather(*(b(x) for x in xs))
        await b.stop()
        return xs, outs

    xs, outs = run(main())
    for x, out in zip(xs, outs):
        np.testing.assert_array_equal(out, x * 2 + 1)
    assert sum(calls) == sum(len(x) for x in xs)
    assert max(calls) <= 8 and len(calls) < len(xs)  # batched, never over max_batch


def test_batcher_waits_for_company_only_after_a_crowded_batch():
    calls = []

    async def main():
        b = Batcher(lambda x: calls.append(len(x)) or x, max_batch=8, max_wait_ms=300)
        await b.start()
        loop = asyncio.get_running_loop()
        start = loop.time()
        await b(np.zeros((1, 1)))  # alone: runs at once
        alone = loop.time() - start
        await asyncio.gather(*(b(np.zeros((1, 1))) for _ in range(3)))  # three together: one batch
        start = loop.time()
        late = [asyncio.ensure_future(b(np.zeros((1, 1))))]
        await asyncio.sleep(0.1)  # the batch that follows a crowded one waits for company
        late.append(asyncio.ensure_future(b(np.zeros((1, 1)))))
        await asyncio.gather(*late)
        waited = loop.time() - start
        await b.stop()
        return alone, waited

    alone, waited = run(main())
    assert alone < 0.25 and waited >= 0.25
    assert calls == [1, 3, 2]


def test_batcher_with_max_batch_1_runs_one_request_at_a_time():
    calls = []

    async def main():
        b = Batcher(lambda x: calls.append(len(x)) or x, max_batch=1, max_wait_ms=50)
        await b.start()
        await asyncio.gather(*(b(np.zeros((1, 3))) for _ in range(5)))
        await b.stop()

    run(main())
    assert calls == [1] * 5


def test_batcher_runs_an_oversized_request_alone():
    calls = []

    async def main():
        b = Batcher(lambda x: calls.append(len(x)) or x, max_batch=4, max_wait_ms=1)
        await b.start()
        out = await b(np.arange(10.0)[:, None])
        await b.stop()
        return out

    np.testing.assert_array_equal(run(main()), np.arange(10.0)[:, None])
    assert calls == [10]


def test_batcher_error_goes_to_the_callers_and_the_batcher_goes_on():
    def fn(x):
        if (x < 0).any():
            raise ValueError("negative")
        return x

    async def main():
        b = Batcher(fn, max_batch=4, max_wait_ms=0)
        await b.start()
        with pytest.raises(ValueError, match="negative"):
            await b(-np.ones((1, 1)))
        out = await b(np.ones((1, 1)))
        await b.stop()
        return out

    np.testing.assert_array_equal(run(main()), np.ones((1, 1)))


def test_batcher_stop_finishes_what_was_submitted():
    release = threading.Event()

    def fn(x):
        release.wait(5)
        return x

    async def main():
        b = Batcher(fn, max_batch=2, max_wait_ms=0)
        await b.start()
        tasks = [asyncio.ensure_future(b(np.full((1, 1), i))) for i in range(5)]
        await asyncio.sleep(0.05)
        stopping = asyncio.ensure_future(b.stop())
        await asyncio.sleep(0.05)
        release.set()
        await stopping
        return [t.result() for t in tasks]

    assert [int(o[0, 0]) for o in run(main())] == list(range(5))


def test_batcher_checks_its_arguments():
    with pytest.raises(ValueError):
        Batcher(lambda x: x, max_batch=0)
    with pytest.raises(ValueError):
        Batcher(lambda x: x, max_wait_ms=-1)


# ---------------------------------------------------------------- inputs
SHAPE = (1, 8, 8)


def test_json_one_sample_and_a_batch():
    x = np.random.default_rng(0).uniform(0, 16, (3, *SHAPE))
    one = from_json(f'{{"inputs": {x[0].tolist()}}}', SHAPE)
    batch = from_json(f'{{"inputs": {x.tolist()}}}', SHAPE)
    assert one.shape == (1, *SHAPE) and batch.shape == (3, *SHAPE)
    assert one.dtype == batch.dtype == np.float32
    np.testing.assert_array_equal(batch, x.astype(np.float32))
    np.testing.assert_array_equal(one[0], x[0].astype(np.float32))


@pytest.mark.parametrize("body", [
    b"{not json", b"[1, 2]", b'{"input": []}', b'{"inputs": [1, 2, 3]}', b'{"inputs": []}',
    b'{"inputs": [[1, 2], [3]]}', b'{"inputs": "eight by eight"}', b'{"inputs": [NaN]}',
    b'{"inputs": [Infinity]}', b'{"inputs": ' + str([[[1e39] * 8] * 8]).encode() + b'}',
    b'{"inputs": ' + str([[["1"] * 8] * 8]).replace("'", '"').encode() + b'}',
    b'{"inputs": ' + str([[[True] * 8] * 8]).lower().encode() + b'}',
    b'{"inputs": ' + str([[[None] * 8] * 8]).replace("None", "null").encode() + b'}',
    b'\xff\xfe', b"",
])
def test_json_bad_inputs_say_what_is_expected(body):
    with pytest.raises(BadInput) as e:
        from_json(body, SHAPE)
    assert e.value.status == 400
    assert "[1, 8, 8]" in str(e.value) and "[N, 1, 8, 8]" in str(e.value)


def png(array, mode="L"):
    from PIL import Image
    buf = io.BytesIO()
    Image.fromarray(array, mode).save(buf, "PNG")
    return buf.getvalue()


def test_image_is_area_averaged_to_the_input_shape_and_mapped_to_the_data_units():
    pytest.importorskip("PIL")
    rng = np.random.default_rng(1)
    small = rng.integers(0, 256, (8, 8)).astype(np.uint8)
    small[0], small[-1], small[:, 0], small[:, -1] = 0, 0, 0, 0  # a dark border: light ink, kept as is
    big = np.kron(small, np.ones((4, 4), np.uint8))  # each pixel a 4x4 block
    x = from_image(png(big), SHAPE, (0.0, 16.0))
    assert x.shape == (1, *SHAPE) and x.dtype == np.float32
    np.testing.assert_allclose(x[0, 0], small / 255 * 16, rtol=1e-6, atol=1e-6)
    # dark ink on white paper (a scan, a drawing on white) is inverted to the digits' light-on-dark
    inverted = from_image(png(255 - big), SHAPE, (0.0, 16.0))
    np.testing.assert_allclose(inverted, x, atol=1e-5)
    np.testing.assert_allclose(from_image(png(255 - big), SHAPE, (0.0, 16.0), invert=False)[0, 0],
                               (255 - small) / 255 * 16, atol=1e-5)


def test_rgb_image_for_a_three_channel_model():
    pytest.importorskip("PIL")
    rgb = np.random.default_rng(2).integers(0, 256, (4, 4, 3)).astype(np.uint8)
    x = from_image(png(np.kron(rgb, np.ones((2, 2, 1), np.uint8)), "RGB"), (3, 4, 4), (-1.0, 1.0))
    np.testing.assert_allclose(x[0], (rgb / 255 * 2 - 1).transpose(2, 0, 1), atol=1e-6)


@pytest.mark.parametrize("data", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\0" * 40])
def test_unreadable_image_is_a_400(data):
    pytest.importorskip("PIL")
    with pytest.raises(BadInput) as e:
        from_image(data, SHAPE, (0.0, 16.0))
    assert e.value.status == 400 and "image" in str(e.value)


def test_image_for_a_model_that_takes_no_images_is_a_415():
    pytest.importorskip("PIL")
    with pytest.raises(BadInput) as e:
        from_image(png(np.zeros((8, 8), np.uint8)), (64,), (0.0, 1.0))
    assert e.value.status == 415


# ---------------------------------------------------------------- loading
def torch_cnn(c, h, w, n):
    """ember.train.make_model("cnn") written in torch, to check ember's forward against."""
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(c, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.25),
        nn.Linear(32 * (h // 2) * (w // 2), 128), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(128, n)).eval()


@pytest.fixture
def bare_checkpoint(tmp_path):
    """A state_dict as an older ``ember train`` saved it (weights only), with trained-looking statistics."""
    from ember.train import make_model
    ember.manual_seed(0)
    model = make_model("cnn", (1, 8, 8), 10)
    with ember.no_grad():
        for name, buf in model.named_buffers():
            if name.endswith("running_var"):
                buf.uniform_(0.5, 2.0)
            elif name.endswith("running_mean"):
                buf.uniform_(-0.5, 0.5)
    path = tmp_path / "best.pt"
    ember.save(model.state_dict(), str(path))
    return path


def test_bare_state_dict_serves_as_the_digits_cnn_and_matches_torch(bare_checkpoint):
    p = load_predictor(str(bare_checkpoint.parent))  # the folder finds best.pt
    assert p.input_shape == (1, 8, 8) and p.classes == [str(i) for i in range(10)]
    assert p.value_range == (0.0, 16.0)
    x = np.random.default_rng(0).uniform(0, 16, (5, 1, 8, 8)).astype(np.float32)
    model = torch_cnn(1, 8, 8, 10)
    model.load_state_dict(torch.load(str(bare_checkpoint), weights_only=True))
    with torch.no_grad():
        expected = torch.softmax(model(torch.from_numpy(x / 16)), 1).numpy()
    np.testing.assert_allclose(p(x), expected, rtol=1e-5, atol=1e-6)


def with_metadata(checkpoint):
    """Rewrite ``checkpoint`` as ``ember train`` saves it: the weights plus their metadata (odd
    classes and preprocessing, so that using them shows)."""
    from ember import train
    model = train.make_model("cnn", (1, 8, 8), 10)
    model.load_state_dict(ember.load(str(checkpoint)))
    meta = train.checkpoint_meta("cnn", (1, 8, 8), list("abcdefghij"), scale=8.0, mean=[0.5], std=[2.0])
    train.save_checkpoint(model, meta, str(checkpoint))
    return checkpoint


def test_checkpoint_metadata_gives_classes_and_preprocessing(bare_checkpoint):
    p = load_predictor(str(with_metadata(bare_checkpoint)))
    assert p.classes == list("abcdefghij") and p.value_range == (0.0, 8.0)
    assert p.metadata()["preprocessing"] == {"scale": 8.0, "mean": [0.5], "std": [2.0]}
    x = np.random.default_rng(0).uniform(0, 8, (4, 1, 8, 8)).astype(np.float32)
    model = torch_cnn(1, 8, 8, 10)
    model.load_state_dict(torch.load(str(bare_checkpoint), weights_only=True))
    with torch.no_grad():
        expected = torch.softmax(model(torch.from_numpy((x / 8 - 0.5) / 2)), 1).numpy()
    np.testing.assert_allclose(p(x), expected, rtol=1e-5, atol=1e-6)


def test_onnx_file_is_served(tmp_path):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    model = torch_cnn(1, 8, 8, 10)
    path = str(tmp_path / "model.onnx")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.zeros(1, 1, 8, 8),), path, dynamo=False, input_names=["x"],
                          dynamic_axes={"x": {0: "batch"}})
    p = load_predictor(path)
    assert p.input_shape == (1, 8, 8) and len(p.classes) == 10
    x = np.random.default_rng(0).uniform(0, 1, (3, 1, 8, 8)).astype(np.float32)
    with torch.no_grad():
        expected = torch.softmax(model(torch.from_numpy(x)), 1).numpy()
    np.testing.assert_allclose(p(x), expected, rtol=1e-4, atol=1e-5)


def test_onnx_file_beside_a_checkpoint_takes_its_metadata(bare_checkpoint):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    with_metadata(bare_checkpoint)
    model = torch_cnn(1, 8, 8, 10)
    model.load_state_dict(torch.load(str(bare_checkpoint), weights_only=True))
    path = str(bare_checkpoint.parent / "model.onnx")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.zeros(1, 1, 8, 8),), path, dynamo=False, input_names=["input"],
                          dynamic_axes={"input": {0: "batch"}})
    p = load_predictor(path)
    assert p.classes == list("abcdefghij") and p.value_range == (0.0, 8.0)
    x = np.random.default_rng(0).uniform(0, 8, (3, 1, 8, 8)).astype(np.float32)
    with torch.no_grad():
        expected = torch.softmax(model(torch.from_numpy((x / 8 - 0.5) / 2)), 1).numpy()
    np.testing.assert_allclose(p(x), expected, rtol=1e-4, atol=1e-5)


def test_predictor_applies_the_preprocessing_and_a_softmax():
    seen = []

    def forward(x):
        seen.append(x)
        return np.array([[0.0, 1.0, 2.0]] * len(x), np.float32)

    p = Predictor(forward, (2, 1, 1), ["a", "b", "c"], scale=4.0, mean=[1.0, 2.0], std=[2.0, 4.0])
    out = p(np.array([[[[8.0]], [[12.0]]]]))
    np.testing.assert_allclose(seen[0].ravel(), [(8 / 4 - 1) / 2, (12 / 4 - 2) / 4])
    np.testing.assert_allclose(out, torch.softmax(torch.tensor([[0.0, 1.0, 2.0]]), 1).numpy(), rtol=1e-6)
    # a model that already ends in a softmax is not softmaxed twice
    q = Predictor(lambda x: np.array([[0.2, 0.3, 0.5]], np.float32), (1,), ["a", "b", "c"])
    np.testing.assert_allclose(q(np.zeros((1, 1))), [[0.2, 0.3, 0.5]], rtol=1e-6)


@pytest.mark.parametrize("content", [None, b"garbage", b"PK\x03\x04 truncated zip"])
def test_unloadable_model_is_a_model_error(tmp_path, content):
    path = tmp_path / "best.pt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelError, match="best.pt"):
        load_predictor(str(path))


def test_folder_without_a_model_and_foreign_state_dicts_are_model_errors(tmp_path):
    with pytest.raises(ModelError, match="no best.pt or model.onnx"):
        load_predictor(str(tmp_path))
    ember.save({"w": ember.zeros(3)}, str(tmp_path / "x.pt"))
    with pytest.raises(ModelError):
        load_predictor(str(tmp_path / "x.pt"))
    (tmp_path / "bad.onnx").write_bytes(b"not onnx")
    with pytest.raises(ModelError, match="bad.onnx"):
        load_predictor(str(tmp_path / "bad.onnx"))


# ---------------------------------------------------------------- request handling, in-process
def test_app_with_a_stand_in_model():
    """The app needs only a Predictor: here one whose 'model' returns its input as logits."""
    pytest.importorskip("starlette")
    pytest.importorskip("httpx")
    from starlette.testclient import TestClient
    from ember.serve import create_app
    app = create_app(Predictor(lambda x: x, (3,), ["a", "b", "c"], scale=2.0), max_batch=4, max_wait_ms=1)
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 8.0]])
    with TestClient(app) as client:
        assert client.get("/metadata").json()["input_shape"] == [3]
        out = client.post("/predict", json={"inputs": x.tolist()}).json()
        np.testing.assert_allclose(out["probabilities"], torch.softmax(torch.tensor(x / 2), 1).numpy(), rtol=1e-6)
        assert out["predictions"] == [2, 2] and out["labels"] == ["c", "c"]
        r = client.post("/predict", content=png(np.zeros((4, 4), np.uint8)), headers={"Content-Type": "image/png"})
        assert r.status_code == 415 and "not an image" in r.json()["error"]
        assert client.post("/predict", json={"inputs": [1, 2]}).status_code == 400
        assert 'ember_serve_requests_total{endpoint="/predict",status="400"} 1.0' in client.get("/metrics").text
