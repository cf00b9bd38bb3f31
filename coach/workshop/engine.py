"""The per-row engine of workshops (and, later, of `coach batch`): rows of client
messages or reply drafts in, one result row per input row out, never an exception.

A row that cannot be processed (empty, too long, undecodable) gets its reason in the
`error` column; nothing is dropped, so the output lines up with the input.
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from ..textio import InputError, decode

TEXT_COLUMNS = ("text", "message", "draft", "reply", "body", "comment", "сообщение", "текст", "ответ",
                "черновик")
CONTEXT_COLUMNS = ("context", "client_message", "контекст")
KINDS = ("messages", "drafts", "quick")   # quick: triage and check only, for archives
MAX_ROWS = 2000          # in the app; `coach batch` streams any number


def read_rows(data: bytes | str, name: str = "pasted.txt") -> list[dict]:
    """Rows {"id", "text", "context"} from a CSV/TSV (dialect sniffed), a JSONL file, or
    plain text (one message per line). Bytes are decoded as UTF-8 or cp1251."""
    text = decode(data) if isinstance(data, bytes) else data
    suffix = Path(name).suffix.lower()
    if suffix == ".jsonl" or (suffix not in (".csv", ".tsv", ".txt") and text.lstrip().startswith("{")):
        return _jsonl_rows(text)
    if suffix in (".csv", ".tsv"):
        return _csv_rows(text)
    return [{"id": str(i), "text": line, "context": ""} for i, line in enumerate(text.splitlines(), 1)
            if line.strip()]


def _pick(columns: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {c.strip().lower(): c for c in columns}
    return next((lowered[n] for n in names if n in lowered), None)


def _csv_rows(text: str) -> list[dict]:
    # The header line decides the delimiter (Excel in a Russian locale writes ";"); the
    # sniffer, fooled by commas inside the text, only decides when the header has none.
    header_line = text.split("\n", 1)[0]
    counts = {d: header_line.count(d) for d in (";", "\t", ",", "|")}
    best = max(counts, key=counts.get)
    if counts[best]:
        reader = csv.reader(io.StringIO(text), delimiter=best)
    else:
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise InputError("the CSV file is empty")
    col = _pick(header, TEXT_COLUMNS)
    ctx = _pick(header, CONTEXT_COLUMNS)
    idx = header.index(col) if col else 0
    cidx = header.index(ctx) if ctx else None
    id_idx = header.index(_pick(header, ("id",))) if _pick(header, ("id",)) else None
    rows = []
    for n, rec in enumerate(reader, 1):
        rows.append({"id": rec[id_idx] if id_idx is not None and id_idx < len(rec) else str(n),
                     "text": rec[idx] if idx < len(rec) else "",
                     "context": rec[cidx] if cidx is not None and cidx < len(rec) else "",
                     **({"error": "half-broken row: fewer columns than the header"} if len(rec) < len(header) and
                        idx >= len(rec) else {})})
    return rows


def _jsonl_rows(text: str) -> list[dict]:
    return [jsonl_row(line, n) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def jsonl_row(line: str, n: int) -> dict:
    """One JSONL line as a row; a line that is not a JSON object becomes an error row."""
    try:
        obj = json.loads(line)
        if not isinstance(obj, dict):
            raise ValueError
    except ValueError:
        return {"id": str(n), "text": "", "context": "", "error": f"line {n} is not a JSON object"}
    col = _pick(list(obj), TEXT_COLUMNS)
    ctx = _pick(list(obj), CONTEXT_COLUMNS)
    return {"id": str(obj.get("id", n)), "text": str(obj.get(col, "")) if col else "",
            "context": str(obj.get(ctx, "") or "") if ctx else ""}


def process(coach, row: dict, kind: str, triaged=None) -> dict:
    """One result row: triage + first suggestion for a message, review for a draft.

    `triaged` is the row's triage when the caller has already made it in a batch."""
    out = {"id": row.get("id", ""), "kind": kind, "lang": "", "severity": "", "client_tone": "", "category": "",
           "score": "", "draft_tone": "", "findings": "", "finding_categories": "", "missing_moves": "",
           "suggestion": "", "text": row.get("text", ""), "error": row.get("error", "")}
    if out["error"]:
        return out
    text = row.get("text", "")
    try:
        if not text.strip():
            raise ValueError("empty text")
        if kind == "quick":
            t = triaged or coach.triage(text)
            found = coach.check(text, lang=t.lang)
            out.update(lang=t.lang, severity=t.severity, client_tone=t.tone, category=t.category,
                       findings=len(found), finding_categories=" ".join(sorted({f.category for f in found})))
        elif kind == "messages":
            t = coach.triage(text)
            out.update(lang=t.lang, severity=t.severity, client_tone=t.tone, category=t.category)
            s = coach.suggest(text)
            out["suggestion"] = s[0].text if s else ""
        else:
            r = coach.review(text, context=row.get("context") or None)
            out.update(lang=r.lang, score=r.score, draft_tone=r.tone, findings=len(r.findings),
                       finding_categories=" ".join(sorted({f.category for f in r.findings})),
                       missing_moves=" ".join(r.missing))
            if r.case:
                out.update(severity=r.case["severity"], client_tone=r.case["tone"], category=r.case["category"])
    except (ValueError, TypeError) as exc:
        out["error"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return out


def run(coach, rows: list[dict], kind: str) -> list[dict]:
    """Result rows for `rows`, in order, one each. Quick rows are triaged together
    (`Coach.triage_many`, same results, about 40% less work a message); if that batch
    fails, each row is processed alone so one bad row cannot sink the others."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    triaged: dict[int, object] = {}
    if kind == "quick":
        ready = [i for i, row in enumerate(rows) if not row.get("error") and _acceptable(coach, row.get("text"))]
        try:
            triaged = dict(zip(ready, coach.triage_many([rows[i]["text"] for i in ready])))
        except (ValueError, TypeError):
            triaged = {}
    return [process(coach, row, kind, triaged.get(i)) for i, row in enumerate(rows)]


def _acceptable(coach, text) -> bool:
    """Whether `triage` would take this text (else the row gets its error alone)."""
    try:
        return coach._validate(text, "message")
    except (ValueError, TypeError):
        return False


def summary(results: Iterable[dict]) -> dict:
    """Counts for the charts: findings per category, severity mix, score distribution.
    One pass over any iterable, so a batch report of a million rows is counted from its
    journal without holding it."""
    cats, sev, bins = Counter(), Counter(), Counter()
    rows = errors = 0
    for r in results:
        rows += 1
        errors += bool(r.get("error"))
        cats.update(c for c in str(r.get("finding_categories", "")).split() if c)
        if r.get("severity"):
            sev[r["severity"]] += 1
        if r.get("score") != "" and r.get("score") is not None:
            lo = min(90, int(r["score"]) // 10 * 10)
            bins[f"{lo}-{lo + 9 if lo < 90 else 100}"] += 1
    return {"findings": dict(cats), "severity": dict(sev),
            "scores": dict(sorted(bins.items(), key=lambda kv: int(kv[0].split("-")[0]))),
            "rows": rows, "errors": errors}
