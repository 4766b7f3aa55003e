"""The fused float32 paths for large inputs (softmax over the last dim, layer norm, GELU) and
their split over threads give torch's numbers, at one thread and at two."""
import numpy as np
import pytest

import ember
from helpers import check

RNG = np.random.default_rng(0)


@pytest.fixture(params=[1, 2])
def threads(request):
    before = ember.get_num_threads()
    ember.set_num_threads(request.param)
    yield request.param
    ember.set_num_threads(before)


def test_softmax_last_dim_large(threads):
    x = (RNG.standard_normal((4, 3, 50, 130)) * 5).astype(np.float32)
    check(lambda lib, t: lib.softmax(t, -1), x)
    check(lambda lib, t: lib.nn.functional.softmax(t, 3), x)
    check(lambda lib, t: lib.softmax(t[:, :, :, ::2], -1), x)  # a strided input


def test_layer_norm_large(threads):
    x = (RNG.standard_normal((8, 70, 96)) * 3 + 100).astype(np.float32)  # an offset tests the two-pass variance
    w, b = RNG.standard_normal(96).astype(np.float32), RNG.standard_normal(96).astype(np.float32)
    check(lambda lib, t, w, b: lib.nn.functional.layer_norm(t, (96,), w, b), x, w, b, rtol=1e-4, atol=1e-4)
    check(lambda lib, t: lib.nn.functional.layer_norm(t, (70, 96)), x, rtol=1e-4, atol=1e-4)
    check(lambda lib, t: lib.nn.functional.group_norm(t.reshape(8, 70, 96), 7), x, rtol=1e-4, atol=1e-4)


def test_gelu_large(threads):
    x = (RNG.standard_normal((300, 700)) * 4).astype(np.float32)
    check(lambda lib, t: lib.nn.functional.gelu(t), x)
