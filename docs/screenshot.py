"""Make docs/triage.png and docs/checker.png: the app in headless Chromium.

Needs Debian's chromium (`apt-get install chromium`) and `pip install playwright`
(the `docs` extra); Playwright's own browser download does not work offline.
Run: `.venv/bin/python docs/screenshot.py`.
"""
from __future__ import annotations

import os
import re
import socket
import sys
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from coach import Coach  # noqa: E402
from coach.web import build_app  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
MESSAGE = ("Hi, just letting you know Max slipped his harness in the park about an hour ago "
           "and the walker still can't find him. What do we do?")
DRAFT = ("Hi Tom, sorry you feel that way, but it's not my fault the lift was broken. "
         "Calm down, it was only 20 minutes and Rex was fine. This will never happen again.")


def main() -> int:
    out = Path(__file__).with_name("checker.png")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo = build_app(Coach())
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_label("The client's message").fill(MESSAGE)
            page.get_by_role("button", name="Triage").click()
            expect(page.get_by_label("What to do now")).to_have_value(re.compile("SLA"), timeout=30000)
            page.screenshot(path=str(out.with_name("triage.png")), full_page=True)
            page.get_by_role("tab", name="Check a draft").click()
            page.get_by_label("Your draft").fill(DRAFT)
            page.get_by_role("button", name="Check").click()
            page.get_by_text("canned_apology").first.wait_for(timeout=15000)
            page.screenshot(path=str(out), full_page=True)
            browser.close()
    finally:
        demo.close()
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
