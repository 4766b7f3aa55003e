"""EarlyStopping: patience, min_delta, mode, best weights kept, restored and saved."""
import pytest

import ember
from ember.utils.early_stopping import EarlyStopping


def test_stops_after_patience_epochs_without_improvement():
    s = EarlyStopping(patience=2)
    decisions = [s.step(v) for v in [1.0, 0.8, 0.9, 0.85, 0.7, 0.75, 0.8, 0.9]]
    # improvements at epochs 0, 1, 4; epochs 5 and 6 wait, epoch 7 is the third bad one
    assert decisions == [False, False, False, False, False, False, False, True]
    assert s.best == 0.7 and s.best_epoch == 4 and s.should_stop


def test_min_delta_and_max_mode():
    s = EarlyStopping(patience=0, min_delta=0.05)
    assert not s.step(1.0)
    assert s.step(0.97)  # an improvement smaller than min_delta does not count
    m = EarlyStopping(patience=1, mode="max")
    assert [m.step(v) for v in [0.5, 0.6, 0.55, 0.59]] == [False, False, False, True]
    assert m.best == 0.6 and m.best_epoch == 1


def test_keeps_restores_and_saves_the_best_weights(tmp_path):
    ember.manual_seed(0)
    model = ember.nn.Linear(3, 2)
    path = tmp_path / "best.pt"
    s = EarlyStopping(patience=1, path=str(path))
    s.step(1.0, model)
    best = {k: v.clone() for k, v in model.state_dict().items()}
    with ember.no_grad():
        model.weight.add_(5.0)  # training moves on, the metric gets worse
    s.step(2.0, model)
    assert not ember.equal(model.weight, best["weight"])
    s.restore(model)
    for k, v in model.state_dict().items():
        assert ember.equal(v, best[k])
    saved = ember.load(str(path))
    assert set(saved) == {"weight", "bias"} and ember.equal(saved["weight"], best["weight"])


def test_bad_arguments():
    with pytest.raises(ValueError):
        EarlyStopping(mode="median")
    with pytest.raises(ValueError):
        EarlyStopping(patience=-1)
