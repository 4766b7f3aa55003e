"""``torch.functional``: the module old code imports for ``torch.functional.split``, ``einsum``,
``norm``, ``unique``, ... Each name is the same function as ``ember.<name>``."""
from ._tensor import Tensor  # noqa: F401

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes", "broadcast_tensors", "cartesian_prod",
           "block_diag", "cdist", "chain_matmul", "einsum", "istft", "lu", "norm", "meshgrid", "pca_lowrank", "split",
           "stft", "svd_lowrank", "tensordot", "unique", "unique_consecutive", "unravel_index"]


def __getattr__(name):
    import ember
    if name == "F":
        return ember.nn.functional
    if name in __all__:
        return getattr(ember, name)
    raise AttributeError(f"module 'ember.functional' has no attribute '{name}'")
