"""The tracing seam (ember.autograd.trace): what a forward records, and nothing when off."""
import numpy as np

import ember
import ember.nn as nn
from ember.autograd import trace as T


def test_records_direct_paths_inplace_and_modules():
    m = nn.Sequential(nn.Linear(4, 3), nn.ReLU(inplace=True), nn.Linear(3, 2))
    x = ember.tensor(np.random.default_rng(0).standard_normal((2, 4)).astype(np.float32))
    with ember.no_grad(), T.trace(m) as t:
        y = m(x)
        z = (y * 2).sum() + y[0, 1] + (x @ x.T).mean()
    names = [r.name for r in t.records]
    assert names[:4] == ["Addmm", "Relu", "inplace", "Addmm"]
    assert "Mul" in names and "Sum" in names and "BasicIndex" in names and "Matmul" in names
    assert [r.module for r in t.records[:4]] == ["0", "1", "1", "2"]
    assert t.records[-1].outputs[0] is z
    assert T.active is None
    assert not m[0]._forward_pre_hooks  # the module hooks are gone


def test_leaf_modules_record_once():
    m = nn.Sequential(nn.LSTM(3, 4, batch_first=True), )
    x = ember.zeros(2, 5, 3)
    with ember.no_grad(), T.trace(m, leaves=(nn.LSTM,)) as t:
        out, (h, c) = m[0](x)
    assert len(t.records) == 1 and t.records[0].op is m[0] and t.records[0].module == "0"


def test_nothing_recorded_when_off():
    x = ember.ones(3)
    with T.trace() as t:
        pass
    (x + 1).sum()
    assert t.records == [] and T.active is None


def test_non_op_steps_are_recorded_by_name():
    x = ember.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3))
    with T.trace() as t:
        ember.zeros(2, 3)
        ember.arange(3)
        x > 1
        x.max(1)
        x.sort(1)
        x.triu(1)
    names = [r.name for r in t.records]
    for name in ("full", "arange", "greater", "argmax", "argsort", "triu"):
        assert name in names
    triu = next(r for r in t.records if r.name == "triu")
    assert triu.inputs == (x, 1) and "Where" not in names[names.index("triu"):]  # nothing inside opaque steps


def test_trace_ends_on_error():
    m = nn.Linear(2, 2)
    try:
        with T.trace(m):
            m(ember.zeros(3, 3))
    except RuntimeError:
        pass
    assert T.active is None and not m._forward_pre_hooks and not m._forward_hooks
