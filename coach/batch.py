"""`coach batch`: a whole archive of messages or drafts, one output row per input row.

- In: CSV / TSV (dialect from the header line, encoding detected: UTF-8, UTF-8 with BOM,
  cp1251 — or given), JSONL, XLSX; the text column found by name or given.
- Out: CSV or XLSX (cells guarded against formula injection), JSONL, or a
  self-contained HTML report (text masked as in the app's Workshop).
- Streams: rows are read, processed and journalled one chunk at a time, so memory stays
  flat whatever the file's size. The journal (`OUTPUT.part.jsonl`) is what `--resume`
  continues from; the output is written to a temporary file and renamed at the end, so
  a killed job never leaves a complete-looking report.
- `--jobs N` spreads chunks over N processes (each loads the models once); `--engine
  dask --scheduler ADDRESS` spreads partitions over a Dask cluster, models loaded once
  per worker, results merged in input order. The chunk function is
  `coach.workshop.engine.run`, the Workshop's own.
"""
from __future__ import annotations

import csv
import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Iterable, Iterator

from .api import TRIAGE_MODELS
from .textio import InputError, decode
from .workshop import engine, report

CHUNK = 64
DASK_PARTITION = 1000     # rows per Dask task
IN_FORMATS = (".csv", ".tsv", ".jsonl", ".xlsx", ".txt")
OUT_FORMATS = (".csv", ".jsonl", ".html", ".xlsx")


# -- reading ------------------------------------------------------------------------------
def _encoding_of(path: Path, given: str | None) -> str:
    if given:
        return given
    head = path.open("rb").read(1 << 16)
    try:
        decode(head[: len(head) - 4] if len(head) == 1 << 16 else head)  # may cut a UTF-8 char: drop 4 bytes
    except InputError as exc:
        raise InputError(f"{path.name}: {exc}") from None
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        (head[: len(head) - 4] if len(head) == 1 << 16 else head).decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1251"


def count_rows(path: Path) -> int | None:
    """Rows in the file, for the progress bar's time left (a quick pass over bytes)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return None
    n = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            n += block.count(b"\n")
    return max(0, n - (1 if suffix in (".csv", ".tsv") else 0))


def iter_rows(path: Path, column: str | None = None, encoding: str | None = None) -> Iterator[dict]:
    """Rows {"id", "text", "context"[, "error"]}, streamed."""
    suffix = path.suffix.lower()
    if suffix not in IN_FORMATS:
        raise InputError(f"{path.name}: expected one of {', '.join(IN_FORMATS)}")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if suffix == ".xlsx":
        if magic[:2] != b"PK":
            raise InputError(f"{path.name} is not an XLSX workbook")
        yield from _xlsx_rows(path, column)
        return
    if magic[:2] == b"PK" or b"\x00" in magic:
        raise InputError(f"{path.name} looks like a binary file (a zip?), not {suffix[1:].upper()} text")
    enc = _encoding_of(path, encoding)
    with path.open("r", encoding=enc, errors="replace", newline="") as fh:
        if suffix == ".jsonl":
            for n, line in enumerate(fh, 1):
                if line.strip():
                    yield engine.jsonl_row(line, n)
        elif suffix == ".txt":
            for n, line in enumerate(fh, 1):
                if line.strip():
                    yield {"id": str(n), "text": line.rstrip("\r\n"), "context": ""}
        else:
            yield from _csv_rows(fh, column, suffix)


def _csv_rows(fh, column: str | None, suffix: str) -> Iterator[dict]:
    first = fh.readline()
    if not first.strip():
        raise InputError("the CSV file is empty")
    counts = {d: first.count(d) for d in ((";", "\t", ",", "|") if suffix == ".csv" else ("\t",))}
    delim = max(counts, key=counts.get) if any(counts.values()) else ","
    header = next(csv.reader([first], delimiter=delim))
    lowered = [h.strip().lower() for h in header]
    if column:
        if column.strip().lower() not in lowered:
            raise InputError(f"no column {column!r}; the header has: {', '.join(header)}")
        idx = lowered.index(column.strip().lower())
    else:
        idx = next((lowered.index(n) for n in engine.TEXT_COLUMNS if n in lowered), 0)
    cidx = next((lowered.index(n) for n in engine.CONTEXT_COLUMNS if n in lowered), None)
    iidx = lowered.index("id") if "id" in lowered else None
    for n, rec in enumerate(csv.reader(fh, delimiter=delim), 1):
        row = {"id": rec[iidx] if iidx is not None and iidx < len(rec) else str(n),
               "text": rec[idx] if idx < len(rec) else "",
               "context": rec[cidx] if cidx is not None and cidx < len(rec) else ""}
        if idx >= len(rec):
            row["error"] = "half-broken row: no text column"
        yield row


def _xlsx_rows(path: Path, column: str | None) -> Iterator[dict]:
    from openpyxl import load_workbook

    # data_only=False: a formula cell is read as the formula text the person typed, not
    # as a cached value that may be missing
    wb = load_workbook(path, read_only=True, data_only=False)
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(h or "").strip().lower() for h in next(rows, ())]
    want = column.strip().lower() if column else None
    if want and want not in header:
        raise InputError(f"no column {column!r} in the first sheet")
    idx = header.index(want) if want else next((header.index(n) for n in engine.TEXT_COLUMNS if n in header), 0)
    cidx = next((header.index(n) for n in engine.CONTEXT_COLUMNS if n in header), None)
    for n, rec in enumerate(rows, 1):
        text = rec[idx] if idx < len(rec) else None
        yield {"id": str(n), "text": "" if text is None else str(text),
               "context": "" if cidx is None or cidx >= len(rec) or rec[cidx] is None else str(rec[cidx])}
    wb.close()


# -- processing ---------------------------------------------------------------------------
_COACHES: dict = {}


def _worker_coach(triage_models: str = "accurate"):
    """One Coach per process (or Dask worker) and kind of triage model, models loaded on
    first use."""
    if triage_models not in _COACHES:
        from .api import Coach

        _COACHES[triage_models] = Coach(triage_models=triage_models)
    return _COACHES[triage_models]


def process_chunk(rows: list[dict], kind: str, triage_models: str = "accurate") -> list[dict]:
    coach = _worker_coach(triage_models)
    return engine.run(coach, rows, kind)


def _chunks(rows: Iterable[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    it = iter(rows)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _results(rows: Iterator[dict], kind: str, jobs: int, engine_name: str, scheduler: str | None,
             triage_models: str = "accurate"):
    if engine_name == "dask":
        yield from _dask_results(rows, kind, scheduler, triage_models)
        return
    if jobs <= 1:
        for chunk in _chunks(rows):
            yield from process_chunk(chunk, kind, triage_models)
        return
    import multiprocessing as mp

    ctx = mp.get_context("spawn")   # a fresh interpreter per job: no forked spaCy or torch state
    with ctx.Pool(jobs) as pool:
        for out in pool.imap(_process_args, ((c, kind, triage_models) for c in _chunks(rows)), chunksize=1):
            yield from out


def _process_args(args):
    return process_chunk(*args)


def _dask_results(rows: Iterator[dict], kind: str, scheduler: str | None, triage_models: str = "accurate"):
    from distributed import Client

    client = Client(scheduler) if scheduler else Client(processes=False)
    try:
        pending = []
        for part in _chunks(rows, DASK_PARTITION):
            pending.append(client.submit(process_chunk, part, kind, triage_models, pure=False))
            while len(pending) > 4:   # a bounded window keeps memory flat; results stay in order
                yield from pending.pop(0).result()
        for fut in pending:
            yield from fut.result()
    finally:
        client.close()


# -- writing ------------------------------------------------------------------------------
class Progress:
    """Rows, rows per second and time left, on stderr, at most twice a second."""

    def __init__(self, total: int | None, stream=sys.stderr, done: int = 0):
        self.total, self.stream, self.done = total, stream, done
        self.start = time.perf_counter()
        self._last = 0.0
        self._first = done

    def step(self, n: int = 1, force: bool = False) -> None:
        self.done += n
        now = time.perf_counter()
        if not force and now - self._last < 0.5:
            return
        self._last = now
        rate = (self.done - self._first) / max(now - self.start, 1e-9)
        left = ""
        if self.total:
            secs = max(0, (self.total - self.done) / rate) if rate else 0
            left = f" · {100 * self.done / self.total:5.1f}% · {int(secs // 60)}:{int(secs % 60):02d} left"
        self.stream.write(f"\r{self.done:,} rows · {rate:,.0f} rows/s{left}   ")
        self.stream.flush()


def run(input_path: str, output_path: str, kind: str = "messages", column: str | None = None,
        encoding: str | None = None, jobs: int = 1, resume: bool = False, engine_name: str = "local",
        scheduler: str | None = None, progress: bool = True, triage_models: str = "accurate") -> int:
    """Process a file; return the number of rows written.

    `triage_models="fast"` (`--fast`) uses the TF-IDF-only triage models: several times
    the rows per second, a few points less accurate (see the model cards)."""
    src, dst = Path(input_path), Path(output_path)
    if dst.suffix.lower() not in OUT_FORMATS:
        raise InputError(f"output must end in one of {', '.join(OUT_FORMATS)}")
    if kind not in engine.KINDS:
        raise InputError(f"--kind must be one of {', '.join(engine.KINDS)}")
    if triage_models not in TRIAGE_MODELS:
        raise InputError(f"triage models must be one of {', '.join(TRIAGE_MODELS)}")
    if not src.exists():
        raise InputError(f"no such file: {src}")
    journal = dst.with_name(dst.name + ".part.jsonl")
    settings_file = dst.with_name(dst.name + ".part.json")
    settings = {"input": src.name, "kind": kind, "column": column, "triage_models": triage_models}
    done = 0
    if resume and journal.exists():
        _same_settings(settings_file, settings)
        with journal.open("rb") as fh:
            done = sum(1 for line in fh if line.endswith(b"\n"))
        _truncate_to_lines(journal, done)
    elif journal.exists():
        journal.unlink()
    settings_file.write_text(json.dumps(settings), encoding="utf-8")
    rows = iter_rows(src, column, encoding)
    rows = itertools.islice(rows, done, None)
    bar = Progress(count_rows(src), done=done) if progress else None
    with journal.open("a", encoding="utf-8") as out:
        for n, result in enumerate(_results(rows, kind, jobs, engine_name, scheduler, triage_models), 1):
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            if n % CHUNK == 0:
                out.flush()
            if bar:
                bar.step()
    if bar:
        bar.step(0, force=True)
        bar.stream.write("\n")
    written = _finish(journal, dst)
    journal.unlink()
    settings_file.unlink(missing_ok=True)
    return written


def _same_settings(path: Path, settings: dict) -> None:
    """Refuse to resume a journal with other settings: its rows and the new ones would
    disagree without any sign of it in the output."""
    try:
        before = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return   # a journal from before settings were recorded: trust the caller
    changed = [f"{k} {before.get(k)!r} -> {v!r}" for k, v in settings.items() if before.get(k) != v]
    if changed:
        raise InputError("cannot resume: the unfinished job used other settings (" + "; ".join(changed)
                         + "); run it again with those, or without --resume to start over")


def _truncate_to_lines(path: Path, lines: int) -> None:
    """Drop a half-written last line left by a killed job."""
    with path.open("rb+") as fh:
        data_end = 0
        for _ in range(lines):
            line = fh.readline()
            data_end += len(line)
        fh.truncate(data_end)


def _journal(journal: Path) -> Iterator[dict]:
    with journal.open(encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def _finish(journal: Path, dst: Path) -> int:
    """Write the output from the journal to a temporary file, then rename it."""
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    n = 0
    suffix = dst.suffix.lower()
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        if suffix == ".jsonl":
            for row in _journal(journal):
                fh.write(json.dumps({k: row.get(k, "") for k in report.COLUMNS}, ensure_ascii=False) + "\n")
                n += 1
        elif suffix == ".csv":
            writer = csv.writer(fh)
            writer.writerow(report.COLUMNS)
            for row in _journal(journal):
                writer.writerow([report.guard(row.get(k, "")) for k in report.COLUMNS])
                n += 1
        elif suffix == ".html":
            n = report.write_html(fh, lambda: _journal(journal), title=f"coach batch report: {dst.stem}")
    if suffix == ".xlsx":
        n = write_xlsx(_journal(journal), tmp)
    os.replace(tmp, dst)
    return n


def write_xlsx(rows: Iterable[dict], path: Path) -> int:
    """Results as an XLSX sheet (openpyxl's streaming writer), every cell guarded like the
    CSV's: a spreadsheet must show a client's "=HYPERLINK(...)" as text."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("coach")
    ws.append(report.COLUMNS)
    n = 0
    for row in rows:
        ws.append([report.guard(row.get(k, "")) for k in report.COLUMNS])
        n += 1
    wb.save(path)
    return n
