"""Coach.check on real phrasing: what it must flag, what it must leave alone, bad input."""
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from coach import Coach


def cats(findings):
    return [f.category for f in findings]


@pytest.mark.parametrize(
    "draft,lang",
    [
        ("Sorry you feel that way.", "en"),
        ("Well, sorry if you were offended by my text.", "en"),
        ("We apologize for any inconvenience.", "en"),
        ("Sorry for any confusion this may have caused!", "en"),
        ("We apologise for any inconvenience caused.", "en"),
        ("Приносим свои извинения.", "ru"),
        ("Приношу извинения за ситуацию.", "ru"),
        ("Примите наши извинения, мы всё исправим.", "ru"),
        ("Извините за доставленные неудобства.", "ru"),
        ("Нам очень жаль. Такое бывает.", "ru"),
    ],
)
def test_check_canned_apology_variants_are_flagged(coach, draft, lang):
    findings = coach.check(draft)
    assert "canned_apology" in cats(findings)
    assert all(f.lang == lang for f in findings)


@pytest.mark.parametrize(
    "draft",
    [
        "I'm sorry Bella got hurt while she was with me.",
        "I'm so sorry Max was frightened by the fireworks on our walk.",
        "Мне жаль, что Белла поранилась на прогулке.",
        "Мне очень жаль, что Рекс вернулся с порезом на лапе.",
    ],
)
def test_check_sincere_specific_apology_is_not_flagged(coach, draft):
    assert "canned_apology" not in cats(coach.check(draft))


@pytest.mark.parametrize(
    "draft",
    [
        'You\'re right: telling you "calm down" was wrong of me.',
        "The manager wrote «приносим свои извинения», и я понимаю, почему это задело.",
        "Вы правы, фраза «успокойтесь» была неуместной.",
        "I saw the reply that said 'sorry you feel that way' and I want to do better.",
    ],
)
def test_check_quoted_phrase_is_not_flagged(coach, draft):
    assert coach.check(draft) == []


def test_check_negated_threat_is_not_an_ultimatum(coach):
    assert "ultimatum" not in cats(coach.check("I would never leave a bad review over this."))
    assert "ultimatum" in cats(coach.check("I'll leave you a bad review if this goes on."))


def test_check_last_day_to_book_is_not_a_last_chance(coach):
    assert "ultimatum" not in cats(coach.check("Friday is the last day to book at the old price."))
    assert "ultimatum" in cats(coach.check("This is your last chance to pay the invoice."))


@pytest.mark.parametrize(
    "draft",
    [
        "SORRY YOU FEEL THAT WAY",
        "sorry    you   feel that way",
        "sor\u200bry you fe\u200del that way",
        "s\u043erry you feel that way",
        "soooorry you feeeel that way",
        "Sorry\nyou feel that way",
    ],
)
def test_check_is_robust_to_typing_and_evasion(coach, draft):
    findings = coach.check(draft)
    assert cats(findings) == ["canned_apology"]
    f = findings[0]
    assert draft[f.start:f.end] == f.text
    assert (f.start, f.end) == (0, len(draft))


@pytest.mark.parametrize("draft", ["you're a 1d10t", "ur such an id1ot", "you are a st00pid st*pid m0r0n"])
def test_check_leetspeak_insults_are_flagged(coach, draft):
    assert "insult" in cats(coach.check(draft, lang="en"))


def test_check_findings_are_ordered_and_unique_per_span_and_category(coach):
    draft = ("Calm down. Sorry you feel that way, but it's not my fault. "
             "Sorry you feel that way! This will never happen again.")
    findings = coach.check(draft)
    keys = [(f.start, f.end, f.category) for f in findings]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    for cat in set(cats(findings)):
        spans = sorted((f.start, f.end) for f in findings if f.category == cat)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), f"overlap in {cat}"
    assert {"dismissive", "canned_apology", "blame", "false_promise"} <= set(cats(findings))


def test_check_findings_carry_message_suggestions_and_rule(coach):
    f = coach.check("Sorry you feel that way.")[0]
    assert f.rule.startswith("en.canned_apology.")
    assert f.message and f.suggestions and all(isinstance(s, str) and s for s in f.suggestions)
    d = f.to_dict()
    assert set(d) >= {"category", "rule", "start", "end", "text", "message", "suggestions"}


def test_check_message_is_in_the_drafts_language(coach):
    f = coach.check("Приносим свои извинения.")[0]
    assert any("а" <= ch <= "я" for ch in f.message.lower())


@pytest.mark.parametrize("draft", ["", "   ", "\n\t ", "\u200b"])
def test_check_empty_or_blank_draft_has_no_findings(coach, draft):
    assert coach.check(draft) == []


def test_check_too_long_draft_is_a_value_error():
    small = Coach(max_chars=100)
    with pytest.raises(ValueError, match="limit is 100"):
        small.check("x" * 101)
    assert Coach().max_chars == 20_000
    with pytest.raises(ValueError):
        Coach().check("sorry you feel that way " * 1000)


@pytest.mark.parametrize("bad", [None, b"sorry", 42, ["sorry"]])
def test_check_non_string_is_a_type_error(coach, bad):
    with pytest.raises(TypeError):
        coach.check(bad)


def test_check_forced_language_and_bad_language(coach):
    assert coach.check("Sorry you feel that way", lang="en")
    with pytest.raises(ValueError, match="unsupported language"):
        coach.check("hello", lang="de")


def test_check_mixed_scripts_and_junk_do_not_break(coach):
    for draft in ["Sorry you feel that way. Приносим свои извинения.", "\x00\x01\ud800 sorry \udfff",
                  "🙄" * 500, "1234567890 " * 100, "مرحبا sorry you feel that way שלום"]:
        for f in coach.check(draft):
            assert draft[f.start:f.end] == f.text


TRIGGERS = ["sorry you feel that way", "calm down", "it's not my fault", "приносим свои извинения",
            "успокойтесь", "this will never happen again", "people like you"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=120), st.sampled_from(TRIGGERS), st.text(max_size=120))
def test_check_offsets_point_into_original_text(prefix, trigger, suffix):
    coach = _COACH
    draft = prefix + trigger + suffix
    findings = coach.check(draft)
    for f in findings:
        assert 0 <= f.start < f.end <= len(draft)
        assert draft[f.start:f.end] == f.text
        assert f.text.strip()
    starts = [f.start for f in findings]
    assert starts == sorted(starts)


_COACH = Coach()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_patterns_matched_in_halves_find_what_whole_variants_find(lang, monkeypatch):
    """Large phrase patterns are matched as two halves joined end to start (for memory);
    compiled whole instead, the checker must flag the same spans in the same categories
    on every draft and message we have."""
    import json
    from pathlib import Path

    from coach.rules import checker as checker_module

    texts = [json.loads(line)["text"] for name in ("drafts_dev.jsonl", "drafts_train.jsonl", "messages.jsonl")
             for line in (Path(__file__).parents[1] / "data" / name).open(encoding="utf-8")]
    split = checker_module.Checker(lang)
    assert split._halves, "no pattern was split: the test would prove nothing"
    monkeypatch.setattr(checker_module, "SPLIT_FROM", 10**9)
    whole = checker_module.Checker(lang)
    assert not whole._halves
    flagged = 0
    for text in texts:
        a = [(f.category, f.start, f.end) for f in split.check(text)]
        assert a == [(f.category, f.start, f.end) for f in whole.check(text)], text
        flagged += bool(a)
    assert flagged > 200


def test_warm_up_loads_what_a_first_stretched_word_would_wait_for():
    """A server's first "soooorry" must not pay for loading the normalisation tables and
    the English lemma list (about 20 ms, once): `warm_up` loads them."""
    import subprocess
    import sys

    code = ("from coach import Coach; from coach import text, nlp; Coach().warm_up(); "
            "print(text._tables.cache_info().currsize, nlp._english_lemmas.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["1", "1"]


def test_checks_inside_memory_zones_equal_checks_outside_and_leave_no_strings(coach, monkeypatch):
    """Past `PERMANENT_WORDS` new strings, texts are processed inside spaCy memory zones
    so a long job stays flat. Findings, reviews and suggestions must not change, and the
    vocabulary must not keep a zone's new words."""
    import json
    from pathlib import Path

    from coach import nlp

    data = Path(__file__).parents[1] / "data"
    texts = [json.loads(line)["text"] for name in ("drafts_dev.jsonl", "messages.jsonl")
             for line in (data / name).open(encoding="utf-8")]

    def run():
        found = [[(f.category, f.rule, f.start, f.end) for f in coach.check(t)] for t in texts]
        reviews = [coach.review(t).to_dict() for t in texts[:40]]
        suggestions = [[s.text for s in coach.suggest(t)] for t in texts[-40:]]
        return found, reviews, suggestions

    monkeypatch.setattr(nlp, "_ZONES_FROM", {"en": 10**12, "ru": 10**12})   # never in a zone
    outside = run()
    monkeypatch.setattr(nlp, "_ZONES_FROM", {"en": 0, "ru": 0})             # always in a zone
    assert run() == outside
    assert sum(map(len, outside[0])) > 300
    sizes = {lang: len(nlp.pipeline(lang).vocab.strings) for lang in nlp.LANGS}
    for i in range(200):
        coach.check(f"Sorry for any inconvenience, order QX{i * 7919}Z, call 0{i:010d}.", lang="en")
        coach.check(f"Приносим извинения, заказ ЖК{i * 7919}Щ, звоните 8{i:010d}.", lang="ru")
    assert {lang: len(nlp.pipeline(lang).vocab.strings) for lang in nlp.LANGS} == sizes
