"""``ember serve`` as a user runs it: a model ``ember train`` wrote, the real server in a subprocess on a
free loopback port, every endpoint, every bad input, batching, metrics, shutdown, and the drawing
page in real headless Chromium."""
import concurrent.futures
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import torch

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("prometheus_client")
httpx = pytest.importorskip("httpx")

from test_serve_parts import png, torch_cnn  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1")


def ember_cmd(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "ember", *args], capture_output=True, text=True,
                          timeout=timeout, env=ENV)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``ember serve MODEL ...`` in a subprocess, up once /health answers."""

    def __init__(self, model, *options):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.client = httpx.Client(base_url=self.url, timeout=30)  # one pool: a new client per call is slow
        self.proc = subprocess.Popen([sys.executable, "-m", "ember", "serve", str(model), "--port", str(self.port),
                                      *options], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ember serve exited with {self.proc.returncode}:\n{self.proc.stdout.read()}")
            try:
                if self.client.get("/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.close()
        raise RuntimeError("ember serve did not answer /health within 60 s")

    def close(self, sig=signal.SIGTERM):
        """SIGTERM (or Ctrl-C's SIGINT), then the exit status (killed after 20 s: a test never hangs on it)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise
        finally:
            self.proc.stdout.close()
            self.client.close()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A model as the user gets it: ``ember train`` on the digits, briefly."""
    pytest.importorskip("sklearn")
    out = tmp_path_factory.mktemp("ember-train")
    r = ember_cmd("train", "--epochs", "2", "--no-augment", "--out", str(out), timeout=300)
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def server(run_dir):
    # a long batching window, so that requests sent together surely meet in one batch
    s = Server(run_dir, "--max-wait-ms", "50", "--max-batch", "16")
    yield s
    assert s.close() == 0


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits
    d = load_digits()
    return d.images[:, None].astype(np.float32), d.target  # pixel values 0-16, the data's own units


@pytest.fixture(scope="module")
def oracle(run_dir):
    """The trained weights in torch: probabilities for inputs in the data's units (divided by 16)."""
    model = torch_cnn(1, 8, 8, 10)
    model.load_state_dict(torch.load(str(run_dir / "best.pt"), weights_only=True))

    def probabilities(x):
        with torch.no_grad():
            return torch.softmax(model(torch.from_numpy(np.asarray(x, np.float32) / 16)), 1).numpy()
    return probabilities


def post(server, payload=None, **kw):
    if payload is not None:
        kw["json"] = payload
    return server.client.post("/predict", **kw)


# ---------------------------------------------------------------- endpoints
def test_health(server):
    r = server.client.get("/health", timeout=10)
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_metadata(server):
    m = server.client.get("/metadata", timeout=10).json()
    assert m["input_shape"] == [1, 8, 8]
    assert m["classes"] == [str(i) for i in range(10)]
    assert m["value_range"] == [0.0, 16.0]
    assert m["max_batch"] == 16


def test_predict_one_sample_matches_torch(server, digits, oracle):
    x = digits[0][7]
    r = post(server, {"inputs": x.tolist()})
    assert r.status_code == 200, r.text
    out = r.json()
    p = np.array(out["probabilities"])
    assert p.shape == (1, 10)
    np.testing.assert_allclose(p, oracle(x[None]), rtol=1e-5, atol=1e-6)
    assert out["predictions"] == [int(p.argmax())] and out["labels"] == [str(p.argmax())]


def test_predict_a_batch_matches_torch_and_the_model_is_trained(server, digits, oracle):
    x, y = digits[0][:40], digits[1][:40]
    out = post(server, {"inputs": x.tolist()}).json()
    p = np.array(out["probabilities"])
    np.testing.assert_allclose(p, oracle(x), rtol=1e-5, atol=1e-6)
    assert out["predictions"] == p.argmax(1).tolist()
    assert np.mean(np.array(out["predictions"]) == y) > 0.6  # two epochs: far above chance


def test_predict_matches_the_models_own_forward(server, run_dir, digits):
    import ember
    from ember.serve.loading import softmax
    from ember.train import make_model
    model = make_model("cnn", (1, 8, 8), 10)
    model.load_state_dict(ember.load(str(run_dir / "best.pt")))
    model.eval()
    x = digits[0][100:105]
    with ember.no_grad():
        expected = softmax(model(ember.from_numpy(x / 16)).numpy())
    p = np.array(post(server, {"inputs": x.tolist()}).json()["probabilities"])
    np.testing.assert_allclose(p, expected, rtol=1e-6, atol=1e-7)


def metric(server, name, **labels):
    from prometheus_client.parser import text_string_to_metric_families
    text = server.client.get("/metrics", timeout=10).text
    total = 0.0
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                total += s.value
    return total


def test_concurrent_requests_are_batched_with_the_same_answers(server, digits, oracle):
    x = digits[0][200:232]
    alone = [post(server, {"inputs": xi.tolist()}).json() for xi in x[:4]]  # one at a time first
    forwards = metric(server, "ember_serve_batch_size_count")
    barrier = threading.Barrier(len(x))

    def one(xi):
        barrier.wait(60)
        return post(server, {"inputs": xi.tolist()}).json()

    with concurrent.futures.ThreadPoolExecutor(len(x)) as pool:
        together = list(pool.map(one, x))
    batches = metric(server, "ember_serve_batch_size_count") - forwards
    assert batches < len(x), "32 requests sent at once should share forward passes"
    assert metric(server, "ember_serve_batch_size_bucket", le="1.0") < metric(server, "ember_serve_batch_size_count")
    p = np.array([r["probabilities"][0] for r in together])
    np.testing.assert_allclose(p, oracle(x), rtol=1e-5, atol=1e-6)
    assert [r["predictions"][0] for r in together] == p.argmax(1).tolist()
    # the same answer batched and alone: the same class; probabilities equal to float32 rounding
    # (the BLAS may sum a matrix product in another order for another number of rows)
    for a, t in zip(alone, together):
        assert a["predictions"] == t["predictions"]
        np.testing.assert_allclose(a["probabilities"], t["probabilities"], rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------------- images
def test_png_upload_raw_and_multipart_match_the_json_answer(server, digits, oracle):
    x = digits[0][3, 0]
    pixels = np.round(x * 255 / 16).astype(np.uint8)
    big = np.kron(pixels, np.ones((4, 4), np.uint8))  # a 32x32 picture of the digit
    units = pixels.astype(np.float32) / 255 * 16  # what the server should make of it
    expected = oracle(units[None, None])
    raw = post(server, content=png(big), headers={"Content-Type": "image/png"})
    assert raw.status_code == 200, raw.text
    np.testing.assert_allclose(raw.json()["probabilities"], expected, rtol=1e-4, atol=1e-5)
    form = post(server, files={"file": ("digit.png", png(big), "image/png")})
    assert form.status_code == 200, form.text
    np.testing.assert_allclose(form.json()["probabilities"], expected, rtol=1e-4, atol=1e-5)
    # the same digit drawn dark on white: inverted to the data's light-on-dark
    paper = post(server, content=png(255 - big), headers={"Content-Type": "image/png"})
    np.testing.assert_allclose(paper.json()["probabilities"], expected, rtol=1e-4, atol=1e-5)


def test_jpeg_upload(server):
    from PIL import Image
    buf = io.BytesIO()
    Image.fromarray(np.kron(np.eye(8, dtype=np.uint8) * 255, np.ones((4, 4), np.uint8))).save(buf, "JPEG")
    r = post(server, content=buf.getvalue(), headers={"Content-Type": "image/jpeg"})
    assert r.status_code == 200, r.text
    p = np.array(r.json()["probabilities"])
    assert p.shape == (1, 10) and abs(p.sum() - 1) < 1e-5


# ---------------------------------------------------------------- bad input: 400, 413, 415, never a 5xx
SAMPLE = [[[1.0] * 8] * 8]
BAD_JSON = {
    "malformed JSON": b'{"inputs": [1, 2',
    "not an object": b"[1, 2, 3]",
    "missing inputs": b'{"x": [1, 2, 3]}',
    "wrong shape": json.dumps({"inputs": [[1.0] * 8] * 8}).encode(),
    "wrong batch shape": json.dumps({"inputs": [[[[1.0] * 7] * 8]]}).encode(),
    "empty batch": b'{"inputs": []}',
    "ragged": json.dumps({"inputs": [[[1.0] * 8] * 7 + [[1.0] * 5]]}).encode(),
    "strings": json.dumps({"inputs": [[["1"] * 8] * 8]}).encode(),
    "null": json.dumps({"inputs": [[[None] * 8] * 8]}).encode(),
    "booleans": json.dumps({"inputs": [[[True] * 8] * 8]}).encode(),
    "NaN": json.dumps({"inputs": [[[float("nan")] * 8] * 8]}).encode(),
    "Infinity": json.dumps({"inputs": [[[float("inf")] * 8] * 8]}).encode(),
    "-Infinity": json.dumps({"inputs": [[[-float("inf")] * 8] * 8]}).encode(),
    "overflow": b'{"inputs": [[' + b",".join([b"[" + b",".join([b"1e999"] * 8) + b"]"] * 8) + b"]]}",
    "not UTF-8": b'{"inputs": "\xff\xfe"}',
}


@pytest.mark.parametrize("case", list(BAD_JSON))
def test_bad_json_input_is_a_400_with_the_expected_shape(server, case):
    r = post(server, content=BAD_JSON[case], headers={"Content-Type": "application/json"})
    assert r.status_code == 400, (case, r.status_code, r.text)
    assert "[1, 8, 8]" in r.json()["error"]


@pytest.mark.parametrize("content, headers", [
    (b"not a png", {"Content-Type": "image/png"}),
    (b"\xff\xd8\xff\xe0 truncated jpeg", {"Content-Type": "image/jpeg"}),
])
def test_bad_image_is_a_400(server, content, headers):
    r = post(server, content=content, headers=headers)
    assert r.status_code == 400 and "image" in r.json()["error"]


def test_multipart_without_a_file_is_a_400(server):
    r = post(server, data={"inputs": "[1, 2]"}, files={"note": (None, "no file here")})
    assert r.status_code == 400 and "file" in r.json()["error"]


@pytest.mark.parametrize("headers", [{"Content-Type": "text/plain"}, {"Content-Type": "application/xml"},
                                     {"Content-Type": "application/x-www-form-urlencoded"}, {}])
def test_unsupported_content_type_is_a_415(server, headers):
    r = post(server, content=json.dumps({"inputs": SAMPLE}).encode(), headers=headers)
    assert r.status_code == 415 and "application/json" in r.json()["error"]


def test_body_over_the_limit_is_a_413(server):
    big = b'{"inputs": [' + b"0," * (600 * 1024) + b"0]}"  # 1.2 MB > 1 MiB
    r = post(server, content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "limit" in r.json()["error"]

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(20):
            yield b" " * 65536
    r = post(server, content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_client_that_leaves_mid_body_is_counted_not_an_error(server):
    before = metric(server, "ember_serve_requests_total", endpoint="/predict", status="499")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 500\r\n\r\n{\"inputs\": [")
        time.sleep(0.2)
    deadline = time.monotonic() + 10
    while metric(server, "ember_serve_requests_total", endpoint="/predict", status="499") == before:
        assert time.monotonic() < deadline, "the disconnect was not counted"
        time.sleep(0.1)
    assert metric(server, "ember_serve_requests_total", endpoint="/predict", status="500") == 0
    assert post(server, {"inputs": SAMPLE}).status_code == 200


def test_wrong_method_and_unknown_path(server):
    assert server.client.get("/predict", timeout=10).status_code == 405
    assert server.client.get("/nowhere", timeout=10).status_code == 404


def test_metrics_count_requests_by_endpoint_and_status(server):
    before = metric(server, "ember_serve_requests_total", endpoint="/predict", status="400")
    post(server, content=b"{", headers={"Content-Type": "application/json"})
    post(server, content=b"{}", headers={"Content-Type": "text/plain"})
    post(server, {"inputs": SAMPLE})
    assert metric(server, "ember_serve_requests_total", endpoint="/predict", status="400") == before + 1
    assert metric(server, "ember_serve_requests_total", endpoint="/predict", status="415") >= 1
    assert metric(server, "ember_serve_requests_total", endpoint="/predict", status="200") >= 1
    assert metric(server, "ember_serve_requests_total", endpoint="/health", status="200") >= 1
    assert metric(server, "ember_serve_request_duration_seconds_count", endpoint="/predict") >= 3
    assert metric(server, "ember_serve_batch_size_sum") >= 1
    r = server.client.get("/metrics", timeout=10)
    assert r.headers["content-type"].startswith("text/plain")
    # after every bad input above, the server still answers
    assert post(server, {"inputs": SAMPLE}).status_code == 200


def test_page_is_self_contained(server):
    r = server.client.get("/", timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert 'id="prediction"' in html and "<canvas" in html
    for ref in ("src=\"http", "href=\"http", "src='http", "@import", "//cdn"):
        assert ref not in html  # no external resources


# ---------------------------------------------------------------- start-up errors, shutdown
@pytest.mark.parametrize("name, content", [("missing.pt", None), ("garbage.pt", b"garbage"),
                                           ("garbage.onnx", b"garbage"), ("empty", "dir")])
def test_unloadable_model_stops_at_start_with_a_clear_message(tmp_path, capsys, name, content):
    from ember.cli import main
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    assert main(["serve", str(path), "--port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert name in err and err.startswith("ember serve: error:") and len(err.strip().splitlines()) == 1


def test_unloadable_model_exit_status(tmp_path):
    (tmp_path / "best.pt").write_bytes(b"not a checkpoint")
    r = ember_cmd("serve", str(tmp_path), "--port", str(free_port()), timeout=60)
    assert r.returncode == 2 and "best.pt" in r.stderr and "Traceback" not in r.stderr


def test_sigterm_finishes_a_request_in_flight_and_exits_0(run_dir, digits, oracle):
    s = Server(run_dir)
    try:
        body = json.dumps({"inputs": digits[0][9].tolist()}).encode()
        with socket.create_connection(("127.0.0.1", s.port), timeout=30) as sock:
            sock.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(body) + body[:20])
            time.sleep(1.0)  # the server has read the headers: the request is in flight
            s.proc.send_signal(signal.SIGTERM)  # with part of its body still to come
            time.sleep(0.3)
            sock.sendall(body[20:])
            response = b""
            while b"\r\n\r\n" not in response or not response.rstrip().endswith(b"]]}"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                response += chunk
        assert response.startswith(b"HTTP/1.1 200"), response[:200]
        answer = json.loads(response.split(b"\r\n\r\n", 1)[1])
        np.testing.assert_allclose(answer["probabilities"], oracle(digits[0][9][None]), rtol=1e-5, atol=1e-6)
        assert s.proc.wait(30) == 0
        with pytest.raises(httpx.HTTPError):  # and it is gone
            s.client.get("/health", timeout=2)
    finally:
        s.close()


def test_onnx_model(run_dir, tmp_path, digits, oracle):
    """An .onnx file is served too: the one `ember train` wrote, or else one torch exports."""
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    path = run_dir / "model.onnx"
    if not path.exists():
        import warnings
        model = torch_cnn(1, 8, 8, 10)
        model.load_state_dict(torch.load(str(run_dir / "best.pt"), weights_only=True))
        path = tmp_path / "digits.onnx"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, (torch.zeros(1, 1, 8, 8),), str(path), dynamo=False, input_names=["x"],
                              dynamic_axes={"x": {0: "batch"}})
    s = Server(path)
    try:
        # inputs in the units the file declares (without metadata: the model's own, [0, 1])
        hi = s.client.get("/metadata", timeout=10).json()["value_range"][1]
        x = digits[0][:6]
        out = post(s, {"inputs": (x / 16 * hi).tolist()}).json()
        np.testing.assert_allclose(out["probabilities"], oracle(x), rtol=1e-4, atol=1e-5)
    finally:
        assert s.close(signal.SIGINT) == 0  # Ctrl-C: a clean exit too


# ---------------------------------------------------------------- the page, in a real browser
CHROMIUM = "/usr/bin/chromium"


def test_drawing_page_in_headless_chromium(server, tmp_path):
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip("chromium is not installed (CI installs Debian's chromium package)")
    from playwright.sync_api import sync_playwright  # in the test extra: missing is a failure, not a skip
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
                                     headless=True, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
                                     timeout=60_000)
        try:
            page = browser.new_page(viewport={"width": 960, "height": 480})
            page.set_default_timeout(20_000)
            page.goto(server.url + "/")
            page.wait_for_selector("#meta td")  # the metadata arrived
            assert "[1,8,8]" in page.inner_text("#meta")
            assert page.inner_text("#prediction").strip() == "\u2013"
            box = page.locator("#board").bounding_box()

            def at(u, v):
                return box["x"] + u * box["width"], box["y"] + v * box["height"]
            # a 7: a bar across the top, then down to the lower left
            page.mouse.move(*at(0.25, 0.2))
            with page.expect_response("**/predict") as first:
                page.mouse.down()
                page.mouse.move(*at(0.75, 0.2), steps=8)
            page.mouse.move(*at(0.42, 0.85), steps=12)
            page.mouse.up()
            assert first.value.status == 200
            page.wait_for_function("/^[0-9]$/.test(document.getElementById('prediction').textContent)")
            page.wait_for_load_state("networkidle")
            shown = page.inner_text("#prediction")
            bars = page.locator("#bars .bar")
            assert bars.count() == 10
            widths = [float(w.rstrip("%")) for w in bars.locator(".value").all_inner_texts()]
            assert abs(sum(widths) - 100) < 1 and str(int(np.argmax(widths))) == shown
            for target in [tmp_path / "serve.png"] + ([os.path.join(ROOT, "docs", "serve.png")]
                                                      if os.environ.get("EMBER_UPDATE_DOCS") else []):
                page.screenshot(path=str(target))
            assert (tmp_path / "serve.png").read_bytes()[:4] == b"\x89PNG"
        finally:
            browser.close()
