"""The draft-tone model: constructive, dismissive, defensive or hostile.

One pipeline per language, the triage recipe (word and character TF-IDF, a calibrated
linear SVM), trained on `data/drafts_train.jsonl` plus the dev part of
`data/drafts_dev.jsonl`; the test part is scored once for the model card. Variants are
compared by 5-fold cross-validation on that pool: TF-IDF alone, with the multilingual
sentence encoder, and with a politeness score learned from the public politeness
corpora (Stanford / TyDiP) — kept only if it measures better.
"""
from __future__ import annotations

import csv
import os
import time
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import Ridge
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline

from ..classify import artefact
from ..classify.features import build_pipeline, clean
from ..classify.metrics import markdown_scores, scores
from ..evaluate import load_jsonl, split_of

TONES = ("constructive", "dismissive", "defensive", "hostile")
TRAIN_DRAFTS = Path("data/drafts_train.jsonl")
EVAL_DRAFTS = Path("data/drafts_dev.jsonl")
FOLDER = Path("models/draft_tone")
DATASETS = Path(os.environ.get("COACH_DATASETS", "../shared/datasets"))
VARIANTS = ("tfidf", "tfidf+use", "tfidf+politeness", "tfidf+findings", "tfidf+use+findings")


def _politeness_corpus(lang: str) -> tuple[list[str], list[float]]:
    """Requests rated for politeness: Stanford (en, 10,956) or TyDiP (ru, 500)."""
    texts, ys = [], []
    if lang == "en":
        for name in ("wikipedia.annotated.csv", "stack-exchange.annotated.csv"):
            with open(DATASETS / "stanford-politeness" / name, encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    texts.append(row["Request"])
                    ys.append(float(row["Normalized Score"]))
    else:
        with open(DATASETS / "tydip" / "all" / "ru_test.csv", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                texts.append(row["sentence"])
                ys.append(float(row["score"]))
    return texts, ys


class PolitenessScore(BaseEstimator, TransformerMixin):
    """One feature: how polite a text sounds, by a ridge regression fitted on human
    politeness ratings of requests (not on our drafts: `fit` ignores its input)."""

    def __init__(self, lang: str = "en", weight: float = 1.0):
        self.lang = lang
        self.weight = weight

    def fit(self, x=None, y=None):
        texts, ys = _politeness_corpus(self.lang)
        self.model_ = make_pipeline(
            TfidfVectorizer(preprocessor=clean, ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            Ridge(alpha=3.0),
        ).fit(texts, ys)
        return self

    def transform(self, x):
        return self.weight * np.asarray(self.model_.predict(list(x))).reshape(-1, 1)

    def get_feature_names_out(self, input_features=None):
        return np.array(["politeness"])


class FindingCounts(BaseEstimator, TransformerMixin):
    """Seven features: how many phrases of each category the rule packs flag in a draft
    (an insult makes a hostile draft likely, blame a defensive one). The checker is
    built on first use and never pickled."""

    def __init__(self, lang: str = "en", weight: float = 0.5):
        self.lang = lang
        self.weight = weight

    def fit(self, x=None, y=None):
        return self

    def transform(self, x):
        from ..rules.checker import shared
        from ..rules.pack import CATEGORIES

        checker = shared(self.lang)
        out = np.zeros((len(x), len(CATEGORIES)))
        for i, text in enumerate(x):
            if text.strip():
                for f in checker.check(text):
                    out[i, CATEGORIES.index(f.category)] += 1
        return self.weight * np.minimum(out, 3.0)

    def get_feature_names_out(self, input_features=None):
        from ..rules.pack import CATEGORIES

        return np.array([f"findings_{c}" for c in CATEGORIES])


def build(variant: str, lang: str):
    pipe = build_pipeline("tfidf+use" if "use" in variant else "tfidf")
    extra = pipe.named_steps["features"].transformer_list
    if "politeness" in variant:
        extra.append(("politeness", PolitenessScore(lang)))
    if "findings" in variant:
        extra.append(("findings", FindingCounts(lang)))
    return pipe


def pools(lang: str, train: Path = TRAIN_DRAFTS, evaluation: Path = EVAL_DRAFTS):
    rows = [r for r in load_jsonl(train) if r["lang"] == lang] if train.exists() else []
    ev = [r for r in load_jsonl(evaluation) if r["lang"] == lang]
    return rows + [r for r in ev if split_of(r["id"]) == "dev"], [r for r in ev if split_of(r["id"]) == "test"]


def _cv(variant: str, lang: str, x: list[str], y: list[str]) -> dict:
    pred: list[str | None] = [None] * len(x)
    for fit_idx, held in StratifiedKFold(5, shuffle=True, random_state=0).split(x, y):
        pipe = build(variant, lang).fit([x[i] for i in fit_idx], [y[i] for i in fit_idx])
        for i, p in zip(held, pipe.predict([x[i] for i in held])):
            pred[i] = p
    return scores(y, pred, TONES)


def train_all(out: Path = FOLDER, log=print) -> dict:
    from ..classify.train import _slim

    t0 = time.perf_counter()
    meta = {"task": "draft_tone", "labels": list(TONES), "languages": {},
            "data": [str(TRAIN_DRAFTS), f"{EVAL_DRAFTS} (dev part)"]}
    for lang in ("en", "ru"):
        pool, test = pools(lang)
        x, y = [r["text"] for r in pool], [r["tone"] for r in pool]
        cv = {}
        for variant in VARIANTS:
            cv[variant] = _cv(variant, lang, x, y)
            log(f"  draft tone {lang} {variant:<17} cross-validated macro-F1 {cv[variant]['macro_f1']:.3f}")
        chosen = max(VARIANTS, key=lambda v: (round(cv[v]["macro_f1"], 3), -VARIANTS.index(v)))
        pipe = build(chosen, lang).fit(x, y)
        test_scores = scores([r["tone"] for r in test], list(pipe.predict([r["text"] for r in test])), TONES)
        log(f"  draft tone {lang} kept {chosen}; test macro-F1 {test_scores['macro_f1']:.3f}")
        artefact.save(_slim(pipe), out, lang, meta)
        meta["languages"][lang] = {"variant": chosen, "train_n": len(pool), "test_n": len(test),
                                   "cv": {v: {"macro_f1": s["macro_f1"], "accuracy": s["accuracy"]}
                                          for v, s in cv.items()},
                                   "test": test_scores}
    artefact.write_metadata(out, meta)
    write_card(out, meta)
    log(f"draft tone trained in {time.perf_counter() - t0:.0f} s")
    return meta


def write_card(folder: Path, meta: dict) -> None:
    lines = ["# Model card: draft tone", "",
             "Predicts the tone of a reply draft (constructive, dismissive, defensive, hostile) for "
             "`Coach.review()`. One scikit-learn pipeline per language: word 1–2-gram and character 2–5-gram "
             "TF-IDF, optionally a sentence encoder or a politeness score, a calibrated linear SVM.",
             "", "## Intended use",
             "Feedback to a person writing a reply, and workshop statistics. A label on a draft, never on a "
             "person; not for grading staff automatically.",
             "", "## Data",
             "Training: `data/drafts_train.jsonl` (written for training by other writers than the evaluation "
             "drafts) and the dev part of `data/drafts_dev.jsonl`. Test: the test part of "
             "`data/drafts_dev.jsonl`, scored once. Variants compared by 5-fold cross-validation on the "
             "training pool.",
             "", "## Variants (cross-validated macro-F1 on the training pool)", "",
             "| language | " + " | ".join(VARIANTS) + " | kept |", "|---" * (len(VARIANTS) + 2) + "|"]
    for lang, info in meta["languages"].items():
        lines.append(f"| {lang} | " + " | ".join(f"{info['cv'][v]['macro_f1']:.3f}" for v in VARIANTS)
                     + f" | {info['variant']} |")
    lines += ["", "`tfidf+politeness` adds one feature: a ridge regression fitted on human politeness ratings "
              "(Stanford Politeness Corpus for English, 10,956 requests; TyDiP's Russian part, 500 requests; "
              "CC BY 4.0, see `../shared/datasets/`). It is kept only where it measures better."]
    for lang, info in meta["languages"].items():
        lines += ["", f"## Test, {lang} ({info['test_n']} drafts; trained on {info['train_n']})", "",
                  markdown_scores(info["test"])]
    lines += ["", "## Limits",
              "- All drafts are written by the project; real replies are longer and mix tones.",
              "- The test part is under 100 drafts per language: one draft moves a class's recall by several "
              "points, and the minority tones have few examples.",
              "", "Library versions and artefact hashes: `metadata.json`. Rebuild with `coach train`."]
    (folder / "MODEL_CARD.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


class ToneModel:
    """The verified draft-tone pipelines, loaded on first use per language."""

    def __init__(self, folder: Path = FOLDER):
        self.folder = folder
        self._pipes: dict = {}

    def predict(self, text: str, lang: str) -> tuple[str, dict[str, float]]:
        return self.predict_many([text], lang)[0]

    def predict_many(self, texts: list[str], lang: str) -> list[tuple[str, dict[str, float]]]:
        """(tone, probabilities) per text; one pass of the pipeline for all of them."""
        if not texts:
            return []
        pipe = self._pipes.get(lang)
        if pipe is None:
            pipe = self._pipes[lang] = artefact.load(self.folder, lang)
        out = []
        for probs in pipe.predict_proba(list(texts)):
            dist = {c: round(float(p), 4) for c, p in zip(pipe.classes_, probs)}
            out.append((max(dist, key=dist.get), dist))
        return out
