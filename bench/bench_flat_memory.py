"""Does `coach batch` keep memory flat on a 1,000,000-row file? Measured in three stages.

1. Reading: every row of a 1,000,000-row CSV through `coach.batch.iter_rows`, resident
   memory sampled as it goes.
2. Writing: a 1,000,000-row journal turned into each output format (CSV, JSONL, HTML,
   XLSX) by `coach.batch._finish`, peak memory per format, each in a fresh process.
3. Processing: the real job (`coach batch BIG.csv --kind quick --jobs 2`) run for a fixed
   time on the same file, the memory of its whole process tree sampled against the rows
   done. With the accurate models (about 200 rows a second) the whole file would take over
   an hour, so the job is stopped after `--seconds`; with `--fast` (the TF-IDF-only
   triage models) it can run to the end, and then the output's rows are counted too.

Run: `python bench/bench_flat_memory.py [--rows 1000000] [--seconds 180] [--fast]
[--skip-io]`. Prints tables.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss_mib(pid: int | str = "self") -> float:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 2**20
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0


def _tree(pid: int) -> list[int]:
    """`pid` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def write_input(path: Path, rows: int) -> None:
    msgs = [json.loads(line)["text"] for line in open(ROOT / "data/messages.jsonl", encoding="utf-8")]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "message"])
        for i in range(rows):
            w.writerow([i, f"{msgs[i % len(msgs)]} (ref {i})"])


def stage_reading(path: Path, rows: int) -> list[tuple[int, float]]:
    code = (
        "import sys, json; from pathlib import Path; from coach.batch import iter_rows\n"
        "page = __import__('os').sysconf('SC_PAGE_SIZE'); marks = set(int(x) for x in sys.argv[2:]); out = []\n"
        "for n, _ in enumerate(iter_rows(Path(sys.argv[1])), 1):\n"
        "    if n in marks: out.append((n, int(open('/proc/self/statm').read().split()[1]) * page / 2**20))\n"
        "print(json.dumps(out))\n")
    marks = [m for m in (1_000, 10_000, 100_000, 500_000, rows) if m <= rows]
    res = subprocess.run([PY, "-c", code, str(path), *map(str, marks)], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    return [tuple(x) for x in json.loads(res.stdout)]


def stage_writing(tmp: Path, rows: int) -> list[tuple[str, float, float]]:
    journal = tmp / "out.part.jsonl"
    row = {"id": "", "kind": "quick", "lang": "en", "severity": "complex", "client_tone": "angry",
           "category": "lateness", "findings": 1, "finding_categories": "blame",
           "text": "The walker was 40 minutes late again and Rex was frantic. Call me, +44 7700 900123.",
           "error": ""}
    with journal.open("w", encoding="utf-8") as fh:
        for i in range(rows):
            row["id"] = str(i)
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    code = ("import sys, time, resource; from pathlib import Path; from coach.batch import _finish\n"
            "t = time.perf_counter(); n = _finish(Path(sys.argv[1]), Path(sys.argv[2]))\n"
            "print(n, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n")
    out = []
    for fmt in ("csv", "jsonl", "html", "xlsx"):
        res = subprocess.run([PY, "-c", code, str(journal), str(tmp / f"out.{fmt}")], capture_output=True, text=True,
                             check=True, cwd=ROOT)
        n, secs, peak = res.stdout.split()
        assert int(n) == rows, (fmt, n)
        out.append((fmt, float(secs), float(peak)))
        (tmp / f"out.{fmt}").unlink()
    return out


def stage_processing(path: Path, tmp: Path, seconds: float, jobs: int,
                     fast: bool = False) -> tuple[list[tuple[float, int, float]], int | None]:
    """Samples (seconds, rows journalled, MiB of the process tree), and the output's row
    count if the job finished within `seconds` (else None)."""
    dst = tmp / "processed.csv"
    journal = tmp / "processed.csv.part.jsonl"
    proc = subprocess.Popen([PY, "-m", "coach.cli", "batch", str(path), "-o", str(dst), "--kind", "quick",
                             "--jobs", str(jobs), "--quiet", *(["--fast"] if fast else [])], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    samples = []
    t0 = time.perf_counter()
    try:
        while time.perf_counter() - t0 < seconds and proc.poll() is None:
            time.sleep(10)
            if proc.poll() is not None:
                break
            done = 0
            if journal.exists():
                with journal.open("rb") as fh:
                    done = sum(1 for _ in fh)
            samples.append((time.perf_counter() - t0, done, sum(_rss_mib(p) for p in _tree(proc.pid))))
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()
    if proc.returncode != 0 or not dst.exists():
        return samples, None
    with dst.open(encoding="utf-8", newline="") as fh:
        return samples, sum(1 for _ in csv.reader(fh)) - 1


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=180)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--fast", action="store_true", help="the job uses the fast triage models")
    ap.add_argument("--skip-io", action="store_true", help="only the processing stage")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        big = tmp / "big.csv"
        write_input(big, args.rows)
        print(f"input: {args.rows:,} rows, {big.stat().st_size / 2**20:,.0f} MiB CSV\n")
        if not args.skip_io:
            print("| reading: rows read | resident MiB |\n|---|---|")
            for n, mib in stage_reading(big, args.rows):
                print(f"| {n:,} | {mib:,.0f} |")
            print("\n| writing 1 journal -> format | seconds | peak MiB |\n|---|---|---|")
            for fmt, secs, peak in stage_writing(tmp, args.rows):
                print(f"| {fmt} | {secs:,.1f} | {peak:,.0f} |")
        samples, written = stage_processing(big, tmp, args.seconds, args.jobs, args.fast)
        print(f"\n| processing ({args.jobs} jobs{', --fast' * args.fast}): seconds | rows done | MiB, all processes |"
              "\n|---|---|---|")
        for secs, done, mib in samples:
            print(f"| {secs:,.0f} | {done:,} | {mib:,.0f} |")
        print(f"\njob finished: {written:,} output rows for {args.rows:,} input rows" if written is not None
              else f"\njob stopped after {args.seconds:,.0f} s (not finished)")
    print(f"\nthis process's own peak: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
