"""Result types of the public API; each has `to_dict()` with the contract's names."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Finding:
    """A phrase in a draft that will hurt the conversation.

    `start`/`end` index the ORIGINAL draft: `draft[start:end] == text`.
    """

    category: str
    rule: str
    start: int
    end: int
    text: str
    message: str
    suggestions: list[str]
    level: str = "error"
    lang: str = "en"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Triage:
    """Labels of a client's message and what to do now (see the contract)."""

    lang: str
    severity: str
    tone: str
    category: str
    scores: dict
    route: "Route"  # noqa: F821 (coach.playbook.Route)
    reasons: list[str]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["route"] = self.route.to_dict()
        return d
