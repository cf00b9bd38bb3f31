"""The phrase checker: rule packs compiled into spaCy matchers for one language.

Gap-free patterns go to one PhraseMatcher on LEMMA (about 2 µs a draft whatever the
number of phrases); only patterns with gaps or exact forms go to the token Matcher,
whose cost grows with its pattern count. Context then removes false alarms: a rule's
antipatterns, negation before a negatable threat, and quotation marks around the phrase.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from ..nlp import lemmatizer, pipeline
from ..results import Finding
from ..text import normalise, quoted_regions
from .pack import Rule, load_rules
from .patterns import expand

_CLAUSE_GAP_BREAKS = [".", "!", "?", ";", "\n", "\n\n"]


@lru_cache(maxsize=1)
def _negation() -> dict:
    with resources.files("coach.resources").joinpath("negation.yml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


class Checker:
    """Finds rule matches in drafts of one language."""

    def __init__(self, lang: str, rules: list[Rule] | None = None):
        self.lang = lang
        self.nlp = pipeline(lang)
        self.lemmas = lemmatizer(lang)
        self.rules = list(rules) if rules is not None else load_rules(lang)
        neg = _negation()
        self._negators = frozenset(neg[lang])
        self._breaks = frozenset(neg["clause_breaks"])
        self._window = int(neg["window"])
        self._phrases = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self._tokens = Matcher(self.nlp.vocab)
        self._keys: dict[int, tuple[int, bool]] = {}
        self._compile()

    # -- building -------------------------------------------------------------------
    def _token_pattern(self, variant) -> list[dict]:
        pattern: list[dict] = []
        for k, segment in enumerate(variant.segments):
            if k:
                gap = variant.gaps[k - 1]
                pattern.append({"TEXT": {"NOT_IN": _CLAUSE_GAP_BREAKS}, "OP": f"{{0,{gap}}}"})
            for word in segment:
                exact = word.startswith("=")
                for tok in self.nlp.make_doc(word.lstrip("=")):
                    if exact:
                        pattern.append({"LOWER": tok.lower_})
                    else:
                        pattern.append({"LEMMA": self.lemmas.lemma(tok.norm_.lower())})
        return pattern

    def _compile(self) -> None:
        phrase_texts: dict[str, list[str]] = {}
        for idx, rule in enumerate(self.rules):
            for anti, patterns in ((False, rule.patterns), (True, rule.antipatterns)):
                if not patterns:
                    continue
                key = f"{idx}{'!' if anti else ''}"
                self._keys[self.nlp.vocab.strings.add(key)] = (idx, anti)
                token_patterns = []
                for p in patterns:
                    for v in expand(p):
                        if v.is_phrase:
                            phrase_texts.setdefault(key, []).append(" ".join(v.words))
                        else:
                            token_patterns.append(self._token_pattern(v))
                if token_patterns:
                    self._tokens.add(key, token_patterns)
        all_texts = [(k, t) for k, texts in phrase_texts.items() for t in dict.fromkeys(texts)]
        docs = self.nlp.pipe(t for _, t in all_texts)
        by_key: dict[str, list[Doc]] = {}
        for (key, _), doc in zip(all_texts, docs):
            by_key.setdefault(key, []).append(doc)
        for key, docs_ in by_key.items():
            self._phrases.add(key, docs_)

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
        """Findings in `text` (a non-empty str), ordered by position."""
        norm = normalise(text, self.lemmas.is_known, "cyrillic" if self.lang == "ru" else "latin")
        doc = self.nlp(norm.text)
        hits: list[tuple[int, int, int]] = []
        anti: dict[int, list[tuple[int, int]]] = {}
        matches = list(self._phrases(doc))
        if len(self._tokens):
            matches += self._tokens(doc)
        for match_id, s, e in matches:
            idx, is_anti = self._keys[match_id]
            (anti.setdefault(idx, []).append((s, e)) if is_anti else hits.append((idx, s, e)))
        if not hits:
            return []
        quotes = quoted_regions(norm.text)
        found: list[tuple[int, int, Rule]] = []
        for idx, s, e in hits:
            rule = self.rules[idx]
            if any(a_s < e and s < a_e for a_s, a_e in anti.get(idx, ())):
                continue
            if rule.negatable and self._negated(doc, s):
                continue
            cs, ce = doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text)
            if any(q_s < cs and ce < q_e for q_s, q_e in quotes):
                continue
            found.append((cs, ce, rule))
        return [self._finding(text, norm, cs, ce, rule) for cs, ce, rule in _merge(found)]

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


def _merge(found: list[tuple[int, int, Rule]]) -> list[tuple[int, int, Rule]]:
    """One finding per span and category: overlapping matches of a category are merged,
    keeping the rule of the longest match; the result is ordered by position."""
    found.sort(key=lambda f: (f[2].category, f[0], -(f[1] - f[0])))
    merged: list[list] = []
    for cs, ce, rule in found:
        last = merged[-1] if merged else None
        if last and last[2].category == rule.category and cs < last[1]:
            if ce - cs > last[3]:
                last[2], last[3] = rule, ce - cs
            last[1] = max(last[1], ce)
        else:
            merged.append([cs, ce, rule, ce - cs])
    merged.sort(key=lambda m: (m[0], m[1], m[2].category))
    return [(cs, ce, rule) for cs, ce, rule, _ in merged]
