"""The cost of one op under autograd, ember and torch: a chain of 100 negations of a 4-element
tensor that requires grad, timed forward only and forward plus backward.

    python benchmarks/per_op.py

Prints microseconds per op to record it and per node to run its backward (medians of 7)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import ember  # noqa: E402
import torch  # noqa: E402

from timing import median_time  # noqa: E402  (this folder)

N = 100


def chain(x):
    for _ in range(N):
        x = -x
    return x.sum()


for lib in (ember, torch):
    x = lib.ones(4, requires_grad=True)
    forward = median_time(lambda: chain(x))
    both = median_time(lambda: chain(x).backward())
    print(f"{lib.__name__:6s} record {forward / (N + 1) * 1e6:.2f} us per op, "
          f"backward {(both - forward) / (N + 1) * 1e6:.2f} us per node")
