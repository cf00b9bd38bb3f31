"""The phrase checker: rule packs compiled into spaCy matchers for one language.

Gap-free patterns go to one PhraseMatcher on LEMMA (about 2 µs a draft whatever the
number of phrases); only patterns with gaps or exact forms go to the token Matcher,
whose cost grows with its pattern count. Context then removes false alarms: a rule's
antipatterns, negation before a negatable threat, and quotation marks around the phrase.
"""
from __future__ import annotations

import copy
import itertools
import math
import threading
from functools import lru_cache
from importlib import resources

import numpy
import yaml
from spacy.attrs import LEMMA, LOWER
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from ..nlp import clause_break_flag, lemmatizer, lock, pipeline, processing
from ..results import Finding
from ..text import normalise, quoted_regions
from .pack import Rule, load_rules
from .patterns import Gap, expand, parse



@lru_cache(maxsize=1)
def _learned_messages() -> dict:
    with resources.files("coach.resources").joinpath("learned.yml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=1)
def _negation() -> dict:
    with resources.files("coach.resources").joinpath("negation.yml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


class Checker:
    """Finds rule matches in drafts of one language."""

    def __init__(self, lang: str, rules: list[Rule] | None = None, model=None):
        """`model` is the learned layer (coach.rules.model.PhraseModel) or None for
        rules alone."""
        self.lang = lang
        self.model = model
        self._learned = _learned_messages()[lang] if model is not None else {}
        self.nlp = pipeline(lang)
        self.lemmas = lemmatizer(lang)
        self.rules = list(rules) if rules is not None else load_rules(lang)
        neg = _negation()
        self._negators = frozenset(neg[lang])
        self._breaks = frozenset(neg["clause_breaks"])
        self._window = int(neg["window"])
        self._phrases = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        # Token patterns, one small Matcher per rule key, each with the lemmas one of
        # which must be in a draft for it to match: most drafts skip most of them.
        self._token_rules: list[tuple[Matcher, frozenset[int] | None, numpy.ndarray | None, int | None]] = []
        self._keys: dict[int, tuple[int, bool]] = {}
        # split patterns' halves: match id -> (the pattern's own id, is it the first half)
        self._halves: dict[int, tuple[int, bool]] = {}
        with lock(lang):    # compiled strings must be permanent: never inside another thread's zone
            self._break = clause_break_flag(lang)
            self._compile()

    # -- building -------------------------------------------------------------------
    def _tokens_of(self, word: str) -> list[dict]:
        exact = word.startswith("=")
        out = []
        for tok in self.nlp.make_doc(word.lstrip("=")):
            if exact:
                out.append({"LOWER": tok.lower_})
            else:
                out.append({"LEMMA": self.lemmas.lemma(tok.norm_.lower())})
        return out

    def _token_patterns(self, pattern: str) -> list[list[dict]]:
        """Matcher patterns for one pattern string, kept few: a choice between single
        words becomes one token with an IN set (optional with OP '?'); only choices
        between multi-word alternatives or gaps are multiplied out."""
        slots = []  # each: list of alternatives, an alternative = list of token dicts
        for alts in parse(pattern):
            compiled = []
            for alt in alts:
                toks: list[dict] = []
                for item in alt:
                    if isinstance(item, Gap):
                        toks.append({self._break: False, "OP": f"{{0,{item.max}}}"})
                    else:
                        toks.extend(self._tokens_of(item))
                compiled.append(toks)
            simple = [a for a in compiled if a]
            attrs = {next(iter(a[0])) for a in simple}
            if all(len(a) == 1 and "OP" not in a[0] for a in simple) and len(attrs) == 1:
                attr = attrs.pop()
                values = sorted({a[0][attr] for a in simple})
                tok = {attr: values[0]} if len(values) == 1 else {attr: {"IN": values}}
                if len(simple) < len(compiled):
                    tok["OP"] = "?"
                slots.append([[tok]])
            else:
                slots.append(compiled)
        return [[t for alt in combo for t in alt] for combo in itertools.product(*slots)]

    def _anchors(self, token_patterns: list[list[dict]]) -> frozenset[int] | None:
        """Hashes of which a draft must hold one (as a lemma or a lower-case form) for any
        of these patterns to match: per pattern, its required token with the fewest stop
        words."""
        stop = self.nlp.Defaults.stop_words
        anchors: set[int] = set()
        for pattern in token_patterns:
            best = None
            for tok in pattern:
                attr = "LEMMA" if "LEMMA" in tok else "LOWER" if "LOWER" in tok else None
                if tok.get("OP") or attr is None:
                    continue
                value = tok[attr]
                values = value["IN"] if isinstance(value, dict) else [value]
                cost = (sum(v in stop for v in values), len(values))
                if best is None or cost < best[0]:
                    best = (cost, values)
            if best is None:
                return None
            anchors.update(self.nlp.vocab.strings.add(v) for v in best[1])
        return frozenset(anchors)

    def _compile(self) -> None:
        phrases: dict[str, set[tuple[str, ...]]] = {}
        for idx, rule in enumerate(self.rules):
            for anti, patterns in ((False, rule.patterns), (True, rule.antipatterns)):
                if not patterns:
                    continue
                key = f"{idx}{'!' if anti else ''}"
                self._keys[self.nlp.vocab.strings.add(key)] = (idx, anti)
                token_patterns = []
                for n, p in enumerate(patterns):
                    if not all(v.is_phrase for v in expand(p)):
                        token_patterns.extend(self._token_patterns(p))
                        continue
                    slots = parse(p)
                    cut = _best_cut(slots)
                    if cut is None:
                        phrases.setdefault(key, set()).update(_phrase_words(slots))
                        continue
                    # Two halves matched apart and joined where one ends and the other
                    # starts: the same matches as every variant whole, from the sum of
                    # the halves' variants instead of their product (34k phrases instead
                    # of 315k in English; 256 MB less memory and 3 s less start-up).
                    whole = self.nlp.vocab.strings.add(f"{key}/{n}")
                    self._keys[whole] = (idx, anti)
                    for first, part in ((True, slots[:cut]), (False, slots[cut:])):
                        half = f"{key}/{n}{'<' if first else '>'}"
                        self._halves[self.nlp.vocab.strings.add(half)] = (whole, first)
                        phrases[half] = set(_phrase_words(part))
                if token_patterns:
                    # not validated: the flag key is an attribute id the schema does not
                    # list; the patterns come from packs validated at load
                    matcher = Matcher(self.nlp.vocab, validate=False)
                    matcher.add(key, token_patterns)
                    anchors = self._anchors(token_patterns)
                    self._token_rules.append((matcher, anchors, None if anchors is None else
                                              numpy.array(sorted(anchors), dtype="uint64"),
                                              _longest(token_patterns)))
        # Phrases go in as tuples of lemma hashes, not Docs (a Doc each cost gigabytes).
        # The pipeline is context-free per whitespace-separated word (the tokenizer splits
        # each one alone, lemmas are cached per form), so lemmatising each distinct word
        # once gives exactly the hashes a draft's Doc carries.
        hashes: dict[str, tuple[int, ...]] = {}

        def lemma_hashes(word: str) -> tuple[int, ...]:
            if word not in hashes:
                hashes[word] = tuple(t.lemma for t in self.nlp(word))
            return hashes[word]

        for key, variants in phrases.items():
            keywords = {tuple(h for w in words for h in lemma_hashes(w)) for words in variants}
            self._phrases.add(key, [k for k in keywords if k])

    def _phrase_matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """The PhraseMatcher's matches under the rules' keys, split patterns joined."""
        matches = self._phrases(doc)
        halves = self._halves
        if not halves.keys() & {m[0] for m in matches}:
            return matches
        out, firsts, seconds = [], [], {}
        for match_id, s, e in matches:
            half = halves.get(match_id)
            if half is None:
                out.append((match_id, s, e))
            elif half[1]:
                firsts.append((half[0], s, e))
            else:
                seconds.setdefault((half[0], s), []).append(e)
        for (key, s, middle) in firsts:
            out.extend((key, s, e) for e in seconds.get((key, middle), ()))
        return out

    def with_model(self, model) -> "Checker":
        """This checker's compiled rules (and lock) with a learned layer on top."""
        other = copy.copy(self)
        other.model = model
        other._learned = _learned_messages()[self.lang] if model is not None else {}
        return other

    # -- checking -------------------------------------------------------------------
    def _negated(self, doc: Doc, start: int) -> bool:
        for i in range(start - 1, max(start - 1 - self._window, -1), -1):
            tok = doc[i]
            if tok.lower_ in self._breaks or tok.text.strip() == "":
                return False
            if tok.lemma_ in self._negators:
                return True
        return False

    def check(self, text: str) -> list[Finding]:
        """Findings in `text` (a non-empty str), ordered by position.

        Inside `coach.nlp.processing`: serialised per language (spaCy's tokenizer, vocabulary
        and matchers are not thread-safe, and a check costs well under a millisecond, so
        the app's worker threads lose nothing by taking turns), and in a memory zone, so
        the words a draft adds to the vocabulary are freed after it."""
        with processing(self.lang):
            return self._check(text)

    def _check(self, text: str) -> list[Finding]:
        norm = normalise(text, self.lemmas.is_known, "cyrillic" if self.lang == "ru" else "latin")
        doc = self.nlp(norm.text)
        hits: list[tuple[int, int, int]] = []
        anti: dict[int, list[tuple[int, int]]] = {}
        matches = self._phrase_matches(doc)
        if self._token_rules:
            forms = doc.to_array([LEMMA, LOWER])
            present = set(forms.ravel().tolist())
            for matcher, anchors, anchor_array, longest in self._token_rules:
                if anchors is not None and anchors.isdisjoint(present):
                    continue
                if anchors is None or longest is None:
                    matches += matcher(doc)
                    continue
                # Every match holds an anchor, so it lies within `longest` tokens of one:
                # matching those windows only finds the same matches for a fraction of the
                # cost (a Matcher call builds two Python Tokens per token it is given).
                at = numpy.flatnonzero(numpy.isin(forms, anchor_array).any(axis=1))
                for ws, we in _windows(at, longest, len(doc)):
                    matches += [(m, ws + s, ws + e) for m, s, e in matcher(doc[ws:we])]
        for match_id, s, e in matches:
            idx, is_anti = self._keys[match_id]
            (anti.setdefault(idx, []).append((s, e)) if is_anti else hits.append((idx, s, e)))
        quotes = quoted_regions(norm.text) if hits or self.model is not None else []
        learned = self.model.predict(doc, quotes) if self.model is not None else []
        if not hits and not learned:
            return []
        found: list[tuple[int, int, Rule, int]] = []
        for idx, s, e in hits:
            rule = self.rules[idx]
            if any(a_s < e and s < a_e for a_s, a_e in anti.get(idx, ())):
                continue
            if rule.negatable and self._negated(doc, s):
                continue
            cs, ce = doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text)
            if any(q_s < cs and ce < q_e for q_s, q_e in quotes):
                continue
            found.append((cs, ce, rule, idx))
        findings = [self._finding(text, norm, cs, ce, rule) for cs, ce, rule in _merge(found)]
        if learned:
            findings = self._with_learned(text, norm, doc, learned, found, quotes, findings)
        return findings

    def _with_learned(self, text, norm, doc, learned, found, quotes, findings) -> list[Finding]:
        """Add the learned layer's clauses where no rule of the same category already
        flagged something inside them (a rule's span is more precise) and that are not
        quoted."""
        extra = []
        for u in learned:
            cs, ce = doc[u.start].idx, doc[u.end - 1].idx + len(doc[u.end - 1].text)
            if any(rule.category == u.category and rs < ce and cs < re_ for rs, re_, rule, _ in found):
                continue
            if any(q_s < cs and ce < q_e for q_s, q_e in quotes):
                continue
            start, end = norm.source_span(cs, ce)
            said = self._learned[u.category]
            extra.append(Finding(category=u.category, rule=f"{self.lang}.{u.category}.learned", start=start,
                                 end=end, text=text[start:end], message=said["message"],
                                 suggestions=list(said["suggestions"]), level="warning", lang=self.lang))
        if not extra:
            return findings
        return sorted(findings + extra, key=lambda f: (f.start, f.end, f.category))

    def _finding(self, text, norm, cs, ce, rule: Rule) -> Finding:
        start, end = norm.source_span(cs, ce)
        return Finding(
            category=rule.category,
            rule=rule.id,
            start=start,
            end=end,
            text=text[start:end],
            message=rule.message,
            suggestions=list(rule.suggestions),
            level=rule.level,
            lang=self.lang,
        )


SPLIT_FROM = 64   # variants from which a phrase pattern is matched in two halves
MIN_REQUIRED = 2  # slots that cannot be empty in each half: a one-word half matches too often


def _phrase_words(slots: list[list]) -> list[tuple[str, ...]]:
    """Every variant of a gap-free pattern's slots, as words."""
    return [words for combo in itertools.product(*slots)
            if (words := tuple(w for alt in combo for w in alt))]


def _best_cut(slots: list[list]) -> int | None:
    """Where to split a pattern so that its halves have the fewest variants in all, each
    half holding MIN_REQUIRED slots that cannot be empty; None when splitting does not pay."""
    sizes = [len(s) for s in slots]
    required = [all(alt for alt in s) for s in slots]
    whole, best = math.prod(sizes), None
    if whole < SPLIT_FROM:
        return None
    for cut in range(1, len(slots)):
        if sum(required[:cut]) >= MIN_REQUIRED and sum(required[cut:]) >= MIN_REQUIRED:
            cost = math.prod(sizes[:cut]) + math.prod(sizes[cut:])
            if cost < whole and (best is None or cost < best[0]):
                best = (cost, cut)
    return best[1] if best else None


def _longest(token_patterns: list[list[dict]]) -> int | None:
    """The most tokens any of these patterns can match (None if unbounded)."""
    most = 0
    for pattern in token_patterns:
        n = 0
        for tok in pattern:
            op = tok.get("OP")
            if op in ("+", "*"):
                return None
            n += int(op[1:-1].split(",")[1]) if op and op.startswith("{") else 1
        most = max(most, n)
    return most


def _windows(at, longest: int, length: int) -> list[tuple[int, int]]:
    """Merged token windows [p - longest + 1, p + longest) around the positions `at`."""
    out: list[list[int]] = []
    for p in at.tolist():
        s, e = max(0, p - longest + 1), min(length, p + longest)
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _merge(found: list[tuple[int, int, Rule, int]]) -> list[tuple[int, int, Rule]]:
    """One finding per span and category: overlapping matches of a category are merged,
    keeping the rule of the longest match (of equal ones, the first in the packs); the
    result is ordered by position."""
    found.sort(key=lambda f: (f[2].category, f[0], -(f[1] - f[0]), f[3]))
    merged: list[list] = []
    for cs, ce, rule, _ in found:
        last = merged[-1] if merged else None
        if last and last[2].category == rule.category and cs < last[1]:
            if ce - cs > last[3]:
                last[2], last[3] = rule, ce - cs
            last[1] = max(last[1], ce)
        else:
            merged.append([cs, ce, rule, ce - cs])
    merged.sort(key=lambda m: (m[0], m[1], m[2].category))
    return [(cs, ce, rule) for cs, ce, rule, _ in merged]


_SHARED: dict[str, Checker] = {}
_SHARED_LOCK = threading.Lock()


def shared(lang: str) -> Checker:
    """The default rule packs of `lang`, compiled once per process (about 6 s a
    language) and shared by everything that checks: the facade, the draft-tone model's
    features, the review."""
    checker = _SHARED.get(lang)
    if checker is None:
        with _SHARED_LOCK:
            checker = _SHARED.get(lang)
            if checker is None:
                checker = _SHARED[lang] = Checker(lang)
    return checker
