"""The ``ember`` command: the lecture's hands-on tasks, run end to end on generated data."""
import argparse
import sys
import time

import numpy as np


def make_data(n=1000, w0=2.0, w1=3.0, noise=0.1, seed=0):
    """Points on the line y = w0 + w1 x, with Gaussian noise (float32)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 1)).astype(np.float32)
    y = (w0 + w1 * x + noise * rng.standard_normal((n, 1))).astype(np.float32)
    return x, y


def task1_numpy(x, y, lr=0.1, steps=1000):
    """Task 1: linear regression in NumPy, gradients of the MSE written by hand."""
    w0, w1 = np.float32(0), np.float32(0)
    n = len(x)
    for _ in range(steps):
        err = (w0 + w1 * x) - y              # e_i = f(x_i) - y_i
        w0 -= lr * 2 * err.sum() / n         # dL/dw0 = 2/n sum e_i
        w1 -= lr * 2 * (err * x).sum() / n   # dL/dw1 = 2/n sum e_i x_i
    return float(w0), float(w1)


def task2_tensors(x, y, lr=0.1, steps=1000):
    """Task 2: the same with ember tensors; autograd computes the gradients."""
    import ember
    x, y = ember.from_numpy(x), ember.from_numpy(y)
    w0 = ember.zeros(1, requires_grad=True)
    w1 = ember.zeros(1, requires_grad=True)
    for _ in range(steps):
        loss = ((w0 + w1 * x - y) ** 2).mean()
        loss.backward()                      # accumulates into w0.grad and w1.grad
        with ember.no_grad():
            w0 -= lr * w0.grad
            w1 -= lr * w1.grad
        w0.grad.zero_()                      # gradients accumulate: reset them
        w1.grad.zero_()
    return w0.item(), w1.item()


def task3_model(x, y, lr=0.1, steps=1000):
    """Task 3: an ember model, loss function and optimizer: the lecture's training loop."""
    import ember
    ember.manual_seed(0)
    model = ember.nn.Linear(1, 1)                          # 1. the model
    loss_function = ember.nn.MSELoss()                     # 2. the loss
    optimizer = ember.optim.SGD(model.parameters(), lr=lr)  # 3. the optimizer
    x, y = ember.from_numpy(x), ember.from_numpy(y)
    for _ in range(steps):                                 # 4. the training loop
        optimizer.zero_grad()
        loss = loss_function(model(x), y)
        loss.backward()
        optimizer.step()
    return model.bias.item(), model.weight.item()


def lecture(args):
    x, y = make_data(args.points, seed=args.seed)
    print(f"Linear regression on {args.points} generated points, y = 2 + 3x + noise; "
          f"{args.steps} full-batch gradient steps, lr {args.lr}")
    for name, task in (("1 NumPy", task1_numpy), ("2 ember tensors + autograd", task2_tensors),
                       ("3 ember nn.Linear + MSELoss + SGD", task3_model)):
        t = time.perf_counter()
        w0, w1 = task(x, y, args.lr, args.steps)
        print(f"Task {name:36s} w0 = {w0:.4f}  w1 = {w1:.4f}   ({time.perf_counter() - t:.2f} s)")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="ember", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("lecture", help="the lecture's hands-on tasks 1-3 (linear regression); the default")
    for q in (parser, p):
        q.add_argument("--points", type=int, default=1000, help="number of generated points")
        q.add_argument("--steps", type=int, default=1000, help="gradient steps")
        q.add_argument("--lr", type=float, default=0.1, help="learning rate")
        q.add_argument("--seed", type=int, default=0, help="seed for the generated data")
    from . import train
    t = sub.add_parser("train", help="train a digits classifier with everything the lecture teaches",
                       description=train.__doc__)
    train.add_arguments(t)
    t.add_argument("--nproc", type=int, default=1, help="train data-parallel on N processes (mpiexec; default: 1)")
    from .distributed import run as dist_run
    r = sub.add_parser("run", help="run a script on N processes with mpiexec (data-parallel training)",
                       description=dist_run.__doc__)
    dist_run.add_arguments(r)
    from .serve import server as serve
    s = sub.add_parser("serve", help="serve a trained model over HTTP: batching, metrics, a page to draw on",
                       description=serve.__doc__)
    serve.add_arguments(s)
    e = sub.add_parser("export", help="write the ONNX file of a checkpoint `ember train` wrote")
    e.add_argument("checkpoint", help="best.pt, or the folder `ember train --out` wrote")
    e.add_argument("-o", "--output", default="model.onnx", help="the ONNX file to write (default: model.onnx)")
    e.add_argument("--opset", type=int, default=None, help="ONNX opset (default: the newest onnxruntime runs)")
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve.check_arguments(s, args)
        return serve.run(args)
    if args.command == "run":
        if args.nproc < 1:
            r.error("--nproc must be at least 1")
        dist_run.launch(args.nproc, [args.script] + args.args, args.hostfile)
    if args.command == "export":
        try:
            print(f"wrote {train.export_checkpoint(args.checkpoint, args.output, args.opset)}")
        except (OSError, ValueError, KeyError, RuntimeError, ImportError) as err:
            print(f"ember export: error: {err}", file=sys.stderr)
            return 2
        return 0
    if args.command == "train":
        train.check_arguments(t, args)
        if args.nproc < 1:
            t.error("--nproc must be at least 1")
        if args.nproc > 1 and not dist_run.inside_mpi():  # start the ranks; each runs this again
            dist_run.launch(args.nproc, ["-m", "ember"] + list(sys.argv[1:] if argv is None else argv))
        try:
            train.run(args)
        except train.DataError as e:
            print(f"ember train: error: {e}", file=sys.stderr)
            return 2
        return 0
    if args.points < 1 or args.steps < 0 or not args.lr > 0:
        parser.error("--points must be >= 1, --steps >= 0 and --lr > 0")
    return lecture(args)


if __name__ == "__main__":
    sys.exit(main())
