"""Speed of Coach.triage on one core: p50/p99 latency and messages per second.

Measured twice: with the models as trained (whatever encoders `coach train` kept) and
with TF-IDF-only pipelines fitted here on the same data, so the cost of the encoders
is visible. Run as `python bench/bench_triage.py [--n N]`.
"""
from __future__ import annotations

import argparse
import os
import platform
import tempfile
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


def _tfidf_only_models(folder: Path) -> None:
    """Fit TF-IDF-only pipelines beside the real metadata (same policy, same data)."""
    import json
    import shutil

    from coach.classify import artefact
    from coach.classify.data import TASKS, load_messages, split_of
    from coach.classify.features import build_pipeline

    rows = load_messages(ROOT / "data/messages.jsonl")
    for task in TASKS:
        meta = json.loads((ROOT / "models" / task / "metadata.json").read_text())
        dst = folder / task
        dst.mkdir(parents=True)
        for lang in ("en", "ru"):
            pool = [r for r in rows if r["lang"] == lang and split_of(r["id"]) != "test"]
            pipe = build_pipeline("tfidf").fit([r["text"] for r in pool], [r[task] for r in pool])
            artefact.save(pipe, dst, lang, meta)
        artefact.write_metadata(dst, meta)
        shutil.copy(ROOT / "models" / task / "MODEL_CARD.md", dst)


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
    with tempfile.TemporaryDirectory() as tmp:
        _tfidf_only_models(Path(tmp))
        _run(Coach(models=tmp), by_lang, "TF-IDF only (no encoders)")


if __name__ == "__main__":
    main()
