"""Attention and Transformer layers against torch: seeded init, state_dict keys, outputs (eval
mode, where torch may take its fused fast path) and gradients (training mode, dropout 0)."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import assert_close

pytestmark = [pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask"),
              pytest.mark.filterwarnings("ignore:enable_nested_tensor is True"),
              pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors")]
rng = np.random.default_rng(0)
TOL = {"rtol": 1e-4, "atol": 1e-5}


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def make(ember_cls, torch_cls, *args, seed=0, **kwargs):
    """The same module built by ember and torch after the same seed."""
    ember.manual_seed(seed)
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's nested-tensor notice; ember repeats it
        return ember_cls(*args, **kwargs), torch_cls(*args, **kwargs)


def assert_same_init(me, mt):
    se, st = me.state_dict(), mt.state_dict()
    assert list(se) == list(st)
    for k in st:
        assert np.array_equal(se[k].numpy(), st[k].numpy()), k  # bit for bit


def tensors(lib, arrays, grad):
    return [lib.tensor(a, requires_grad=grad and a.dtype.kind == "f") if isinstance(a, np.ndarray) else a
            for a in arrays]


def compare(me, mt, call, arrays, grad=True, tol=TOL):
    """call(module, lib, *tensors) -> output(s); compare values and, with grad, gradients of
    the inputs and of every parameter (modules may be None for a function)."""
    te, tt = tensors(ember, arrays, grad), tensors(torch, arrays, grad)
    oe, ot = call(me, ember, *te), call(mt, torch, *tt)
    oe = [o for o in (oe if isinstance(oe, tuple) else (oe,)) if o is not None]
    ot = [o for o in (ot if isinstance(ot, tuple) else (ot,)) if o is not None]
    assert len(oe) == len(ot)
    for e, t in zip(oe, ot):
        assert_close(e, t, **tol)
    if not grad:
        return
    gs = [randn(*t.shape) for t in ot]
    sum((e * ember.tensor(g)).sum() for e, g in zip(oe, gs)).backward()
    sum((t * torch.tensor(g)).sum() for t, g in zip(ot, gs)).backward()
    for e, t in zip(te, tt):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            if t.grad is None:  # e.g. a causal mask that torch replaces by its is_causal flag
                assert e.grad is None or not e.grad.numpy().any()
            else:
                assert_close(e.grad, t.grad, **tol)
    for (name, pe), (_, pt) in zip(*(m.named_parameters() if m else () for m in (me, mt))):
        if pt.grad is None:
            assert pe.grad is None or not pe.grad.numpy().any(), name
        else:
            assert_close(pe.grad, pt.grad, **tol)


# ---------------------------------------------------------------- scaled_dot_product_attention
def sdpa(lib):
    return lib.nn.functional.scaled_dot_product_attention


SDPA_CASES = {
    "plain": ({}, None),
    "bool_mask": ({}, rng.random((4, 6)) < 0.7),
    "float_mask": ({}, randn(2, 1, 4, 6)),
    "causal": ({"is_causal": True}, None),
    "scale": ({"scale": 0.3}, None),
    "fully_masked_row": ({}, np.array([[True] * 6, [False] * 6, [True, False] * 3, [False] * 5 + [True]])),
}


@pytest.mark.parametrize("name", SDPA_CASES)
def test_sdpa(name):
    kwargs, mask = SDPA_CASES[name]
    q, k, v = randn(2, 3, 4, 5), randn(2, 3, 6, 5), randn(2, 3, 6, 5)
    arrays = [q, k, v] + ([mask] if mask is not None else [])

    def call(_, lib, q, k, v, *m):
        return sdpa(lib)(q, k, v, attn_mask=m[0] if m else None, **kwargs)
    compare(None, None, call, arrays)


def test_sdpa_gqa_and_unbatched():
    compare(None, None, lambda _, lib, q, k, v: sdpa(lib)(q, k, v, enable_gqa=True),
            [randn(2, 4, 3, 5), randn(2, 2, 6, 5), randn(2, 2, 6, 5)])
    compare(None, None, lambda _, lib, q, k, v: sdpa(lib)(q, k, v), [randn(3, 5), randn(6, 5), randn(6, 5)])


def test_sdpa_errors():
    for lib in (torch, ember):
        f, q, k = sdpa(lib), lib.zeros(2, 3, 4), lib.zeros(2, 5, 4)
        with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set when is_causal=True"):
            f(q, k, k, attn_mask=lib.ones(3, 5, dtype=lib.bool), is_causal=True)
        with pytest.raises(RuntimeError, match="Expected attn_mask dtype to be bool or float"):
            f(q, k, k, attn_mask=lib.ones(3, 5, dtype=lib.int64))


# ---------------------------------------------------------------- MultiheadAttention
MHA_CONFIGS = [
    {},
    {"batch_first": True},
    {"bias": False},
    {"kdim": 3, "vdim": 5},
    {"add_bias_kv": True, "add_zero_attn": True},
]


@pytest.mark.parametrize("config", MHA_CONFIGS, ids=lambda c: "-".join(c) or "default")
@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)])
def test_mha(config, need_weights, average):
    me, mt = make(ember.nn.MultiheadAttention, torch.nn.MultiheadAttention, 8, 2, **config)
    assert_same_init(me, mt)
    L, S, N = 4, 5, 3
    bf = config.get("batch_first")
    shape = (lambda s, e: (N, s, e)) if bf else (lambda s, e: (s, N, e))
    q, k, v = randn(*shape(L, 8)), randn(*shape(S, config.get("kdim", 8))), randn(*shape(S, config.get("vdim", 8)))
    kpm = np.zeros((N, S), bool)
    kpm[0, 3:] = kpm[2, 0] = True
    am = randn(L, S)
    compare(me, mt, lambda m, lib, q, k, v, kpm, am: m(q, k, v, key_padding_mask=kpm, attn_mask=am,
                                                       need_weights=need_weights, average_attn_weights=average),
            [q, k, v, kpm, am])


def test_mha_self_attention_masks():
    me, mt = make(ember.nn.MultiheadAttention, torch.nn.MultiheadAttention, 8, 4, batch_first=True)
    x = randn(2, 5, 8)
    causal = np.triu(np.ones((5, 5), bool), 1)
    kpm = np.array([[False] * 5, [False, False, False, True, True]])
    per_head = randn(8, 5, 5)
    cases = [
        lambda m, lib, x: m(x, x, x, attn_mask=lib.tensor(causal)),
        lambda m, lib, x: m(x, x, x, attn_mask=lib.tensor(causal), is_causal=True, need_weights=False),
        lambda m, lib, x: m(x, x, x, key_padding_mask=lib.tensor(kpm), need_weights=False),
        lambda m, lib, x: m(x, x, x, attn_mask=lib.tensor(per_head)),  # 3-D: one mask per (batch, head)
    ]
    for call in cases:
        me.zero_grad()
        mt.zero_grad()
        compare(me, mt, call, [x])


def test_mha_unbatched_and_eval():
    me, mt = make(ember.nn.MultiheadAttention, torch.nn.MultiheadAttention, 6, 3)
    x = randn(4, 6)
    compare(me, mt, lambda m, lib, x: m(x, x, x), [x])
    me.eval()
    mt.eval()
    xb = randn(2, 4, 6).transpose(1, 0, 2).copy()
    with torch.no_grad(), ember.no_grad():  # torch's fused fast path
        compare(me, mt, lambda m, lib, x: m(x, x, x), [xb], grad=False)


def test_mha_errors():
    for lib, nn in ((torch, torch.nn), (ember, ember.nn)):
        with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
            nn.MultiheadAttention(5, 2)
        m = nn.MultiheadAttention(4, 2)
        x = lib.zeros(3, 2, 4)
        with pytest.raises(RuntimeError, match=r"2D attn_mask is .*\[2, 2\]\), but should be \(3, 3\)"):
            m(x, x, x, attn_mask=lib.ones(2, 2, dtype=lib.bool))
        with pytest.raises(AssertionError, match=r"Expected key_padded_mask.shape\[1\] to be 3, but got 4"):
            m(x, x, x, key_padding_mask=lib.ones(2, 4, dtype=lib.bool))
        with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
            m(x, x, x, is_causal=True)


# ---------------------------------------------------------------- Transformer layers
def copy_weights(me, mt):
    me.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in mt.state_dict().items()})


LAYER_CONFIGS = [
    {},
    {"norm_first": True, "activation": "gelu"},
    {"batch_first": True, "bias": False},
    {"activation": "callable", "layer_norm_eps": 1e-3},
]


def _layer_kwargs(config, lib):
    kw = dict(config)
    if kw.get("activation") == "callable":  # any function of a tensor
        kw["activation"] = lambda x: x.sigmoid() * x
    return kw


@pytest.mark.parametrize("config", LAYER_CONFIGS, ids=lambda c: "-".join(c) or "default")
def test_encoder_layer(config):
    me, mt = make(lambda *a, **k: ember.nn.TransformerEncoderLayer(*a, **_layer_kwargs(k, ember)),
                  lambda *a, **k: torch.nn.TransformerEncoderLayer(*a, **_layer_kwargs(k, torch)),
                  8, 2, dim_feedforward=16, dropout=0.0, **config)
    assert_same_init(me, mt)
    bf = config.get("batch_first")
    x = randn(3, 5, 8) if bf else randn(5, 3, 8)
    kpm = np.zeros((3, 5), bool)
    kpm[1, 3:] = True
    causal = np.triu(np.full((5, 5), -np.inf, np.float32), 1)
    compare(me, mt, lambda m, lib, x, kpm: m(x, src_key_padding_mask=kpm), [x, kpm])
    compare(me, mt, lambda m, lib, x, c: m(x, src_mask=c, is_causal=True), [x, causal], grad=False)
    me.eval()
    mt.eval()
    with torch.no_grad(), ember.no_grad():
        compare(me, mt, lambda m, lib, x, kpm: m(x, src_key_padding_mask=kpm), [x, kpm], grad=False)
        compare(me, mt, lambda m, lib, x: m(x[0] if bf else x[:, 0]), [x], grad=False)  # unbatched


@pytest.mark.parametrize("config", LAYER_CONFIGS, ids=lambda c: "-".join(c) or "default")
def test_decoder_layer(config):
    me, mt = make(lambda *a, **k: ember.nn.TransformerDecoderLayer(*a, **_layer_kwargs(k, ember)),
                  lambda *a, **k: torch.nn.TransformerDecoderLayer(*a, **_layer_kwargs(k, torch)),
                  8, 2, dim_feedforward=16, dropout=0.0, **config)
    assert_same_init(me, mt)
    bf = config.get("batch_first")
    tgt, mem = (randn(3, 4, 8), randn(3, 6, 8)) if bf else (randn(4, 3, 8), randn(6, 3, 8))
    causal = np.triu(np.full((4, 4), -np.inf, np.float32), 1)
    mkpm = np.zeros((3, 6), bool)
    mkpm[0, 4:] = True
    compare(me, mt, lambda m, lib, t, mem, c, k: m(t, mem, tgt_mask=c, memory_key_padding_mask=k, tgt_is_causal=True),
            [tgt, mem, causal, mkpm])


def test_encoder_stack_and_nested_padding():
    layer_e, layer_t = make(ember.nn.TransformerEncoderLayer, torch.nn.TransformerEncoderLayer, 8, 2, 16, 0.0,
                            batch_first=True)
    ember.manual_seed(1)
    torch.manual_seed(1)
    me = ember.nn.TransformerEncoder(layer_e, 3, norm=ember.nn.LayerNorm(8))
    mt = torch.nn.TransformerEncoder(layer_t, 3, norm=torch.nn.LayerNorm(8))
    assert_same_init(me, mt)
    assert me.use_nested_tensor == mt.use_nested_tensor
    x = randn(3, 5, 8)
    kpm = np.zeros((3, 5), bool)
    kpm[0, 3:] = kpm[2, 4:] = True
    compare(me, mt, lambda m, lib, x, k: m(x, src_key_padding_mask=k), [x, kpm])
    causal = np.triu(np.full((5, 5), -np.inf, np.float32), 1)
    compare(me, mt, lambda m, lib, x, c: m(x, mask=c), [x, causal], grad=False)
    me.eval()
    mt.eval()
    with torch.no_grad(), ember.no_grad():  # torch runs nested tensors here: padded positions come out as norm(0)
        compare(me, mt, lambda m, lib, x, k: m(x, src_key_padding_mask=k), [x, kpm], grad=False)


def test_encoder_nested_tensor_warning():
    layer = ember.nn.TransformerEncoderLayer(4, 2, 8)  # batch_first=False: torch's nested path is off
    with pytest.warns(UserWarning, match="enable_nested_tensor is True, but self.use_nested_tensor is False because "
                                         r"encoder_layer.self_attn.batch_first was not True"):
        ember.nn.TransformerEncoder(layer, 2)


def test_transformer():
    kwargs = dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=16, dropout=0.0)
    me, mt = make(ember.nn.Transformer, torch.nn.Transformer, **kwargs)
    assert_same_init(me, mt)
    src, tgt = randn(6, 2, 8), randn(4, 2, 8)
    mask = ember.nn.Transformer.generate_square_subsequent_mask(4)
    assert_close(mask, torch.nn.Transformer.generate_square_subsequent_mask(4))
    compare(me, mt, lambda m, lib, s, t, c: m(s, t, tgt_mask=c), [src, tgt, mask.numpy()], tol={"rtol": 1e-4,
                                                                                                  "atol": 2e-5})
    me.eval()
    mt.eval()
    with torch.no_grad(), ember.no_grad():
        compare(me, mt, lambda m, lib, s, t: m(s, t), [src, tgt], grad=False)


def test_transformer_loaded_weights_and_errors():
    _, mt = make(ember.nn.Transformer, torch.nn.Transformer, d_model=8, nhead=2, num_encoder_layers=1,
                 num_decoder_layers=1, dim_feedforward=16, batch_first=True, norm_first=True)
    me = ember.nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16,
                       batch_first=True, norm_first=True)
    copy_weights(me, mt)
    me.eval()
    mt.eval()
    with torch.no_grad(), ember.no_grad():
        compare(me, mt, lambda m, lib, s, t: m(s, t), [randn(2, 6, 8), randn(2, 4, 8)], grad=False)
    for lib, m in ((torch, mt), (ember, me)):
        with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
            m(lib.zeros(2, 6, 8), lib.zeros(3, 4, 8))
        with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal to d_model"):
            m(lib.zeros(2, 6, 8), lib.zeros(2, 4, 6))


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_dropout(need_weights):
    # training mode: after the same seed the same attention weights drop as in torch
    me, mt = make(ember.nn.MultiheadAttention, torch.nn.MultiheadAttention, 8, 2, dropout=0.3)
    x = randn(5, 3, 8)
    ember.manual_seed(5)
    torch.manual_seed(5)
    compare(me, mt, lambda m, lib, x: m(x, x, x, need_weights=need_weights), [x])


@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_dropout(batch_first):
    me, mt = make(ember.nn.TransformerEncoderLayer, torch.nn.TransformerEncoderLayer, 8, 2, 16, dropout=0.2,
                  batch_first=batch_first)
    x = randn(4, 3, 8)
    ember.manual_seed(3)
    torch.manual_seed(3)
    compare(me, mt, lambda m, lib, x: m(x), [x])


def test_repr():
    for lib in (ember, torch):
        lib.manual_seed(0)
    layer = {lib: lib.nn.TransformerDecoderLayer(8, 2, 16, activation="gelu") for lib in (ember, torch)}
    assert str(ember.nn.TransformerDecoder(layer[ember], 2)) == str(torch.nn.TransformerDecoder(layer[torch], 2))
    assert str(ember.nn.MultiheadAttention(4, 2, kdim=3)) == str(torch.nn.MultiheadAttention(4, 2, kdim=3))
