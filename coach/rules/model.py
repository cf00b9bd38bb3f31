"""The learned layer of the checker: a linear model that flags clauses the rules missed.

Rules are precise but only catch the phrasings someone wrote down; people paraphrase
("let's not blow this out of proportion" is as dismissive as "calm down"). This layer
scores each clause of a draft for each finding category from its lemmas and lemma
pairs, and flags a clause whose score passes a threshold chosen on the dev drafts. It
runs on the tokens the rules already computed, with a dictionary look-up per feature,
so it adds tens of microseconds, not a second pipeline.

The model is stored as JSON (feature strings, weights, thresholds), never pickled; its
sha256 is checked against `metadata.json` before it is read.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy
from spacy.attrs import IDX, IS_SPACE, LEMMA, LOWER
from spacy.tokens import Doc

from ..classify.artefact import ArtefactError, sha256_of
from . import vectors as vector_tables
from .vectors import mean_vector

_MASK = (1 << 64) - 1
# Stands for "start of clause" in the pair (start, first lemma); not 0, which would
# make the pair's key equal to the lemma's own.
START = 0x9E3779B97F4A7C15
# Tokens that end a clause; conjunctions that open a new one are in the model file
# (they are language data), as are the words a clause span is trimmed of.
SENTENCE_BREAKS = frozenset([".", "!", "?", ";", "…", "...", "!!", "!!!", "?!", "?!!", "??", "???", "\n", "\n\n"])
CLAUSE_BREAKS = frozenset([",", "—", "–", "-", ":", "(", ")", "--"])


def pair_key(a: int, b: int) -> int:
    """One key for an ordered lemma pair, stable across machines (spaCy hashes are)."""
    return ((a * 1_000_003) ^ b) & _MASK


def split_units(lowers: list[str], granularity: str, openers: frozenset[str]) -> list[tuple[int, int]]:
    """Token spans of a draft's clauses (or sentences). Whitespace and break tokens are
    left out of every span; a span is at least one word long."""
    breaks = SENTENCE_BREAKS | (CLAUSE_BREAKS if granularity == "clause" else frozenset())
    units, start = [], None
    for i, low in enumerate(lowers):
        stripped = low.strip()
        is_break = low in breaks or not stripped or ("\n" in low and not stripped)
        if granularity == "clause" and low in openers and start is not None:
            units.append((start, i))
            start = i
            continue
        if is_break:
            if start is not None:
                units.append((start, i))
                start = None
        elif start is None:
            start = i
    if start is not None:
        units.append((start, len(lowers)))
    return units


def unit_features(lemmas: list[int], start: int, end: int) -> list[int]:
    """Feature keys of one clause: its lemmas and its adjacent lemma pairs, plus the
    pair (start-of-clause, first lemma) so clause openers like "calm down" differ from
    "the dog will calm down"."""
    keys = lemmas[start:end]
    out = list(keys)
    out.append(pair_key(START, keys[0]))
    for a, b in zip(keys, keys[1:]):
        out.append(pair_key(a, b))
    return out


@dataclass(frozen=True)
class UnitScore:
    start: int  # token offsets in the doc
    end: int
    category: str
    score: float


class PhraseModel:
    """Scores the clauses of a spaCy doc for each finding category."""

    def __init__(self, spec: dict, strings, vectors=None):
        """`vectors`: (lemma -> row, table) for a spec with lemma vectors ("dense")."""
        self.lang = spec["lang"]
        self.granularity = spec["granularity"]
        self.categories: list[str] = list(spec["categories"])
        self.openers = frozenset(spec["openers"])
        self.trim = frozenset(spec["trim"])
        self.thresholds = numpy.array([spec["thresholds"][c] for c in self.categories])
        # compare raw scores with the thresholds' logits: no sigmoid per clause
        clipped = numpy.clip(self.thresholds, 1e-9, 1 - 1e-9)
        self._logits = numpy.where(self.thresholds >= 1.0, numpy.inf, numpy.log(clipped / (1 - clipped)))
        self.bias = numpy.array(spec["bias"], dtype="float64")
        self.weights = numpy.array(spec["weights"], dtype="float64").reshape(len(spec["features"]), -1)
        self.index: dict[int, int] = {}
        for row, feature in enumerate(spec["features"]):
            self.index[self.key_of(feature, strings)] = row
        # a zero row for clauses with no known feature, so one reduceat covers them all
        self.weights = numpy.vstack([self.weights, numpy.zeros((1, self.weights.shape[1]))])
        self._zero = len(spec["features"])
        self._breaks = {strings.add(w) for w in SENTENCE_BREAKS | (CLAUSE_BREAKS if self.granularity == "clause" else set())}
        self._opener_keys = {strings.add(w) for w in self.openers}
        self._dense = None
        if spec.get("dense"):
            if vectors is None:
                raise ArtefactError(f"the {self.lang} learned layer needs its lemma vectors")
            index, table = vectors
            self._vector_rows = {strings.add(w): i for w, i in index.items()}
            self._table = numpy.asarray(table, dtype=numpy.float32)
            self._dense = numpy.array(spec["dense"]["weights"], dtype="float64")   # (dims, categories)

    @staticmethod
    def key_of(feature: list[str], strings) -> int:
        if len(feature) == 1:
            return strings.add(feature[0])
        a = START if feature[0] == "^" else strings.add(feature[0])
        return pair_key(a, strings.add(feature[1]))

    @classmethod
    def load(cls, folder: Path, lang: str, strings) -> "PhraseModel":
        """Read `<folder>/<lang>.json` after checking its sha256 in metadata.json."""
        path = folder / f"{lang}.json"
        meta_path = folder / "metadata.json"
        rebuild = "rebuild it with `coach train --checker`"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            expected = meta["artefacts"][path.name]
        except (OSError, ValueError, KeyError) as exc:
            raise ArtefactError(f"{meta_path} is missing or unreadable ({exc}); {rebuild}") from None
        if not path.exists() or sha256_of(path) != expected:
            raise ArtefactError(f"{path} is missing or does not match its sha256 in {meta_path.name}; {rebuild}")
        spec = json.loads(path.read_text(encoding="utf-8"))
        vectors = None
        if spec.get("dense"):
            vpath = folder / spec["dense"]["vectors"]
            if not vpath.exists() or sha256_of(vpath) != meta["artefacts"].get(vpath.name):
                raise ArtefactError(f"{vpath} is missing or does not match its sha256 in {meta_path.name}; {rebuild}")
            lemmas, table = vector_tables.load(vpath)
            vectors = ({w: i for i, w in enumerate(lemmas)}, table)
        return cls(spec, strings, vectors)

    def units(self, doc: Doc, quoted: list[tuple[int, int]] = ()) -> list[tuple[int, int]]:
        """The same spans as `split_units`, from hashes (no Python string per token).
        Tokens inside `quoted` character regions break units and belong to none: a
        phrase the writer quotes is not one they use."""
        if not len(doc):
            return []
        arr = doc.to_array([LOWER, IS_SPACE, IDX])
        lowers, spaces = arr[:, 0].tolist(), arr[:, 1].tolist()
        if quoted:
            for i, idx in enumerate(arr[:, 2].tolist()):
                if any(q_s <= idx < q_e for q_s, q_e in quoted):
                    spaces[i] = 1
        units, start = [], None
        clause = self.granularity == "clause"
        for i, h in enumerate(lowers):
            if clause and h in self._opener_keys and start is not None:
                units.append((start, i))
                start = i
                continue
            if h in self._breaks or spaces[i]:
                if start is not None:
                    units.append((start, i))
                    start = None
            elif start is None:
                start = i
        if start is not None:
            units.append((start, len(lowers)))
        return units

    def raw_scores(self, doc: Doc, units: list[tuple[int, int]]) -> numpy.ndarray:
        """Linear scores (logits) per unit and category, shape (units, categories)."""
        lemmas = doc.to_array(LEMMA).tolist()
        get = self.index.get
        rows: list[int] = []
        offsets: list[int] = []
        for s, e in units:
            offsets.append(len(rows))
            # binary features, as in training: a repeated word counts once
            rows.extend({r for r in map(get, unit_features(lemmas, s, e)) if r is not None})
            rows.append(self._zero)
        z = self.bias + numpy.add.reduceat(self.weights[rows], offsets, axis=0)
        if self._dense is not None:
            get_row = self._vector_rows.get
            means = numpy.vstack([mean_vector([r for r in map(get_row, lemmas[s:e]) if r is not None], self._table)
                                  for s, e in units])
            z = z + means @ self._dense
        return z

    def scores(self, doc: Doc, units: list[tuple[int, int]] | None = None) -> numpy.ndarray:
        """Probability per unit and category, shape (units, categories)."""
        if units is None:
            units = self.units(doc)
        if not units:
            return numpy.empty((0, len(self.categories)))
        return 1.0 / (1.0 + numpy.exp(-self.raw_scores(doc, units)))

    def predict(self, doc: Doc, quoted: list[tuple[int, int]] = ()) -> list[UnitScore]:
        """Clauses whose score passes their category's threshold, trimmed of openers."""
        units = self.units(doc, quoted)
        if not units:
            return []
        z = self.raw_scores(doc, units)
        hits = numpy.argwhere(z >= self._logits)
        found = []
        for u, c in hits.tolist():
            ts, te = self._trimmed(doc, *units[u])
            found.append(UnitScore(ts, te, self.categories[c], float(1.0 / (1.0 + numpy.exp(-z[u, c])))))
        return found

    def _trimmed(self, doc: Doc, s: int, e: int) -> tuple[int, int]:
        """The unit without the openers, punctuation and spaces at its ends."""
        def loose(tok) -> bool:
            return tok.lower_ in self.trim or tok.is_punct or tok.is_space

        while s < e - 1 and loose(doc[s]):
            s += 1
        while e > s + 1 and loose(doc[e - 1]):
            e -= 1
        return s, e

