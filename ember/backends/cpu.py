"""``torch.backends.cpu``."""


def get_cpu_capability():
    """The SIMD level torch's kernels use; ember's are NumPy's, which picks its own at run time."""
    return "DEFAULT"
