"""Normalisation of typed text with an offset map back to the original.

People type with zero-width characters, look-alike letters from the other alphabet,
stretched letters ("soooorry"), leetspeak ("1d10t") and runs of spaces. The checker
matches on a folded copy of the text, but a finding must point into the text the user
wrote: every fold is recorded as an edit, and `Normalised.source_span` maps a span of
the folded text back to the original, so `draft[start:end]` is always the phrase the
user sees.
"""
from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Callable, Sequence

import yaml


@dataclass(frozen=True)
class Edit:
    """Replace source[start:end] with `repl` (possibly empty, possibly longer)."""

    start: int
    end: int
    repl: str


class OffsetMap:
    """Maps offsets of an edited text back to the text the edits were applied to."""

    __slots__ = ("_dst_starts", "_dst_ends", "_src_starts", "_src_ends")

    def __init__(self, edits: Sequence[Edit]):
        self._dst_starts: list[int] = []
        self._dst_ends: list[int] = []
        self._src_starts: list[int] = []
        self._src_ends: list[int] = []
        shift = 0
        for e in edits:
            dst_start = e.start + shift
            self._dst_starts.append(dst_start)
            self._dst_ends.append(dst_start + len(e.repl))
            self._src_starts.append(e.start)
            self._src_ends.append(e.end)
            shift += len(e.repl) - (e.end - e.start)

    def start(self, pos: int) -> int:
        """Source offset of the character at edited offset `pos` (a span start)."""
        i = bisect.bisect_right(self._dst_starts, pos) - 1
        if i < 0:
            return pos
        if pos < self._dst_ends[i]:
            return self._src_starts[i]
        return pos - self._dst_ends[i] + self._src_ends[i]

    def end(self, pos: int) -> int:
        """Source offset just after the character before edited offset `pos` (a span end)."""
        if pos <= 0:
            return 0
        last = pos - 1
        i = bisect.bisect_right(self._dst_starts, last) - 1
        if i < 0:
            return pos
        if last < self._dst_ends[i]:
            return self._src_ends[i]
        return last - self._dst_ends[i] + self._src_ends[i] + 1


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    parts, pos = [], 0
    for e in edits:
        parts.append(text[pos:e.start])
        parts.append(e.repl)
        pos = e.end
    parts.append(text[pos:])
    return "".join(parts)


@lru_cache(maxsize=1)
def _tables() -> dict:
    with resources.files("coach.resources").joinpath("normalise.yml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


# Pass 1: characters. Order matters: composing "и + breve" must win over dropping marks.
_CHAR_PASS = re.compile(
    r"(?P<compose>[иИ]\u0306|[еЕ]\u0308)"
    r"|(?P<drop>[\u00AD\u034F\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064"
    r"\u2066-\u206F\uFEFF\uFE00-\uFE0F\u0300-\u036F]+)"
    r"|(?P<surrogate>[\ud800-\udfff])"
    r"|(?P<control>[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f])"
    r"|(?P<apostrophe>[’‘ʼ`´])"
    r"|(?P<wide>[\uff01-\uff5e\U0001d400-\U0001d7ff])"
    r"|(?P<space>\s{2,}|[^\S ])"
    r"|(?P<gender>(?<=[а-яё])\((?:а|ла|ая|ый|ий|ой)\))"
    r"|(?P<glued>(?<=[^\W\d_])[,.!?;:)](?=[^\W\d_]))"
)
_COMPOSE = {"и\u0306": "й", "И\u0306": "Й", "е\u0308": "ё", "Е\u0308": "Ё"}


# Cheap pre-checks (a single character class each): most drafts need no edit at all,
# and the full alternation above costs about 50 µs on a 100-word draft.
_RARE_CHAR = re.compile(
    r"[\u00AD\u034F\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F"
    r"\uFEFF\uFE00-\uFE0F\u0300-\u036F\ud800-\udfff\x00-\x09\x0b-\x1f\x7f-\xa0’‘ʼ`´"
    r"\uff01-\uff5e\U0001d400-\U0001d7ff\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000(]"
)
_GLUED = re.compile(r"[,.!?;:)][^\W\d_]")


def _needs_char_pass(text: str) -> bool:
    if _RARE_CHAR.search(text) or "  " in text or "\n" in text:
        return True
    return any(m.start() and text[m.start() - 1].isalpha() for m in _GLUED.finditer(text))


def _char_edits(text: str) -> list[Edit]:
    if not _needs_char_pass(text):
        return []
    edits = []
    for m in _CHAR_PASS.finditer(text):
        kind, s = m.lastgroup, m.group()
        if kind == "compose":
            repl = _COMPOSE[s]
        elif kind in ("drop", "gender"):
            repl = ""
        elif kind == "surrogate":
            repl = "\ufffd"
        elif kind == "control":
            repl = " "
        elif kind == "apostrophe":
            repl = "'"
        elif kind == "wide":
            repl = unicodedata.normalize("NFKC", s)
        elif kind == "space":
            # A line break inside a phrase is layout, not a boundary; a blank line is.
            repl = "\n\n" if s.count("\n") >= 2 else " "
            if repl == s:
                continue
        else:  # glued punctuation: "извинения!Как" -> "извинения! Как"
            repl = s + " "
        edits.append(Edit(m.start(), m.end(), repl))
    return edits


_LAT = "a-zA-Z"
_CYR = "а-яёА-ЯЁ"
# A word (letters, digits, @, $) that mixes scripts, mixes letters with leet characters,
# or stretches a letter three times or more. Only such words need pass 2.
_SUSPECT_WORD = re.compile(
    rf"(?<![\w@$])(?=(?:[^\W_]|[@$])*?(?:[{_LAT}][{_CYR}]|[{_CYR}][{_LAT}]"
    rf"|[^\W\d_][0-9@$]|[0-9@$][^\W\d_]|([^\W\d_])\1\1))(?:[^\W_]|[@$])+"
)
_CYR_RE = re.compile(f"[{_CYR}]")
_LAT_RE = re.compile(f"[{_LAT}]")
_MAX_CANDIDATES = 64


_CYR_WORDS = re.compile(f"[{_CYR}]+")
_LAT_WORDS = re.compile(f"[{_LAT}]+")
_RUN = re.compile(r"(.)\1\1")
_LEET_CHAR = re.compile(r"[0-9@$]")


def dominant_script(text: str) -> str:
    """'cyrillic' or 'latin', by letter count (ties go to latin)."""
    if text.isascii():
        return "latin"
    cyr = sum(map(len, _CYR_WORDS.findall(text)))
    return "cyrillic" if cyr > sum(map(len, _LAT_WORDS.findall(text))) else "latin"


def _needs_word_pass(text: str) -> bool:
    """Pre-checks for _SUSPECT_WORD, which costs about 45 µs on a 100-word draft."""
    if _LEET_CHAR.search(text):
        return True
    if any(m.group(1).isalpha() for m in _RUN.finditer(text)):
        return True
    return not text.isascii() and bool(_CYR_RE.search(text)) and bool(_LAT_RE.search(text))


def _word_units(word: str, script: str) -> list[tuple[int, int, list[str]]]:
    """Split a word into units (start, end, options): a char with its folds, or a run."""
    t = _tables()
    fold = t["cyrillic_to_latin"] if script == "latin" else t["latin_to_cyrillic"]
    leet = t["leet_latin"] if script == "latin" else t["leet_cyrillic"]
    folded = [fold.get(ch, ch) for ch in word]
    units, i, n = [], 0, len(word)
    while i < n:
        j = i + 1
        while j < n and folded[j].lower() == folded[i].lower() and folded[i].isalpha():
            j += 1
        ch = folded[i]
        if j - i >= 3:
            units.append((i, j, [ch * 2, ch]))  # "goooood" is good before god
        else:
            for k in range(i, j):
                c = folded[k]
                units.append((k, k + 1, [c] + list(leet.get(c, ())) if c in leet else [c]))
        i = j
    return units


def _choose(units, is_known: Callable[[str], bool]) -> list[str]:
    """Pick the options that spell a known word; otherwise fold look-alikes only."""
    varying = [k for k, u in enumerate(units) if len(u[2]) > 1]
    choices = [u[2] for u in units]
    combos = itertools.islice(itertools.product(*(choices[k] for k in varying)), _MAX_CANDIDATES)
    base = [u[2][0] for u in units]
    for combo in combos:
        pick = list(base)
        for k, opt in zip(varying, combo):
            pick[k] = opt
        if is_known("".join(pick).lower()):
            return pick
    # Unknown word: collapse stretched runs, keep digits and symbols as typed.
    return [u[2][-1] if u[1] - u[0] >= 3 else u[2][0] if u[2][0].isalpha() else None for u in units]


def _word_edits(text: str, doc_script: str, is_known: Callable[[str], bool]) -> list[Edit]:
    if not _needs_word_pass(text):
        return []
    edits = []
    for m in _SUSPECT_WORD.finditer(text):
        word = m.group()
        if not any(ch.isalpha() for ch in word):
            continue
        lat = sum(1 for ch in word if "a" <= ch.lower() <= "z" and ch not in _tables()["latin_to_cyrillic"])
        cyr = sum(1 for ch in word if _CYR_RE.match(ch) and ch not in _tables()["cyrillic_to_latin"])
        script = "latin" if lat > cyr else "cyrillic" if cyr > lat else doc_script
        units = _word_units(word, script)
        pick = _choose(units, is_known)
        for (s, e, _), repl in zip(units, pick):
            if repl is None:
                continue
            if repl != word[s:e]:
                edits.append(Edit(m.start() + s, m.start() + e, repl))
    return edits


def fold_chars(text: str) -> str:
    """Only the character pass (zero-width, controls, spaces, apostrophes, wide letters):
    a cheap clean-up for statistical models, which need no offsets."""
    edits = _char_edits(text)
    return apply_edits(text, edits) if edits else text


@dataclass(frozen=True)
class Normalised:
    """A folded text and the way back to the original offsets."""

    source: str
    text: str
    _maps: tuple[OffsetMap, ...]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map [start, end) of the folded text to [start, end) of the source text."""
        for m in reversed(self._maps):
            start, end = m.start(start), m.end(end)
        return start, end


def normalise(text: str, is_known: Callable[[str], bool], doc_script: str | None = None) -> Normalised:
    """Fold `text` for matching; see the module docstring for what is folded."""
    maps = []
    current = text
    edits = _char_edits(current)
    if edits:
        current = apply_edits(current, edits)
        maps.append(OffsetMap(edits))
    script = doc_script or dominant_script(current)
    edits = _word_edits(current, script, is_known)
    if edits:
        current = apply_edits(current, edits)
        maps.append(OffsetMap(edits))
    return Normalised(text, current, tuple(maps))


# Quoting a phrase is not using it: "you told me to 'calm down'", «вы написали «успокойтесь»».
_QUOTED = re.compile(
    r'"[^"\n]{1,80}"|«[^«»\n]{1,80}»|“[^“”\n]{1,80}[”“]|„[^„“”\n]{1,80}[“”]'
    r"|(?<![\w'])'[^'\n]{1,80}'(?![\w'])"
)


def quoted_regions(text: str) -> list[tuple[int, int]]:
    """Spans of short quotations, quotes included, in the folded text."""
    return [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
