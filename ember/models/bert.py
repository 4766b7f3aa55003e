"""BERT (Devlin et al., 2019) as Hugging Face's ``transformers.BertModel`` builds it.

Module names mirror Hugging Face's, so a checkpoint's keys load as they are:
``embeddings.word_embeddings.weight``, ``encoder.layer.0.attention.self.query.weight``, ...

    model = BertModel.from_pretrained("path/to/folder")   # config.json + model.safetensors
    out = model(input_ids, attention_mask=mask)
    out.last_hidden_state                                  # (batch, seq, hidden)

ember never downloads: `from_pretrained` takes a local folder.
"""
import json
import math
import os
import warnings
from collections import namedtuple

import numpy as np

from .. import nn
from .._backend import get_array_module
from ..autograd import no_grad
from ..autograd.function import Op
from ..ops import creation as C
from ..ops import pointwise as P
from ..nn import functional as F

__all__ = ["BertConfig", "BertModel"]


# ---------------------------------------------------------------- attention, fused
class Attention(Op):
    """``softmax(q @ k^T * scale + mask) @ v`` for (batch, heads, seq, head_dim) inputs.

    Fused because the (batch, heads, seq, seq) scores are the largest arrays of the forward:
    F.scaled_dot_product_attention allocates several of them per layer. Here they are made a
    few sentences at a time, so that they stay in the CPU's cache, and are worked on in place.
    Backward recomputes the attention weights (as flash attention does) instead of keeping them.
    """
    _SCORES = 1 << 18  # score elements per piece: 1 MiB of float32

    def forward(self, q, k, v, mask, scale):
        B, H, L, _ = q.shape
        xp = get_array_module(q)
        out = xp.empty(q.shape[:-1] + v.shape[-1:], dtype=q.dtype)
        step = max(1, self._SCORES // (H * L * k.shape[-2])) if xp is np else B  # a GPU takes it whole

        for i in range(0, B, step):
            s = xp.matmul(q[i:i + step] * q.dtype.type(scale), k[i:i + step].swapaxes(-1, -2))
            if mask is not None:
                s += mask[i:i + step] if mask.ndim == 4 and mask.shape[0] > 1 else mask
            s -= s.max(-1, keepdims=True)  # softmax, shifted by the row max so that exp cannot overflow
            xp.exp(s, out=s)
            s /= s.sum(-1, keepdims=True)
            xp.matmul(s, v[i:i + step], out=out[i:i + step])
        return out

    def backward(self, gy):
        q, k, v, mask, scale = self.inputs
        n = self.needs_input_grad
        s = (q * scale) @ k.transpose(-2, -1)
        p = F.softmax(s if mask is None else s + mask, -1)
        gp = gy @ v.transpose(-2, -1)
        gs = p * (gp - (gp * p).sum(-1, keepdim=True))  # softmax's backward
        return (gs @ k * scale if n[0] else None, gs.transpose(-2, -1) @ q * scale if n[1] else None,
                p.transpose(-2, -1) @ gy if n[2] else None, gs if n[3] else None, None)


def attention(query, key, value, attn_mask=None, dropout_p=0.0):
    """F.scaled_dot_product_attention with an additive float mask; fused unless there is dropout."""
    if dropout_p > 0:
        return F.scaled_dot_product_attention(query, key, value, attn_mask=attn_mask, dropout_p=dropout_p)
    return Attention.apply(query, key, value, attn_mask, 1.0 / math.sqrt(query.shape[-1]))


_ACTIVATIONS = {
    "gelu": F.gelu,
    "gelu_new": lambda x: F.gelu(x, approximate="tanh"),
    "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "relu": F.relu,
    "silu": F.silu,
    "swish": F.silu,
    "tanh": P.tanh,
}


# ---------------------------------------------------------------- configuration
class BertConfig:
    """BERT's hyperparameters, under the names of Hugging Face's config.json."""

    def __init__(self, vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                 intermediate_size=3072, hidden_act="gelu", hidden_dropout_prob=0.1,
                 attention_probs_dropout_prob=0.1, max_position_embeddings=512, type_vocab_size=2,
                 initializer_range=0.02, layer_norm_eps=1e-12, pad_token_id=0,
                 position_embedding_type="absolute", **kwargs):
        if hidden_size % num_attention_heads:
            raise ValueError(f"The hidden size ({hidden_size}) is not a multiple of the number of attention "
                             f"heads ({num_attention_heads})")
        if hidden_act not in _ACTIVATIONS:
            raise ValueError(f"hidden_act {hidden_act!r} is not supported (one of {sorted(_ACTIVATIONS)})")
        if position_embedding_type != "absolute":
            raise ValueError(f"position_embedding_type {position_embedding_type!r} is not supported (only 'absolute')")
        self.vocab_size, self.hidden_size = vocab_size, hidden_size
        self.num_hidden_layers, self.num_attention_heads = num_hidden_layers, num_attention_heads
        self.intermediate_size, self.hidden_act = intermediate_size, hidden_act
        self.hidden_dropout_prob = hidden_dropout_prob
        self.attention_probs_dropout_prob = attention_probs_dropout_prob
        self.max_position_embeddings, self.type_vocab_size = max_position_embeddings, type_vocab_size
        self.initializer_range, self.layer_norm_eps = initializer_range, layer_norm_eps
        self.pad_token_id, self.position_embedding_type = pad_token_id, position_embedding_type
        self.extra = kwargs  # other keys of config.json (architectures, model_type, ...), kept as read

    @classmethod
    def from_json_file(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls(**json.load(f))

    @classmethod
    def from_pretrained(cls, path):
        return cls.from_json_file(os.path.join(path, "config.json") if os.path.isdir(path) else path)

    def __repr__(self):
        keys = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                "hidden_act", "max_position_embeddings")
        return "BertConfig(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in keys) + ")"


# ---------------------------------------------------------------- the model
class BertEmbeddings(nn.Module):
    """Word + position + token-type embeddings, then LayerNorm and dropout."""

    def __init__(self, config, init_weights=True):
        super().__init__()
        H = config.hidden_size
        # init_weights=False: tables left empty for a checkpoint to fill (drawing 12M normals takes seconds)
        table = (lambda n: None) if init_weights else (lambda n: C.empty(n, H))
        self.word_embeddings = nn.Embedding(config.vocab_size, H, padding_idx=config.pad_token_id,
                                            _weight=table(config.vocab_size))
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, H,
                                                _weight=table(config.max_position_embeddings))
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, H, _weight=table(config.type_vocab_size))
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, input_ids, token_type_ids=None, position_ids=None):
        L = input_ids.shape[1]
        if position_ids is None:
            position_ids = C.arange(L).unsqueeze(0)
        x = self.word_embeddings(input_ids) + self.position_embeddings(position_ids)
        if token_type_ids is None:  # all type 0: one row of the table, broadcast
            x = x + self.token_type_embeddings.weight[0]
        else:
            x = x + self.token_type_embeddings(token_type_ids)
        return self.dropout(self.LayerNorm(x))


class BertSelfAttention(nn.Module):
    """Multi-head self-attention: all heads in one batched matmul (batch, heads, seq, head_dim)."""

    def __init__(self, config):
        super().__init__()
        self.num_attention_heads = config.num_attention_heads
        self.attention_head_size = config.hidden_size // config.num_attention_heads
        self.all_head_size = config.hidden_size
        self.query = nn.Linear(config.hidden_size, self.all_head_size)
        self.key = nn.Linear(config.hidden_size, self.all_head_size)
        self.value = nn.Linear(config.hidden_size, self.all_head_size)
        self.dropout = nn.Dropout(config.attention_probs_dropout_prob)

    def forward(self, hidden_states, attention_mask=None):
        B, L, _ = hidden_states.shape
        shape = (B, L, self.num_attention_heads, self.attention_head_size)
        q = self.query(hidden_states).view(shape).transpose(1, 2)
        k = self.key(hidden_states).view(shape).transpose(1, 2)
        v = self.value(hidden_states).view(shape).transpose(1, 2)
        ctx = attention(q, k, v, attention_mask, dropout_p=self.dropout.p if self.training else 0.0)
        return ctx.transpose(1, 2).reshape(B, L, self.all_head_size)


class BertSelfOutput(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + input_tensor)


class BertAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.self = BertSelfAttention(config)
        self.output = BertSelfOutput(config)

    def forward(self, hidden_states, attention_mask=None):
        return self.output(self.self(hidden_states, attention_mask), hidden_states)


class BertIntermediate(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)
        self.intermediate_act_fn = _ACTIVATIONS[config.hidden_act]

    def forward(self, hidden_states):
        return self.intermediate_act_fn(self.dense(hidden_states))


class BertOutput(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.intermediate_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + input_tensor)


class BertLayer(nn.Module):
    """Self-attention, then the feed-forward block; each with a residual and LayerNorm (post-norm)."""

    def __init__(self, config):
        super().__init__()
        self.attention = BertAttention(config)
        self.intermediate = BertIntermediate(config)
        self.output = BertOutput(config)

    def forward(self, hidden_states, attention_mask=None):
        a = self.attention(hidden_states, attention_mask)
        return self.output(self.intermediate(a), a)


class BertEncoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(config) for _ in range(config.num_hidden_layers)])

    def forward(self, hidden_states, attention_mask=None):
        for layer in self.layer:
            hidden_states = layer(hidden_states, attention_mask)
        return hidden_states


class BertPooler(nn.Module):
    """tanh(dense(first token)): the [CLS] summary BERT was pre-trained to use."""

    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.activation = nn.Tanh()

    def forward(self, hidden_states):
        return self.activation(self.dense(hidden_states[:, 0]))


BaseModelOutputWithPooling = namedtuple("BaseModelOutputWithPooling", ["last_hidden_state", "pooler_output"])


class BertModel(nn.Module):
    """The BERT encoder: embeddings, `num_hidden_layers` transformer layers, optional pooler.

    ``forward(input_ids, attention_mask=None, token_type_ids=None, position_ids=None)`` returns
    ``(last_hidden_state, pooler_output)`` as a named tuple, like Hugging Face's output object.

    Args:
        init_weights: False skips Hugging Face's random initialisation (from_pretrained
            overwrites every weight; drawing them would take seconds).
    """

    def __init__(self, config, add_pooling_layer=True, init_weights=True):
        super().__init__()
        self.config = config
        self.embeddings = BertEmbeddings(config, init_weights)
        self.encoder = BertEncoder(config)
        self.pooler = BertPooler(config) if add_pooling_layer else None
        if init_weights:
            self.apply(self._init_weights)

    def _init_weights(self, module):
        # Hugging Face's initialisation: N(0, initializer_range) weights, zero biases, unit LayerNorm
        std = self.config.initializer_range
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, 0.0, std)
            if isinstance(module, nn.Embedding) and module.padding_idx is not None:
                with no_grad():
                    module.weight[module.padding_idx].zero_()
            if getattr(module, "bias", None) is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.LayerNorm):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)

    def get_input_embeddings(self):
        return self.embeddings.word_embeddings

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, position_ids=None):
        h = self.embeddings(input_ids, token_type_ids, position_ids)
        mask = None
        if attention_mask is not None:
            # 1 = attend, 0 = padding -> an additive mask of 0 and the dtype's lowest value over the
            # keys (not -inf: a row that is all padding then stays finite, as in Hugging Face)
            keep = attention_mask.to(h.dtype)[:, None, None, :]
            mask = (1.0 - keep) * float(np.finfo(h._data.dtype).min)
        h = self.encoder(h, mask)
        pooled = self.pooler(h) if self.pooler is not None else None
        return BaseModelOutputWithPooling(h, pooled)

    @classmethod
    def from_pretrained(cls, path, add_pooling_layer=True):
        """A BertModel from a local folder: config.json plus model.safetensors (or pytorch_model.bin).

        Keys with a ``bert.`` prefix (checkpoints of BertForMaskedLM and the like) load into the
        encoder; task heads are reported and ignored.
        """
        if not os.path.isdir(path):
            raise FileNotFoundError(f"{path!r} is not a folder. ember never downloads models: pass a local folder "
                                    f"with config.json and model.safetensors (e.g. a Hugging Face snapshot)")
        model = cls(BertConfig.from_pretrained(path), add_pooling_layer=add_pooling_layer, init_weights=False)
        _load_into(model, _read_weights(path))
        return model.eval()


def _read_weights(path):
    st = os.path.join(path, "model.safetensors")
    if os.path.exists(st):
        try:
            from ..utils.safetensors import load_file
            return load_file(st)
        except ImportError:
            raise ImportError("reading model.safetensors needs the safetensors package: "
                              "pip install 'ember[text]'") from None
    pt = os.path.join(path, "pytorch_model.bin")
    if os.path.exists(pt):
        from ..serialization import load
        return load(pt)
    raise FileNotFoundError(f"no model.safetensors or pytorch_model.bin in {path!r}")


def _load_into(model, weights):
    """Load a Hugging Face state dict: strip ``bert.``, drop buffers it no longer saves, check the rest."""
    own = model.state_dict()
    state, ignored = {}, []
    for k, v in weights.items():
        k = k[5:] if k.startswith("bert.") else k
        if k in own:
            state[k] = v
        elif not k.endswith("position_ids") and not (k.startswith("pooler.") and model.pooler is None):
            ignored.append(k)  # (position_ids: an old non-trainable buffer, rebuilt on the fly here)
    missing = [k for k in own if k not in state]
    if [k for k in missing if not k.startswith("pooler.")]:
        raise RuntimeError(f"checkpoint lacks weights: {missing}")
    if missing:
        warnings.warn(f"checkpoint has no pooler weights; {missing} keep their random initialisation")
    if ignored:
        warnings.warn(f"weights not used by BertModel: {ignored}")
    model.load_state_dict(state, strict=False)
