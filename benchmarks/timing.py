"""The timer the single-library benchmarks share: the median seconds per call of `fn`."""
import statistics
import time


def median_time(fn, rounds=7, min_time=0.05):
    """Calls per round doubled until a round takes `min_time`, then the median of `rounds` rounds."""
    fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - t0 > min_time:
            break
        n *= 2
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - t0) / n)
    return statistics.median(times)
