"""Speed of Coach.triage on one core: p50/p99 latency and messages per second.

Measured twice: with the accurate models (whatever encoders `coach train` kept) and with
the fast ones (`Coach(triage_models="fast")`: TF-IDF alone), so the cost of the
encoders is visible. Run as `python bench/bench_triage.py [--n N]`.
"""
from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]


def _pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def _run(coach, by_lang, label):
    for lang, texts in by_lang.items():
        for t in texts[:20]:
            coach.triage(t)
        lat = []
        for t in texts:
            t0 = time.perf_counter()
            coach.triage(t)
            lat.append(time.perf_counter() - t0)
        print(f"{label + ', ' + lang:<38}{len(lat) / sum(lat):>9.0f}{_pct(lat, .5) * 1e3:>9.2f}"
              f"{_pct(lat, .99) * 1e3:>9.2f}")


def main() -> None:
    import torch

    torch.set_num_threads(1)
    from coach import Coach
    from coach.classify.data import load_messages

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args()
    rows = load_messages(ROOT / "data/messages.jsonl")
    by_lang = {lang: [r["text"] for r in rows if r["lang"] == lang][: args.n] for lang in ("en", "ru")}
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores (1 thread used), Python {platform.python_version()}")
    print(f"{'models, language':<38}{'msg/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    t0 = time.perf_counter()
    coach = Coach()
    coach.triage("warm up")
    coach.triage("прогрев")
    print(f"(first triage, models and encoders loaded: {time.perf_counter() - t0:.1f} s)")
    _run(coach, by_lang, "as trained (chosen encoders)")
    _run(Coach(triage_models="fast"), by_lang, "fast (TF-IDF only, no encoders)")


if __name__ == "__main__":
    main()
