"""Packs are validated at load: a broken pack names its file, the rule and the problem."""
import textwrap
from pathlib import Path

import pytest

from coach.nlp import LANGS
from coach.rules.pack import CATEGORIES, PackError, load_rules, parse_example
from coach.rules.patterns import PatternError, expand

GOOD_RULE = """
  - id: demo
    level: error
    patterns: ["calm down"]
    message: why
    suggestions: [a rewrite]
    examples:
      wrong: ["[[calm down]] please", "just [[calm down]]"]
      right: ["I am calm", "all good"]
"""


def _pack(tmp_path: Path, body: str, lang="en", category="dismissive") -> Path:
    folder = tmp_path / lang
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{category}.yml").write_text(
        f"lang: {lang}\ncategory: {category}\nrules:\n" + textwrap.dedent(body), encoding="utf-8")
    return tmp_path


def test_rules_pack_good_pack_loads(tmp_path):
    rules = load_rules("en", _pack(tmp_path, GOOD_RULE))
    assert [r.id for r in rules] == ["en.dismissive.demo"]


@pytest.mark.parametrize(
    "change,expected",
    [
        (("level: error", "level: fatal"), "'level' must be one of"),
        (('patterns: ["calm down"]', 'patterns: ["calm (down"]'), "bad pattern"),
        (("    message: why\n", ""), "missing message"),
        (('wrong: ["[[calm down]] please", "just [[calm down]]"]', 'wrong: ["calm down please", "x"]'),
         "exactly one [[...]]"),
        (('right: ["I am calm", "all good"]', 'right: ["I am calm"]'), "examples.right"),
        (("    level: error", "    level: error\n    colour: red"), "unknown key(s) colour"),
    ],
)
def test_rules_pack_broken_rule_names_file_rule_and_problem(tmp_path, change, expected):
    body = GOOD_RULE.replace(*change)
    with pytest.raises(PackError) as err:
        load_rules("en", _pack(tmp_path, body))
    assert "en/dismissive.yml" in str(err.value)
    assert "'demo'" in str(err.value)
    assert expected in str(err.value)


def test_rules_pack_duplicate_id_and_wrong_header_fail(tmp_path):
    with pytest.raises(PackError, match="duplicate id"):
        load_rules("en", _pack(tmp_path, GOOD_RULE + GOOD_RULE))
    root = _pack(tmp_path / "x", GOOD_RULE, category="blame")
    (root / "en" / "blame.yml").write_text((root / "en" / "blame.yml").read_text().replace(
        "category: blame", "category: insult"))
    with pytest.raises(PackError, match="path says en/blame"):
        load_rules("en", root)


def test_rules_pack_invalid_yaml_fails_with_file(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "insult.yml").write_text("lang: en\nrules: [\n", encoding="utf-8")
    with pytest.raises(PackError, match="en/insult.yml: not valid YAML"):
        load_rules("en", tmp_path)


@pytest.mark.parametrize("pattern", ["(a|b", "a ]", "(a|(b))", "(a|)", "... a", "a ..."])
def test_rules_patterns_reject_malformed(pattern):
    with pytest.raises(PatternError):
        expand(pattern)


def test_rules_patterns_expand_choices_options_and_gaps():
    variants = expand("sorry [that|if] you (feel|felt) ...5 way")
    assert len(variants) == 6
    assert all(v.gaps == (5,) for v in variants)
    assert {" ".join(v.segments[0]) for v in variants} >= {"sorry you feel", "sorry if you felt"}


def test_rules_parse_example_marks_span():
    ex = parse_example("Well, [[sorry you feel that way]].")
    assert ex.text[ex.span[0]:ex.span[1]] == "sorry you feel that way"


def test_rules_breadth_every_category_in_both_languages():
    total = 0
    for lang in LANGS:
        rules = load_rules(lang)
        total += len(rules)
        assert {r.category for r in rules} == set(CATEGORIES), lang
        for r in rules:
            assert len(r.wrong) >= 2 and len(r.right) >= 2
    assert total >= 150
