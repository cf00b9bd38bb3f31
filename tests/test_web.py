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
