"""The app through its handlers and through gradio_client against a served instance."""
import socket

import pytest

from coach.web import build_app, check_handler, findings_table, highlight


def test_web_check_handler_returns_contract_form(coach):
    out = check_handler(coach, "Calm down, it's just a scratch.")
    assert out["lang"] == "en"
    assert out["findings"] and out["findings"][0]["category"] == "dismissive"
    marked = highlight("Calm down, it's just a scratch.", out)
    assert marked["entities"][0]["start"] == 0
    rows = findings_table(out)
    assert rows[0][0] == "Calm down" and rows[0][1] == "dismissive" and rows[0][3]


def test_web_check_handler_refuses_overlong_text_on_the_server(coach):
    import gradio as gr

    with pytest.raises(gr.Error, match="limit"):
        check_handler(coach, "x" * (coach.max_chars + 1))


def test_web_script_text_stays_text(coach):
    draft = "<script>alert(1)</script> calm down <img src=x onerror=alert(2)>"
    out = check_handler(coach, draft)
    marked = highlight(draft, out)
    assert marked["text"] == draft  # passed to HighlightedText, which renders text, not HTML


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(coach):
    demo = build_app(coach)
    port = _free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


def test_web_check_endpoint_through_gradio_client(served):
    from gradio_client import Client

    client = Client(served, analytics_enabled=False, verbose=False)
    out = client.predict("Приносим свои извинения, как я уже говорила.", api_name="/check")
    assert out["lang"] == "ru"
    assert {"canned_apology", "blame"} <= {f["category"] for f in out["findings"]}


def test_web_run_route_is_closed(served):
    import httpx

    r = httpx.post(served + "gradio_api/run/check", json={"data": ["calm down"]})
    assert r.status_code >= 400


def test_web_triage_handler_and_view(coach):
    from coach.web import triage_handler, triage_view

    out = triage_handler(coach, "<b>Bella</b> was hit by a car, we're at the vet")
    assert out["severity"] == "urgent"
    sev, tone, cat, todo, why = triage_view(out)
    assert sev == "urgent" and set(tone) == {"calm", "worried", "frustrated", "angry"} and "[ ]" in todo and why


def test_web_triage_endpoint_through_gradio_client(served):
    from gradio_client import Client

    client = Client(served, analytics_enabled=False, verbose=False)
    out = client.predict("Собака убежала на прогулке, выгульщик не может её найти", api_name="/triage")
    assert out["lang"] == "ru" and out["severity"] == "urgent"


def test_web_apply_rewrite_and_improved_draft(coach):
    from coach.web import apply_rewrite, fix_choices, improved_draft

    draft = "Calm down, it's not my fault. I'll rebook the walk today."
    result = check_handler(coach, draft)
    result["text"] = draft
    choices = fix_choices(result)
    assert len(choices) == 2 and choices[0].startswith("1. «Calm down» → ")
    once = apply_rewrite(draft, choices[0], result)
    assert "Calm down" not in once and once.endswith("I'll rebook the walk today.")
    assert apply_rewrite(once, choices[0], result) == once           # stale findings change nothing
    both = improved_draft(draft, result["findings"])
    assert "Calm down" not in both and "not my fault" not in both and both.endswith("today.")


def test_web_suggest_and_review_handlers(coach):
    from coach.web import review_handler, review_view, suggest_handler

    out = suggest_handler(coach, "Nobody came to walk Rex today!", "Anna", "Rex")
    assert out["triage"]["severity"] in ("routine", "complex") and len(out["suggestions"]) >= 3
    assert out["suggestions"][0]["text"].startswith("Hi Anna") or "Anna" in out["suggestions"][0]["text"]
    r = review_handler(coach, "Relax, it's not my fault.", "My dog came back limping and nobody told me.")
    score, tone, present, missing, notes, marked, improved = review_view("Relax, it's not my fault.", r)
    assert score == r["score"] and "Relax" not in improved and marked["entities"]


def test_web_workshop_handler_builds_reports(coach, tmp_path):
    from coach.web import workshop_handler

    f = tmp_path / "drafts.csv"
    f.write_text("draft\nCalm down.\n=1+1\nHi Sam, thanks for telling me. I'm sorry. I'll rebook today. OK?\n",
                 encoding="utf-8")
    table, c1, c2, c3, csv_path, html_path = workshop_handler(coach, str(f), "", "drafts")
    assert len(table) == 3 and set(c1["category"]) >= {"dismissive"}
    assert open(csv_path, encoding="utf-8").read().count("\n") == 4
    big = tmp_path / "big.csv"
    big.write_bytes(b"draft\n" + b"x" * (6 * 1024 * 1024))
    with pytest.raises(Exception, match="5 MB"):
        workshop_handler(coach, str(big), "", "drafts")
    with pytest.raises(Exception, match="Nothing"):
        workshop_handler(coach, None, "  ", "drafts")


def test_web_review_and_suggest_through_gradio_client(served):
    from gradio_client import Client

    client = Client(served, analytics_enabled=False, verbose=False)
    r = client.predict("Sorry you feel that way.", "Rex was hit by a car!", api_name="/review")
    assert r["case"]["severity"] == "urgent" and r["explanations"][0].startswith("Urgent case")
    s = client.predict("Собака убежала на прогулке!", "Анна", "", api_name="/suggest")
    assert s["triage"]["severity"] == "urgent" and "Анна" in s["suggestions"][0]["text"]


def test_web_every_event_has_an_api_name_and_goes_through_the_queue(coach):
    demo = build_app(coach)
    deps = demo.config["dependencies"]
    names = [d.get("api_name") for d in deps]
    assert all(names) and len(set(names)) == len(names)
    assert {"triage", "check", "review", "suggest"} <= set(names)
    assert all(d.get("queue") is not False for d in deps)


@pytest.mark.parametrize("name,content", [
    ("archive.csv", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 8),   # a zip renamed .csv
    ("junk.jsonl", b"\x00\x01\x02\x03binary"),
])
def test_web_workshop_refuses_binary_uploads_with_a_reason(coach, tmp_path, name, content):
    import gradio as gr

    from coach.web import workshop_handler

    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(gr.Error, match="binary|neither UTF-8"):
        workshop_handler(coach, str(f), "", "drafts")
