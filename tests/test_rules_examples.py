"""Every example of every rule — checker packs, triage cue packs and review move packs: wrong sentences flag
exactly the marked span with the rule's category; right sentences get no finding of it."""
from functools import lru_cache

import pytest

from coach.nlp import LANGS
from coach.rules.checker import Checker
from coach.rules.pack import load_rules
from coach.review.moves import load_moves
from coach.triage.safety import load_cues

LOADERS = {"rules": load_rules, "cues": load_cues, "moves": load_moves}
RULES = [r for lang in LANGS for r in load_rules(lang)]
CUES = [r for lang in LANGS for r in load_cues(lang)]
MOVES = [r for lang in LANGS for r in load_moves(lang)]


@lru_cache(maxsize=None)
def _checker(kind: str, lang: str) -> Checker:
    return Checker(lang, LOADERS[kind](lang))


def _cases(rules, kind, which):
    for rule in rules:
        for k, ex in enumerate(getattr(rule, which)):
            yield pytest.param(kind, rule, ex, id=f"{rule.id}-{which}{k}")


WRONG = [c for rules, kind in ((RULES, "rules"), (CUES, "cues"), (MOVES, "moves"))
         for c in _cases(rules, kind, "wrong")]
RIGHT = [c for rules, kind in ((RULES, "rules"), (CUES, "cues"), (MOVES, "moves"))
         for c in _cases(rules, kind, "right")]


@pytest.mark.parametrize("kind,rule,example", WRONG)
def test_rules_wrong_example_flags_exact_span(kind, rule, example):
    findings = _checker(kind, rule.lang).check(example.text)
    spans = [(f.start, f.end) for f in findings if f.category == rule.category]
    marked = example.text[example.span[0]:example.span[1]]
    got = [example.text[s:e] for s, e in spans]
    assert example.span in spans, f"expected [[{marked}]], got {got}"


@pytest.mark.parametrize("kind,rule,example", RIGHT)
def test_rules_right_example_has_no_finding_of_its_category(kind, rule, example):
    findings = _checker(kind, rule.lang).check(example.text)
    got = [(f.text, f.rule) for f in findings if f.category == rule.category]
    assert not got
