"""``torch.backends``: the switches programs set for torch's kernel libraries (cuDNN, MKL-DNN, MPS,
...). ember's kernels are NumPy's (CuPy's on a GPU), so the flags are plain settable attributes
that change nothing, and each ``is_available()`` says what ember really has."""
from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp, opt_einsum  # noqa: F401
