"""``torch.backends.mkl``: whether torch was built with MKL; ember uses NumPy's BLAS, whichever it is."""


def is_available():
    return False
