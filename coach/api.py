"""The `Coach` facade: the one object the CLI, the app and integrations talk to.

Heavy parts (spaCy pipelines, compiled rule packs) are built on first use per language
and kept, so a process pays for Russian only when it sees Russian.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from . import lang as _lang
from . import playbook as _playbook
from .results import Finding, Triage

DEFAULT_MAX_CHARS = 20_000
# The models trained and committed with the project (`coach train` rebuilds them).
DEFAULT_MODELS = Path(os.environ.get("COACH_MODELS", Path(__file__).resolve().parents[1] / "models"))


class CoachError(ValueError):
    """An input the coach could not process; the message says why."""


class Coach:
    """Triages client messages and checks reply drafts (review and suggest come next).

    `playbook` is a team's own playbook file (validated at once); by default the
    embedded playbook is used, in the message's language. `models` is the folder of
    trained models. `max_chars` caps the length of any text passed in: longer input is
    refused with a ValueError rather than processed slowly or truncated silently.
    """

    def __init__(self, playbook: str | os.PathLike | None = None, *, models: str | os.PathLike | None = None,
                 max_chars: int = DEFAULT_MAX_CHARS):
        if not isinstance(max_chars, int) or max_chars <= 0:
            raise ValueError("max_chars must be a positive integer")
        self.max_chars = max_chars
        if playbook is None:
            self.playbooks = {lang: _playbook.load_default(lang) for lang in ("en", "ru")}
        else:
            team = _playbook.load(playbook)
            self.playbooks = {"en": team, "ru": team}
        self.models_dir = Path(models) if models is not None else DEFAULT_MODELS
        self._checkers: dict = {}
        self._triager = None
        self._lock = threading.Lock()

    def triage(self, message: str, lang: str | None = None) -> Triage:
        """Severity, client tone and category of a message, with scores, reasons and the
        playbook's route (what to do now)."""
        if not self._validate(message, "message"):
            raise ValueError("message is empty")
        code = _lang.resolve(message, lang)
        if self._triager is None:
            with self._lock:
                if self._triager is None:
                    from .triage.engine import Triager

                    self._triager = Triager(self.models_dir, self.playbooks)
        return self._triager.triage(message, code)

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
