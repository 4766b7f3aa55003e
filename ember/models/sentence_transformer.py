"""Sentence embeddings as the ``sentence-transformers`` library computes them, from its saved folders.

A sentence-transformers folder lists its pipeline in ``modules.json``: a Transformer (the BERT
in the folder itself, or in ``0_Transformer``), a Pooling module (``1_Pooling/config.json``:
mean, CLS, max or mean-sqrt-len pooling over the tokens) and optionally Normalize.

    model = SentenceTransformer("path/to/all-MiniLM-L6-v2")
    emb = model.encode(["A sentence.", "Another one."])   # (2, 384) NumPy array

Tokenization uses Hugging Face's ``tokenizers`` package on the folder's tokenizer.json.
"""
import json
import os

import numpy as np

from .. import nn
from .._tensor import _wrap
from ..autograd import no_grad
from ..ops import shape as S
from .bert import BertModel

__all__ = ["SentenceTransformer"]

_TEXT_EXTRA = "pip install 'ember[text]'"
_POOLING_MODES = ("cls_token", "max_tokens", "mean_tokens", "mean_sqrt_len_tokens")  # the order of their outputs


def _read_json(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class SentenceTransformer(nn.Module):
    """A sentence-transformers model (BERT + pooling [+ normalize]) read from a local folder.

    Args:
        model_name_or_path: a local folder as ``SentenceTransformer.save`` writes it (ember never
            downloads; a Hub name raises an error saying so).
        device: only ``"cpu"`` (or None); accepted for sentence-transformers' signature.
    """

    def __init__(self, model_name_or_path, device=None):
        super().__init__()
        path = os.fspath(model_name_or_path)
        if not os.path.isdir(path):
            raise FileNotFoundError(f"{path!r} is not a folder. ember never downloads models: pass a local "
                                    f"sentence-transformers folder (modules.json, config.json, model.safetensors, "
                                    f"tokenizer.json)")
        try:
            import tokenizers
        except ImportError:
            raise ImportError(f"SentenceTransformer needs the tokenizers package: {_TEXT_EXTRA}") from None
        modules = _read_json(os.path.join(path, "modules.json"),
                             [{"path": "", "type": "sentence_transformers.models.Transformer"},
                              {"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}])
        kinds = {m["type"].rsplit(".", 1)[-1]: os.path.join(path, m["path"]) for m in modules}
        unknown = set(kinds) - {"Transformer", "Pooling", "Normalize"}
        if unknown:
            raise NotImplementedError(f"sentence-transformers modules {sorted(unknown)} are not supported by ember")
        folder = kinds.get("Transformer", path)

        self.auto_model = BertModel.from_pretrained(folder, add_pooling_layer=False)
        st_config = _read_json(os.path.join(folder, "sentence_bert_config.json"), {})
        tok_config = _read_json(os.path.join(folder, "tokenizer_config.json"), {})
        limit = min(tok_config.get("model_max_length", 10 ** 9), self.auto_model.config.max_position_embeddings)
        self.max_seq_length = min(st_config.get("max_seq_length") or limit, limit)
        self.do_lower_case = st_config.get("do_lower_case", False)
        self.tokenizer = tokenizers.Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
        # tokenizer.json may carry its own fixed padding and truncation; sentence-transformers
        # pads each batch to its longest sentence and truncates at max_seq_length instead
        pad = self.tokenizer.padding or {}
        self.tokenizer.enable_padding(pad_id=pad.get("pad_id", 0), pad_token=pad.get("pad_token", "[PAD]"))
        self.tokenizer.enable_truncation(self.max_seq_length)

        pooling = _read_json(os.path.join(kinds["Pooling"], "config.json"), {}) if "Pooling" in kinds else \
            {"pooling_mode_mean_tokens": True}
        self.pooling_modes = [m for m in _POOLING_MODES if pooling.get("pooling_mode_" + m)]
        other = [k for k, v in pooling.items() if k.startswith("pooling_mode_") and v
                 and k[len("pooling_mode_"):] not in _POOLING_MODES]
        if other or not self.pooling_modes:
            raise NotImplementedError(f"pooling {other or pooling} is not supported by ember")
        self.normalize = "Normalize" in kinds
        self.eval()

    # ------------------------------------------------------------------ the pipeline
    def tokenize(self, texts):
        """Token ids, attention mask and token type ids of `texts`, padded to the longest one."""
        if self.do_lower_case:
            texts = [t.lower() for t in texts]
        self.tokenizer.enable_truncation(self.max_seq_length)  # max_seq_length may have been changed
        enc = self.tokenizer.encode_batch(list(texts))
        arrays = {k: np.array([getattr(e, a) for e in enc], dtype=np.int64) for k, a in
                  (("input_ids", "ids"), ("attention_mask", "attention_mask"), ("token_type_ids", "type_ids"))}
        return {k: _wrap(v) for k, v in arrays.items()}

    def forward(self, features):
        """Adds ``token_embeddings`` and ``sentence_embedding`` to the tokenized `features`."""
        mask = features["attention_mask"]
        h = self.auto_model(features["input_ids"], attention_mask=mask,
                            token_type_ids=features.get("token_type_ids")).last_hidden_state
        features = dict(features, token_embeddings=h)
        features["sentence_embedding"] = self._pool(h, mask)
        return features

    def _pool(self, h, mask):
        m = mask.unsqueeze(-1).to(h.dtype)
        out = []
        for mode in self.pooling_modes:
            if mode == "cls_token":
                out.append(h[:, 0])
            elif mode == "max_tokens":
                out.append(h.masked_fill(m == 0, -1e9).amax(1))
            else:  # mean over the real tokens: padding has mask 0
                summed = (h * m).sum(1)
                n = m.sum(1).clamp(min=1e-9)
                out.append(summed / (n if mode == "mean_tokens" else n.sqrt()))
        return out[0] if len(out) == 1 else S.cat(out, 1)

    def encode(self, sentences, batch_size=32, show_progress_bar=False, output_value="sentence_embedding",
               convert_to_numpy=True, convert_to_tensor=False, normalize_embeddings=False):
        """Embed `sentences` (a string or a list of them) as sentence-transformers' ``encode`` does.

        Sentences are sorted by length so that each batch holds similar lengths (less padding),
        run in batches of `batch_size`, and returned in the order given.
        """
        single = isinstance(sentences, str)
        if single:
            sentences = [sentences]
        order = np.argsort([-len(s) for s in sentences], kind="stable")
        batches = range(0, len(sentences), batch_size)
        if show_progress_bar:
            try:
                from tqdm.auto import tqdm
                batches = tqdm(batches, desc="Batches")
            except ImportError:
                pass
        found = []
        with no_grad():
            for start in batches:
                features = self.tokenize([sentences[i] for i in order[start:start + batch_size]])
                out = self.forward(features)
                if output_value == "token_embeddings":  # each sentence's real tokens only
                    n = features["attention_mask"]._data.sum(1)
                    found.extend(t[:k] for t, k in zip(out["token_embeddings"], n))
                    continue
                emb = out["sentence_embedding"]
                if normalize_embeddings or self.normalize:
                    emb = nn.functional.normalize(emb, p=2, dim=1)
                found.append(emb._data)
        back = np.argsort(order)  # from length order back to the order given
        if output_value == "token_embeddings":
            result = [found[i] for i in back]
            return result[0] if single else result
        if not found:
            return np.array([]) if convert_to_numpy and not convert_to_tensor else []
        emb = _wrap(np.concatenate(found)[back])
        if convert_to_tensor:
            return emb[0] if single else emb
        if convert_to_numpy:
            return emb._data[0] if single else emb._data
        return emb[0] if single else list(emb)

    def get_sentence_embedding_dimension(self):
        return self.auto_model.config.hidden_size * len(self.pooling_modes)

    def get_max_seq_length(self):
        return self.max_seq_length
