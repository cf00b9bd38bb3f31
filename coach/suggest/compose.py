"""Composing first replies from the moves of a good one.

The plan follows the triage: an angry client is heard first and gets a shorter reply (no
thanks, no extras); a worried one gets what happens next. The action follows the
severity and the team's playbook: a fix now (and the gift for a critical slip) for a
routine case; the hand-over to senior managers within the playbook's hours for a complex
one; acting now, and what to do this minute, for an urgent one — never a 24-hour
promise there. Each move's words come from `moves/<lang>.yml`; alternative k takes
variant k of every move, so alternatives differ in words, not only in order.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources

import yaml

from ..playbook import Playbook
from .details import Details

MAX_CHARS = 700


@lru_cache(maxsize=None)
def phrasing(lang: str) -> dict:
    with resources.files("coach.suggest").joinpath(f"moves/{lang}.yml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass(frozen=True)
class Suggestion:
    """One first message to the client; `score` is its own review's score."""

    text: str
    lang: str
    rank: int
    score: int
    severity: str
    moves: list[str]

    def to_dict(self) -> dict:
        return asdict(self)


class _Slots(dict):
    def __missing__(self, key):
        raise KeyError(f"move files use an unknown slot {{{key}}}")


def _pick(options: list[str], k: int) -> str:
    return options[k % len(options)]


def _sentence_case(text: str) -> str:
    """Capitalise each sentence's first letter after slots are filled ("your dog came
    home hurt" opening a sentence)."""
    return re.sub(r"(^|[.!?]\s+)([a-zа-яё])", lambda m: m.group(1) + m.group(2).upper(), text)


def plan(triage) -> list[str]:
    """The moves of the reply, in order, for this client's severity and tone."""
    action = {"routine": ["fix", "gift"], "complex": ["escalate", "meanwhile"],
              "urgent": ["urgent", "advise"]}[triage.severity]
    if triage.tone == "angry":
        return ["greet", "acknowledge", "restate", *action, "ask", "sign"]
    if triage.tone == "worried":
        return ["greet", "thank", "restate", "acknowledge", *action, "reassure", "ask", "sign"]
    return ["greet", "thank", "restate", "acknowledge", *action, "ask", "sign"]


def compose(triage, details: Details, playbook: Playbook, k: int, client_name: str | None = None,
            sender_name: str | None = None) -> str:
    """Alternative `k` of the first reply to a triaged message."""
    words = phrasing(details.lang)
    slots = _Slots(details.pet_slots())
    slots["when"] = f" {details.when}" if details.when else ""
    slots["client"] = (client_name or "").strip()
    slots["sender"] = (sender_name or "").strip()
    slots["sla"] = str(int(triage.route.sla_hours or 24))
    slots["gift"] = playbook.gift.get("offer", "") if triage.route.gift else ""
    category = triage.category
    issue = _pick(words["issues"].get(category, words["issues"]["other"]), k).format_map(slots)
    slots["issue"] = issue
    parts: list[str] = []
    for move in plan(triage):
        if move == "greet":
            text = _pick(words["greet"]["named" if slots["client"] else "unnamed"], k)
        elif move == "acknowledge":
            text = _pick(words["acknowledge"].get(triage.tone, words["acknowledge"]["default"]), k)
        elif move == "fix":
            text = _pick(words["fix"].get(category, words["fix"]["other"]), k)
        elif move == "gift":
            if not slots["gift"]:
                continue
            text = _pick(words["gift"], k)
        elif move in ("meanwhile", "advise"):
            table = words[move]
            text = _pick(table.get(category, table["default"]), k)
        elif move == "ask":
            by_category = words.get("ask_by_category", {}).get(category)
            text = _pick(by_category if by_category and triage.severity == "routine" else words["ask"][triage.severity], k)
        elif move == "sign":
            text = _pick(words["sign"]["named" if slots["sender"] else "unnamed"], k)
        else:
            text = _pick(words[move], k)
        parts.append(text.format_map(slots))
    greet, body, sign = parts[0], [p for p in parts[1:-1] if p], parts[-1]
    out = greet + "\n\n" + _sentence_case(" ".join(body))
    if sign:
        out += "\n\n" + sign
    return out.strip()
