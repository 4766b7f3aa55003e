"""Tensor's method surface against torch: one lambda runs on both, forward and backward compared."""
import importlib.util
import os

import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error, assert_close

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _coverage_module():
    spec = importlib.util.spec_from_file_location("api_coverage", os.path.join(ROOT, "benchmarks", "api_coverage.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---------------------------------------------------------------- the API-coverage report
def test_coverage_report_tensor_floor():
    cov = _coverage_module()
    c = cov.classify("torch.Tensor")
    n = sum(len(v) for v in c.values())
    assert n == len([m for m in dir(torch.Tensor) if not m.startswith("_")])
    covered = len(c["implemented"]) + len(c["unsupported"])
    # the level reached by issue 10 (implemented or classified with a reason)
    assert covered / n >= 0.60, c["missing"]
    for name, why in c["unsupported"]:
        assert why, name
    # a classified name is never also counted as implemented or missing
    assert not set(c["implemented"]) & {n for n, _ in c["unsupported"]}


def test_coverage_report_classification():
    cov = _coverage_module()
    from ember._unsupported import reason, unsupported
    assert reason("torch.Tensor.to_sparse_csr") is not None
    assert reason("torch.nn.functional.Optional") is not None
    assert reason("torch.qr") is None and reason("torch.Tensor.T") is None  # patterns stay within a name
    with pytest.raises(NotImplementedError, match="sparse"):
        unsupported("torch.sparse_coo_tensor")()
    # a module ember lacks counts as all missing, not as an error
    rows = {r[0]: r for r in cov.table(["torch.nn.init", "torch.nn.utils.stateless"])}
    assert rows["torch.nn.init"][2] > 0
