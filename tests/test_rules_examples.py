"""Every example of every rule: wrong sentences flag exactly the marked span with that
rule's category; right sentences get no finding of that category."""
import pytest

from coach.nlp import LANGS
from coach.rules.pack import load_rules

RULES = [r for lang in LANGS for r in load_rules(lang)]


def _cases(kind):
    for rule in RULES:
        for k, ex in enumerate(getattr(rule, kind)):
            yield pytest.param(rule, ex, id=f"{rule.id}-{kind}{k}")


@pytest.mark.parametrize("rule,example", list(_cases("wrong")))
def test_rules_wrong_example_flags_exact_span(coach, rule, example):
    findings = coach.check(example.text, lang=rule.lang)
    spans = [(f.start, f.end) for f in findings if f.category == rule.category]
    marked = example.text[example.span[0]:example.span[1]]
    got = [example.text[s:e] for s, e in spans]
    assert example.span in spans, f"expected [[{marked}]], got {got}"


@pytest.mark.parametrize("rule,example", list(_cases("right")))
def test_rules_right_example_has_no_finding_of_its_category(coach, rule, example):
    findings = coach.check(example.text, lang=rule.lang)
    got = [(f.text, f.rule) for f in findings if f.category == rule.category]
    assert not got
