"""Normalisation folds what people type, and spans always map back to the original."""
import pytest
from hypothesis import given, settings, strategies as st

from coach.nlp import lemmatizer
from coach.text import Edit, OffsetMap, apply_edits, normalise, quoted_regions


def _norm(text, lang="en"):
    return normalise(text, lemmatizer(lang).is_known)


@pytest.mark.parametrize(
    "typed,folded",
    [
        ("so\u200brry", "sorry"),
        ("s\u043erry", "sorry"),  # Cyrillic о in a Latin word
        ("soooorry", "sorry"),
        ("calmmmm down", "calm down"),
        ("goooood", "good"),
        ("1d10t", "idiot"),
        ("stup1d", "stupid"),
        ("5pm", "5pm"),
        ("it’s", "it's"),
        ("sorry   you", "sorry you"),
        ("a\u00a0b", "a b"),
        ("𝐬𝐨𝐫𝐫𝐲", "sorry"),
        ("ｓｏｒｒｙ", "sorry"),
    ],
)
def test_text_normalise_folds_english_typing(typed, folded):
    assert _norm(typed).text == folded


@pytest.mark.parametrize(
    "typed,folded",
    [
        ("извинeния", "извинения"),  # Latin e in a Cyrillic word
        ("оооочень", "очень"),
        ("говорил(а)", "говорил"),
        ("извинения!Как", "извинения! Как"),
        ("и\u0306", "й"),
        ("иди0т", "идиот"),
    ],
)
def test_text_normalise_folds_russian_typing(typed, folded):
    assert _norm(typed, "ru").text == folded


def test_text_source_span_maps_through_both_passes():
    src = "Well, so\u200boooorry   you feel that way"
    n = _norm(src)
    i = n.text.index("sorry")
    s, e = n.source_span(i, i + len("sorry you feel that way"))
    assert src[s:e] == "so\u200boooorry   you feel that way"


def test_text_offset_map_handles_insertions_and_deletions():
    edits = [Edit(1, 3, ""), Edit(4, 5, "XYZ")]
    src = "abcdefg"
    out = apply_edits(src, edits)
    assert out == "adXYZfg"
    m = OffsetMap(edits)
    assert (m.start(1), m.end(2)) == (3, 4)  # "d"
    assert (m.start(2), m.end(5)) == (4, 5)  # "XYZ" -> "e"
    assert (m.start(5), m.end(7)) == (5, 7)  # "fg"


@pytest.mark.parametrize(
    "text,inner",
    [
        ('you said "calm down" to me', "calm down"),
        ("вы написали «успокойтесь»", "успокойтесь"),
        ("the word 'relax' was wrong", "relax"),
    ],
)
def test_text_quoted_regions_cover_the_quote(text, inner):
    regions = quoted_regions(text)
    assert any(inner in text[s:e] for s, e in regions)


def test_text_apostrophes_are_not_quotes():
    assert quoted_regions("it's fine, don't worry, we're here") == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_text_source_span_is_always_within_the_source(src):
    n = _norm(src)
    for a in range(len(n.text)):
        for b in (a + 1, min(len(n.text), a + 7)):
            if b <= a:
                continue
            s, e = n.source_span(a, b)
            assert 0 <= s <= e <= len(src)
