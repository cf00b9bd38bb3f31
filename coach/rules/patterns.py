"""The pattern notation of rule packs, and its expansion into spaCy patterns.

A pattern is a phrase as a person would write it, with a little notation:

    sorry [that|if] you (feel|felt) [that way|this way]
    if you (do not|don't) pay ... I will

- words are matched by lemma, so "apologise" covers "apologised"; Russian forms are
  matched through pymorphy3 lemmas, so "приносим извинения" covers "приношу извинения";
- `(a|b c)` is a choice, `[a|b c]` an optional choice (no nesting);
- `...` skips up to 3 tokens (`...5` up to 5) inside one clause;
- `=word` matches that exact word form (lower-cased), not its lemma.

A pattern without gaps or exact forms becomes phrases for a PhraseMatcher on LEMMA,
which costs next to nothing per draft; the rest becomes token patterns for a Matcher.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

MAX_VARIANTS = 2000
DEFAULT_GAP = 3
_TOKEN = re.compile(r"\s*(\(|\)|\[|\]|\||\.\.\.\d*|[^\s()\[\]|]+)")
GAP_RE = re.compile(r"^\.\.\.(\d*)$")


class PatternError(ValueError):
    """A pattern that does not parse; the message says where."""


@dataclass(frozen=True)
class Gap:
    max: int


@dataclass(frozen=True)
class Variant:
    """One expansion: word lists separated by gaps (len(gaps) == len(segments) - 1)."""

    segments: tuple[tuple[str, ...], ...]
    gaps: tuple[int, ...]

    @property
    def is_phrase(self) -> bool:
        return not self.gaps and not any(w.startswith("=") for w in self.segments[0])

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(w for seg in self.segments for w in seg)


def _lex(pattern: str) -> list[str]:
    pos, out = 0, []
    pattern = pattern.strip()
    while pos < len(pattern):
        m = _TOKEN.match(pattern, pos)
        if not m:
            raise PatternError(f"cannot read {pattern[pos:]!r}")
        out.append(m.group(1))
        pos = m.end()
    return out


def parse(pattern: str) -> list[list]:
    """Pattern -> list of slots; a slot is a list of alternatives (tuples of items)."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise PatternError("empty pattern")
    slots: list[list] = []
    tokens = _lex(pattern)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in "([":
            close = ")" if tok == "(" else "]"
            alts, current = [], []
            i += 1
            while i < len(tokens) and tokens[i] != close:
                t = tokens[i]
                if t in "([":
                    raise PatternError(f"nested group in {pattern!r}")
                if t in ")]":
                    raise PatternError(f"unbalanced {t!r} in {pattern!r}")
                if t == "|":
                    alts.append(tuple(current))
                    current = []
                else:
                    current.append(_item(t, pattern))
                i += 1
            if i == len(tokens):
                raise PatternError(f"unclosed {tok!r} in {pattern!r}")
            alts.append(tuple(current))
            if close == "]":
                alts.append(())
            if close == ")" and any(not a for a in alts):
                raise PatternError(f"empty choice in (...) of {pattern!r}; use [...] for optional")
            slots.append(alts)
        elif tok in ")]|":
            raise PatternError(f"unexpected {tok!r} in {pattern!r}")
        else:
            slots.append([(_item(tok, pattern),)])
        i += 1
    return slots


def _item(tok: str, pattern: str):
    m = GAP_RE.match(tok)
    if m:
        return Gap(int(m.group(1)) if m.group(1) else DEFAULT_GAP)
    if tok == "=":
        raise PatternError(f"'=' without a word in {pattern!r}")
    return tok


def expand(pattern: str) -> list[Variant]:
    """All variants of a pattern, each a sequence of word segments split by gaps."""
    slots = parse(pattern)
    n = 1
    for s in slots:
        n *= len(s)
    if n > MAX_VARIANTS:
        raise PatternError(f"pattern {pattern!r} expands to {n} variants (limit {MAX_VARIANTS})")
    variants = []
    for combo in itertools.product(*slots):
        segments, gaps, current = [], [], []
        for item in itertools.chain.from_iterable(combo):
            if isinstance(item, Gap):
                segments.append(tuple(current))
                gaps.append(item.max)
                current = []
            else:
                current.append(item)
        segments.append(tuple(current))
        if not any(segments):
            continue
        if not segments[0] or not segments[-1] or any(not s for s in segments):
            raise PatternError(f"pattern {pattern!r} has a gap at an edge or two gaps in a row")
        variants.append(Variant(tuple(segments), tuple(gaps)))
    if not variants:
        raise PatternError(f"pattern {pattern!r} matches nothing")
    return variants
