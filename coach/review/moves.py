"""The moves of a good first reply, found in a draft.

Most moves are phrases (a greeting, thanks, a sincere "I'm sorry that...", a next step,
the hand-over to senior managers, acting now, a question, a follow-up): they are rule
packs in the checker's format under `moves/<lang>/<move>.yml`, matched by the same
engine, so inflection, negation ("I won't rebook") and quotation are handled the same
way, and every pattern carries examples that a test runs. Restating the concern is not
a phrase but a relation to the client's message: the draft names what the message was
about (its content words, the pet's name).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..nlp import pipeline, processing
from ..rules.checker import Checker
from ..rules.pack import CUE_REQUIRED, load_rules

MOVES = ("greet", "thank", "restate", "acknowledge", "next_step", "escalation", "urgent_action",
         "question", "follow_up")
PHRASE_MOVES = tuple(m for m in MOVES if m != "restate")
# Shared content words needed before a draft counts as restating the message.
RESTATE_MIN_SHARED = 2


def moves_dir() -> Path:
    return Path(str(resources.files("coach.review").joinpath("moves")))


def load_moves(lang: str, root: Path | None = None):
    return load_rules(lang, root or moves_dir(), categories=PHRASE_MOVES, required=CUE_REQUIRED)


@dataclass(frozen=True)
class Move:
    name: str
    text: str       # the phrase that shows it ("" for restate: the shared words are listed)
    start: int
    end: int


class MoveFinder:
    """Finds the moves present in drafts of one language."""

    def __init__(self, lang: str):
        self.lang = lang
        self.nlp = pipeline(lang)
        self._checker = Checker(lang, load_moves(lang))
        self._stop = self.nlp.Defaults.stop_words
        # the same context is compared with every candidate reply of suggest()
        self.content_lemmas = lru_cache(maxsize=64)(self._content_lemmas)

    def _content_lemmas(self, text: str) -> frozenset[str]:
        """Lemmas that carry what a text is about: no stop words, digits or short words."""
        with processing(self.lang) as nlp:
            return frozenset(t.lemma_ for t in nlp(text)
                             if t.is_alpha and len(t.text) > 2 and t.lemma_ not in self._stop
                             and t.lower_ not in self._stop)

    def find(self, draft: str, context: str | None = None, names: tuple[str, ...] = ()) -> dict:
        """{move: [Move...]} for the moves present; `restate` is judged only with a
        context (absent from the result without one)."""
        out: dict[str, list[Move]] = {m: [] for m in PHRASE_MOVES}
        for f in self._checker.check(draft):
            out[f.category].append(Move(f.category, f.text, f.start, f.end))
        if context:
            shared = self.content_lemmas(draft) & self.content_lemmas(context)
            named = [n for n in names if n and n.lower() in draft.lower()]
            ok = len(shared) >= RESTATE_MIN_SHARED or bool(named)
            out["restate"] = [Move("restate", ", ".join(sorted(shared)[:6] + named), 0, 0)] if ok else []
        return out
