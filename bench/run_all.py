"""`make bench`: every benchmark in one table.

Import and start-up time, p50/p99 of each API call, batch throughput (`coach batch
--kind quick`: triage + check per row) with 1 and 2 jobs, and peak memory with every
model loaded. Each figure is measured in a fresh process where that matters (import,
start-up, memory). Run: `python bench/run_all.py [--rows 10000]`.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def _fresh(code: str) -> str:
    return subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                          env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}).stdout.strip()


def import_time() -> float:
    runs = [float(_fresh("import time; t=time.perf_counter(); import coach; print(time.perf_counter()-t)"))
            for _ in range(3)]
    return statistics.median(runs)


def startup_and_memory() -> tuple[float, float]:
    out = _fresh("import time, resource; t=time.perf_counter(); from coach import Coach; c=Coach(); c.warm_up(); "
                 "print(time.perf_counter()-t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    secs, kib = out.split()
    return float(secs), int(kib) / 1024


def calls(n: int) -> list[tuple[str, float, float]]:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_check import _drafts, _hundred_words

    from coach import Coach

    coach = Coach()
    coach.warm_up()
    rows = [json.loads(line) for line in open(ROOT / "data/messages.jsonl", encoding="utf-8")]
    out = []
    for lang in ("en", "ru"):
        msgs = [r["text"] for r in rows if r["lang"] == lang][:n]
        drafts = _drafts(lang)[:n]
        for name, fn, items in (
            (f"check, 100 words, {lang}", lambda t: coach.check(t, lang=lang), _hundred_words(_drafts(lang), n)),
            (f"triage, {lang}", lambda t: coach.triage(t + " ", lang=lang), msgs),
            (f"review, {lang}", lambda t: coach.review(t, lang=lang), drafts),
            (f"suggest, {lang}", lambda t: coach.suggest(t, lang=lang), msgs),
        ):
            lat = []
            for t in items:
                t0 = time.perf_counter()
                fn(t)
                lat.append(time.perf_counter() - t0)
            lat.sort()
            out.append((name, lat[len(lat) // 2] * 1e3, lat[min(len(lat) - 1, int(.99 * len(lat)))] * 1e3))
    return out


def _batch_seconds(rows: int, jobs: int, fast: bool = False) -> float:
    """Wall time of `coach batch --kind quick` on `rows` messages, start-up included.
    Every row is distinct (a reference number appended), as in a real archive: the data's
    1,290 messages repeated would let caches flatter the figure."""
    msgs = [json.loads(line)["text"] for line in open(ROOT / "data/messages.jsonl", encoding="utf-8")]
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            for i in range(rows):
                fh.write(json.dumps({"id": i, "text": f"{msgs[i % len(msgs)]} (ref {i})"}, ensure_ascii=False) + "\n")
        t0 = time.perf_counter()
        subprocess.run([PY, "-m", "coach.cli", "batch", str(src), "-o", str(Path(d) / "out.jsonl"), "--kind",
                        "quick", "--jobs", str(jobs), "--quiet", *(["--fast"] if fast else [])],
                       check=True, cwd=ROOT, capture_output=True)
        return time.perf_counter() - t0


def batch_rates(rows: int, jobs: int, fast: bool = False) -> tuple[float, float]:
    """(end to end, after start-up) messages/second: the second from the difference
    between `rows` and a tenth of them, so the processes' start-up cancels out."""
    small = max(100, rows // 10)
    t_all, t_small = _batch_seconds(rows, jobs, fast), _batch_seconds(small, jobs, fast)
    return rows / t_all, (rows - small) / max(1e-9, t_all - t_small)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000, help="rows for the batch throughput")
    ap.add_argument("--n", type=int, default=100, help="calls per API measurement")
    args = ap.parse_args()
    print(f"{date.today()} · {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    table = [("import coach", f"{import_time() * 1e3:.0f} ms", "target ≤ 1.5 s")]
    start, mem = startup_and_memory()
    table.append(("start-up: Coach().warm_up(), both languages", f"{start:.1f} s", ""))
    table.append(("peak memory, every model loaded", f"{mem:,.0f} MiB", "target ≤ 1,024 MiB"))
    for name, p50, p99 in calls(args.n):
        table.append((name, f"p50 {p50:.2f} ms · p99 {p99:.2f} ms", ""))
    for fast in (False, True):
        for jobs in (1, 2):
            rate, steady = batch_rates(args.rows, jobs, fast)
            table.append((f"batch --kind quick{' --fast' * fast}, {args.rows:,} messages, "
                          f"{jobs} job{'s' * (jobs > 1)}",
                          f"{rate:,.0f} messages/s end to end · {steady:,.0f}/s after start-up",
                          "target ≥ 500/s with 2 jobs" if jobs == 2 else ""))
    width = max(len(r[0]) for r in table)
    print(f"| {'measure':<{width}} | figure | note |\n|{'-' * (width + 2)}|---|---|")
    for name, fig, note in table:
        print(f"| {name:<{width}} | {fig} | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
