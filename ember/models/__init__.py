"""Pretrained text models read from local Hugging Face / sentence-transformers folders.

``BertModel`` mirrors ``transformers.BertModel`` (its state_dict keys are Hugging Face's) and
``SentenceTransformer`` reproduces ``sentence_transformers.SentenceTransformer.encode``. They
need the text extras (``pip install 'ember[text]'``: tokenizers and safetensors) only when a
model is loaded. Vision models are in ``ember.vision.models``, as in torchvision.
"""
from .bert import BertConfig, BertModel  # noqa: F401
from .sentence_transformer import SentenceTransformer  # noqa: F401
