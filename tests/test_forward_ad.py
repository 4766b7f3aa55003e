"""torch.autograd.forward_ad through ember and torch: the tangents of dual tensors through common
ops, several duals in one level, and the errors and None tangents torch gives."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_close

RNG = np.random.default_rng(0)
P, T = RNG.standard_normal((4, 3)).astype(np.float32), RNG.standard_normal((4, 3)).astype(np.float32)
W, TW = RNG.standard_normal((3, 5)).astype(np.float32), RNG.standard_normal((3, 5)).astype(np.float32)

FUNCS = {
    "sin_square": lambda L, x, w: (x * x).sin(),
    "exp_sum": lambda L, x, w: x.exp().sum(1),
    "matmul": lambda L, x, w: x @ w,
    "softmax": lambda L, x, w: L.nn.functional.softmax(x @ w, dim=1),
    "layer_norm": lambda L, x, w: L.nn.functional.layer_norm(x, (3,)),
    "tanh_mlp": lambda L, x, w: L.tanh(x @ w).mean(),
}


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_tangents_match_torch(name):
    got = {}
    for lib in (ember, torch):
        fw = lib.autograd.forward_ad
        with fw.dual_level():
            x = fw.make_dual(lib.tensor(P), lib.tensor(T))
            w = fw.make_dual(lib.tensor(W), lib.tensor(TW))
            y = FUNCS[name](lib, x, w)
            got[lib.__name__] = fw.unpack_dual(y)
    assert_close(got["ember"].primal, got["torch"].primal, rtol=1e-5, atol=1e-6)
    assert_close(got["ember"].tangent, got["torch"].tangent, rtol=1e-4, atol=1e-5)


def test_non_dual_tensors_errors_and_levels():
    for lib in (ember, torch):
        fw = lib.autograd.forward_ad
        with pytest.raises(RuntimeError, match="no level exists"):
            fw.make_dual(lib.tensor(P), lib.tensor(T))
        with fw.dual_level():
            with pytest.raises(RuntimeError, match="different size"):
                fw.make_dual(lib.tensor(P), lib.tensor(W))
            plain = lib.tensor(P)
            assert fw.unpack_dual(plain).tangent is None
            d = fw.make_dual(lib.tensor(P), lib.tensor(T))
            assert_close(fw.unpack_dual(d).tangent, torch.tensor(T))
            y = d * 2
            assert isinstance(fw.unpack_dual(y), fw.UnpackedDualTensor)
        assert fw.unpack_dual(y).tangent is None  # the level is closed
        level = fw.enter_dual_level()
        assert level == 0
        fw.exit_dual_level()
