"""Time ember and torch side by side in one process and print the median ratio ember/torch.

    python benchmarks/run.py                 # every case, default threads then one thread
    python benchmarks/run.py add matmul      # cases whose name contains one of these words
    python benchmarks/run.py --threads 1     # one thread only
    python benchmarks/run.py compiled --no-torch-compile   # ember.compile's cases, without torch.compile

Each case is written once against a library module (`lib` is ember or torch), so both run
the same program. The two libraries alternate, several rounds each, and the median of
each side is compared: a 2-core machine shared with other work has noisy timings.
The "compiled:" cases time one training step wrapped in ember.compile against the same step
in eager torch, with torch.compile's time (inductor; its first call compiles, for a minute or
more) as a column of its own.
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import ember  # noqa: E402
import torch  # noqa: E402

import minimal_autograd  # noqa: E402  (this folder)
from models import lenet5  # noqa: E402  (this folder)

CASES = {}


def case(name, target, numpy=None, minimal=False):
    """Register `fn(lib) -> step` under `name`; `target` is the ratio the issue asks for.
    `numpy() -> step`, where given, is the same work written directly in NumPy with no
    framework at all: its ratio to torch is the floor for any framework on NumPy.
    With `minimal`, fn also runs on `minimal_autograd`, the smallest eager autograd on NumPy
    (no torch semantics at all): its ratio is what differentiating alone costs."""
    def register(fn):
        CASES[name] = (fn, target, numpy, minimal)
        return fn
    return register




def _arrays(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


# ---------------------------------------------------------------- per-op overhead on small tensors
@case("op: add 16x16", 0.5, lambda: (lambda a, b: lambda: a + b)(*_arrays((16, 16), (16, 16))), minimal=True)
def _add(lib):
    a, b = (lib.tensor(v) for v in _arrays((16, 16), (16, 16)))
    return lambda: a + b


@case("op: mul 16x16", 0.5, lambda: (lambda a, b: lambda: a * b)(*_arrays((16, 16), (16, 16))), minimal=True)
def _mul(lib):
    a, b = (lib.tensor(v) for v in _arrays((16, 16), (16, 16)))
    return lambda: a * b


@case("op: matmul 64x64", 0.5, lambda: (lambda a, b: lambda: np.dot(a, b))(*_arrays((64, 64), (64, 64))))
def _matmul(lib):
    a, b = (lib.tensor(v) for v in _arrays((64, 64), (64, 64)))
    return lambda: a @ b


@case("op: sum 16x16", 0.5, lambda: (lambda a: lambda: np.add.reduce(a, None))(*_arrays((16, 16))))
def _sum(lib):
    a, = (lib.tensor(v) for v in _arrays((16, 16)))
    return lambda: a.sum()


@case("op: index x[3, 2:10]", 0.5, lambda: (lambda a: lambda: a[3, 2:10])(*_arrays((16, 16))))
def _index(lib):
    a, = (lib.tensor(v) for v in _arrays((16, 16)))
    return lambda: a[3, 2:10]


@case("op: add with grad 16x16", 0.5, lambda: (lambda a, b: lambda: a + b)(*_arrays((16, 16), (16, 16))), minimal=True)
def _add_grad(lib):
    a, b = (lib.tensor(v, requires_grad=True) for v in _arrays((16, 16), (16, 16)))
    return lambda: a + b


# ---------------------------------------------------------------- small graphs
def _graph_numpy():
    x, w1, w2 = _arrays((8, 16), (16, 16), (16, 4))

    def step():  # forward, then the gradients of w1 and w2 by hand
        h = np.tanh(np.dot(x, w1))
        o = np.dot(h, w2)
        go = np.full(o.shape, np.float32(1 / o.size)) * 2 * o
        gh = np.dot(go, w2.T)
        return np.dot(x.T, gh * (1 - h * h)), np.dot(h.T, go)
    return step


@case("graph: fwd+bwd small MLP-like graph", 0.5, _graph_numpy, minimal=True)
def _graph(lib):
    x, w1, w2 = _arrays((8, 16), (16, 16), (16, 4))
    x = lib.tensor(x)
    w1, w2 = lib.tensor(w1, requires_grad=True), lib.tensor(w2, requires_grad=True)

    def step():
        h = (x @ w1).tanh()
        loss = ((h @ w2) ** 2).mean()
        loss.backward()
        w1.grad = w2.grad = None
    return step


def _linreg_data():
    rng = np.random.default_rng(0)
    xs = rng.uniform(-1, 1, (1000, 1)).astype(np.float32)
    return xs, (2 + 3 * xs + 0.1 * rng.standard_normal((1000, 1))).astype(np.float32)


def _linreg_numpy():
    x, y = _linreg_data()

    def run():
        w, b = np.zeros((1, 1), np.float32), np.zeros(1, np.float32)
        for _ in range(1000):
            d = np.dot(x, w) + b - y
            gd = np.full(d.shape, np.float32(2 / d.size)) * d
            w -= np.float32(0.1) * np.dot(x.T, gd)
            b -= np.float32(0.1) * gd.sum(0)
    return run


@case("linreg: 1000 points, 1000 steps", 0.5, _linreg_numpy, minimal=True)
def _linreg(lib):
    xs, ys = _linreg_data()
    x, y = lib.tensor(xs), lib.tensor(ys)

    def run():
        w = lib.zeros(1, 1, requires_grad=True)
        b = lib.zeros(1, requires_grad=True)
        for _ in range(1000):
            loss = ((x @ w + b - y) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                w -= 0.1 * w.grad
                b -= 0.1 * b.grad
            w.grad.zero_()
            b.grad.zero_()
    return run


# ---------------------------------------------------------------- matmul-bound
@case("matmul-bound: 512x512 @ 512x512 fwd+bwd", 1.1)
def _big_matmul(lib):
    a, b = _arrays((512, 512), (512, 512))
    a, b = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)

    def step():
        (a @ b).sum().backward()
        a.grad = b.grad = None
    return step


def _nn_cases():
    """Model-level cases that need ember.nn and ember.optim (skipped if they are missing)."""
    try:
        import ember.nn  # noqa: F401
        import ember.optim  # noqa: F401
    except ImportError:
        return

    def mlp(lib, sizes, batch, opt):
        lib.manual_seed(0)
        layers = []
        for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
            layers.append(lib.nn.Linear(a, b))
            if i < len(sizes) - 2:
                layers.append(lib.nn.ReLU())
        model = lib.nn.Sequential(*layers)
        x = lib.tensor(_arrays((batch, sizes[0]))[0])
        if sizes[-1] == 1:
            y = lib.tensor(_arrays((batch, 1), seed=1)[0])
            loss_fn = lib.nn.MSELoss()
        else:
            y = lib.tensor(np.random.default_rng(1).integers(0, sizes[-1], batch))
            loss_fn = lib.nn.CrossEntropyLoss()
        o = opt(lib, model.parameters())

        def step():
            o.zero_grad()
            loss_fn(model(x), y).backward()
            o.step()
        return step

    case("nn: MLP 784-256-256-10 Adam, batch 128", 0.6, _mlp_adam_numpy)(
        lambda lib: mlp(lib, [784, 256, 256, 10], 128, lambda L, p: L.optim.Adam(p, lr=1e-3)))
    case("nn: tiny MLP 16-32-1 SGD, batch 32", 0.5)(
        lambda lib: mlp(lib, [16, 32, 1], 32, lambda L, p: L.optim.SGD(p, lr=0.01)))
    compiled_case("compiled: tiny MLP 16-32-1 SGD step", 0.25, _tiny_mlp_step_numpy)(
        lambda lib: mlp(lib, [16, 32, 1], 32, lambda L, p: L.optim.SGD(p, lr=0.01)))
    compiled_case("compiled: MLP 784-256-256-10 Adam step", None, _mlp_adam_numpy)(
        lambda lib: mlp(lib, [784, 256, 256, 10], 128, lambda L, p: L.optim.Adam(p, lr=1e-3)))

    def lenet(lib):
        lib.manual_seed(0)
        model = lenet5(lib)()
        x = lib.tensor(_arrays((64, 1, 28, 28))[0])
        y = lib.tensor(np.random.default_rng(1).integers(0, 10, 64))
        o = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = lib.nn.CrossEntropyLoss()

        def step():
            o.zero_grad()
            loss_fn(model(x), y).backward()
            o.step()
        return step

    case("nn: LeNet-5 SGD momentum, batch 64", 0.85, _lenet_numpy)(lenet)
    compiled_case("compiled: LeNet-5 SGD momentum step", None)(lenet)

    def encoder(lib):
        # all-MiniLM-L6's sizes (d_model 384, 12 heads, feed-forward 1536, GELU); two of its six
        # layers keep the case short (the ratio is per layer)
        lib.manual_seed(0)
        layer = lib.nn.TransformerEncoderLayer(384, 12, 1536, dropout=0.0, activation="gelu", batch_first=True)
        model = lib.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False).eval()
        x = lib.tensor(_arrays((32, 128, 384))[0])

        def step():
            with lib.no_grad():
                model(x)
        return step

    case("nn: MiniLM-size encoder fwd, batch 32 seq 128", 1.0, _encoder_products_numpy)(encoder)


def _lenet_numpy():
    """The LeNet case's step on ember's own NumPy kernels, called directly on arrays with the
    gradients written by hand: no Tensor, autograd or optimizer. What ember's formulation of
    each layer costs without the framework (the kernels' alternatives tried are in the README)."""
    from ember.nn.conv import _conv, _conv_transpose, _conv_weight
    from ember.nn.pooling import MaxPool, _PlaneScatter
    rng = np.random.default_rng(0)
    x = _arrays((64, 1, 28, 28))[0]
    y = rng.integers(0, 10, 64)
    shapes = [(6, 1, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,), (84, 120), (84,), (10, 84), (10,)]
    ps = [rng.standard_normal(s).astype(np.float32) * np.float32(0.1) for s in shapes]
    bufs = [np.zeros_like(p) for p in ps]
    cfg1, cfg2 = ((1, 1), ((2, 2), (2, 2)), (1, 1), 1), ((1, 1), ((0, 0), (0, 0)), (1, 1), 1)
    pool = ((2, 2), (2, 2), ((0, 0), (0, 0)), (1, 1))

    def step():
        w1, b1, w2, b2, f1, c1, f2, c2, f3, c3 = ps
        a1, col1 = _conv(x, w1, b1, cfg1)
        r1 = np.maximum(a1, 0)
        m1 = MaxPool()
        p1 = m1.forward(r1, *pool, (14, 14))
        a2, col2 = _conv(p1, w2, b2, cfg2)
        r2 = np.maximum(a2, 0)
        m2 = MaxPool()
        p2 = m2.forward(r2, *pool, (5, 5))
        h0 = p2.reshape(64, 400)
        h1 = np.maximum(np.dot(h0, f1.T) + c1, 0)
        h2 = np.maximum(np.dot(h1, f2.T) + c2, 0)
        z = np.dot(h2, f3.T) + c3
        e = np.exp(z - z.max(1, keepdims=True))             # cross entropy: softmax minus one-hot
        g = e / e.sum(1, keepdims=True)
        g[np.arange(64), y] -= 1
        g /= np.float32(64)
        gh2 = np.dot(g, f3) * (h2 != 0)
        gh1 = np.dot(gh2, f2) * (h1 != 0)
        gh0 = np.dot(gh1, f1)
        gr2 = _PlaneScatter().forward(gh0.reshape(p2.shape), m2.idx, (10, 10), True) * (r2 != 0)
        gp1 = _conv_transpose(gr2, w2, cfg2, (14, 14))
        gr1 = _PlaneScatter().forward(gp1, m1.idx, (28, 28), True) * (r1 != 0)
        grads = [_conv_weight(x, gr1, cfg1, w1.shape, col1), gr1.sum((0, 2, 3)),
                 _conv_weight(p1, gr2, cfg2, w2.shape, col2), gr2.sum((0, 2, 3)),
                 np.dot(gh1.T, h0), gh1.sum(0), np.dot(gh2.T, h1), gh2.sum(0), np.dot(g.T, h2), g.sum(0)]
        for p, buf, gp in zip(ps, bufs, grads):   # SGD with momentum 0.9
            buf *= np.float32(0.9)
            buf += gp
            p -= np.float32(0.01) * buf
    return step


def _encoder_products_numpy():
    """The encoder case's matrix products alone, in NumPy (every other step left out): for each
    of the two layers, the q/k/v and output projections, the attention's two batched products
    and the feed-forward pair. A floor under any encoder on NumPy's BLAS, elementwise work aside."""
    rng = np.random.default_rng(0)
    b, s, d, h, f = 32, 128, 384, 12, 1536
    x = rng.standard_normal((b * s, d), dtype=np.float32)
    w_in, w_out = rng.standard_normal((3 * d, d), dtype=np.float32), rng.standard_normal((d, d), dtype=np.float32)
    w1, w2 = rng.standard_normal((f, d), dtype=np.float32), rng.standard_normal((d, f), dtype=np.float32)
    q = rng.standard_normal((b, h, s, d // h), dtype=np.float32)
    p = rng.standard_normal((b, h, s, s), dtype=np.float32)

    def step():
        for _ in range(2):
            x.dot(w_in.T)
            np.matmul(q, q.swapaxes(-1, -2))
            np.matmul(p, q)
            x.dot(w_out.T)
            x.dot(w1.T).dot(w2.T)  # (b*s, f), then back to (b*s, d)
    return step




# ---------------------------------------------------------------- compiled training steps
def compiled_case(name, target, numpy=None):
    """Register `build(lib) -> step`, one training step with no arguments, timed three ways:
    wrapped in ember.compile, as it is under eager torch (the ratio's denominator), and
    wrapped in torch.compile (its own column). Besides `target` (None: none), a compiled step
    is over target when it takes more than 1.3x the hand-written NumPy step."""
    def register(build):
        CASES[name] = (build, target, numpy, "compiled")
        return build
    return register


def _linreg_step(lib):
    xs, ys = _linreg_data()
    x, y = lib.tensor(xs), lib.tensor(ys)
    w, b = lib.zeros(1, 1, requires_grad=True), lib.zeros(1, requires_grad=True)

    def step():
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        with lib.no_grad():
            w.sub_(0.1 * w.grad)
            b.sub_(0.1 * b.grad)
        w.grad.zero_()
        b.grad.zero_()
        return loss
    return step


def _linreg_step_numpy():
    x, y = _linreg_data()
    w, b = np.zeros((1, 1), np.float32), np.zeros(1, np.float32)

    def step():
        d = np.dot(x, w) + b - y
        loss = np.square(d).mean()
        gd = np.full(d.shape, np.float32(2 / d.size)) * d
        np.subtract(w, np.float32(0.1) * np.dot(x.T, gd), out=w)
        np.subtract(b, np.float32(0.1) * gd.sum(0), out=b)
        return loss
    return step


def _tiny_mlp_step_numpy():
    rng = np.random.default_rng(0)
    w1, b1 = rng.standard_normal((32, 16)).astype(np.float32), np.zeros(32, np.float32)
    w2, b2 = rng.standard_normal((1, 32)).astype(np.float32), np.zeros(1, np.float32)
    x, y = _arrays((32, 16))[0], _arrays((32, 1), seed=1)[0]

    def step():
        h = np.dot(x, w1.T) + b1
        r = np.maximum(h, 0)
        o = np.dot(r, w2.T) + b2
        d = o - y
        loss = np.square(d).mean()
        go = d * np.float32(2 / d.size)
        gr = np.dot(go, w2) * (h > 0)
        for p, g in ((w2, np.dot(go.T, r)), (b2, go.sum(0)), (w1, np.dot(gr.T, x)), (b1, gr.sum(0))):
            p -= np.float32(0.01) * g
        return loss
    return step


def _mlp_adam_numpy():
    """The MLP 784-256-256-10 step (cross-entropy, Adam) by hand: its matrix products alone are
    most of the floor on NumPy's BLAS."""
    rng = np.random.default_rng(0)
    sizes = [784, 256, 256, 10]
    ws = [(rng.standard_normal((b, a)) / np.sqrt(a)).astype(np.float32) for a, b in zip(sizes, sizes[1:])]
    bs = [np.zeros(b, np.float32) for b in sizes[1:]]
    params = [p for wb in zip(ws, bs) for p in wb]
    ms, vs = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
    x = _arrays((128, 784))[0]
    y = np.random.default_rng(1).integers(0, 10, 128)
    t = [0]

    def step():
        hs = [x]
        for i, (w, b) in enumerate(zip(ws, bs)):
            h = np.dot(hs[-1], w.T)
            h += b
            if i < 2:
                np.maximum(h, 0, out=h)
            hs.append(h)
        z = hs[-1] - hs[-1].max(1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(1, keepdims=True)
        g = p
        g[np.arange(128), y] -= 1
        g *= np.float32(1 / 128)
        grads = []
        for i in (2, 1, 0):
            grads[:0] = [np.dot(g.T, hs[i]), g.sum(0)]
            if i:
                g = np.dot(g, ws[i]) * (hs[i] > 0)
        t[0] += 1
        for p_, g_, m, v in zip(params, grads, ms, vs):
            m *= np.float32(0.9)
            m += np.float32(0.1) * g_
            v *= np.float32(0.999)
            v += np.float32(0.001) * g_ * g_
            denom = np.sqrt(v) / np.float32((1 - 0.999 ** t[0]) ** 0.5) + np.float32(1e-8)
            p_ -= np.float32(1e-3 / (1 - 0.9 ** t[0])) * m / denom
    return step


compiled_case("compiled: linreg step, 1000 points", 0.3, _linreg_step_numpy)(_linreg_step)
_nn_cases()


def measure(fn, min_time=0.2, rounds=7):
    """Median seconds per call of the step returned by fn, alternating nothing (one library)."""
    step = fn()
    step()  # warm up
    n, t = 1, 0.0
    while True:  # calibrate the number of calls per round
        t0 = time.perf_counter()
        for _ in range(n):
            step()
        t = time.perf_counter() - t0
        if t > min_time / rounds or n > 1_000_000:
            break
        n *= 4
    return step, n


def compare(fn, numpy=None, minimal=False, rounds=7, torch_compile=True):
    """Median seconds per step of ember, torch and (where given) plain NumPy and the minimal
    autograd, alternating. For a compiled case (minimal == "compiled"): ember.compile's step,
    eager torch's, and torch.compile's."""
    makers = {"ember": lambda: fn(ember), "torch": lambda: fn(torch)}
    if minimal == "compiled":
        makers["ember"] = lambda: ember.compile(fn(ember))
        if torch_compile:
            makers["tcompile"] = lambda: torch.compile(fn(torch))
    elif minimal:
        makers["minimal"] = lambda: fn(minimal_autograd)
    if numpy is not None:
        makers["numpy"] = numpy
    steps = {k: measure(m, rounds=rounds) for k, m in makers.items()}
    times = {k: [] for k in steps}
    for _ in range(rounds):
        for k, (step, n) in steps.items():
            if torch.get_num_threads() > 1:
                # let the last library's idle BLAS threads stop spinning first: NumPy's OpenBLAS
                # keeps them busy-waiting for ~0.1 s after each product, and on two cores that
                # takes a core from whatever runs next (it had made torch's rounds up to 3x slower)
                time.sleep(0.25)
            t0 = time.perf_counter()
            for _ in range(n):
                step()
            times[k].append((time.perf_counter() - t0) / n)
    return {k: statistics.median(v) for k, v in times.items()}


def fmt(s):
    return f"{s * 1e6:9.1f} us" if s < 1e-3 else f"{s * 1e3:9.2f} ms"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("filters", nargs="*", help="run only cases whose name contains one of these")
    ap.add_argument("--threads", type=int, nargs="*", default=None,
                    help="thread counts to run with (default: the default count, then 1)")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--no-torch-compile", action="store_true",
                    help="compiled cases: leave out torch.compile (its first call compiles for minutes)")
    args = ap.parse_args()
    default = torch.get_num_threads()
    thread_counts = args.threads or ([default, 1] if default != 1 else [1])
    import subprocess
    # as a user's import: bytecode cached (a first run writes it), the median of five fresh processes
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = "import time; t = time.perf_counter(); import ember; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env).stdout)
            for _ in range(6)][1:]
    print(f"import ember: {statistics.median(runs):.3f} s (target < 0.15 s)")
    print("numpy: the same work written directly in NumPy, no framework: numpy/torch is the floor "
          "for any framework on NumPy")
    print("mini: the same program on benchmarks/minimal_autograd.py, an eager autograd with no torch "
          "semantics")
    print("compiled: ember is the step under ember.compile, torch is eager torch; tcomp: torch.compile "
          "(inductor) of the same step")
    for threads in thread_counts:
        torch.set_num_threads(threads)
        ember.set_num_threads(threads)
        print(f"\nthreads = {threads}")
        print(f"{'case':45s} {'ember':>12s} {'torch':>12s} {'ratio':>7s} {'target':>7s} {'numpy/torch':>12s}"
              f" {'mini/torch':>11s} {'tcomp/torch':>12s}")
        for name, (fn, target, numpy, minimal) in CASES.items():
            if args.filters and not any(f in name for f in args.filters):
                continue
            t = compare(fn, numpy, minimal, args.rounds, not args.no_torch_compile)
            ratio = t["ember"] / t["torch"]
            floor = f"{t['numpy'] / t['torch']:12.2f}" if "numpy" in t else " " * 12
            mini = f"{t['minimal'] / t['torch']:11.2f}" if "minimal" in t else " " * 11
            tcomp = f"{t['tcompile'] / t['torch']:12.2f}" if "tcompile" in t else " " * 12
            over = target is not None and ratio > target
            if minimal == "compiled" and "numpy" in t:
                over = over or t["ember"] > 1.3 * t["numpy"]
            mark = "  (over target)" if over else ""
            shown = f"{target:7.2f}" if target is not None else f"{'-':>7s}"
            print(f"{name:45s} {fmt(t['ember'])} {fmt(t['torch'])} {ratio:7.2f} {shown} {floor} {mini} {tcomp}"
                  f"{mark}",
                  flush=True)
    torch.set_num_threads(default)


if __name__ == "__main__":
    main()
