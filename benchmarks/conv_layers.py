"""LeNet-5's two convolutions, layer by layer: ember and torch, forward and forward + backward,
beside the matrix product alone that any im2col convolution on NumPy must make (the weight
matrix times the column matrix, on NumPy's BLAS: the faster of one product over the batch and
one per sample). Where that product alone takes about as long
as torch's whole convolution, the product is the floor under ember's layer.

    python benchmarks/conv_layers.py [--threads 1]
"""
import argparse

import numpy as np
import torch

import ember
from timing import median_time  # (this folder)

LAYERS = [  # (input shape, output channels, padding): LeNet-5's conv1 and conv2 at batch 64
    ((64, 1, 28, 28), 6, 2),
    ((64, 6, 14, 14), 16, 0),
]


def layer(lib, shape, cout, pad, xa):
    lib.manual_seed(0)
    conv = lib.nn.Conv2d(shape[1], cout, 5, padding=pad)
    x = lib.tensor(xa, requires_grad=shape[1] > 1)  # conv1's input is the data: no gradient, as in training
    g = lib.ones_like(conv(x))

    def fwd():
        with lib.no_grad():
            conv(x)

    def fwd_bwd():
        conv(x).backward(g)
    return median_time(fwd), median_time(fwd_bwd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    ember.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    print(f"threads = {args.threads}; times in ms, medians")
    print(f"{'layer':28s} {'ember fwd':>10s} {'torch fwd':>10s} {'product':>9s} {'ember f+b':>10s} {'torch f+b':>10s}")
    for shape, cout, pad in LAYERS:
        xa = rng.standard_normal(shape, dtype=np.float32)
        ef, efb = layer(ember, shape, cout, pad, xa)
        tf, tfb = layer(torch, shape, cout, pad, xa)
        k = shape[1] * 25
        p = shape[0] * (shape[2] + 2 * pad - 4) * (shape[3] + 2 * pad - 4)
        w, col = rng.standard_normal((cout, k), dtype=np.float32), rng.standard_normal((k, p), dtype=np.float32)
        per_sample = col.reshape(k, shape[0], -1).transpose(1, 0, 2).copy()  # (N, C*kh*kw, OH*OW)
        product = min(median_time(lambda: w.dot(col)), median_time(lambda: np.matmul(w, per_sample)))
        name = f"{shape[1]}->{cout} on {shape[2]}x{shape[3]}"
        print(f"{name:28s} {ef * 1e3:10.2f} {tf * 1e3:10.2f} {product * 1e3:9.2f} {efb * 1e3:10.2f} {tfb * 1e3:10.2f}")


if __name__ == "__main__":
    main()
