"""Losses against torch: values and gradients (w.r.t. inputs and targets) for every reduction."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import check, assert_close

REDUCTIONS = ["none", "mean", "sum"]
rng = np.random.default_rng(0)


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def rand(*shape, lo=0.05, hi=0.95):
    return rng.uniform(lo, hi, shape).astype(np.float32)


def signs(*shape):
    return np.where(rng.random(shape) < 0.5, -1.0, 1.0).astype(np.float32)


def F(lib):
    return ember.nn.functional if lib is ember else torch.nn.functional


def labels(n, c, *spatial, ignore=None):
    y = rng.integers(0, c, (n,) + spatial)
    if ignore is not None:
        y.flat[::3] = ignore
    return y.astype(np.int64)


# ---------------------------------------------------------------- elementwise losses
BCE_W, POS_W = rand(5), 3 * rand(5)  # torch's BCE losses have no gradient for their weights
ELEMENTWISE = {
    "mse": (lambda lib, x, t, r: F(lib).mse_loss(x, t, reduction=r), (randn(4, 5), randn(4, 5))),
    "mse_weight": (lambda lib, x, t, w, r: F(lib).mse_loss(x, t, reduction=r, weight=w),
                   (randn(4, 5), randn(4, 5), rand(4, 5))),
    "l1": (lambda lib, x, t, r: F(lib).l1_loss(x, t, reduction=r), (randn(4, 5), randn(4, 5))),
    "l1_weight": (lambda lib, x, t, w, r: F(lib).l1_loss(x, t, reduction=r, weight=w),
                  (randn(4, 5), randn(4, 5), rand(4, 5))),
    "smooth_l1": (lambda lib, x, t, r: F(lib).smooth_l1_loss(x, t, reduction=r), (2 * randn(4, 5), randn(4, 5))),
    "smooth_l1_beta": (lambda lib, x, t, r: F(lib).smooth_l1_loss(x, t, reduction=r, beta=0.3),
                       (randn(4, 5), randn(4, 5))),
    "smooth_l1_beta0": (lambda lib, x, t, r: F(lib).smooth_l1_loss(x, t, reduction=r, beta=0.0),
                        (randn(4, 5), randn(4, 5))),
    "huber": (lambda lib, x, t, r: F(lib).huber_loss(x, t, reduction=r, delta=0.7), (2 * randn(4, 5), randn(4, 5))),
    "huber_weight": (lambda lib, x, t, w, r: F(lib).huber_loss(x, t, reduction=r, weight=w),
                     (2 * randn(4, 5), randn(4, 5), rand(4, 5))),
    "bce": (lambda lib, x, t, r: F(lib).binary_cross_entropy(x, t, reduction=r), (rand(4, 5), rand(4, 5))),
    "bce_weight": (lambda lib, x, t, r: F(lib).binary_cross_entropy(x, t, weight=lib.tensor(BCE_W), reduction=r),
                   (rand(4, 5), rand(4, 5))),
    "bce_logits": (lambda lib, x, t, r: F(lib).binary_cross_entropy_with_logits(x, t, reduction=r),
                   (3 * randn(4, 5), rand(4, 5))),
    "bce_logits_weights": (lambda lib, x, t, r: F(lib).binary_cross_entropy_with_logits(
        x, t, weight=lib.tensor(BCE_W), pos_weight=lib.tensor(POS_W), reduction=r), (3 * randn(4, 5), rand(4, 5))),
    "kl_div": (lambda lib, x, t, r: F(lib).kl_div(x, t, reduction=r), (randn(4, 5), rand(4, 5))),
    "kl_div_log_target": (lambda lib, x, t, r: F(lib).kl_div(x, t, reduction=r, log_target=True),
                          (randn(4, 5), randn(4, 5))),
    "soft_margin": (lambda lib, x, t, r: F(lib).soft_margin_loss(x, t, reduction=r), (randn(4, 5),), (signs(4, 5),)),
    "multilabel_soft_margin": (lambda lib, x, t, w, r: F(lib).multilabel_soft_margin_loss(
        x, t, weight=w, reduction=r), (randn(4, 5), rand(4, 5), rand(5))),
    "hinge_embedding": (lambda lib, x, t, r: F(lib).hinge_embedding_loss(x, t, margin=0.5, reduction=r),
                        (randn(4, 5),), (signs(4, 5),)),
    "margin_ranking": (lambda lib, a, b, t, r: F(lib).margin_ranking_loss(a, b, t, margin=0.2, reduction=r),
                       (randn(6), randn(6)), (signs(6),)),
    "cosine_embedding": (lambda lib, a, b, t, r: F(lib).cosine_embedding_loss(a, b, t, margin=0.1, reduction=r),
                         (randn(6, 4), randn(6, 4)), (signs(6),)),
    "cosine_embedding_0d": (lambda lib, a, b, t, r: F(lib).cosine_embedding_loss(a, b, t, reduction=r),
                            (randn(4), randn(4)), (-np.ones((), np.float32),)),
    "triplet": (lambda lib, a, p, n, r: F(lib).triplet_margin_loss(a, p, n, margin=2.0, reduction=r),
                (randn(6, 4), randn(6, 4), randn(6, 4))),
    "triplet_p1_swap": (lambda lib, a, p, n, r: F(lib).triplet_margin_loss(a, p, n, p=1, swap=True, margin=3.0,
                                                                          reduction=r),
                        (randn(6, 4), randn(6, 4), randn(6, 4))),
    "poisson": (lambda lib, x, t, r: F(lib).poisson_nll_loss(x, t, reduction=r), (randn(4, 5), 3 * rand(4, 5))),
    "poisson_full_rate": (lambda lib, x, t, r: F(lib).poisson_nll_loss(x, t, log_input=False, full=True,
                                                                      reduction=r),
                          (rand(4, 5) * 3, 4 * rand(4, 5))),
    "gaussian": (lambda lib, x, t, v, r: F(lib).gaussian_nll_loss(x, t, v, reduction=r),
                 (randn(4, 5), randn(4, 5), rand(4, 5))),
    "gaussian_full_homo": (lambda lib, x, t, v, r: F(lib).gaussian_nll_loss(x, t, v, full=True, reduction=r),
                           (randn(4, 5), randn(4, 5), rand(4))),
    "gaussian_clamped": (lambda lib, x, t, v, r: F(lib).gaussian_nll_loss(x, t, v, eps=0.3, reduction=r),
                         (randn(4, 5), randn(4, 5), rand(4, 1))),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise(name, reduction):
    fn, arrays, *consts = ELEMENTWISE[name]
    consts = consts[0] if consts else ()  # labels of +-1: passed without requires_grad
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div warns about 'mean' in both libraries
        check(lambda lib, *a: fn(lib, *a, *[lib.tensor(c) for c in consts], reduction), *arrays,
              rtol=1e-5, atol=1e-5)


def test_kl_div_batchmean():
    check(lambda lib, x, t: F(lib).kl_div(x, t, reduction="batchmean"), randn(4, 5), rand(4, 5))


@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multi_margin(p, reduction):
    y = labels(6, 5)
    w = rand(5)
    check(lambda lib, x: F(lib).multi_margin_loss(x, lib.tensor(y), p=p, margin=0.8, weight=lib.tensor(w),
                                                  reduction=reduction), randn(6, 5))
    check(lambda lib, x: F(lib).multi_margin_loss(x, lib.tensor(2), p=p, reduction=reduction), randn(5))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin(reduction):
    y = np.array([[3, 0, -1, 1], [1, 2, 3, 0], [-1, 0, 0, 0], [2, 2, -1, 3]])
    check(lambda lib, x: F(lib).multilabel_margin_loss(x, lib.tensor(y), reduction=reduction), randn(4, 4))
    check(lambda lib, x: F(lib).multilabel_margin_loss(x, lib.tensor([1, -1, 0]), reduction=reduction), randn(3))


@pytest.mark.parametrize("swap", [False, True])
def test_triplet_with_distance(swap):
    def cosine_distance(lib):
        return lambda a, b: 1 - F(lib).cosine_similarity(a, b)
    check(lambda lib, a, p, n: F(lib).triplet_margin_with_distance_loss(a, p, n, margin=0.5, swap=swap,
                                                                        reduction="none"),
          randn(5, 4), randn(5, 4), randn(5, 4))
    check(lambda lib, a, p, n: F(lib).triplet_margin_with_distance_loss(
        a, p, n, distance_function=cosine_distance(lib), swap=swap), randn(5, 4), randn(5, 4), randn(5, 4))


def test_bce_extremes():
    # torch clamps log at -100 and its gradient's denominator at 1e-12
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.5], np.float32)
    t = np.array([0.0, 1.0, 1.0, 0.0, 0.3], np.float32)
    check(lambda lib, x, t: F(lib).binary_cross_entropy(x, t, reduction="none"), x, t)


def test_bce_with_logits_extremes():
    x = np.array([-1000.0, 1000.0, 0.0, -30.0, 30.0], np.float32)
    t = np.array([1.0, 0.0, 1.0, 0.5, 0.5], np.float32)
    e, _ = check(lambda lib, x, t: F(lib).binary_cross_entropy_with_logits(x, t, reduction="none"), x, t)
    assert np.isfinite(e.detach().numpy()).all()


# ---------------------------------------------------------------- nll and cross-entropy
NLL_SHAPES = [(6, 5), (3, 4, 2), (2, 3, 2, 3), (5,)]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", NLL_SHAPES)
def test_nll_loss(shape, reduction):
    y = labels(shape[0], shape[1], *shape[2:], ignore=-100) if len(shape) > 1 else np.array(3)
    w = rand(shape[1] if len(shape) > 1 else shape[0])
    check(lambda lib, x: F(lib).nll_loss(x, lib.tensor(y), reduction=reduction), randn(*shape))
    check(lambda lib, x: F(lib).nll_loss(x, lib.tensor(y), weight=lib.tensor(w), reduction=reduction),
          randn(*shape))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_ignore_index(reduction):
    y = labels(8, 5, ignore=2)
    w = rand(5)
    check(lambda lib, x: F(lib).nll_loss(x, lib.tensor(y), weight=lib.tensor(w), ignore_index=2,
                                         reduction=reduction), randn(8, 5))


CE_SHAPES = [(6, 5), (3, 4, 2), (2, 3, 2, 3), (5,)]


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", CE_SHAPES)
def test_cross_entropy_indices(shape, reduction, weighted, smoothing):
    c = shape[1] if len(shape) > 1 else shape[0]
    y = labels(shape[0], c, *shape[2:], ignore=-100) if len(shape) > 1 else np.array(1)
    w = rand(c) if weighted else None
    check(lambda lib, x: F(lib).cross_entropy(x, lib.tensor(y), weight=None if w is None else lib.tensor(w),
                                              reduction=reduction, label_smoothing=smoothing), randn(*shape))


@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", CE_SHAPES)
def test_cross_entropy_probabilities(shape, reduction, weighted, smoothing):
    c = shape[1] if len(shape) > 1 else shape[0]
    t = rand(*shape)
    t = t / t.sum(axis=1 if len(shape) > 1 else 0, keepdims=True)
    w = rand(c) if weighted else None
    # the gradient w.r.t. the target probabilities is compared too
    check(lambda lib, x, t: F(lib).cross_entropy(x, t, weight=None if w is None else lib.tensor(w),
                                                 reduction=reduction, label_smoothing=smoothing),
          randn(*shape), t)


def test_cross_entropy_ignore_index_with_smoothing():
    y = labels(9, 4, ignore=1)
    w = rand(4)
    check(lambda lib, x: F(lib).cross_entropy(x, lib.tensor(y), weight=lib.tensor(w), ignore_index=1,
                                              label_smoothing=0.1), randn(9, 4))


def test_cross_entropy_extreme_logits():
    x = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0], [1000.0, 1000.0, -1000.0]], np.float32)
    for y in (np.array([1, 2, 0]), np.array([0, 0, 2])):
        for r in REDUCTIONS:
            e, _ = check(lambda lib, x: F(lib).cross_entropy(x, lib.tensor(y), reduction=r, label_smoothing=0.1),
                         x)
            assert np.isfinite(e.detach().numpy()).all()
    # -inf logits (masked classes) still give finite losses for the classes that remain
    xm = np.array([[2.0, -np.inf, 0.5], [-np.inf, 1.0, 3.0]], np.float32)
    check(lambda lib, x: F(lib).cross_entropy(x, lib.tensor([0, 2])), xm)


def test_cross_entropy_double_backward():
    x0, y = randn(4, 3), labels(4, 3)
    gs = []
    for lib in (ember, torch):
        x = lib.tensor(x0, requires_grad=True)
        (g,) = lib.autograd.grad(F(lib).cross_entropy(x, lib.tensor(y)), x, create_graph=True)
        (g * g).sum().backward()
        gs.append((g, x.grad))
    assert_close(gs[0][0], gs[1][0])
    assert_close(gs[0][1], gs[1][1])


def test_cross_entropy_float64_and_all_ignored():
    y = labels(4, 3)
    check(lambda lib, x: F(lib).cross_entropy(x, lib.tensor(y)), randn(4, 3).astype(np.float64))
    check(lambda lib, x: F(lib).cross_entropy(x, lib.tensor([-100, -100])), randn(2, 3))  # 0/0 = nan


# ---------------------------------------------------------------- errors and warnings
def _raises(fn):
    """Run fn with ember's and torch's F; the same error type and message from both."""
    with pytest.raises(Exception) as te:
        fn(torch, torch.nn.functional)
    with pytest.raises(type(te.value), match=None) as ee:
        fn(ember, ember.nn.functional)
    assert str(ee.value).replace("ember.", "torch.") == str(te.value)


ERRORS = {
    "ce_batch": lambda lib, f: f.cross_entropy(lib.zeros(3, 5), lib.tensor([1, 2, 3, 0])),
    "ce_oob": lambda lib, f: f.cross_entropy(lib.zeros(3, 5), lib.tensor([1, 2, 7])),
    "ce_negative": lambda lib, f: f.cross_entropy(lib.zeros(3, 5), lib.tensor([1, -2, 3])),
    "ce_float_target": lambda lib, f: f.cross_entropy(lib.zeros(3, 5), lib.tensor([1.0, 2.0, 3.0])),
    "ce_long_probs": lambda lib, f: f.cross_entropy(lib.zeros(3, 5), lib.ones(3, 5, dtype=lib.long)),
    "ce_spatial": lambda lib, f: f.cross_entropy(lib.zeros(3, 5, 4), lib.zeros(3, 5, dtype=lib.long)),
    "ce_weight": lambda lib, f: f.cross_entropy(lib.zeros(3, 5), lib.tensor([1, 2, 3]), weight=lib.ones(4)),
    "ce_smoothing": lambda lib, f: f.cross_entropy(lib.zeros(3, 5), lib.tensor([1, 2, 3]), label_smoothing=1.5),
    "ce_reduction": lambda lib, f: f.cross_entropy(lib.zeros(3, 5), lib.tensor([1, 2, 3]), reduction="foo"),
    "nll_0d": lambda lib, f: f.nll_loss(lib.tensor(1.0), lib.tensor(0)),
    "nll_int32": lambda lib, f: f.nll_loss(lib.zeros(3, 5), lib.tensor([1, 2, 3], dtype=lib.int32)),
    "nll_ignored_oob": lambda lib, f: f.nll_loss(lib.zeros(3, 5), lib.tensor([5, -100, 1]), ignore_index=5),
    "mse_shapes": lambda lib, f: f.mse_loss(lib.zeros(3, 2), lib.zeros(4)),
    "mse_weight": lambda lib, f: f.mse_loss(lib.zeros(3, 2), lib.zeros(3, 2), weight=lib.ones(2)),
    "bce_size": lambda lib, f: f.binary_cross_entropy(lib.ones(3) / 2, lib.ones(3, 1) / 2),
    "bce_range": lambda lib, f: f.binary_cross_entropy(lib.tensor([1.5]), lib.tensor([0.5])),
    "bce_target_range": lambda lib, f: f.binary_cross_entropy(lib.tensor([0.5]), lib.tensor([1.5])),
    "bce_logits_size": lambda lib, f: f.binary_cross_entropy_with_logits(lib.zeros(3), lib.zeros(3, 1)),
    "multi_margin_p": lambda lib, f: f.multi_margin_loss(lib.zeros(3, 5), lib.tensor([1, 2, 3]), p=3),
    "multi_margin_batch": lambda lib, f: f.multi_margin_loss(lib.zeros(3, 5), lib.tensor([1, 2, 3, 4])),
    "multi_margin_weight": lambda lib, f: f.multi_margin_loss(lib.zeros(3, 5), lib.tensor([1, 2, 3]),
                                                              weight=lib.ones(4)),
    "cosine_target": lambda lib, f: f.cosine_embedding_loss(lib.zeros(3, 5), lib.zeros(3, 5), lib.ones(3, 1)),
    "cosine_inputs": lambda lib, f: f.cosine_embedding_loss(lib.zeros(3, 5), lib.zeros(3), lib.ones(3)),
    "margin_ranking": lambda lib, f: f.margin_ranking_loss(lib.zeros(3), lib.zeros(3, 1), lib.ones(3)),
    "triplet_dims": lambda lib, f: f.triplet_margin_loss(lib.zeros(3, 4), lib.zeros(3, 4), lib.zeros(4)),
    "triplet_margin": lambda lib, f: f.triplet_margin_loss(lib.zeros(3, 4), lib.zeros(3, 4), lib.zeros(3, 4),
                                                           margin=0),
    "gaussian_var": lambda lib, f: f.gaussian_nll_loss(lib.zeros(3, 4), lib.zeros(3, 4), lib.ones(2)),
    "gaussian_negative": lambda lib, f: f.gaussian_nll_loss(lib.zeros(3, 4), lib.zeros(3, 4), -lib.ones(3, 4)),
    "smooth_l1_beta": lambda lib, f: f.smooth_l1_loss(lib.zeros(3), lib.zeros(3), beta=-1.0),
    "huber_delta": lambda lib, f: f.huber_loss(lib.zeros(3), lib.zeros(3), delta=0.0),
    "kl_reduction": lambda lib, f: f.kl_div(lib.zeros(3), lib.zeros(3), reduction="avg"),
    "target_rank": lambda lib, f: f.nll_loss(lib.zeros(3, 5), lib.zeros(3, 2, dtype=lib.long)),
}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", ERRORS)
def test_errors(name):
    _raises(ERRORS[name])


def test_broadcast_warning():
    x, t = randn(3, 1), randn(3)
    with pytest.warns(UserWarning, match=r"Using a target size \(ember.Size\(\[3\]\)\) that is different to "
                                         r"the input size \(ember.Size\(\[3, 1\]\)\)"):
        e = ember.nn.functional.mse_loss(ember.tensor(x), ember.tensor(t))
    with pytest.warns(UserWarning):
        tt = torch.nn.functional.mse_loss(torch.tensor(x), torch.tensor(t))
    assert_close(e, tt)


def test_legacy_flags():
    x, t = randn(3, 4), randn(3, 4)
    with pytest.warns(UserWarning, match="please use reduction='sum' instead"):
        e = ember.nn.functional.mse_loss(ember.tensor(x), ember.tensor(t), size_average=False)
    with pytest.warns(UserWarning):
        tt = torch.nn.functional.mse_loss(torch.tensor(x), torch.tensor(t), size_average=False)
    assert_close(e, tt)


# ---------------------------------------------------------------- modules
MODULES = [
    ("MSELoss", {}, (randn(3, 4), randn(3, 4))),
    ("L1Loss", {"reduction": "sum"}, (randn(3, 4), randn(3, 4))),
    ("SmoothL1Loss", {"beta": 0.5}, (randn(3, 4), randn(3, 4))),
    ("HuberLoss", {"delta": 0.5, "reduction": "none"}, (randn(3, 4), randn(3, 4))),
    ("BCELoss", {"weight": rand(4)}, (rand(3, 4), rand(3, 4))),
    ("BCEWithLogitsLoss", {"weight": rand(4), "pos_weight": rand(4)}, (randn(3, 4), rand(3, 4))),
    ("KLDivLoss", {"reduction": "batchmean", "log_target": True}, (randn(3, 4), randn(3, 4))),
    ("NLLLoss", {"weight": rand(4), "ignore_index": 1}, (randn(5, 4), labels(5, 4))),
    ("CrossEntropyLoss", {"weight": rand(4), "label_smoothing": 0.1, "ignore_index": 0}, (randn(5, 4), labels(5, 4))),
    ("CosineEmbeddingLoss", {"margin": 0.2}, (randn(3, 4), randn(3, 4)), (signs(3),)),
    ("MarginRankingLoss", {"margin": 0.1}, (randn(3), randn(3)), (signs(3),)),
    ("HingeEmbeddingLoss", {"margin": 2.0}, (randn(3, 4),), (signs(3, 4),)),
    ("SoftMarginLoss", {}, (randn(3, 4),), (signs(3, 4),)),
    ("MultiLabelSoftMarginLoss", {"weight": rand(4)}, (randn(3, 4), rand(3, 4))),
    ("MultiMarginLoss", {"p": 2, "margin": 0.5, "weight": rand(4)}, (randn(5, 4), labels(5, 4))),
    ("TripletMarginLoss", {"margin": 0.5, "p": 3.0, "swap": True}, (randn(3, 4), randn(3, 4), randn(3, 4))),
    ("PoissonNLLLoss", {"full": True}, (randn(3, 4), 3 * rand(3, 4))),
    ("GaussianNLLLoss", {"full": True}, (randn(3, 4), randn(3, 4), rand(3, 4))),
    ("TripletMarginWithDistanceLoss", {"margin": 0.5, "swap": True}, (randn(3, 4), randn(3, 4), randn(3, 4))),
    ("MultiLabelMarginLoss", {}, (randn(3, 4),), (np.array([[1, 2, -1, 0], [0, -1, 0, 0], [3, 1, 2, 0]]),)),
]


@pytest.mark.parametrize("name,kwargs,arrays,consts", [m + ((),) * (4 - len(m)) for m in MODULES],
                         ids=[m[0] for m in MODULES])
def test_module(name, kwargs, arrays, consts):
    def make(lib):
        kw = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        return getattr(lib.nn, name)(**kw)
    me, mt = make(ember), make(torch)
    assert list(me.state_dict()) == list(mt.state_dict())
    assert me.reduction == mt.reduction
    check(lambda lib, *a: (me if lib is ember else mt)(*a, *[lib.tensor(c) for c in consts]), *arrays)
