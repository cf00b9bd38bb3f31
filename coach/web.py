"""The Gradio app: `build_app(coach)`, three workspaces over the core API, nothing else.

- Reply to a client (sitters and walkers): triage, the route, suggested first messages
  in an editable box checked as it is edited, rewrites applied with one click.
- Review a draft (agents): score, tone, moves present and missing, findings in place,
  and the draft with every rewrite applied.
- Workshop (trainers): many messages or drafts from a file or pasted lines, a results
  table, charts and a report safe to share; and practice scenarios.

Handlers are thin calls into `Coach` (and `coach.workshop`); every event has an
`api_name`, and the contract's endpoints (`triage`, `check`, `review`, `suggest`) return
the `.to_dict()` form, so `gradio_client` and HTTP callers get what Python callers get. User text is only ever shown through
components that render it as text (Textbox, HighlightedText, Dataframe, JSON, Label),
never as Markdown or HTML; the only Markdown holds our own strings. Limits are enforced
in the handlers, on the server, not by the browser's `max_length`.
"""
from __future__ import annotations

import argparse
import os
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import gradio as gr  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from .api import Coach  # noqa: E402

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 7860
CONCURRENCY, QUEUE_SIZE = 4, 64
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
LANGS = {"English": "en", "Русский": "ru"}
# system fonts only: the page must render with no request to any other host
THEME = gr.themes.Default(font=["system-ui", "Segoe UI", "Roboto", "sans-serif"],
                          font_mono=["ui-monospace", "Consolas", "monospace"])

EXAMPLES = [
    "Sorry you feel that way, but it's not my fault the bus was late. Calm down, it was just 20 minutes.",
    "Приносим свои извинения. Как я уже говорила, ключ был под ковриком. Не переживайте так.",
    "Hi Anna, thank you for telling me. I'm so sorry Biscuit came home with a sore paw. "
    "I've passed this to our senior team and they will call you within 24 hours. Which number suits you?",
]


@lru_cache(maxsize=1)
def strings() -> dict:
    """All UI strings, per interface language (coach/resources/ui.yml)."""
    with resources.files("coach.resources").joinpath("ui.yml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def S(key: str, lang: str = "en") -> str:
    return strings()[lang][key]


def _error(exc: Exception) -> gr.Error:
    return gr.Error(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


# -- the contract's endpoints ------------------------------------------------------------
def check_handler(coach: Coach, draft: str) -> dict:
    """The `check` endpoint: {"lang", "findings": [Finding.to_dict()...]}."""
    try:
        findings = coach.check(draft or "")
        lang = coach.detect_lang(draft) if (draft or "").strip() else None
    except (ValueError, TypeError) as exc:
        raise _error(exc) from None
    return {"lang": lang, "findings": [f.to_dict() for f in findings]}


def triage_handler(coach: Coach, message: str) -> dict:
    """The `triage` endpoint: Triage.to_dict()."""
    try:
        return coach.triage(message or "").to_dict()
    except (ValueError, TypeError) as exc:
        raise _error(exc) from None


def suggest_handler(coach: Coach, message: str, client_name: str = "", pet_name: str = "") -> dict:
    """The `suggest` endpoint: {"triage": Triage.to_dict(), "suggestions": [Suggestion.to_dict()...]}."""
    try:
        t = coach.triage(message or "")
        out = coach.suggest(message, client_name=(client_name or "").strip() or None,
                            pet_name=(pet_name or "").strip() or None)
    except (ValueError, TypeError) as exc:
        raise _error(exc) from None
    return {"triage": t.to_dict(), "suggestions": [s.to_dict() for s in out]}


def review_handler(coach: Coach, draft: str, context: str = "") -> dict:
    """The `review` endpoint: Review.to_dict()."""
    try:
        return coach.review(draft or "", context=(context or "").strip() or None).to_dict()
    except (ValueError, TypeError) as exc:
        raise _error(exc) from None


# -- views: plain data for text-rendering components ---------------------------------------
def triage_view(result: dict):
    """Labels with their probabilities, and the route as a checklist in plain text."""
    scores = result["scores"]
    route = result["route"]
    todo = [f"{route['action']}", f"SLA: {route['sla']}"] + [f"[ ] {c}" for c in route["checklist"]]
    todo += [f"→ {route['tell_client']}"] + ([f"+ {route['gift']}"] if route.get("gift") else [])
    # Severity is shown as decided (the safety net may overrule the model's arg-max);
    # tone and category with their probabilities.
    return (result["severity"], scores["tone"], scores["category"], "\n".join(todo),
            "\n".join(f"• {r}" for r in result["reasons"]))


def highlight(draft: str, result: dict) -> dict:
    """The draft with each finding marked by its category, for HighlightedText."""
    entities = [{"entity": f["category"], "start": f["start"], "end": f["end"]}
                for f in (result or {}).get("findings", [])]
    return {"text": draft or "", "entities": entities}


def findings_table(result: dict) -> list[list[str]]:
    """One row per finding for a plain-text Dataframe (never rendered as HTML)."""
    return [[f["text"], f["category"], f["message"], " / ".join(f["suggestions"])]
            for f in (result or {}).get("findings", [])]


def fix_choices(result: dict) -> list[str]:
    """One choice per finding with a rewrite: "1. «calm down» → I can hear how worrying this was"."""
    return [f"{i}. «{f['text']}» → {f['suggestions'][0]}"
            for i, f in enumerate((result or {}).get("findings", []), 1) if f["suggestions"]]


def _replace(draft: str, finding: dict) -> str:
    """The draft with one finding's span replaced by its first rewrite, keeping a
    capital letter where the phrase had one."""
    new = finding["suggestions"][0]
    if finding["text"][:1].isupper():
        new = new[:1].upper() + new[1:]
    elif new[:1].isupper() and finding["start"] > 0 and draft[:finding["start"]].rstrip()[-1:] not in ".!?":
        new = new[:1].lower() + new[1:]
    return draft[:finding["start"]] + new + draft[finding["end"]:]


def apply_rewrite(draft: str, choice: str, result: dict) -> str:
    """The draft with the chosen finding's rewrite applied (the findings are those of
    this very draft; a stale choice leaves the draft unchanged)."""
    if not choice or not result or result.get("text") not in (None, draft):
        return draft
    try:
        n = int(choice.split(".", 1)[0])
        finding = result["findings"][n - 1]
    except (ValueError, IndexError, KeyError):
        return draft
    if draft[finding["start"]:finding["end"]] != finding["text"]:
        return draft
    return _replace(draft, finding)


def improved_draft(draft: str, findings: list[dict]) -> str:
    """Every rewrite applied, from the last finding to the first so offsets hold."""
    out = draft
    for f in sorted((f for f in findings if f["suggestions"]), key=lambda f: f["start"], reverse=True):
        if out[f["start"]:f["end"]] == f["text"]:
            out = _replace(out, f)
    return out


def review_view(draft: str, result: dict):
    moves = ", ".join(result["moves"]) or "—"
    missing = ", ".join(result["missing"]) or "—"
    return (result["score"], result["tone_scores"], moves, missing, "\n".join(f"• {e}" for e in result["explanations"]),
            highlight(draft, result), improved_draft(draft, result["findings"]))


# -- workshop ---------------------------------------------------------------------------
def workshop_handler(coach: Coach, upload, pasted: str, kind: str, lang: str = "en"):
    """Rows from an uploaded file or pasted lines -> results, charts and two report files."""
    from .workshop import engine, report

    kind = "drafts" if kind == "drafts" else "messages"
    try:
        if upload is not None:
            path = Path(upload if isinstance(upload, str) else upload.name)
            if path.stat().st_size > MAX_UPLOAD_BYTES:
                raise ValueError(S("error_upload_size", lang))
            rows = engine.read_rows(path.read_bytes(), path.name)
        elif (pasted or "").strip():
            if len(pasted) > MAX_UPLOAD_BYTES:
                raise ValueError(S("error_upload_size", lang))
            rows = engine.read_rows(pasted, "pasted.txt")
        else:
            raise ValueError(S("error_nothing", lang))
        if len(rows) > engine.MAX_ROWS:
            raise ValueError(S("error_rows", lang).format(n=engine.MAX_ROWS))
    except (ValueError, TypeError, OSError) as exc:
        raise _error(exc) from None
    results = engine.run(coach, rows, kind)
    s = engine.summary(results)
    folder = Path(tempfile.mkdtemp(prefix="coach-report-"))
    csv_path, html_path = folder / "coach-report.csv", folder / "coach-report.html"
    csv_path.write_text(report.to_csv(results), encoding="utf-8")
    html_path.write_text(report.to_html(results), encoding="utf-8")
    table = pd.DataFrame([{k: r[k] for k in report.COLUMNS} for r in results], columns=report.COLUMNS)

    def frame(counts: dict, label: str) -> pd.DataFrame:
        return pd.DataFrame({label: list(counts), "n": list(counts.values())})

    return (table, frame(s["findings"], "category"), frame(s["severity"], "severity"),
            frame(s["scores"], "score"), str(csv_path), str(html_path))


def practice_titles(lang: str) -> list[tuple[str, str]]:
    from .workshop.practice import scenarios

    return [(f"{s['id']} · {s['title']}", s["id"]) for s in scenarios(lang)]


def practice_pick(scenario_id: str) -> str:
    from .workshop.practice import find

    return find(scenario_id)["message"] if scenario_id else ""


def practice_review(coach: Coach, scenario_id: str, reply: str):
    """The trainee's reply reviewed against the scenario; the model answer afterwards."""
    from .workshop.practice import find

    try:
        s = find(scenario_id)
        r = coach.review(reply or "", context=s["message"])
    except (ValueError, TypeError) as exc:
        raise _error(exc) from None
    d = r.to_dict()
    notes = "\n".join(f"• {e}" for e in d["explanations"])
    return (d["score"], notes, highlight(reply, d), gr.update(value=s["model_answer"] + "\n\n" + s.get("notes", ""),
                                                          visible=True))


# -- the app ------------------------------------------------------------------------------
def build_app(coach: Coach) -> gr.Blocks:
    labelled: list[tuple[object, str, str]] = []   # (component, string key, attribute to update)

    def L(component, key: str, attr: str = "label"):
        labelled.append((component, key, attr))
        return component

    with gr.Blocks(title="coach — reply coach", analytics_enabled=False) as demo:
        with gr.Row():
            title = L(gr.Markdown(S("title")), "title", "value")
            ui_lang = gr.Radio(list(LANGS), value="English", label=S("ui_lang"), scale=0, min_width=220)
        labelled.append((ui_lang, "ui_lang", "label"))
        lang_state = gr.State("en")

        with gr.Tab(S("tab_reply")) as tab_reply:
            _reply_tab(coach, L)
        with gr.Tab(S("tab_review")) as tab_review:
            _review_tab(coach, L)
        with gr.Tab(S("tab_workshop")) as tab_workshop:
            _workshop_tab(coach, L, lang_state)
        for tab, key in ((tab_reply, "tab_reply"), (tab_review, "tab_review"), (tab_workshop, "tab_workshop")):
            labelled.append((tab, key, "label"))

        def switch(choice):
            lang = LANGS.get(choice, "en")
            return [lang] + [gr.update(**_translated(key, attr, lang)) for _, key, attr in labelled]

        ui_lang.change(switch, inputs=ui_lang, outputs=[lang_state] + [c for c, _, _ in labelled],
                       api_name="switch_language")
        del title
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE, api_open=False)
    return demo


def _kind_choices(lang: str) -> list[tuple[str, str]]:
    return [(S("kind_messages", lang), "messages"), (S("kind_drafts", lang), "drafts")]


def _translated(key: str, attr: str, lang: str) -> dict:
    """The update that puts one component in the interface language."""
    if attr == "kind":
        return {"label": S("kind", lang), "choices": _kind_choices(lang)}
    return {attr: S(key, lang)}


def _reply_tab(coach: Coach, L) -> None:
    with gr.Row():
        with gr.Column(scale=3):
            message = L(gr.Textbox(label=S("message"), lines=5, placeholder=S("message_ph")), "message")
        with gr.Column(scale=1):
            client = L(gr.Textbox(label=S("client_name"), max_lines=1), "client_name")
            pet = L(gr.Textbox(label=S("pet_name"), max_lines=1), "pet_name")
    go = L(gr.Button(S("go_reply"), variant="primary"), "go_reply", "value")
    with gr.Row():
        severity = L(gr.Label(label=S("severity")), "severity")
        tone = L(gr.Label(label=S("client_tone")), "client_tone")
        category = L(gr.Label(label=S("category"), num_top_classes=3), "category")
    with gr.Row():
        todo = L(gr.Textbox(label=S("todo"), lines=7, interactive=False), "todo")
        why = L(gr.Textbox(label=S("why"), lines=7, interactive=False), "why")
    alternatives = L(gr.Radio([], label=S("alternatives"), type="index"), "alternatives")
    draft = L(gr.Textbox(label=S("draft"), lines=8, elem_id="reply-draft"), "draft")
    marked = L(gr.HighlightedText(label=S("marked"), combine_adjacent=False, show_legend=True), "marked")
    fix = L(gr.Dropdown([], label=S("fix_pick"), elem_id="reply-fix"), "fix_pick")
    table = L(gr.Dataframe(headers=S("table_headers"), label=S("table"), interactive=False, wrap=True), "table")
    suggested = gr.JSON(visible=False)
    checked = gr.JSON(visible=False)

    def show(result):
        texts = [s["text"] for s in result["suggestions"]]
        labels = [f"{s['rank']} · {s['score']}/100 · {s['text'].splitlines()[0][:40]}…" for s in result["suggestions"]]
        return (*triage_view(result["triage"])[:5], gr.update(choices=labels, value=0 if texts else None),
                texts[0] if texts else "")

    def pick(index, result):
        if index is None or not result:
            return gr.update()
        return result["suggestions"][index]["text"]

    def run_check(text):
        result = check_handler(coach, text)
        result["text"] = text
        return (result, highlight(text, result), findings_table(result),
                gr.update(choices=fix_choices(result), value=None))

    go.click(lambda m, c, p: suggest_handler(coach, m, c, p), inputs=[message, client, pet], outputs=suggested,
             api_name="suggest", concurrency_limit=CONCURRENCY
             ).success(show, inputs=suggested, outputs=[severity, tone, category, todo, why, alternatives, draft],
                       api_name="show_suggestions")
    alternatives.input(pick, inputs=[alternatives, suggested], outputs=draft, api_name="pick_suggestion")
    draft.change(run_check, inputs=draft, outputs=[checked, marked, table, fix], trigger_mode="always_last",
                 api_name="check_as_typed", concurrency_limit=CONCURRENCY)
    # one click on a rewrite applies it; the draft's change event then checks it again
    fix.input(apply_rewrite, inputs=[draft, fix, checked], outputs=draft, api_name="apply_rewrite")

    # the contract's `triage` and `check` endpoints, for API callers (the page calls
    # them through `suggest` and the draft box)
    def triage(message: str) -> dict:
        return triage_handler(coach, message)

    def check(draft: str) -> dict:
        return check_handler(coach, draft)

    gr.api(triage, api_name="triage", concurrency_limit=CONCURRENCY)
    gr.api(check, api_name="check", concurrency_limit=CONCURRENCY)


def _review_tab(coach: Coach, L) -> None:
    with gr.Row():
        draft = L(gr.Textbox(label=S("review_draft"), lines=8), "review_draft")
        context = L(gr.Textbox(label=S("review_context"), lines=8), "review_context")
    go = L(gr.Button(S("go_review"), variant="primary"), "go_review", "value")
    with gr.Row():
        score = L(gr.Number(label=S("score"), interactive=False, precision=0), "score")
        tone = L(gr.Label(label=S("draft_tone")), "draft_tone")
    with gr.Row():
        present = L(gr.Textbox(label=S("moves_present"), interactive=False), "moves_present")
        missing = L(gr.Textbox(label=S("moves_missing"), interactive=False), "moves_missing")
    notes = L(gr.Textbox(label=S("explanations"), lines=6, interactive=False), "explanations")
    marked = L(gr.HighlightedText(label=S("marked"), combine_adjacent=False, show_legend=True), "marked")
    improved = L(gr.Textbox(label=S("improved"), lines=6, interactive=False, buttons=["copy"],
                            elem_id="review-improved"), "improved")
    reviewed = gr.JSON(visible=False)
    go.click(lambda d, c: review_handler(coach, d, c), inputs=[draft, context], outputs=reviewed,
             api_name="review", concurrency_limit=CONCURRENCY
             ).success(review_view, inputs=[draft, reviewed],
                       outputs=[score, tone, present, missing, notes, marked, improved], api_name="show_review")


def _workshop_tab(coach: Coach, L, lang_state) -> None:
    with gr.Tab(S("batch")) as batch_tab:
        intro = L(gr.Markdown(S("batch_intro")), "batch_intro", "value")
        del intro
        with gr.Row():
            upload = L(gr.File(label=S("upload"), file_types=[".csv", ".tsv", ".jsonl", ".txt"],
                               elem_id="workshop-upload"), "upload")
            pasted = L(gr.Textbox(label=S("paste"), lines=6), "paste")
        kind = L(gr.Radio(_kind_choices("en"), value="drafts", label=S("kind")), "kind", "kind")
        go = L(gr.Button(S("go_batch"), variant="primary"), "go_batch", "value")
        table = L(gr.Dataframe(label=S("results"), interactive=False, wrap=True), "results")
        with gr.Row():
            c1 = L(gr.BarPlot(x="category", y="n", label=S("chart_findings")), "chart_findings")
            c2 = L(gr.BarPlot(x="severity", y="n", label=S("chart_severity")), "chart_severity")
            c3 = L(gr.BarPlot(x="score", y="n", label=S("chart_scores")), "chart_scores")
        with gr.Row():
            csv_file = L(gr.File(label=S("report_csv"), elem_id="report-csv"), "report_csv")
            html_file = L(gr.File(label=S("report_html"), elem_id="report-html"), "report_html")
        go.click(lambda u, p, k, lang: workshop_handler(coach, u, p, k, lang), inputs=[upload, pasted, kind, lang_state],
                 outputs=[table, c1, c2, c3, csv_file, html_file], api_name="workshop", concurrency_limit=2)
    with gr.Tab(S("practice")) as practice_tab:
        choices = practice_titles("en") + practice_titles("ru")
        scenario = L(gr.Dropdown(choices, value=choices[0][1], label=S("scenario")), "scenario")
        shown = L(gr.Textbox(value=practice_pick(choices[0][1]), label=S("scenario_message"), lines=4,
                             interactive=False), "scenario_message")
        reply = L(gr.Textbox(label=S("your_reply"), lines=6), "your_reply")
        go_p = L(gr.Button(S("go_practice"), variant="primary"), "go_practice", "value")
        with gr.Row():
            score = L(gr.Number(label=S("score"), interactive=False, precision=0), "score")
            notes = L(gr.Textbox(label=S("explanations"), lines=6, interactive=False), "explanations")
        marked = L(gr.HighlightedText(label=S("marked"), combine_adjacent=False), "marked")
        model = L(gr.Textbox(label=S("model_answer"), lines=6, interactive=False, visible=False), "model_answer")
        scenario.change(practice_pick, inputs=scenario, outputs=shown, api_name="pick_scenario")
        scenario.change(lambda _: gr.update(value="", visible=False), inputs=scenario, outputs=model,
                        api_name="hide_model_answer")
        go_p.click(lambda s, r: practice_review(coach, s, r), inputs=[scenario, reply],
                   outputs=[score, notes, marked, model], api_name="practice", concurrency_limit=CONCURRENCY)
    L(batch_tab, "batch")
    L(practice_tab, "practice")


def _auth():
    """Optional login for a shared workshop server: COACH_AUTH="user:password"."""
    value = os.environ.get("COACH_AUTH", "")
    if not value:
        return None
    user, _, password = value.partition(":")
    if not user or not password:
        raise SystemExit("COACH_AUTH must be user:password")
    return (user, password)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="app.py", description="Start the coach web app.")
    parser.add_argument("--host", default=DEFAULT_HOST, help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    coach = Coach()
    coach.warm_up()
    build_app(coach).launch(server_name=args.host, server_port=args.port, share=False, auth=_auth(),
                            max_file_size="5mb", show_error=True, theme=THEME)
    return 0
