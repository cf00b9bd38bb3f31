"""Speed of Coach.check, per language, against the floor of a blank spaCy tokenizer.

Prints drafts/second, p50 and p99 latency per draft, and the ratio of check() time to
the time `spacy.blank(lang)` takes to tokenise the same drafts. Two workloads: the
labelled drafts in data/ as they are (short and long, clean and flagged), and 100-word
drafts made by joining them (the size the targets are set for). One thread, one
process; run as `python bench/bench_check.py [--repeat N]`.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import spacy

from coach import Coach

ROOT = Path(__file__).resolve().parents[1]


def _drafts(lang: str) -> list[str]:
    rows = [json.loads(line) for line in open(ROOT / "data/drafts_dev.jsonl", encoding="utf-8")]
    return [r["text"] for r in rows if r["lang"] == lang]


def _hundred_words(texts: list[str], n: int = 200) -> list[str]:
    words = " ".join(texts).split()
    out, i = [], 0
    while len(out) < n:
        chunk = words[i:i + 100]
        if len(chunk) < 100:
            i = 0
            continue
        out.append(" ".join(chunk))
        i += 37
    return out


def _time_each(fn, texts, repeat):
    lat = []
    for _ in range(repeat):
        for t in texts:
            t0 = time.perf_counter()
            fn(t)
            lat.append(time.perf_counter() - t0)
    return lat


def _pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    coach = Coach()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"spaCy {spacy.__version__}")
    t0 = time.perf_counter()
    for lang in ("en", "ru"):
        coach.check("warm up", lang=lang)
    print(f"first use (rule packs compiled, both languages): {time.perf_counter() - t0:.2f} s")
    print(f"{'workload':<22}{'drafts/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'blank ms':>10}{'ratio':>7}")
    for lang in ("en", "ru"):
        base = _drafts(lang)
        blank = spacy.blank(lang)
        for name, texts in ((f"{lang} data drafts", base), (f"{lang} 100-word", _hundred_words(base))):
            for t in texts[:50]:
                coach.check(t, lang=lang)
                blank(t)
            lat = _time_each(lambda t: coach.check(t, lang=lang), texts, args.repeat)
            floor = _time_each(blank, texts, args.repeat)
            ratio = sum(lat) / sum(floor)
            print(f"{name:<22}{len(lat) / sum(lat):>10.0f}{_pct(lat, .5) * 1e3:>9.3f}"
                  f"{_pct(lat, .99) * 1e3:>9.3f}{statistics.median(floor) * 1e3:>10.3f}{ratio:>7.1f}")


if __name__ == "__main__":
    main()
