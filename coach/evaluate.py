"""Evaluation of the phrase checker on labelled drafts.

The drafts file holds a dev part (for looking at errors and tuning rules) and a test
part (for reporting only). The split is a fixed function of the id, so no file has to be
kept in sync and a new draft lands in the same part on every machine.

A finding is a true positive when it overlaps a gold flag of the same category (each
gold flag matched once); exact-span agreement is reported beside it. The false-alarm
rate is the share of flag-free drafts that get any finding at all.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from pathlib import Path

from .rules.pack import CATEGORIES

DRAFTS = Path("data/drafts_dev.jsonl")
SPLITS = ("dev", "test")


def split_of(row_id: str) -> str:
    """'dev' or 'test', half and half, decided by a hash of the id."""
    return "test" if hashlib.sha256(row_id.encode("utf-8")).digest()[0] % 2 else "dev"


def load_jsonl(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from None
    return rows


def _gold_spans(row: dict) -> list[tuple[str, int, int]]:
    spans, used = [], set()
    for flag in row.get("flags", []):
        start = row["text"].find(flag["text"])
        while start != -1 and (flag["category"], start) in used:
            start = row["text"].find(flag["text"], start + 1)
        if start == -1:
            raise ValueError(f"{row['id']}: flag {flag['text']!r} is not in the text")
        used.add((flag["category"], start))
        spans.append((flag["category"], start, start + len(flag["text"])))
    return spans


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}


def evaluate_checker(coach, rows: list[dict]) -> dict:
    """Scores per language and per category, with the errors for inspection."""
    counts = defaultdict(Counter)  # (lang, category) -> tp/fp/fn
    exact = Counter()
    clean = Counter()
    alarms = Counter()
    errors = []
    for row in rows:
        lang = row["lang"]
        gold = _gold_spans(row)
        pred = [(f.category, f.start, f.end) for f in coach.check(row["text"], lang=lang)]
        used = set()
        for cat, gs, ge in gold:
            hit = next((k for k, (pc, ps, pe) in enumerate(pred)
                        if k not in used and pc == cat and ps < ge and gs < pe), None)
            if hit is None:
                counts[(lang, cat)]["fn"] += 1
                errors.append({"id": row["id"], "kind": "missed", "category": cat, "text": row["text"][gs:ge]})
            else:
                used.add(hit)
                counts[(lang, cat)]["tp"] += 1
                exact[lang] += pred[hit][1:] == (gs, ge)
        for k, (cat, ps, pe) in enumerate(pred):
            if k not in used:
                counts[(lang, cat)]["fp"] += 1
                errors.append({"id": row["id"], "kind": "false alarm", "category": cat, "text": row["text"][ps:pe]})
        if not gold:
            clean[lang] += 1
            alarms[lang] += bool(pred)
    report = {"languages": {}, "errors": errors}
    for lang in sorted({lang for lang, _ in counts} | set(clean)):
        tot = Counter()
        per_cat = {}
        for cat in CATEGORIES:
            c = counts.get((lang, cat), Counter())
            tot.update(c)
            per_cat[cat] = _prf(c["tp"], c["fp"], c["fn"])
        overall = _prf(tot["tp"], tot["fp"], tot["fn"])
        overall["exact_span"] = exact[lang] / tot["tp"] if tot["tp"] else 0.0
        overall["false_alarm_rate"] = alarms[lang] / clean[lang] if clean[lang] else 0.0
        overall["drafts"] = sum(1 for r in rows if r["lang"] == lang)
        overall["flag_free_drafts"] = clean[lang]
        report["languages"][lang] = {"overall": overall, "categories": per_cat}
    return report


def format_report(report: dict, title: str) -> str:
    lines = [title]
    for lang, data in report["languages"].items():
        o = data["overall"]
        lines.append(
            f"\n[{lang}] drafts={o['drafts']} flag-free={o['flag_free_drafts']}  "
            f"precision={o['precision']:.3f} recall={o['recall']:.3f} f1={o['f1']:.3f}  "
            f"false-alarm rate={o['false_alarm_rate']:.3f}  exact spans={o['exact_span']:.2f}"
        )
        lines.append(f"  {'category':<16}{'precision':>10}{'recall':>8}{'f1':>7}{'tp':>5}{'fp':>5}{'fn':>5}")
        for cat, m in data["categories"].items():
            lines.append(
                f"  {cat:<16}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}"
                f"{m['tp']:>5}{m['fp']:>5}{m['fn']:>5}"
            )
    return "\n".join(lines)
