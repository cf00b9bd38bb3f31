"""End to end in a real headless Chromium (Debian's `chromium`, driven by Playwright):
paste a message, get a suggestion, edit the draft, apply a rewrite, review a hostile
draft, upload a CSV and download the report. Every request the page makes must go to
the app itself (the page renders offline), and user text containing markup stays text.
The tests write the README's screenshots to docs/.

Skipped when no chromium is installed, unless COACH_REQUIRE_BROWSER=1 (set by .ci/run,
which installs it), so a laptop without the browser can still run the rest.
"""
import os
import re
import shutil
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE = os.path.exists(CHROMIUM)
if not HAVE and os.environ.get("COACH_REQUIRE_BROWSER") == "1":
    raise RuntimeError(f"COACH_REQUIRE_BROWSER=1 but no chromium at {CHROMIUM}")
pytestmark = pytest.mark.skipif(not HAVE, reason="Debian's chromium is not installed (apt-get install chromium)")

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
DOCS = Path(__file__).resolve().parents[1] / "docs"
TIMEOUT = 30_000


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(coach):
    from coach.web import build_app

    coach.warm_up()
    demo = build_app(coach)
    port = _free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    """A page that records every request to another host and every JS dialog."""
    page = browser.new_page(viewport={"width": 1200, "height": 1000}, accept_downloads=True)
    page.outside, page.dialogs = [], []

    def route(r):
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            return r.continue_()
        page.outside.append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(app_url)
    page.get_by_role("button", name="Triage and suggest a reply").wait_for(timeout=TIMEOUT)
    yield page
    assert page.outside == [], f"the page asked other hosts: {page.outside[:3]}"
    assert page.dialogs == [], f"a script ran: {page.dialogs}"
    page.close()


def test_reply_workspace_suggest_edit_and_apply_a_rewrite(page):
    from playwright.sync_api import expect

    page.get_by_label("The client's message").fill(
        "Nobody came to walk my dog Rex this morning. I waited until 11. This is the second time!")
    page.get_by_label("Client's name (optional)").fill("Anna")
    page.get_by_role("button", name="Triage and suggest a reply").click()
    draft = page.get_by_label("Your reply (edit freely; it is checked as you type)")
    expect(draft).to_have_value(re.compile(r"^(Hi|Hello|Dear) Anna"), timeout=TIMEOUT)
    expect(page.get_by_label("What to do now")).to_have_value(re.compile("SLA"))
    text = draft.input_value()
    assert "Rex" in text
    draft.fill(text + " Calm down, it was only one walk.")
    page.get_by_text("dismissive").first.wait_for(timeout=TIMEOUT)
    page.screenshot(path=str(DOCS / "reply.png"), full_page=True)
    page.get_by_label("Click a rewrite to apply it").click()
    page.get_by_role("option", name=re.compile("Calm down")).click()
    expect(draft).not_to_have_value(re.compile("Calm down"), timeout=TIMEOUT)
    expect(draft).to_have_value(re.compile("only one walk"))


def test_review_workspace_shows_markup_as_text(page):
    from playwright.sync_api import expect

    hostile = "<script>alert('x')</script> Calm down. <img src=x onerror=alert(1)> It's not my fault."
    page.get_by_role("tab", name="Review a draft").click()
    page.get_by_label("The draft to review").fill(hostile)
    page.get_by_label("The client's message (optional, makes the review weigh the case)").fill(
        "Bella came back limping from the walk and nobody told me.")
    page.get_by_role("button", name="Review", exact=True).click()
    improved = page.locator("#review-improved textarea")
    expect(improved).to_have_value(re.compile(re.escape("<img src=x onerror=alert(1)>")), timeout=TIMEOUT)
    expect(page.get_by_label("What to change, worst first")).to_have_value(re.compile("Complex case"))
    assert page.locator("img[src='x']").count() == 0
    assert page.get_by_text("<script>alert('x')</script>", exact=False).count() >= 1
    page.screenshot(path=str(DOCS / "review.png"), full_page=True)


def test_workshop_upload_csv_and_download_the_report(page, tmp_path):
    from playwright.sync_api import expect

    f = tmp_path / "trainees.csv"
    f.write_bytes("id;ответ\n1;Успокойтесь, это не моя вина.\n2;=HYPERLINK(\"x\")\n3;Hi Sam, sorry you feel that way.\n"
                  .encode("cp1251", errors="replace"))
    page.get_by_role("tab", name="Workshop").click()
    page.locator("#workshop-upload input[type=file]").set_input_files(str(f))
    page.get_by_role("button", name="Run").click()
    link = page.locator("#report-csv a").first
    link.wait_for(timeout=TIMEOUT)
    with page.expect_download() as d:
        link.click()
    body = Path(d.value.path()).read_text(encoding="utf-8")
    assert body.count("\n") == 4 and "'=HYPERLINK" in body and "[name]" in body
    expect(page.locator("#report-html a").first).to_be_visible()
    page.screenshot(path=str(DOCS / "workshop.png"), full_page=True)


def test_interface_switches_to_russian(page):
    from playwright.sync_api import expect

    page.get_by_text("Русский").click()
    expect(page.get_by_label("Сообщение клиента")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("button", name="Оценить и предложить ответ")).to_be_visible()
    expect(page.get_by_role("tab", name="Разбор черновика")).to_be_visible()
    page.get_by_role("tab", name="Тренинг").click()
    expect(page.get_by_text("черновики ответов")).to_be_visible()
