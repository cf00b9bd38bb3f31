"""suggest(): for every client message in data/, at least three different first replies in
the message's language that pass our own checker, keep to the playbook and stay short."""
import re
from functools import lru_cache

import pytest

from coach import Coach
from coach.evaluate import load_jsonl
from coach.suggest.details import DetailFinder

MESSAGES = load_jsonl("data/messages.jsonl")
# Promises the playbook does not allow: refunds, and "it will never happen again".
FORBIDDEN = {
    "en": re.compile(r"refund|never happen|won't happen again|will not happen again|never again|guarantee", re.I),
    "ru": re.compile(r"возвра[тщ]|больше никогда|не повторится|гарантир", re.I),
}
DAY_PROMISE = re.compile(r"24|сут(ок|ки)")


@lru_cache(maxsize=1)
def coach() -> Coach:
    return Coach()


@pytest.mark.parametrize("row", MESSAGES, ids=[r["id"] for r in MESSAGES])
def test_every_suggestion_passes_the_checker_and_the_playbook(row):
    c = coach()
    lang = row["lang"]
    name = "Anna" if lang == "en" else "Анна"
    out = c.suggest(row["text"], client_name=name, lang=lang)
    assert len(out) >= 3
    assert len({s.text for s in out}) == len(out)
    case = c.triage(row["text"], lang=lang)
    for s in out:
        assert s.lang == lang and c.detect_lang(s.text) == lang
        assert len(s.text) < 700
        assert c.check(s.text, lang=lang) == [], s.text
        assert not FORBIDDEN[lang].search(s.text), s.text
        assert name in s.text
        if case.severity == "urgent":
            assert not DAY_PROMISE.search(s.text), s.text
            assert "urgent_action" in s.moves
        elif case.severity == "complex":
            assert DAY_PROMISE.search(s.text) and "escalation" in s.moves, s.text
        else:
            assert not DAY_PROMISE.search(s.text), s.text
    # suggest() scores its candidates without the draft-tone model because of this:
    tone_model, _ = c._parts()
    assert [t for t, _ in tone_model.predict_many([s.text for s in out], lang)] == ["constructive"] * len(out)
    assert [s.rank for s in out] == list(range(1, len(out) + 1))
    assert [s.score for s in out] == sorted((s.score for s in out), reverse=True)
