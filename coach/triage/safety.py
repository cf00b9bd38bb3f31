"""The urgent safety net: lemma cues of danger that the statistical model may miss.

Missing an urgent case (a pet dying, lost, badly hurt) is the costliest error the
product can make, so a rule layer backs up the model. Cues are rule packs in the
checker's format (`cues/<lang>/urgent.yml`, `complex.yml`, `resolved.yml`), matched by
the same engine, so negation ("he's NOT hurt") and quotation are handled the same way.
An urgent cue is set aside when a `resolved` cue (the danger is over, or only
imagined: "a neighbour caught him at once", "last year", "what if") stands in the same
sentence or the next one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..rules.checker import Checker
from ..rules.pack import CUE_REQUIRED, load_rules

CUE_CATEGORIES = ("urgent", "complex", "resolved")
_SENTENCE_END = re.compile(r"[.!?…]+|\n+")


def cues_dir() -> Path:
    return Path(str(resources.files("coach.triage").joinpath("cues")))


def load_cues(lang: str, root: Path | None = None):
    return load_rules(lang, root or cues_dir(), categories=CUE_CATEGORIES, required=CUE_REQUIRED)


@dataclass(frozen=True)
class Cue:
    kind: str        # urgent | complex
    rule: str
    text: str
    reason: str
    live: bool       # False when the danger is over or hypothetical


class SafetyNet:
    """Finds urgent and complex cues in a message of one language."""

    def __init__(self, lang: str):
        self.lang = lang
        self._checker = Checker(lang, load_cues(lang))

    def cues(self, text: str) -> list[Cue]:
        found = self._checker.check(text)
        bounds = [m.end() for m in _SENTENCE_END.finditer(text)]

        def sentence(pos: int) -> int:
            return sum(1 for b in bounds if b <= pos)

        resolved = {sentence(f.start) for f in found if f.category == "resolved"}
        out = []
        for f in found:
            if f.category == "resolved":
                continue
            s = sentence(f.start)
            live = not (s in resolved or s + 1 in resolved)
            out.append(Cue(f.category, f.rule, f.text, f.message, live))
        return out
