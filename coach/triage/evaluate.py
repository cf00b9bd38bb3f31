"""`coach evaluate`: per-language, per-class metrics of `Coach.triage` on a split.

It scores the product as shipped (models + urgent safety net + thresholds), and beside
severity the model alone (arg-max of its probabilities), so the net's effect is visible.
"""
from __future__ import annotations

from pathlib import Path

from ..classify.data import LABELS, TASKS, load_messages, split_of
from ..classify.metrics import format_scores, scores


def evaluate_triage(coach, data: Path, split: str = "test") -> dict:
    rows = [r for r in load_messages(data) if split == "all" or split_of(r["id"]) == split]
    report = {"data": str(data), "split": split, "languages": {}}
    for lang in sorted({r["lang"] for r in rows}):
        part = [r for r in rows if r["lang"] == lang]
        results = [coach.triage(r["text"], lang=lang) for r in part]
        out = {}
        for task in TASKS:
            out[task] = scores([r[task] for r in part], [getattr(t, task) for t in results], LABELS[task])
        model_only = [max(t.scores["severity"], key=t.scores["severity"].get) for t in results]
        out["severity_model_only"] = scores([r["severity"] for r in part], model_only, LABELS["severity"])
        out["worst"] = [
            {"id": r["id"], "true": r["severity"], "predicted": t.severity,
             "p_urgent": t.scores["severity"]["urgent"]}
            for r, t in zip(part, results) if r["severity"] != t.severity and "urgent" in (r["severity"], t.severity)
        ]
        report["languages"][lang] = out
    return report


def format_triage(report: dict) -> str:
    lines = [f"Triage on {report['data']} ({report['split']} part)"]
    for lang, out in report["languages"].items():
        for task in TASKS:
            lines += ["", format_scores(out[task], f"[{lang}] {task}")]
        sev, raw = out["severity"]["per_class"]["urgent"], out["severity_model_only"]["per_class"]["urgent"]
        lines += ["", f"[{lang}] urgent recall {sev['recall']:.3f} precision {sev['precision']:.3f} with the "
                      f"safety net; model alone: recall {raw['recall']:.3f} precision {raw['precision']:.3f}, "
                      f"severity macro-F1 {out['severity_model_only']['macro_f1']:.3f}"]
    return "\n".join(lines)
