"""The `Coach` facade: the one object the CLI, the app and integrations talk to.

Heavy parts (spaCy pipelines, compiled rule packs) are built on first use per language
and kept, so a process pays for Russian only when it sees Russian.
"""
from __future__ import annotations

import os
import threading
import unicodedata
from pathlib import Path

from . import lang as _lang
from . import playbook as _playbook
from .results import Finding, Triage

DEFAULT_MAX_CHARS = 20_000
# The models trained and committed with the project (`coach train` rebuilds them).
DEFAULT_MODELS = Path(os.environ.get("COACH_MODELS", Path(__file__).resolve().parents[1] / "models"))


TRIAGE_MODELS = ("accurate", "fast")


class CoachError(ValueError):
    """An input the coach could not process; the message says why."""


class Coach:
    """Triages client messages, checks and reviews reply drafts, and suggests first replies.

    `playbook` is a team's own playbook file (validated at once); by default the
    embedded playbook is used, in the message's language. `models` is the folder of
    trained models; `triage_models="fast"` triages with TF-IDF-only models, about a fifth
    of the cost a message for a few points of accuracy (the model cards give both), for
    archives where throughput matters more. `max_chars` caps the length of any text passed in: longer input is
    refused with a ValueError rather than processed slowly or truncated silently.
    """

    def __init__(self, playbook: str | os.PathLike | None = None, *, models: str | os.PathLike | None = None,
                 max_chars: int = DEFAULT_MAX_CHARS, learned: bool = True, triage_models: str = "accurate"):
        if not isinstance(max_chars, int) or max_chars <= 0:
            raise ValueError("max_chars must be a positive integer")
        if triage_models not in TRIAGE_MODELS:
            raise ValueError(f"triage_models must be one of {', '.join(TRIAGE_MODELS)}, not {triage_models!r}")
        self.triage_models = triage_models
        self.max_chars = max_chars
        self.learned = learned
        if playbook is None:
            self.playbooks = {lang: _playbook.load_default(lang) for lang in ("en", "ru")}
        else:
            team = _playbook.load(playbook)
            self.playbooks = {"en": team, "ru": team}
        self.models_dir = Path(models) if models is not None else DEFAULT_MODELS
        self._checkers: dict = {}
        self._triager = None
        self._tone = None
        self._reviewer = None
        self._details: dict = {}
        self._lock = threading.Lock()

    def triage(self, message: str, lang: str | None = None) -> Triage:
        """Severity, client tone and category of a message, with scores, reasons and the
        playbook's route (what to do now)."""
        return self.triage_many([message], lang)[0]

    def triage_many(self, messages: list[str], lang: str | None = None) -> list[Triage]:
        """`triage` for a list of messages, in order, with the same results as one at a
        time but less work per message (batch jobs use it). Any message `triage` refuses
        makes the whole call raise the same error."""
        if not isinstance(messages, (list, tuple)):
            raise TypeError(f"messages must be a list of str, not {type(messages).__name__}")
        codes = []
        for message in messages:
            if not self._validate(message, "message"):
                raise ValueError("message is empty")
            codes.append(_lang.resolve(message, lang))
        if self._triager is None:
            with self._lock:
                if self._triager is None:
                    from .triage.engine import Triager

                    self._triager = Triager(self.models_dir, self.playbooks, fast=self.triage_models == "fast")
        out: list = [None] * len(messages)
        try:
            for code in dict.fromkeys(codes):
                idx = [i for i, c in enumerate(codes) if c == code]
                for i, result in zip(idx, self._triager.triage_many([messages[i] for i in idx], code)):
                    out[i] = result
        except Exception as exc:  # keep the models' internals away from callers
            if type(exc).__name__ == "ArtefactError":
                raise
            raise CoachError(f"could not triage this message: {type(exc).__name__}") from exc
        return out

    def _checker(self, lang: str):
        checker = self._checkers.get(lang)
        if checker is None:
            with self._lock:
                checker = self._checkers.get(lang)
                if checker is None:
                    from .nlp import lock, pipeline
                    from .rules.checker import shared
                    from .rules.model import PhraseModel

                    checker = shared(lang)
                    if self.learned:
                        with lock(lang):   # the model's feature strings are permanent
                            model = PhraseModel.load(self.models_dir / "checker", lang, pipeline(lang).vocab.strings)
                        checker = checker.with_model(model)
                    self._checkers[lang] = checker
        return checker

    def _validate(self, text, what: str = "text") -> bool:
        """Raise for input we refuse; return False for input with nothing to check."""
        if not isinstance(text, str):
            raise TypeError(f"{what} must be str, not {type(text).__name__}")
        if len(text) > self.max_chars:
            raise ValueError(
                f"{what} is {len(text):,} characters long; the limit is {self.max_chars:,}"
            )
        # invisible format characters (zero-width spaces, joiners, BOMs) are not content
        return any(not ch.isspace() and unicodedata.category(ch) != "Cf" for ch in text)

    def warm_up(self) -> None:
        """Load everything both languages need (rule packs, models, encoders) now, so the
        first user of a server does not wait for it."""
        # the drafts hold a stretched word so the look-alike and stretched-letter pass loads
        # its tables and dictionaries now too (else a user's first "soooorry" pays ~20 ms)
        for lang, message, draft in (("en", "The walker was late today.", "Hi, I'm sooorry. I'll fix it today."),
                                     ("ru", "Выгульщик сегодня опоздал.", "Здравствуйте, извинитеее. Сегодня исправлю.")):
            self.suggest(message, lang=lang)
            self.review(draft, context=message, lang=lang)

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

    # -- review and suggest ------------------------------------------------------------
    def _parts(self):
        """The draft-tone model and the move finders, built once, on first use."""
        if self._reviewer is None:
            with self._lock:
                if self._reviewer is None:
                    from .review.engine import Reviewer
                    from .review.tone import ToneModel

                    self._tone = ToneModel(self.models_dir / "draft_tone")
                    self._reviewer = Reviewer()
        return self._tone, self._reviewer

    def _detail_finder(self, lang: str):
        finder = self._details.get(lang)
        if finder is None:
            from .suggest.details import DetailFinder

            finder = self._details[lang] = DetailFinder(lang)
        return finder

    def review(self, draft: str, context: str | None = None, lang: str | None = None):
        """The draft's findings, tone, good moves present and missing, and a 0-100 score
        whose terms and reasons are in the result (see coach.review.engine). With the
        client's message as `context`, the case is triaged and weighed: an urgent case
        answered with a routine reply, or a complex one without the 24-hour hand-over,
        is the worst miss and is named first."""
        if not self._validate(draft, "draft"):
            raise ValueError("draft is empty")
        if context is not None and not self._validate(context, "context"):
            context = None
        code = _lang.resolve(draft, lang)
        case = self.triage(context) if context else None
        names = (self._detail_finder(case.lang).find(context).pet,) if case else ()
        return self._review(draft, code, context, case, tuple(n for n in names if n))

    def _review(self, draft: str, code: str, context, case, names: tuple[str, ...]):
        return self._review_many([draft], code, context, case, names)[0]

    def _review_many(self, drafts: list[str], code: str, context, case, names: tuple[str, ...], findings=None,
                     tone_known: str | None = None):
        """Reviews of drafts in one language against one context: the tone model runs
        once on all of them (suggest() reviews its candidates this way, with the
        findings it has already computed)."""
        from .review.engine import score_review

        tone_model, reviewer = self._parts()
        if findings is None:
            findings = [self.check(d, lang=code) for d in drafts]
        try:
            tones = ([(tone_known, {tone_known: 1.0})] * len(drafts) if tone_known
                     else tone_model.predict_many(drafts, code))
            found = [reviewer.moves(code).find(d, context, names) for d in drafts]
        except Exception as exc:  # keep the models' internals away from callers
            if type(exc).__name__ == "ArtefactError":
                raise
            raise CoachError(f"could not review this draft: {type(exc).__name__}") from exc
        return [score_review(code, f, tone, dist, fd, case) for f, (tone, dist), fd in zip(findings, tones, found)]

    def suggest(self, message: str, client_name: str | None = None, pet_name: str | None = None,
                sender_name: str | None = None, lang: str | None = None, n: int = 3):
        """At least `n` (default 3) different first replies in the message's language,
        best first. Each is built on the triage and the playbook, passes `check()` with no
        finding, stays under 700 characters, and is ranked by its own review."""
        from .suggest.compose import MAX_CHARS, Suggestion, compose

        for what, value in (("client_name", client_name), ("pet_name", pet_name), ("sender_name", sender_name)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{what} must be str or None, not {type(value).__name__}")
            if value is not None and len(value) > 80:
                raise ValueError(f"{what} is longer than 80 characters")
        case = self.triage(message, lang)
        details = self._detail_finder(case.lang).find(message, pet_name)
        playbook = self.playbooks[case.lang]
        names = (details.pet,) if details.pet else ()
        want = max(n, 3)
        # as many candidates as asked for; more are composed only when some fail the
        # checker, are too long or repeat one already kept
        texts: list[str] = []
        for k in range(want * 4):
            text = compose(case, details, playbook, k, client_name, sender_name)
            if text in texts or len(text) > MAX_CHARS or self.check(text, lang=case.lang):
                continue
            texts.append(text)
            if len(texts) == want:
                break
        ranked = []
        # The candidates are scored by the review's formula without the draft-tone model:
        # they are composed from vetted phrasing, and the model labels every suggestion for
        # every message in data/ constructive (tests/test_suggest.py asserts it), so
        # running it per candidate (5-15 ms, most of suggest's time in Russian) would
        # change nothing but the latency.
        reviews = self._review_many(texts, case.lang, message, case, names, findings=[[] for _ in texts],
                                    tone_known="constructive")
        for k, (text, r) in enumerate(zip(texts, reviews)):
            shorter_first = len(text) if case.tone == "angry" else 0
            ranked.append((-r.score, shorter_first, k, text, r))
        ranked.sort()
        return [Suggestion(text=text, lang=case.lang, rank=i + 1, score=r.score, severity=case.severity,
                           moves=r.moves)
                for i, (_, _, _, text, r) in enumerate(ranked[:max(n, 3)])]
