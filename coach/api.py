"""The `Coach` facade: the one object the CLI, the app and integrations talk to.

Heavy parts (spaCy pipelines, compiled rule packs) are built on first use per language
and kept, so a process pays for Russian only when it sees Russian.
"""
from __future__ import annotations

import threading

from . import lang as _lang
from .results import Finding

DEFAULT_MAX_CHARS = 20_000


class CoachError(ValueError):
    """An input the coach could not process; the message says why."""


class Coach:
    """Checks reply drafts (and, as later issues land, triages, reviews and suggests).

    `max_chars` caps the length of any text passed in: longer input is refused with a
    ValueError rather than processed slowly or truncated silently.
    """

    def __init__(self, *, max_chars: int = DEFAULT_MAX_CHARS):
        if not isinstance(max_chars, int) or max_chars <= 0:
            raise ValueError("max_chars must be a positive integer")
        self.max_chars = max_chars
        self._checkers: dict = {}
        self._lock = threading.Lock()

    def _checker(self, lang: str):
        checker = self._checkers.get(lang)
        if checker is None:
            with self._lock:
                checker = self._checkers.get(lang)
                if checker is None:
                    from .rules.checker import Checker

                    checker = self._checkers[lang] = Checker(lang)
        return checker

    def _validate(self, text, what: str = "text") -> bool:
        """Raise for input we refuse; return False for input with nothing to check."""
        if not isinstance(text, str):
            raise TypeError(f"{what} must be str, not {type(text).__name__}")
        if len(text) > self.max_chars:
            raise ValueError(
                f"{what} is {len(text):,} characters long; the limit is {self.max_chars:,}"
            )
        return bool(text.strip())

    def detect_lang(self, text: str) -> str:
        """'en' or 'ru' for a text (see coach.lang)."""
        self._validate(text)
        return _lang.detect(text)

    def check(self, draft: str, lang: str | None = None) -> list[Finding]:
        """Phrases in a reply draft that will hurt the conversation, ordered by position.

        Offsets index the original draft: `draft[f.start:f.end] == f.text`.
        """
        if not self._validate(draft, "draft"):
            return []
        code = _lang.resolve(draft, lang)
        checker = self._checker(code)
        try:
            return checker.check(draft)
        except Exception as exc:  # keep spaCy's internals away from callers
            raise CoachError(f"could not check this draft: {type(exc).__name__}") from exc
