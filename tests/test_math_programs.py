"""Public programs that use torch.distributions, torch.optim.LBFGS, torch.nn.utils.prune and torch.fft,
run unchanged with `torch` meaning ember, print the same numbers as with torch."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FOLDER = os.path.join(HERE, "pytorch_examples_math")
PROGRAMS = sorted(f for f in os.listdir(FOLDER) if f.endswith(".py"))
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")

# `import torch`, `import torch.nn as nn`, `from torch.distributions import Normal` ... resolve to
# ember's modules: the program's text is not touched
ALIAS = """
import importlib, sys
for _name in ("", ".nn", ".nn.functional", ".nn.utils", ".nn.utils.prune", ".optim", ".distributions",
              ".func", ".fft", ".utils", ".utils.data"):
    sys.modules["torch" + _name] = importlib.import_module("ember" + _name)
"""


def run(path, lib):
    src = open(path).read()
    if lib == "ember":
        src = ALIAS + src
    r = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True, cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1"), timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout


def numbers(text):
    return np.array([float(v) for v in NUMBER.findall(text)])


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
