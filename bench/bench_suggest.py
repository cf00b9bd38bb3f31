"""Latency of Coach.suggest() and Coach.review(), per language.

suggest() runs the triage, composes six candidates and reviews each; review() runs the
checker, the draft-tone model, the move packs and, with a context, the triage of the
client's message. Messages and drafts are the labelled ones in data/; models are warmed
up first (start-up is reported by bench_startup). One thread; run as
`python bench/bench_suggest.py [--n N]`.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from coach import Coach

ROOT = Path(__file__).resolve().parents[1]


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in open(ROOT / "data" / name, encoding="utf-8") if line.strip()]


def _pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def _time(fn, items):
    lat = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        lat.append(time.perf_counter() - t0)
    return lat


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100, help="messages and drafts per language")
    args = ap.parse_args()
    coach = Coach()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    messages, drafts = _rows("messages.jsonl"), _rows("drafts_dev.jsonl")
    t0 = time.perf_counter()
    for lang, m, d in (("en", "Walker was late.", "Hi, sorry."), ("ru", "Выгульщик опоздал.", "Здравствуйте.")):
        coach.suggest(m, lang=lang)
        coach.review(d, context=m, lang=lang)
    print(f"warm-up (models loaded, both languages): {time.perf_counter() - t0:.1f} s")
    print(f"{'call':<30}{'n':>5}{'p50 ms':>9}{'p99 ms':>9}")
    for lang in ("en", "ru"):
        ms = [r["text"] for r in messages if r["lang"] == lang][: args.n]
        ds = [r for r in drafts if r["lang"] == lang][: args.n]
        for name, fn, items in (
            (f"{lang} suggest(message)", lambda t: coach.suggest(t, client_name="Anna", lang=lang), ms),
            (f"{lang} review(draft)", lambda r: coach.review(r["text"], lang=lang), ds),
            (f"{lang} review(draft, context)", lambda r: coach.review(r["text"], context=r["context"] or None,
                                                                      lang=lang), ds),
        ):
            lat = _time(fn, items)
            print(f"{name:<30}{len(lat):>5}{_pct(lat, .5) * 1e3:>9.1f}{_pct(lat, .99) * 1e3:>9.1f}")


if __name__ == "__main__":
    main()
