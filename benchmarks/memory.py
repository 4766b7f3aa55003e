"""Peak memory of a training step, ember vs torch, each in a fresh process.

    python benchmarks/memory.py

For each model, a child process imports one library and warms it up on a tiny model (so
one-off start-up costs are left out), records its resident memory, builds the model,
optimizer and batch, runs three training steps and reports how far the peak resident size
(VmHWM) rose above that baseline: parameters, data, activations, gradients, optimizer state
and temporaries.
"""
import os
import subprocess
import sys

CHILD = r"""
import resource, sys, numpy as np
lib = __import__(sys.argv[1])
kind = sys.argv[2]

def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (resource.getpagesize() // 1024)

# warm the library up on a tiny model first, so one-off start-up costs (kernels, thread
# pools, caches) are not counted as the training step's memory
_m = lib.nn.Linear(4, 3)
_o = lib.optim.Adam(_m.parameters())
lib.nn.CrossEntropyLoss()(lib.nn.functional.relu(_m(lib.ones(2, 4))), lib.tensor([0, 1])).backward()
_o.step()
_c = lib.nn.functional.max_pool2d(lib.nn.Conv2d(1, 1, 3)(lib.ones(1, 1, 6, 6)), 2).sum()
_c.backward()
base = rss_kib()
lib.manual_seed(0)
rng = np.random.default_rng(0)
nn = lib.nn
if kind == "mlp":
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    x = lib.tensor(rng.standard_normal((128, 784)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, 128))
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
else:
    model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84),
                          nn.ReLU(), nn.Linear(84, 10))
    x = lib.tensor(rng.standard_normal((64, 1, 28, 28)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, 64))
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()

def step():
    opt.zero_grad()
    loss_fn(model(x), y).backward()
    opt.step()

def hwm_kib():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmHWM"))

with open("/proc/self/clear_refs", "w") as f:
    f.write("5")                  # reset the recorded peak (VmHWM) to the current size
for _ in range(3):
    step()
print(hwm_kib() - base)
"""


def step_memory(lib, kind):
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    r = subprocess.run([sys.executable, "-c", CHILD, lib, kind], capture_output=True, text=True, env=env)
    if r.returncode:
        raise RuntimeError(r.stderr)
    return int(r.stdout)


def main():
    print(f"{'model':32s} {'ember':>9s} {'torch':>9s} {'ratio':>7s} {'target':>7s}")
    for kind, name in (("mlp", "MLP 784-256-256-10 Adam, b128"), ("lenet", "LeNet-5 SGD momentum, b64")):
        e, t = step_memory("ember", kind), step_memory("torch", kind)
        print(f"{name:32s} {e / 1024:7.1f}MB {t / 1024:7.1f}MB {e / max(t, 1):7.2f} {1.5:7.2f}")


if __name__ == "__main__":
    main()
