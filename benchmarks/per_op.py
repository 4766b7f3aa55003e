"""The cost of one op under autograd, ember and torch: a chain of 100 negations of a 4-element
tensor that requires grad, timed forward only and forward plus backward.

    python benchmarks/per_op.py

Prints microseconds per op to record it and per node to run its backward (medians of 7)."""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import ember  # noqa: E402
import torch  # noqa: E402

N = 100


def chain(x):
    for _ in range(N):
        x = -x
    return x.sum()


def per_call(fn, calls=300, rounds=7):
    fn()
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - t0) / calls)
    return statistics.median(times)


for lib in (ember, torch):
    x = lib.ones(4, requires_grad=True)
    forward = per_call(lambda: chain(x))
    both = per_call(lambda: chain(x).backward())
    print(f"{lib.__name__:6s} record {forward / (N + 1) * 1e6:.2f} us per op, "
          f"backward {(both - forward) / (N + 1) * 1e6:.2f} us per node")
