"""spaCy pipelines per language, built offline from registry packages.

Blank pipelines with one component of ours, `coach_lemmatizer`, because the stock
lemmatizers miss what a checker needs: the English lookup table holds lower-case forms
only ("Sorry" at a sentence start stays unlemmatised) and ignores the tokenizer's norms
("nt" -> "not"); the Russian pymorphy3 mode keeps an ambiguous word's surface form and
costs about 0.5 ms a word uncached. Ours lemmatises the lower-cased norm, folds chat
spellings (resources/slang.yml) and caches per word form, so lemmas are always
lower-case and the same word form always gets the same lemma, in rules and in drafts.
"""
from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from typing import Iterator

import numpy
import spacy
import yaml
from spacy.attrs import LEMMA, NORM
from spacy.language import Language
from spacy.tokens import Doc

LANGS = ("en", "ru")
_CYRILLIC_WORD = re.compile(r"[а-яё]+(?:-[а-яё]+)*")


@lru_cache(maxsize=1)
def _slang() -> dict[str, dict[str, str]]:
    with resources.files("coach.resources").joinpath("slang.yml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=1)
def _english_table():
    """spacy-lookups-data's table (a spaCy Table: string keys are hashed, use .get)."""
    from spacy.lookups import load_lookups

    return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


class Lemmatizer:
    """Word form -> lower-case lemma for one language, cached on the form."""

    def __init__(self, lang: str):
        self.lang = lang
        self.slang = _slang().get(lang, {})
        if lang == "en":
            self._table = _english_table()
            self.lemma = lru_cache(maxsize=200_000)(self._english)
        else:
            self._morph = _morph()
            self.lemma = lru_cache(maxsize=200_000)(self._russian)

    def _english(self, form: str) -> str:
        form = self.slang.get(form, form)
        return self._table.get(form, form)

    def _russian(self, form: str) -> str:
        form = self.slang.get(form, form).replace("ё", "е")
        if not _CYRILLIC_WORD.fullmatch(form):  # pymorphy3 fails on some scripts (Tangut)
            return form
        return self._morph.parse(form)[0].normal_form.replace("ё", "е")

    def is_known(self, word: str) -> bool:
        """Whether a lower-case word is in this language's dictionary."""
        if self.lang == "en":
            return word in self._table or word in _english_lemmas() or word in self.slang
        return word in self.slang or self._morph.word_is_known(word)


@lru_cache(maxsize=1)
def _english_lemmas() -> frozenset[str]:
    return frozenset(v for v in _english_table().values() if isinstance(v, str))


class _LemmaComponent:
    """Sets LEMMA from NORM through a hash-to-hash cache: one numpy round trip per doc
    instead of a Python attribute write per token (about 5 µs instead of 40 for 100 words).

    Zone-aware: an entry added inside `nlp.memory_zone()` may point at a lemma string the
    zone frees when it ends; such entries are dropped before the next doc, and those
    whose strings are permanent (rule words, common words met before the zones began)
    stay."""

    def __init__(self, nlp: Language):
        self.lem = lemmatizer(nlp.lang)
        self.strings = nlp.vocab.strings
        self.cache: dict[int, int] = {}
        self._zone: list[int] | None = None
        self._stale: list[int] = []

    def _miss(self, norm_hash: int) -> int:
        lemma_hash = self.strings.add(self.lem.lemma(self.strings[norm_hash].lower()))
        self.cache[norm_hash] = lemma_hash
        if self._zone is not None:
            self._zone.append(norm_hash)
        return lemma_hash

    def __call__(self, doc: Doc) -> Doc:
        if self._stale:
            self._prune()
        if len(doc):
            norms = doc.to_array(NORM).tolist()
            get, miss = self.cache.get, self._miss
            lemmas = numpy.array([get(h) or miss(h) for h in norms], dtype="uint64")
            doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        return doc

    def _prune(self) -> None:
        strings, cache = self.strings, self.cache
        for h in self._stale:
            lemma_hash = cache.get(h)
            if lemma_hash is not None and lemma_hash not in strings:
                del cache[h]
        self._stale = []

    @contextmanager
    def memory_zone(self, mem=None):
        self._zone = []
        try:
            yield mem
        finally:
            # the vocabulary frees the zone's strings after this exits: prune later
            self._stale, self._zone = self._stale + self._zone, None


@Language.factory("coach_lemmatizer", default_config={})
def _make_lemmatizer(nlp: Language, name: str):
    return _LemmaComponent(nlp)


# One lock per language around everything that touches its pipeline: spaCy's tokenizer
# and vocabulary are not thread-safe, and a memory zone is global to the vocabulary, so
# a second thread's strings would be freed by the first thread's zone.
_LOCKS = {lang: threading.RLock() for lang in LANGS}
_IN_ZONE = {lang: False for lang in LANGS}


def lock(lang: str) -> threading.RLock:
    """The pipeline's lock, for work that must leave permanent entries (compiling rules)."""
    return _LOCKS[lang]


# New words kept for good before texts are processed in memory zones: the first texts
# teach the caches the common words (a zone neither fills spaCy's tokenizer cache nor
# keeps its lemmas, and Russian drafts checked wholly inside zones took twice as long);
# after that, memory stays where it is.
PERMANENT_WORDS = 50_000
_ZONES_FROM: dict[str, int] = {}


@contextmanager
def processing(lang: str) -> Iterator[Language]:
    """The pipeline, locked, and once the vocabulary has taken PERMANENT_WORDS new
    strings, inside a spaCy memory zone: the words and lemmas one text adds are then
    freed when the block ends, so a process that checks millions of distinct texts
    (order numbers, phone numbers, names, typos) stays flat instead of growing about
    1.5 KB a new word. Nothing spaCy made inside the block may be used after it: callers
    return plain strings and offsets. Re-entrant: a nested block joins the outer one."""
    nlp = pipeline(lang)
    with _LOCKS[lang]:
        start = _ZONES_FROM.setdefault(lang, len(nlp.vocab.strings) + PERMANENT_WORDS)
        if _IN_ZONE[lang] or len(nlp.vocab.strings) < start:
            yield nlp
            return
        _IN_ZONE[lang] = True
        try:
            with nlp.memory_zone():
                yield nlp
        finally:
            _IN_ZONE[lang] = False


@lru_cache(maxsize=None)
def lemmatizer(lang: str) -> Lemmatizer:
    return Lemmatizer(lang)


@lru_cache(maxsize=None)
def pipeline(lang: str) -> Language:
    """The blank pipeline for `lang` with our lemmatizer; built once per process."""
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; expected one of {', '.join(LANGS)}")
    nlp = spacy.blank(lang)
    if lang == "ru":
        # spaCy's Russian abbreviations swallow a sentence's final period after common
        # words ("кот." -> one token, lemma "котельная"); split them like any other word.
        nlp.tokenizer.rules = {k: v for k, v in nlp.tokenizer.rules.items() if not k.endswith(".")}
    nlp.add_pipe("coach_lemmatizer")
    nlp.initialize()
    return nlp


CLAUSE_BREAKS = frozenset({".", "!", "?", ";", "\n", "\n\n"})


@lru_cache(maxsize=None)
def clause_break_flag(lang: str) -> int:
    """A lexeme flag of `pipeline(lang)`'s vocabulary: true for a token that ends a clause.

    A Matcher gap written as {"TEXT": {"NOT_IN": [...]}} builds a Python Token for every
    token it tests, which was most of a check's time; a flag is read from the lexeme in
    C. Registered once per vocabulary, and set for every word seen later too."""
    return pipeline(lang).vocab.add_flag(lambda orth: orth in CLAUSE_BREAKS)
