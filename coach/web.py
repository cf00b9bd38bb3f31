"""The Gradio app: `build_app(coach)` over the core API, nothing else.

For now two tabs — triage of a client's message, and a draft box with the checker's
findings highlighted in place; the review and workshop workspaces arrive with their
issues. Handlers are
one-line calls into `Coach`; every event has an `api_name`, so `gradio_client` and
HTTP callers get the same functions. User text is only ever shown through components
that render it as text (HighlightedText, JSON), never as HTML.
"""
from __future__ import annotations

import argparse
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import gradio as gr  # noqa: E402

from .api import Coach  # noqa: E402

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 7860
CONCURRENCY, QUEUE_SIZE = 4, 64

EXAMPLES = [
    "Sorry you feel that way, but it's not my fault the bus was late. Calm down, it was just 20 minutes.",
    "Приносим свои извинения. Как я уже говорила, ключ был под ковриком. Не переживайте так.",
    "Hi Anna, thank you for telling me. I'm so sorry Biscuit came home with a sore paw. "
    "I've passed this to our senior team and they will call you within 24 hours. Which number suits you?",
]


def check_handler(coach: Coach, draft: str) -> dict:
    """The `check` endpoint: {"lang", "findings": [Finding.to_dict()...]}."""
    try:
        findings = coach.check(draft or "")
        lang = coach.detect_lang(draft) if (draft or "").strip() else None
    except (ValueError, TypeError) as exc:
        raise gr.Error(str(exc)) from None
    return {"lang": lang, "findings": [f.to_dict() for f in findings]}


def triage_handler(coach: Coach, message: str) -> dict:
    """The `triage` endpoint: Triage.to_dict()."""
    try:
        return coach.triage(message or "").to_dict()
    except (ValueError, TypeError) as exc:
        raise gr.Error(str(exc)) from None


def triage_view(result: dict):
    """Labels with their probabilities, and the route as a checklist in plain text."""
    scores = result["scores"]
    route = result["route"]
    todo = [f"{route['action']}", f"SLA: {route['sla']}"] + [f"[ ] {c}" for c in route["checklist"]]
    todo += [f"Tell the client: {route['tell_client']}"] + ([f"Gift: {route['gift']}"] if route.get("gift") else [])
    # Severity is shown as decided (the safety net may overrule the model's arg-max);
    # tone and category with their probabilities.
    return (result["severity"], scores["tone"], scores["category"], "\n".join(todo),
            "\n".join(f"• {r}" for r in result["reasons"]))


def highlight(draft: str, result: dict) -> dict:
    """The draft with each finding marked by its category, for HighlightedText."""
    entities = [{"entity": f["category"], "start": f["start"], "end": f["end"]}
                for f in (result or {}).get("findings", [])]
    return {"text": draft or "", "entities": entities}


TABLE_HEADERS = ["phrase", "category", "why it hurts", "try instead"]


def findings_table(result: dict) -> list[list[str]]:
    """One row per finding for a plain-text Dataframe (never rendered as HTML)."""
    return [[f["text"], f["category"], f["message"], " / ".join(f["suggestions"])]
            for f in (result or {}).get("findings", [])]


def present(draft: str, result: dict):
    return highlight(draft, result), findings_table(result)


def build_app(coach: Coach) -> gr.Blocks:
    with gr.Blocks(title="coach — reply coach", analytics_enabled=False) as demo:
        gr.Markdown("## coach · answer unhappy pet-care clients well")
        with gr.Tab("Client's message"):
            message = gr.Textbox(label="The client's message", lines=6, max_length=coach.max_chars,
                                 placeholder="Paste what the client wrote…")
            go = gr.Button("Triage", variant="primary")
            with gr.Row():
                severity = gr.Label(label="Severity")
                tone = gr.Label(label="Client's tone")
                category = gr.Label(label="Category", num_top_classes=3)
            todo = gr.Textbox(label="What to do now", lines=8, interactive=False)
            why = gr.Textbox(label="Why", lines=4, interactive=False)
            with gr.Accordion("As JSON (the API's answer)", open=False):
                triaged = gr.JSON(label="triage")
            go.click(lambda m: triage_handler(coach, m), inputs=message, outputs=triaged,
                     api_name="triage", concurrency_limit=CONCURRENCY
                     ).success(triage_view, inputs=triaged, outputs=[severity, tone, category, todo, why],
                               api_visibility="private")
        with gr.Tab("Check a draft"):
            _check_tab(coach)
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE, api_open=False)
    return demo


def _check_tab(coach: Coach) -> None:
    gr.Markdown("Paste your reply to a client; phrases that will hurt the conversation are "
                "marked, with why and a rewrite.")
    draft = gr.Textbox(label="Your draft", lines=8, max_length=coach.max_chars,
                       placeholder="Type or paste your reply…")
    button = gr.Button("Check", variant="primary")
    marked = gr.HighlightedText(label="Findings in place", combine_adjacent=False,
                                show_legend=True)
    table = gr.Dataframe(headers=TABLE_HEADERS, label="Why, and what to write instead",
                         interactive=False, wrap=True,
                         column_widths=["20%", "13%", "40%", "27%"])
    with gr.Accordion("As JSON (the API's answer)", open=False):
        details = gr.JSON(label="check")
    gr.Examples(EXAMPLES, inputs=draft)
    button.click(lambda d: check_handler(coach, d), inputs=draft, outputs=details,
                 api_name="check", concurrency_limit=CONCURRENCY
                 ).success(present, inputs=[draft, details], outputs=[marked, table],
                           api_visibility="private")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="app.py", description="Start the coach web app.")
    parser.add_argument("--host", default=DEFAULT_HOST, help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    build_app(Coach()).launch(server_name=args.host, server_port=args.port, share=False,
                              max_file_size="10mb")
    return 0
