"""Training the checker's learned layer (see coach.rules.model).

Training data: every rule's examples (wrong sentences with their span, right sentences),
`data/drafts_train.jsonl` and `data/drafts_train_2.jsonl` (drafts written for training
by eight other writers than the evaluation drafts' in two rounds, never seen by the rule
writers) and the dev part of
`data/drafts_dev.jsonl`. A clause or sentence is a positive for a category when it
overlaps a gold span of that category.

Choices are made out of fold: the drafts are cut into five folds by a hash of the id,
and each fold is scored by a model fitted without it, together with the rules' own
findings; they are scored on the second-round drafts only, which no rule was written
from (the first round's misses and dev's errors were turned into rules). Per category, the threshold is the lowest at which what the layer ADDS to the
rules is right at least 85% of the time and adds a false alarm to at most 1% of
flag-free drafts (1.5% for all categories together); units and regularisation are those with the best F1 of rules + layer.
The test part of `data/drafts_dev.jsonl` is never read here.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy
import yaml
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from scipy import sparse

from ..classify.artefact import sha256_of, write_metadata
from ..evaluate import evaluate_checker, gold_spans, load_jsonl, split_of
from ..nlp import lemmatizer, pipeline
from ..text import normalise
from .checker import Checker
from . import vectors as vector_tables
from .model import PhraseModel, split_units
from .vectors import DIMS, mean_vector
from .pack import CATEGORIES, load_rules

TRAIN_DRAFTS = (Path("data/drafts_train.jsonl"), Path("data/drafts_train_2.jsonl"))
# The second round was kept from the rule writers (the rules were extended from the first
# round's misses and from dev): the only drafts on which the rules' figures are honest.
RULES_NEVER_SAW = Path("data/drafts_train_2.jsonl")
EVAL_DRAFTS = Path("data/drafts_dev.jsonl")
GRANULARITIES = ("clause", "sentence")
CS = (0.1, 0.3, 1.0)
FOLDS = 5
THRESHOLDS = tuple(round(t, 2) for t in numpy.arange(0.30, 0.991, 0.01))
# What the layer adds to the rules must be right this often (out of fold), and add a
# false alarm to at most this share of flag-free drafts per category.
DENSE_SCALE = 3.0
MIN_ADDED_PRECISION = 0.85
MAX_ADDED_ALARMS_PER_CATEGORY = 0.01
MAX_ADDED_ALARMS = 0.015


@lru_cache(maxsize=1)
def clause_words() -> dict:
    with resources.files("coach.resources").joinpath("clauses.yml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=None)
def _stop_words(lang: str) -> frozenset[str]:
    return frozenset(pipeline(lang).Defaults.stop_words)


class Prepared:
    """A text normalised and tokenised once, with its units per granularity."""

    def __init__(self, text: str, lang: str, gold: list[tuple[str, int, int]]):
        self.lang = lang
        lem = lemmatizer(lang)
        self.text = text
        self.norm = normalise(text, lem.is_known, "cyrillic" if lang == "ru" else "latin")
        self.doc = pipeline(lang)(self.norm.text)
        self.lemmas = [t.lemma_ for t in self.doc]
        self.gold = gold
        self.units = {g: split_units([t.lower_ for t in self.doc], g, frozenset(clause_words()[lang]["openers"]))
                      for g in GRANULARITIES}

    def source_span(self, s: int, e: int) -> tuple[int, int]:
        return self.norm.source_span(self.doc[s].idx, self.doc[e - 1].idx + len(self.doc[e - 1].text))

    def features(self, s: int, e: int) -> list[str]:
        """Lemmas (but not stop words alone: "you" or "your" on its own made any
        sentence addressed to the client look like blame), the clause's first lemma,
        and adjacent lemma pairs ("your fault", "you never")."""
        keys = self.lemmas[s:e]
        stop = _stop_words(self.lang)
        out = ["\x1f".join(("", k)) for k in keys if k not in stop]  # a unigram: one empty head
        out.append("\x1f".join(("^", keys[0])))
        out += ["\x1f".join(pair) for pair in zip(keys, keys[1:])]
        return out

    def dense(self, s: int, e: int, vectors) -> numpy.ndarray:
        """The clause's mean lemma vector, as `PhraseModel` computes it at run time."""
        index, table = vectors
        return mean_vector([index[w] for w in self.lemmas[s:e] if w in index], table)

    def labelled_units(self, granularity: str, vectors=None):
        for s, e in self.units[granularity]:
            cs, ce = self.source_span(s, e)
            cats = {c for c, gs, ge in self.gold if gs < ce and cs < ge}
            yield self.features(s, e), (self.dense(s, e, vectors) if vectors else None), cats


def _feature_tuple(name: str) -> list[str]:
    head, word = name.split("\x1f", 1)
    return [word] if head == "" else [head, word]


def rule_examples(lang: str) -> list[Prepared]:
    """Every rule's examples, prepared: wrong sentences with their span, right ones; and
    the review's move examples ("I'm so sorry that Biscuit came home with a sore paw"),
    every one a sentence of a good reply, so none is a finding."""
    from ..review.moves import load_moves

    out = []
    for rule in load_rules(lang):
        for ex in rule.wrong:
            out.append(Prepared(ex.text, lang, [(rule.category, *ex.span)]))
        for ex in rule.right:
            out.append(Prepared(ex.text, lang, []))
    for move in load_moves(lang):
        for ex in move.wrong:
            out.append(Prepared(ex.text, lang, []))
    return out


class _Features:
    """Binary lemma features, and optionally the clause's lemma vector scaled by
    DENSE_SCALE (a unit vector's 64 components are small beside binary features)."""

    def __init__(self, dense: bool):
        self.dense = dense
        self.words = CountVectorizer(analyzer=lambda feats: feats, binary=True, min_df=2)

    def fit_transform(self, rows):
        return self._stack(self.words.fit_transform([r[0] for r in rows]), rows)

    def transform(self, rows):
        return self._stack(self.words.transform([r[0] for r in rows]), rows)

    def _stack(self, x, rows):
        if not self.dense:
            return x
        return sparse.hstack([x, sparse.csr_matrix(numpy.vstack([r[1] for r in rows]) * DENSE_SCALE)]).tocsr()


class _Fitted:
    def __init__(self, features: _Features, ovr):
        self.features, self.ovr = features, ovr

    def predict_proba(self, rows) -> numpy.ndarray:
        """Probabilities for (features, lemma vector) rows, as trained."""
        return self.ovr.predict_proba(self.features.transform(rows))


def fit(prepared: list[Prepared], granularity: str, c: float, vectors=None) -> _Fitted:
    rows, y = [], []
    for p in prepared:
        for feats, dense, cats in p.labelled_units(granularity, vectors):
            rows.append((feats, dense))
            y.append([int(cat in cats) for cat in CATEGORIES])
    features = _Features(vectors is not None)
    ovr = OneVsRestClassifier(LogisticRegression(C=c, class_weight="balanced", max_iter=5000))
    ovr.fit(features.fit_transform(rows), numpy.array(y))
    return _Fitted(features, ovr)


def spec_of(fitted: _Fitted, lang: str, granularity: str, thresholds: dict[str, float],
            vectors_file: str | None = None) -> dict:
    """The model as plain data for PhraseModel: features with a weight above 1e-4, and
    the lemma-vector weights (scale folded in) when it has them."""
    vec, ovr = fitted.features.words, fitted.ovr
    n = len(vec.get_feature_names_out())
    width = n + (DIMS if fitted.features.dense else 0)
    # a category with no positive (or no negative) unit is a constant: zero weights and
    # a bias that keeps it silent (or always on)
    coef = numpy.vstack([est.coef_[0] if hasattr(est, "coef_") else numpy.zeros(width)
                         for est in ovr.estimators_]).T  # (features, categories)
    bias = [float(est.intercept_[0]) if hasattr(est, "intercept_") else (30.0 if est.y_[0] else -30.0)
            for est in ovr.estimators_]
    keep = numpy.flatnonzero(numpy.abs(coef[:n]).max(axis=1) > 1e-4)
    names = vec.get_feature_names_out()
    words = clause_words()[lang]
    spec = {
        "lang": lang,
        "granularity": granularity,
        "categories": list(CATEGORIES),
        "openers": sorted(words["openers"]),
        "trim": sorted(words["trim"]),
        "thresholds": thresholds,
        "bias": [round(b, 5) for b in bias],
        "features": [_feature_tuple(names[i]) for i in keep],
        "weights": [[round(float(w), 5) for w in coef[i]] for i in keep],
    }
    if fitted.features.dense:
        spec["dense"] = {"vectors": vectors_file,
                         "weights": [[round(float(w) * DENSE_SCALE, 5) for w in row] for row in coef[n:]]}
    return spec


def _unit_scores(model: PhraseModel, p: Prepared) -> list[tuple[int, int, numpy.ndarray]]:
    units = p.units[model.granularity]
    if not units:
        return []
    probs = model.scores(p.doc, units)
    out = []
    for (s, e), row in zip(units, probs):
        ts, te = model._trimmed(p.doc, s, e)
        out.append((*p.source_span(ts, te), row))
    return out


def fold_of(row_id: str) -> int:
    return int(hashlib.sha256(row_id.encode("utf-8")).hexdigest()[:8], 16) % FOLDS


def out_of_fold(lang: str, base: list[Prepared], pool: list[tuple[dict, Prepared]], granularity: str,
                c: float, vectors=None) -> dict[str, list]:
    """Unit scores of every pool draft from a model fitted without its fold (the rule
    examples are in every fold's training data and never scored)."""
    strings = pipeline(lang).vocab.strings
    out = {}
    for fold in range(FOLDS):
        fit_on = base + [p for row, p in pool if fold_of(row["id"]) != fold]
        fitted = fit(fit_on, granularity, c, vectors)
        model = PhraseModel(spec_of(fitted, lang, granularity, {k: 1.0 for k in CATEGORIES}), strings,
                            vectors=vectors)
        for row, p in pool:
            if fold_of(row["id"]) == fold:
                out[row["id"]] = _unit_scores(model, p)
    return out


def rule_findings(lang: str, rows: list[dict]) -> dict[str, list[tuple[str, int, int]]]:
    checker = Checker(lang)
    return {r["id"]: [(f.category, f.start, f.end) for f in checker.check(r["text"])] for r in rows}


def added(units, rules, thresholds: dict[str, float]) -> list[tuple[str, int, int]]:
    """What the layer adds to the rules' findings, as `Checker._with_learned` does."""
    out = []
    for s, e, probs in units:
        for k, cat in enumerate(CATEGORIES):
            if probs[k] >= thresholds[cat] and not any(rc == cat and rs < e and s < re_ for rc, rs, re_ in rules):
                out.append((cat, s, e))
    return out


def _marginal(rows, oof, rules, cat: str, t: float) -> tuple[int, int, int]:
    """(right, wrong, alarms on flag-free drafts) of the layer's additions in `cat`."""
    right = wrong = alarms = 0
    for row in rows:
        gold = [(gc, gs, ge) for gc, gs, ge in gold_spans(row) if gc == cat]
        covered = [g for g in gold if any(rc == cat and rs < g[2] and g[1] < re_ for rc, rs, re_ in rules[row["id"]])]
        new = added(oof[row["id"]], rules[row["id"]], {c: (t if c == cat else 2.0) for c in CATEGORIES})
        for _, s, e in new:
            if any(gs < e and s < ge for _, gs, ge in gold if (cat, gs, ge) not in covered):
                right += 1
            else:
                wrong += 1
        alarms += bool(new) and not row["flags"]
    return right, wrong, alarms


def choose_thresholds(rows, oof, rules) -> dict[str, float]:
    """Per category, the lowest threshold at which the layer's own additions are right at
    least MIN_ADDED_PRECISION of the time (out of fold), and add few false alarms."""
    clean = max(1, sum(1 for r in rows if not r["flags"]))
    chosen = {}
    for cat in CATEGORIES:
        chosen[cat] = 1.0
        for t in THRESHOLDS:
            right, wrong, alarms = _marginal(rows, oof, rules, cat, t)
            if right + wrong >= 3 and right / (right + wrong) >= MIN_ADDED_PRECISION \
                    and alarms / clean <= MAX_ADDED_ALARMS_PER_CATEGORY:
                chosen[cat] = t
                break
    # then, all categories together: raise the threshold of the category adding the
    # most false alarms until the layer adds them to at most MAX_ADDED_ALARMS drafts
    while True:
        alarmed = {}
        for row in rows:
            if not row["flags"]:
                for cat, _, _ in added(oof[row["id"]], rules[row["id"]], chosen):
                    alarmed.setdefault(cat, set()).add(row["id"])
        total = len(set().union(*alarmed.values())) if alarmed else 0
        if total / clean <= MAX_ADDED_ALARMS or not alarmed:
            return chosen
        worst = max(alarmed, key=lambda c: len(alarmed[c]))
        chosen[worst] = min(1.0, round(chosen[worst] + 0.01, 2))


def combined_report(rows, oof, rules, thresholds):
    lookup = {r["text"]: rules[r["id"]] + added(oof[r["id"]], rules[r["id"]], thresholds) for r in rows}
    return evaluate_checker(None, rows, predict=lambda text, lang: lookup[text])


def train(lang: str, out: Path, drafts: tuple[Path, ...] = TRAIN_DRAFTS, eval_drafts: Path = EVAL_DRAFTS,
          log=print) -> dict:
    """Choose units, C and per-category thresholds out of fold on the training drafts and
    the dev drafts; write `<out>/<lang>.json`; return its summary."""
    base = rule_examples(lang)
    rows = [r for path in drafts if path.exists() for r in load_jsonl(path) if r["lang"] == lang]
    rows += [r for r in load_jsonl(eval_drafts) if r["lang"] == lang and split_of(r["id"]) == "dev"]
    # Choices are scored only on drafts no rule was written from: on the others the rules
    # have learnt the wording, leave the layer nothing to add and make thresholds too high.
    unseen = {r["id"] for r in load_jsonl(RULES_NEVER_SAW) if r["lang"] == lang} if RULES_NEVER_SAW.exists() else set()
    choice = [r for r in rows if r["id"] in unseen] or rows
    pool = [(r, Prepared(r["text"], lang, gold_spans(r))) for r in rows]
    rules = rule_findings(lang, rows)
    out.mkdir(parents=True, exist_ok=True)
    vectors_path = out / f"{lang}.vectors.npz"
    lemmas, table = vector_tables.build(lang, [r["text"] for r in rows] + [p.text for p in base], log=log)
    vector_tables.save(vectors_path, lemmas, table)
    vectors = ({w: i for i, w in enumerate(lemmas)}, table.astype(numpy.float32))
    results = []
    for dense in (False, True):
        for granularity in GRANULARITIES:
            for c in CS:
                oof = out_of_fold(lang, base, pool, granularity, c, vectors if dense else None)
                th = choose_thresholds(choice, oof, rules)
                o = combined_report(choice, oof, rules, th)["languages"][lang]["overall"]
                log(f"  {lang} {'lemmas+vectors' if dense else 'lemmas':<14} {granularity:<8} C={c:<4} out-of-fold "
                    f"rules+layer: recall={o['recall'] or 0:.3f} precision={o['precision'] or 0:.3f} "
                    f"false alarms={o['false_alarm_rate']:.3f}  " + " ".join(f"{k[:5]}={v:.2f}" for k, v in th.items()))
                results.append((o["f1"] or 0, dense, granularity, c, th, o))
    _, dense, granularity, c, th, o = max(results, key=lambda r: r[0])
    variants = {}
    for name, flag in (("lemmas", False), ("lemmas+vectors", True)):
        best = max((r for r in results if r[1] == flag), key=lambda r: r[0])
        variants[name] = {"granularity": best[2], "C": best[3], "f1": best[5]["f1"], "recall": best[5]["recall"],
                          "precision": best[5]["precision"], "false_alarm_rate": best[5]["false_alarm_rate"]}
    rules_only = evaluate_checker(None, choice,
                                  predict=lambda text, lang_, _l={r["text"]: rules[r["id"]] for r in choice}: _l[text])
    fitted = fit(base + [p for _, p in pool], granularity, c, vectors if dense else None)
    spec = spec_of(fitted, lang, granularity, {k: float(v) for k, v in th.items()},
                   vectors_path.name if dense else None)
    if not dense:
        vectors_path.unlink()
    path = out / f"{lang}.json"
    path.write_text(json.dumps(spec, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return {"granularity": granularity, "C": c, "lemma_vectors": dense, "variants": variants,
            "thresholds": spec["thresholds"],
            "features": len(spec["features"]), "pool_drafts": len(rows), "choice_drafts": len(choice),
            "rule_examples": len(base),
            "out_of_fold": {"rules": rules_only["languages"][lang]["overall"], "rules+layer": o},
            "vectors_sha256": sha256_of(vectors_path) if dense else None,
            "sha256": sha256_of(path)}
def train_all(out: Path = Path("models/checker"), log=print) -> dict:
    meta_path = out / "metadata.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    meta.setdefault("artefacts", {})
    meta.setdefault("learned_layer", {})
    for lang in ("en", "ru"):
        summary = train(lang, out, log=log)
        meta["artefacts"][f"{lang}.json"] = summary.pop("sha256")
        vectors_sha = summary.pop("vectors_sha256")
        meta["artefacts"].pop(f"{lang}.vectors.npz", None)
        if vectors_sha:
            meta["artefacts"][f"{lang}.vectors.npz"] = vectors_sha
        meta["learned_layer"][lang] = summary
    write_metadata(out, meta)
    return meta
