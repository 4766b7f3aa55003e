"""Public programs that use torch.distributions, torch.optim.LBFGS, torch.nn.utils.prune and torch.fft,
run unchanged with `torch` meaning ember, print the same numbers as with torch."""
import os

import numpy as np
import pytest

from helpers import NUMBER, numbers, run_program

FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch_examples_math")
PROGRAMS = sorted(f for f in os.listdir(FOLDER) if f.endswith(".py"))
# `import torch`, `import torch.nn as nn`, `from torch.distributions import Normal` ... mean ember's
MODULES = ("", ".nn", ".nn.functional", ".nn.utils", ".nn.utils.prune", ".optim", ".distributions", ".func", ".fft",
           ".utils", ".utils.data")


def run(path, lib):
    return run_program(path, lib, MODULES, 300, OMP_NUM_THREADS="1")


# float32 programs: sums of many terms differ in their last bits between libraries and training
# carries that along, so the numbers agree to about 1e-4; the float64 programs (the LSTM with LBFGS,
# the Gaussian process) to 1e-6
TOL = {"time_sequence_prediction.py": (1e-6, 1e-8), "gaussian_process.py": (1e-6, 1e-8)}


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_prints_torch_numbers(name):
    path = os.path.join(FOLDER, name)
    out_e, out_t = run(path, "ember").replace("ember.", "torch."), run(path, "torch")  # dtype=torch.float64
    words_e, words_t = NUMBER.sub("#", out_e).split(), NUMBER.sub("#", out_t).split()
    assert words_e == words_t, (out_e, out_t)  # the same lines, keys and labels
    ne, nt = numbers(out_e), numbers(out_t)
    assert len(ne) == len(nt) and len(nt) > 10, (out_e, out_t)
    rtol, atol = TOL.get(name, (2e-4, 2e-5))
    np.testing.assert_allclose(ne, nt, rtol=rtol, atol=atol)
