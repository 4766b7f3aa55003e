"""``torch.backends.openmp``: ember's threads are its BLAS's and its own pool (ember/_threads.py)."""


def is_available():
    return False
