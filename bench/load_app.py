"""Load test: simulated workshop users against the app on loopback.

Starts the app in this process (or uses --url), then N users each loop for D seconds:
pick a call (check 60%, review 20%, suggest 10%, triage 10%) with a text from data/,
send it through Gradio's REST API (POST /gradio_api/call/<name>, then read the event
stream), and think for 0.5–2 s like a person reading the answer. Prints requests,
errors and p50/p95/p99 latency per call and overall. Target: no errors, p95 ≤ 1 s.
Run: `python bench/load_app.py [--users 50] [--seconds 60] [--url URL]`.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import threading
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import httpx  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MIX = [("check", 0.6), ("review", 0.2), ("suggest", 0.1), ("triage", 0.1)]


def _texts():
    msgs = [json.loads(line)["text"] for line in open(ROOT / "data/messages.jsonl", encoding="utf-8")]
    drafts = [json.loads(line) for line in open(ROOT / "data/drafts_dev.jsonl", encoding="utf-8")]
    return msgs, drafts


def _payload(name, msgs, drafts, rng):
    if name == "check":
        return [rng.choice(drafts)["text"]]
    if name == "review":
        d = rng.choice(drafts)
        return [d["text"], d.get("context") or ""]
    if name == "suggest":
        return [rng.choice(msgs), "Anna", ""]
    return [rng.choice(msgs)]


def call(client: httpx.Client, base: str, name: str, data: list) -> None:
    r = client.post(f"{base}gradio_api/call/{name}", json={"data": data})
    r.raise_for_status()
    event_id = r.json()["event_id"]
    with client.stream("GET", f"{base}gradio_api/call/{name}/{event_id}") as s:
        event = None
        for line in s.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
                if event == "error":
                    raise RuntimeError("error event")
            elif line.startswith("data:") and event == "complete":
                return
    raise RuntimeError(f"stream ended without a result (last event {event})")


def user(base, seconds, results, seed, msgs, drafts):
    rng = random.Random(seed)
    names, weights = zip(*MIX)
    end = time.perf_counter() + seconds
    with httpx.Client(timeout=30) as client:
        while time.perf_counter() < end:
            name = rng.choices(names, weights)[0]
            t0 = time.perf_counter()
            try:
                call(client, base, name, _payload(name, msgs, drafts, rng))
                results.append((name, time.perf_counter() - t0, None))
            except Exception as exc:  # noqa: BLE001 - every failure is counted, none hidden
                results.append((name, time.perf_counter() - t0, type(exc).__name__))
            time.sleep(rng.uniform(0.5, 2.0))


def _pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--url", help="a running app (default: start one here on a free port)")
    args = ap.parse_args()
    demo = None
    base = args.url
    if not base:
        from coach import Coach
        from coach.web import build_app

        coach = Coach()
        t0 = time.perf_counter()
        coach.warm_up()
        print(f"app warm-up: {time.perf_counter() - t0:.1f} s")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        demo = build_app(coach)
        demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
        base = f"http://127.0.0.1:{port}/"
    base = base if base.endswith("/") else base + "/"
    msgs, drafts = _texts()
    results: list = []
    threads = [threading.Thread(target=user, args=(base, args.seconds, results, i, msgs, drafts))
               for i in range(args.users)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if demo is not None:
        demo.close()
    print(f"{args.users} users for {args.seconds:.0f} s: {len(results)} requests in {wall:.1f} s "
          f"({len(results) / wall:.1f}/s), errors {sum(1 for r in results if r[2])}")
    print(f"{'call':<10}{'n':>6}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for name in [m for m, _ in MIX] + ["all"]:
        rows = [r for r in results if name in ("all", r[0])]
        lat = [r[1] * 1e3 for r in rows if not r[2]]
        print(f"{name:<10}{len(rows):>6}{sum(1 for r in rows if r[2]):>8}{_pct(lat, .5):>9.0f}"
              f"{_pct(lat, .95):>9.0f}{_pct(lat, .99):>9.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
