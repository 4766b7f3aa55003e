"""``torch.backends.mps``: Apple's Metal devices; ember has no Metal backend."""


def is_available():
    return False


def is_built():
    return False
