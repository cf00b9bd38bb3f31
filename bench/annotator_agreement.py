"""How far apart are two careful annotators? The ceiling the checker is measured against.

A second annotator labelled 120 second-round training drafts per language blind (the
guideline only: no rules, no data files, no first labels), in
`data/drafts_train_2.second_annotator.jsonl`. Their flags are scored against the
original labels exactly as `coach evaluate --checker` scores the checker (a flag counts
when it overlaps one of the same category), and the rules alone are scored against
both annotators on the same drafts. The rules never saw these drafts; the learned layer
was trained on them, so it is left out.

Run: `python bench/annotator_agreement.py`. Prints one table per language.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coach.evaluate import evaluate_checker, gold_spans, load_jsonl  # noqa: E402
from coach.rules.checker import Checker  # noqa: E402

SECOND = ROOT / "data/drafts_train_2.second_annotator.jsonl"
ORIGINAL = ROOT / "data/drafts_train_2.jsonl"


def _row(report: dict, lang: str, name: str) -> str:
    o = report["languages"][lang]["overall"]
    return (f"| {name} | {o['precision']:.3f} | {o['recall']:.3f} | {o['f1']:.3f} | "
            f"{o['false_alarm_rate']:.3f} |")


def main() -> int:
    original = {r["id"]: r for r in load_jsonl(ORIGINAL)}
    second = load_jsonl(SECOND)
    for lang in ("en", "ru"):
        mine = [s for s in second if s["lang"] == lang]
        rows = [original[s["id"]] for s in mine]
        relabelled = [dict(original[s["id"]], flags=s["flags"]) for s in mine]
        flags_of = {r["text"]: gold_spans(r) for r in relabelled}
        checker = Checker(lang)

        def rules(text, _lang):
            return [(f.category, f.start, f.end) for f in checker.check(text)]

        agree = evaluate_checker(None, rows, predict=lambda text, _lang: flags_of[text])
        print(f"\n{lang}: {len(rows)} drafts ({sum(1 for r in rows if not r['flags'])} flag-free in the original "
              f"labels), {sum(len(r['flags']) for r in rows)} original flags, "
              f"{sum(len(s['flags']) for s in mine)} second-annotator flags\n")
        print("| scored | precision | recall | F1 | false alarms |\n|---|---|---|---|---|")
        print(_row(agree, lang, "second annotator against the original labels"))
        print(_row(evaluate_checker(None, rows, predict=rules), lang, "rules against the original labels"))
        print(_row(evaluate_checker(None, relabelled, predict=rules), lang, "rules against the second annotator"))
        print("\n| category | precision | recall | (second annotator against the original) |\n|---|---|---|---|")
        for cat, v in agree["languages"][lang]["categories"].items():
            print(f"| {cat} | {v['precision'] or 0:.3f} | {v['recall'] or 0:.3f} | tp {v['tp']} fp {v['fp']} "
                  f"fn {v['fn']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
