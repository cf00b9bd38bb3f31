"""Triage: the three models, the urgent safety net and the playbook behind `Coach.triage`.

Models are loaded on first use per task and language, verified (sha256, library
versions) before unpickling. Reasons are what a person can check: the urgent and
complex cues found (and those set aside as negated-away or already resolved), and the
words of the message that pushed each model towards its label.
"""
from __future__ import annotations

import hashlib
import json
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
import sklearn
from scipy import sparse

from ..classify import artefact
from ..classify.data import LABELS, TASKS
from ..classify.encoders import PER_TEXT, SentenceEncoder, encode, encode_ahead
from ..classify.features import FAST_SUFFIX
from ..playbook import Playbook
from ..results import Triage
from .safety import SafetyNet
from .severity import decide

_WORDS_PREFIX = "words__"


def _fingerprint(part) -> str:
    """Identity of a fitted feature step: equal fingerprints transform text equally."""
    if hasattr(part, "vocabulary_"):
        h = hashlib.sha256(repr(sorted(part.vocabulary_.items())).encode("utf-8"))
        h.update(part.idf_.tobytes())
        h.update(repr(part.get_params()).encode("utf-8"))
        return h.hexdigest()
    return repr(part.get_params())


@lru_cache(maxsize=None)
def _stop_words(lang: str) -> frozenset[str]:
    from spacy.util import get_lang_class

    # the language's defaults, not spacy.blank(lang): a whole pipeline (vocabulary,
    # tokenizer) per model only to read a word list cost about 10 MB each
    return frozenset(get_lang_class(lang).Defaults.stop_words) | {"walker", "выгульщик"}


class _Model:
    """One verified pipeline with what `reasons` needs: word features and weights."""

    def __init__(self, folder: Path, lang: str, fast: bool = False):
        self.pipe = artefact.load(folder, f"{lang}{FAST_SUFFIX}" if fast else lang)
        meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
        self.info = meta["fast" if fast else "languages"][lang]
        self.classes = list(self.pipe.classes_)
        names = self.pipe.named_steps["features"].get_feature_names_out()
        stop = _stop_words(lang)
        # Only n-grams a person can read as a cue: not made of stop words alone ("is the").
        self.word_idx = np.array([i for i, n in enumerate(names) if n.startswith(_WORDS_PREFIX)
                                  and any(w not in stop and len(w) > 2 for w in n[len(_WORDS_PREFIX):].split())])
        self.word_names = [names[i][len(_WORDS_PREFIX):] for i in self.word_idx]
        self.word_pos = np.full(len(names), -1, dtype=np.int64)  # feature -> index in word_idx
        self.word_pos[self.word_idx] = np.arange(len(self.word_idx))
        clf = self.pipe.named_steps["classifier"]
        coefs = np.mean([c.estimator.coef_ for c in clf.calibrated_classifiers_], axis=0)
        if coefs.shape[0] == 1:  # binary: one row for the positive class
            coefs = np.vstack([-coefs[0], coefs[0]])
        self.word_coefs = coefs[:, self.word_idx]
        self.parts = self.pipe.named_steps["features"].transformer_list
        self.part_keys = [_fingerprint(part) for _, part in self.parts]

    def analyse(self, texts: list[str], memo: dict, vectors: dict[str, np.ndarray]):
        """Class probabilities per text, and the feature rows that `top_words` explains.

        The three models of a language are fitted on the same messages, so their TF-IDF
        vectorizers are identical: `memo` (one per call) lets them share one transform
        instead of three. Sentence vectors come in `vectors`, computed once per kind."""
        blocks = []
        for (name, part), key in zip(self.parts, self.part_keys):
            if key not in memo:
                memo[key] = vectors[part.kind] * part.weight if isinstance(part, SentenceEncoder) \
                    else part.transform(texts)
            blocks.append(memo[key])
        x = sparse.hstack(blocks).tocsr()
        with sklearn.config_context(assume_finite=True):
            p = self.pipe.named_steps["classifier"].predict_proba(x)
        return [dict(zip(self.classes, map(float, row))) for row in p], x

    def top_words(self, x, label: str, k: int = 3) -> list[str]:
        """The message's word n-grams that weigh most towards `label` (`x`: its one row).

        Only the row's non-zero features can weigh, so only they are ranked (ties in
        feature order), instead of sorting every word feature of the vocabulary."""
        row = sparse.csr_matrix(x)
        pos = self.word_pos[row.indices]
        keep = pos >= 0
        pos = pos[keep]
        contrib = row.data[keep] * self.word_coefs[self.classes.index(label)][pos]
        order = np.lexsort((pos, -contrib))
        return [self.word_names[pos[i]] for i in order[:k] if contrib[i] > 0]


class Triager:
    """`fast`: the TF-IDF-only models (see the model cards), for archives."""

    def __init__(self, models_dir: Path, playbooks: dict[str, Playbook], fast: bool = False):
        self.models_dir = Path(models_dir)
        self.playbooks = playbooks
        self.fast = fast
        self._models: dict[tuple[str, str], _Model] = {}
        self._nets: dict[str, SafetyNet] = {}
        self._lock = threading.Lock()

    def _model(self, task: str, lang: str) -> _Model:
        key = (task, lang)
        if key not in self._models:
            with self._lock:
                if key not in self._models:
                    self._models[key] = _Model(self.models_dir / task, lang, self.fast)
        return self._models[key]

    def _net(self, lang: str) -> SafetyNet:
        if lang not in self._nets:
            with self._lock:
                if lang not in self._nets:
                    self._nets[lang] = SafetyNet(lang)
        return self._nets[lang]

    def triage(self, text: str, lang: str) -> Triage:
        return self.triage_many([text], lang)[0]

    def triage_many(self, texts: list[str], lang: str) -> list[Triage]:
        """Triage several messages of one language in one pass, with exactly the results
        of one at a time: TF-IDF and the linear models take all rows in one call (their
        rows do not interact) and USE encodes one flat batch (its vectors do not depend on
        their neighbours), while MiniLM still encodes one text per call, since its int8
        activations are scaled per call and a batch would change a message's vector."""
        models = {task: self._model(task, lang) for task in TASKS}
        kinds = sorted({part.kind for m in models.values() for _, part in m.parts
                        if isinstance(part, SentenceEncoder)})
        if len(texts) == 1:
            encode_ahead(kinds, texts[0])
        vectors = {kind: np.vstack([encode(kind, [t]) for t in texts]) if kind in PER_TEXT
                   else encode(kind, list(texts)) for kind in kinds}
        memo: dict = {}
        analysed = {task: m.analyse(texts, memo, vectors) for task, m in models.items()}
        net = self._net(lang)
        playbook = self.playbooks.get(lang, self.playbooks["en"])
        policy = models["severity"].info.get("policy", {})
        out = []
        for i, text in enumerate(texts):
            rows = {task: a[1][i] for task, a in analysed.items()}
            scores = {task: {lab: round(a[0][i].get(lab, 0.0), 4) for lab in LABELS[task]}
                      for task, a in analysed.items()}
            cues = net.cues(text)
            severity = decide(scores["severity"], cues, policy.get("urgent_threshold", 0.5),
                              policy.get("complex_cues_lift", False), policy.get("cue_floor", 0.0))
            tone = max(scores["tone"], key=scores["tone"].get)
            category = max(scores["category"], key=scores["category"].get)
            reasons = self._reasons(rows, models, scores, cues, severity, tone, category, policy)
            out.append(Triage(lang=lang, severity=severity, tone=tone, category=category, scores=scores,
                              route=playbook.route(severity, category), reasons=reasons))
        return out

    @staticmethod
    def _reasons(rows, models, scores, cues, severity, tone, category, policy) -> list[str]:
        out = []
        live = [c for c in cues if c.live]
        for c in live:
            if c.kind == "urgent":
                out.append(f"urgent cue «{c.text}»: {c.reason}")
        for c in live:
            if c.kind == "complex":
                out.append(f"complex cue «{c.text}»: {c.reason}")
        for c in cues:
            if not c.live:
                out.append(f"«{c.text}» set aside: the message says it is over or only a possibility")
        if severity == "urgent" and not any(c.kind == "urgent" for c in live):
            out.append(f"urgent: the model gives {scores['severity']['urgent']:.0%} "
                       f"(threshold {policy.get('urgent_threshold', 0.5):.0%})")
        for task, label in (("severity", severity), ("tone", tone), ("category", category)):
            words = models[task].top_words(rows[task], label) if label in models[task].classes else []
            if words:
                out.append(f"{task} {label}: words " + ", ".join(f"«{w}»" for w in words))
        return out
