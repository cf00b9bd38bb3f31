"""Workshop reports: a CSV and a self-contained HTML page, both safe to share.

Every text cell is masked (coach.workshop.privacy) and, in the CSV, guarded against
formula injection: a spreadsheet runs a cell starting with = + - @ (or a tab or carriage
return) as a formula, so such a cell gets a leading apostrophe. In the HTML page every
value is escaped and the charts are inline SVG: no script, no request to any host.
"""
from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable, Iterable
from datetime import datetime, timezone

from .engine import summary
from .privacy import mask

COLUMNS = ["id", "kind", "lang", "severity", "client_tone", "category", "score", "draft_tone", "findings",
           "finding_categories", "missing_moves", "suggestion", "text", "error"]
TEXT_COLUMNS = ("text", "suggestion")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard(value) -> str:
    """A cell a spreadsheet will show as text, never run."""
    s = "" if value is None else str(value)
    return "'" + s if s.startswith(FORMULA_START) else s


def _masked(row: dict) -> dict:
    return {k: (mask(str(row.get(k, ""))) if k in TEXT_COLUMNS else row.get(k, "")) for k in COLUMNS}


def to_csv(results: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    for row in results:
        m = _masked(row)
        writer.writerow([guard(m[k]) for k in COLUMNS])
    return buf.getvalue()


def _bars(title: str, counts: dict) -> str:
    if not counts:
        return f"<h3>{html.escape(title)}</h3><p>—</p>"
    width, bar_h = 520, 22
    top = max(counts.values()) or 1
    rows = []
    for i, (label, n) in enumerate(counts.items()):
        w = int(300 * n / top)
        y = i * (bar_h + 6)
        rows.append(f'<text x="0" y="{y + 16}" font-size="13">{html.escape(str(label))}</text>'
                    f'<rect x="160" y="{y}" width="{w}" height="{bar_h}" fill="#4c78a8"></rect>'
                    f'<text x="{166 + w}" y="{y + 16}" font-size="13">{n}</text>')
    h = len(counts) * (bar_h + 6)
    return (f"<h3>{html.escape(title)}</h3><svg width='{width}' "
            f"height='{h}' role='img'>{''.join(rows)}</svg>")


def to_html(results: list[dict], title: str = "coach workshop report") -> str:
    buf = io.StringIO()
    write_html(buf, lambda: results, title)
    return buf.getvalue()


def write_html(fh, results: Callable[[], Iterable[dict]], title: str = "coach workshop report") -> int:
    """Write the page to `fh`, reading the rows twice (`results()` gives a fresh iterator):
    once for the charts, once for the table, so memory stays flat whatever the rows."""
    s = summary(results())
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    fh.write(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;font-size:13px}}
td,th{{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}}th{{background:#f3f3f3}}</style>
</head><body>
<h1>{html.escape(title)}</h1>
<p>{s['rows']} rows, {s['errors']} with an error; made {when}. Phone numbers, e-mail addresses and people's
names are masked; the masking of names is heuristic, so read the report before sharing it.</p>
{_bars("Findings per category", s["findings"])}
{_bars("Severity mix", s["severity"])}
{_bars("Score distribution", s["scores"])}
<h2>Rows</h2>
<table><thead><tr>{head}</tr></thead><tbody>""")
    n = 0
    for r in results():
        fh.write("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in _masked(r).values()) + "</tr>")
        n += 1
    fh.write("""</tbody></table>
</body></html>
""")
    return n
