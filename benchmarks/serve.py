"""``ember serve`` against the same Starlette app serving the same weights with torch and with
onnxruntime (both unbatched, as a hand-written model server is): single-sample requests at several
concurrencies, on loopback, requests/s and p50/p99 latency side by side.

    python benchmarks/serve.py                       # trains a digits model briefly, 2000 requests per cell
    python benchmarks/serve.py --model runs/ember-train --requests 500 --concurrency 1 8 32

Every server runs in its own process with one compute thread; this process is the client (one
keep-alive connection per concurrent client, raw HTTP/1.1 on asyncio, so the client costs little).
Counts and time are bounded: ``--requests`` per cell, and at most ``--max-seconds`` per cell.
Targets (issue 12): ember's throughput at concurrency 32 >= torch's; ember's p99 < 50 ms at 8.
"""
import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""), OMP_NUM_THREADS="1")


# ---------------------------------------------------------------- the baseline servers
def torch_cnn(c, h, w, n):
    """ember.train.make_model("cnn") written in torch."""
    import torch
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(c, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.25),
        nn.Linear(32 * (h // 2) * (w // 2), 128), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(128, n)).eval()


def torch_model(model_dir):
    import torch
    from ember.serve import load_predictor
    base = load_predictor(model_dir)
    model = torch_cnn(*base.input_shape, len(base.classes))
    model.load_state_dict(torch.load(os.path.join(model_dir, "best.pt"), weights_only=True))
    return base, model


def onnx_file(model_dir, out):
    """The model as ONNX: ``ember train``'s model.onnx when it wrote one, else torch's export."""
    if os.path.exists(os.path.join(model_dir, "model.onnx")):
        return os.path.join(model_dir, "model.onnx")
    import warnings
    import torch
    base, model = torch_model(model_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.zeros(1, *base.input_shape),), out, dynamo=False, input_names=["input"],
                          dynamic_axes={"input": {0: "batch"}})
    return out


def serve_baseline(kind, model_dir, onnx_path, port):
    """The same app as ``ember serve`` (create_app), its forward done by torch or onnxruntime, unbatched."""
    import uvicorn
    from ember.serve import Predictor, create_app
    if kind == "torch":
        import torch
        torch.set_num_threads(1)
        base, model = torch_model(model_dir)

        def forward(x):
            with torch.inference_mode():
                return model(torch.from_numpy(x)).numpy()
    else:
        import onnxruntime
        from ember.serve import load_predictor
        base = load_predictor(model_dir)
        opts = onnxruntime.SessionOptions()
        opts.intra_op_num_threads = opts.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(onnx_path, opts, providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name

        def forward(x):
            return session.run(None, {name: x})[0]
    predictor = Predictor(forward, base.input_shape, base.classes, base.scale, base.mean, base.std,
                          base.value_range, info={"model": kind})
    app = create_app(predictor, max_batch=1, max_wait_ms=0)
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


# ---------------------------------------------------------------- running servers
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name, argv):
        self.name, self.port = name, free_port()
        self.proc = subprocess.Popen([sys.executable, *argv, "--port", str(self.port)], env=ENV,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} server exited: {self.proc.stderr.read()}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=1).read()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{name} server did not start within 120 s")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


# ---------------------------------------------------------------- the client
def requests_for(samples):
    out = []
    for x in samples:
        body = json.dumps({"inputs": x.tolist()}).encode()
        out.append(b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   b"Content-Length: %d\r\n\r\n" % len(body) + body)
    return out


async def one_request(reader, writer, request):
    writer.write(request)
    status = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    body = await reader.readexactly(length)
    if not status.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"{status!r} {body[:200]!r}")
    return body


async def load(port, requests, total, concurrency, max_seconds):
    """``total`` requests from ``concurrency`` clients; (latencies in seconds, wall time)."""
    latencies, next_index = [], [0]
    deadline = time.perf_counter() + max_seconds

    async def client():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while next_index[0] < total and time.perf_counter() < deadline:
                i = next_index[0]
                next_index[0] += 1
                start = time.perf_counter()
                await one_request(reader, writer, requests[i % len(requests)])
                latencies.append(time.perf_counter() - start)
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return np.array(latencies), time.perf_counter() - start


def cpu_seconds(pid):
    """CPU time the process has used (user + system), from /proc; None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def measure(server, requests, total, concurrency, max_seconds):
    asyncio.run(load(server.port, requests, min(50, total), concurrency, max_seconds))  # warm up
    cpu = cpu_seconds(server.proc.pid)
    lat, wall = asyncio.run(load(server.port, requests, total, concurrency, max_seconds))
    cpu = None if cpu is None else cpu_seconds(server.proc.pid) - cpu
    # the server's CPU time per request: what throughput would be on an idle core, whatever the
    # rest of the machine is doing
    return {"n": len(lat), "rps": len(lat) / wall, "p50": 1e3 * np.percentile(lat, 50),
            "p99": 1e3 * np.percentile(lat, 99), "cpu": None if cpu is None else 1e3 * cpu / len(lat)}


def answers(server, samples):
    body = json.dumps({"inputs": np.asarray(samples).tolist()}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{server.port}/predict", body,
                                 {"Content-Type": "application/json"})
    return np.array(json.loads(urllib.request.urlopen(req, timeout=30).read())["probabilities"])


# ---------------------------------------------------------------- main
def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", help="a folder `ember train` wrote (default: train a digits model briefly)")
    p.add_argument("--requests", type=int, default=2000, help="single-sample requests per cell (default: 2000)")
    p.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    p.add_argument("--max-seconds", type=float, default=60, help="time limit per cell (default: 60)")
    p.add_argument("--servers", nargs="+", default=["ember", "ember-unbatched", "torch", "onnxruntime"],
                   choices=["ember", "ember-unbatched", "torch", "onnxruntime"])
    p.add_argument("--serve", choices=["torch", "onnxruntime"], help=argparse.SUPPRESS)  # a baseline server
    p.add_argument("--onnx", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve:
        return serve_baseline(args.serve, args.model, args.onnx, args.port)

    tmp = tempfile.TemporaryDirectory()
    model_dir = args.model
    if model_dir is None:
        model_dir = os.path.join(tmp.name, "ember-train")
        print("training a digits model (ember train --epochs 5) ...", flush=True)
        subprocess.run([sys.executable, "-m", "ember", "train", "--epochs", "5", "--out", model_dir],
                       env=ENV, check=True, timeout=600, stdout=subprocess.DEVNULL)
    from sklearn.datasets import load_digits
    samples = load_digits().images[:200, None].astype(np.float32)  # pixel values 0-16: the data's units
    requests = requests_for(samples)
    me = os.path.abspath(__file__)
    argv = {"ember": ["-m", "ember", "serve", model_dir],
            "ember-unbatched": ["-m", "ember", "serve", model_dir, "--max-batch", "1"],
            "torch": [me, "--serve", "torch", "--model", model_dir]}
    if "onnxruntime" in args.servers:
        argv["onnxruntime"] = [me, "--serve", "onnxruntime", "--model", model_dir,
                               "--onnx", onnx_file(model_dir, os.path.join(tmp.name, "model.onnx"))]

    results, reference = {}, None
    for name in args.servers:
        server = Server(name, argv[name])
        try:
            got = answers(server, samples[:50])  # the same weights give the same answers
            if reference is None:
                reference = got
            np.testing.assert_allclose(got, reference, rtol=1e-3, atol=1e-4, err_msg=f"{name} disagrees")
            for c in args.concurrency:
                results[name, c] = r = measure(server, requests, args.requests, c, args.max_seconds)
                print(f"{name:16s} concurrency {c:3d}: {r['rps']:7.0f} req/s  p50 {r['p50']:6.2f} ms  "
                      f"p99 {r['p99']:6.2f} ms  server CPU {r['cpu'] or float('nan'):.2f} ms/request "
                      f"({r['n']} requests)", flush=True)
        finally:
            server.stop()

    print(f"\n{args.requests} single-sample requests per cell (digits CNN, input [1, 8, 8]), loopback, "
          f"one compute thread per server\n")
    head = "| concurrency | " + " | ".join(f"{n} req/s | p50 ms | p99 ms" for n in args.servers) + " |"
    print(head)
    print("|" + "---|" * (1 + 3 * len(args.servers)))
    for c in args.concurrency:
        cells = []
        for n in args.servers:
            r = results[n, c]
            cells.append(f"{r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f}")
        print(f"| {c} | " + " | ".join(cells) + " |")
    print("\nserver CPU time per request, ms (steadier than req/s on a shared machine):\n")
    print("| concurrency | " + " | ".join(args.servers) + " |")
    print("|" + "---|" * (1 + len(args.servers)))
    for c in args.concurrency:
        print(f"| {c} | " + " | ".join(f"{results[n, c]['cpu']:.2f}" if results[n, c]["cpu"] is not None
                                       else "n/a" for n in args.servers) + " |")
    if ("ember", 32) in results and ("torch", 32) in results:
        ratio = results["ember", 32]["rps"] / results["torch", 32]["rps"]
        print(f"\nember / torch throughput at concurrency 32: {ratio:.2f} (target >= 1)")
    if ("ember", 8) in results:
        print(f"ember p99 at concurrency 8: {results['ember', 8]['p99']:.1f} ms (target < 50 ms)")
    tmp.cleanup()


if __name__ == "__main__":
    main()
