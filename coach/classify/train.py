"""`coach train`: rebuild every triage model from data/, deterministically.

Choices are made on train + dev by 5-fold cross-validation (out-of-fold predictions for
about 540 messages a language rather than about 100 dev messages alone, so a choice
does not hang on a handful of cases): for each task and language every feature variant
(TF-IDF alone, with the multilingual USE encoder, with MiniLM for English) is scored and
the best macro-F1 kept (ties go to the simpler variant); for severity the urgent
threshold and how far the cue rules are trusted are chosen on the dev messages'
out-of-fold probabilities (the cue rules were written from train). The
kept variant is then fitted on train + dev. Test is scored once, at the end, for the
model card — never for a choice.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from ..nlp import LANGS
from . import artefact
from .data import LABELS, MESSAGES, TASKS, data_hash, load_messages, split_of
from .encoders import precompute
from .features import ENGLISH_ONLY, FAST_SUFFIX, FAST_VARIANT, VARIANTS, build_pipeline
from .metrics import scores

MODELS = Path("models")
THRESHOLDS = tuple(round(x, 2) for x in np.arange(0.05, 0.61, 0.05))
URGENT_RECALL_GOAL = 0.97


FOLDS = 5


def _split(rows, lang, parts):
    return [r for r in rows if r["lang"] == lang and split_of(r["id"]) in parts]


def _out_of_fold(variant: str, texts: list[str], labels: list[str]) -> list[dict[str, float]]:
    """Probabilities for every message from a model that did not see it."""
    out: list[dict[str, float] | None] = [None] * len(texts)
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    for fit_idx, held_idx in folds.split(texts, labels):
        pipe = build_pipeline(variant).fit([texts[i] for i in fit_idx], [labels[i] for i in fit_idx])
        for i, p in zip(held_idx, _proba(pipe, [texts[i] for i in held_idx])):
            out[i] = p
    return out


def _slim(pipe):
    """Drop what makes a pickle differ between identical runs and is not needed to
    predict: the vectorizers' pruned terms (`stop_words_`, a set whose pickled order
    changes with the hash seed, and a large part of the file) and `_stop_words_id` (a
    memory address, set again by every transform, so this runs just before saving)."""
    for _, part in pipe.named_steps["features"].transformer_list:
        for attr in ("stop_words_", "_stop_words_id"):
            if hasattr(part, attr):
                delattr(part, attr)
    return pipe


def _argmax(p: dict[str, float]) -> str:
    return max(p, key=p.get)


def _proba(pipe, texts) -> list[dict[str, float]]:
    classes = list(pipe.classes_)
    return [dict(zip(classes, map(float, p))) for p in pipe.predict_proba(texts)]


CUE_FLOORS = (0.0, 0.02, 0.05, 0.1, 0.2)


def choose_severity_policy(proba, cues, y) -> dict:
    """Threshold, cue floor and complex-cue lift with the best macro-F1 among those
    reaching the urgent-recall goal (or, if none does, with the highest urgent recall).
    Called on the dev messages only (out-of-fold probabilities): the cue rules were
    written from train messages, so train would flatter them."""
    from ..triage.severity import decide

    best = None
    for lift in (False, True):
        for floor in CUE_FLOORS:
            for t in THRESHOLDS:
                pred = [decide(p, c, t, lift, floor) for p, c in zip(proba, cues)]
                s = scores(y, pred, LABELS["severity"])
                rec = s["per_class"]["urgent"]["recall"]
                key = (min(rec, URGENT_RECALL_GOAL), s["macro_f1"], -floor, t)
                if best is None or key > best[0]:
                    best = (key, {"urgent_threshold": t, "complex_cues_lift": lift, "cue_floor": floor,
                                  "dev_urgent_recall": rec, "dev_macro_f1": s["macro_f1"]})
    return best[1]


def _score_test(task, info, pipe, oof, pool, x, y, x_te, y_te, net) -> None:
    """Test scores into `info`; for severity, with the urgent policy chosen first on the
    dev messages' out-of-fold probabilities (`oof`, one per pool message)."""
    from ..triage.severity import decide

    if task != "severity":
        info["test"] = info["test_model_only"]
        return
    on_dev = [i for i, r in enumerate(pool) if split_of(r["id"]) == "dev"]
    policy = choose_severity_policy([oof[i] for i in on_dev], [net.cues(x[i]) for i in on_dev],
                                    [y[i] for i in on_dev])
    info["policy"] = policy
    pred = [decide(p, c, policy["urgent_threshold"], policy["complex_cues_lift"], policy["cue_floor"])
            for p, c in zip(_proba(pipe, x_te), [net.cues(t) for t in x_te])]
    info["test"] = scores(y_te, pred, LABELS[task])


def train_all(data: Path = MESSAGES, out: Path = MODELS, log=print) -> dict:
    from ..triage.safety import SafetyNet

    t_start = time.perf_counter()
    rows = load_messages(data)
    texts = [r["text"] for r in rows]
    log(f"{len(rows)} messages; encoding them once for the encoder variants…")
    precompute("use", texts)
    precompute("minilm", [r["text"] for r in rows if r["lang"] == "en"])
    summary = {}
    nets = {lang: SafetyNet(lang) for lang in LANGS}
    for task in TASKS:
        meta = {"task": task, "labels": list(LABELS[task]), "data": str(data), "data_sha256": data_hash(data),
                "split": "sha256(id) buckets: train 70 / dev 15 / test 15", "languages": {}}
        folder = out / task
        for lang in LANGS:
            pool, test = _split(rows, lang, ("train", "dev")), _split(rows, lang, ("test",))
            x, y = [r["text"] for r in pool], [r[task] for r in pool]
            variants, oof = {}, {}
            for name in VARIANTS:
                if lang != "en" and name in ENGLISH_ONLY:
                    continue
                oof[name] = _out_of_fold(name, x, y)
                variants[name] = scores(y, [_argmax(p) for p in oof[name]], LABELS[task])
                log(f"  {task:<9}{lang}  {name:<18} cross-validated macro-F1 {variants[name]['macro_f1']:.3f}")
            chosen = max(variants, key=lambda n: (round(variants[n]["macro_f1"], 3), -list(VARIANTS).index(n)))
            pipe = build_pipeline(chosen).fit(x, y)
            info = {"variant": chosen, "train_n": len(pool), "test_n": len(test),
                    "cv": {n: {"macro_f1": v["macro_f1"], "accuracy": v["accuracy"]} for n, v in variants.items()},
                    "cv_chosen": variants[chosen]}
            x_te, y_te = [r["text"] for r in test], [r[task] for r in test]
            info["test_model_only"] = scores(y_te, list(pipe.predict(x_te)), LABELS[task])
            _score_test(task, info, pipe, oof[chosen], pool, x, y, x_te, y_te, nets[lang])
            log(f"  {task:<9}{lang}  kept {chosen}; test macro-F1 {info['test']['macro_f1']:.3f}")
            artefact.save(_slim(pipe), folder, lang, meta)
            meta["languages"][lang] = info
            # The fast model: TF-IDF alone, whatever the cross-validation preferred, for
            # archives where the sentence encoders' cost (USE ~3 ms, MiniLM ~5 ms a
            # message) is what limits throughput. Same data, same procedure, its own test.
            fast = build_pipeline(FAST_VARIANT).fit(x, y)
            fast_info = {"variant": FAST_VARIANT, "train_n": len(pool), "test_n": len(test),
                         "cv_chosen": variants[FAST_VARIANT],
                         "test_model_only": scores(y_te, list(fast.predict(x_te)), LABELS[task])}
            _score_test(task, fast_info, fast, oof[FAST_VARIANT], pool, x, y, x_te, y_te, nets[lang])
            log(f"  {task:<9}{lang}  fast {FAST_VARIANT}; test macro-F1 {fast_info['test']['macro_f1']:.3f}")
            artefact.save(_slim(fast), folder, f"{lang}{FAST_SUFFIX}", meta)
            meta.setdefault("fast", {})[lang] = fast_info
        artefact.write_metadata(folder, meta)
        write_model_card(folder, meta)
        summary[task] = {lang: meta["languages"][lang]["test"]["macro_f1"] for lang in LANGS}
    log(f"trained in {time.perf_counter() - t_start:.0f} s")
    return summary


def write_model_card(folder: Path, meta: dict) -> None:
    from .metrics import markdown_scores

    task = meta["task"]
    lines = [f"# Model card: {task}", "",
             f"Predicts the client's message **{task}** ({', '.join(meta['labels'])}) for the triage of "
             "`Coach.triage()`. One scikit-learn pipeline per language: word 1–2-gram and character "
             "2–5-gram TF-IDF, optionally sentence-encoder features, a linear SVM with sigmoid calibration.",
             "", "## Intended use",
             "Helping a pet-care support agent or sitter decide how serious a client's message is and how "
             "to answer. A person reads the message too: the label is a prompt, not a verdict. Not for "
             "automated decisions about clients or staff.",
             "", "## Data",
             f"`{meta['data']}` (sha256 `{meta['data_sha256'][:16]}…`), written and labelled by the project "
             "(see `data/DATASHEET.md`); split by a hash of the id: train 70% / dev 15% / test 15%. "
             "Variants, thresholds and every other choice were made by 5-fold cross-validation on train + dev, "
             "and the kept variant was fitted on train + dev; test was scored once.",
             "", "## Variants, cross-validated on train + dev (macro-F1)", "",
             "| language | " + " | ".join(VARIANTS) + " | kept |", "|---" * (len(VARIANTS) + 2) + "|"]
    for lang, info in meta["languages"].items():
        cells = [f"{info['cv'][v]['macro_f1']:.3f}" if v in info["cv"] else "n/a (English only)"
                 for v in VARIANTS]
        lines.append(f"| {lang} | " + " | ".join(cells) + f" | {info['variant']} |")
    for lang, info in meta["languages"].items():
        lines += ["", f"## Test, {lang} ({info['test_n']} messages; trained on {info['train_n']})", ""]
        if "policy" in info:
            p = info["policy"]
            lines += [f"With the urgent safety net (cue rules, overruled below p(urgent) {p['cue_floor']}; "
                      f"urgent threshold {p['urgent_threshold']}; complex cues lift routine: "
                      f"{p['complex_cues_lift']}; chosen on the dev messages' out-of-fold probabilities, "
                      "since the cues were written from train):", ""]
        lines.append(markdown_scores(info["test"]))
        if "policy" in info:
            lines += ["", "The model alone, without the safety net:", "", markdown_scores(info["test_model_only"])]
    for lang, info in meta.get("fast", {}).items():
        if lang == next(iter(meta["fast"])):
            lines += ["", "## The fast model", "",
                      f"`Coach(triage_models=\"fast\")` and `coach batch --fast` use a second pipeline per "
                      f"language: {info['variant']} alone, fitted on the same messages by the same procedure, "
                      "without the sentence encoders that cost most of a triage (see the README's benchmark "
                      "table). It trades accuracy for throughput; the figures below say how much."]
        lines += ["", f"### Fast model, test, {lang} (cross-validated macro-F1 "
                  f"{info['cv_chosen']['macro_f1']:.3f})", ""]
        if "policy" in info:
            p = info["policy"]
            lines += [f"Urgent policy chosen on dev as above: cue floor {p['cue_floor']}, urgent threshold "
                      f"{p['urgent_threshold']}, complex cues lift routine: {p['complex_cues_lift']}.", ""]
        lines.append(markdown_scores(info["test"]))
    lines += ["", "## Limits",
              "- The data is written by the project, not collected from clients: real messages are "
              "longer, vaguer and mix several problems; expect lower figures on them.",
              "- Test sets are about 100 messages per language, so one message moves a class's recall by "
              "several points.",
              "- Tone is one label per message; real messages often mix worry and anger.",
              "", f"Library versions and artefact hashes: `metadata.json`. Rebuild with `coach train`."]
    (folder / "MODEL_CARD.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
