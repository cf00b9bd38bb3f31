"""review(): findings, draft tone, moves present and missing, and a score whose terms and
reasons are in the result; the case of the client's message weighs first."""
import json

import pytest

from coach.review.engine import CASE_PENALTY, WEIGHTS
from coach.review.moves import MOVES

GOOD_EN = ("Hi Dana, thank you for letting me know. I understand that Milo came home from this morning's walk "
           "with a sore paw, and I'm so sorry that happened. I've passed your message to our senior managers, "
           "and one of them will contact you within 24 hours. Would a phone call or an email suit you better? "
           "I'll check in tomorrow to see how he is doing.")
COMPLEX_EN = "Milo came back from this morning's walk limping and won't put weight on his paw. Nobody told me."
POOR_EN = "Sorry you feel that way, but it's not my fault. Dogs limp sometimes, relax."
GOOD_RU = ("Здравствуйте, Анна! Спасибо, что написали. Мне очень жаль, что Бусю сегодня утром никто не выгулял. "
           "Я сегодня же перенесу прогулку на удобное вам время. Во сколько вам удобно?")
ROUTINE_RU = "Сегодня утром к Бусе никто не пришёл на прогулку, я ждала до десяти."
URGENT_RU = "Собака сорвалась с поводка в парке и убежала, выгульщик не может её найти уже час!"


def _consistent(r):
    total = r.parts["moves"] + r.parts["phrases"] + r.parts["tone"] + r.parts["case"]
    assert r.score == int(round(max(0, min(100, total))))
    assert set(r.moves) <= set(MOVES) and not set(r.moves) & set(r.missing)
    json.dumps(r.to_dict(), ensure_ascii=False)


def test_a_good_reply_scores_high_and_misses_nothing(coach):
    r = coach.review(GOOD_EN, context=COMPLEX_EN)
    _consistent(r)
    assert r.case["severity"] == "complex"
    assert r.findings == [] and r.tone == "constructive"
    assert r.missing == [] and r.score >= 90
    assert {"greet", "thank", "restate", "acknowledge", "escalation", "question", "follow_up"} <= set(r.moves)


def test_a_poor_reply_scores_low_and_says_why(coach):
    r = coach.review(POOR_EN, context=COMPLEX_EN)
    _consistent(r)
    assert r.score <= 10
    assert {f.category for f in r.findings} >= {"canned_apology", "blame", "dismissive"}
    assert r.tone in ("dismissive", "defensive", "hostile")
    assert r.explanations[0].startswith("Complex case: no 24-hour promise")
    assert r.parts["case"] == -CASE_PENALTY["complex_no_24h"]
    assert "escalation" in r.missing and "acknowledge" in r.missing


def test_a_complex_case_without_the_24_hour_promise_is_named_first(coach):
    draft = ("Hi, thank you for telling me. I'm so sorry Milo is limping. I'll ask the walker what happened today. "
             "Is there anything else I should know?")
    r = coach.review(draft, context=COMPLEX_EN)
    _consistent(r)
    assert r.explanations[0].startswith("Complex case")
    with_promise = coach.review(draft + " Our senior managers will contact you within 24 hours.", context=COMPLEX_EN)
    assert not with_promise.explanations[0].startswith("Complex case")
    assert with_promise.score > r.score


def test_an_urgent_case_answered_like_a_routine_one_is_the_worst_miss(coach):
    routine_reply = ("Здравствуйте! Спасибо, что написали. Мне очень жаль, что так вышло. Мы разберёмся и "
                     "свяжемся с вами в течение 24 часов. Как вам удобнее связаться?")
    r = coach.review(routine_reply, context=URGENT_RU)
    _consistent(r)
    assert r.case["severity"] == "urgent" and r.lang == "ru"
    assert r.explanations[0].startswith("Срочный случай, а ответ как на обычный")
    assert any("24" in e for e in r.explanations[:2])
    acting = coach.review("Здравствуйте! Наш старший менеджер звонит вам прямо сейчас, мы уже ищем по району. "
                          "Где вы сейчас?", context=URGENT_RU)
    assert "urgent_action" in acting.moves
    assert acting.score > r.score


def test_russian_reply_moves_and_restating(coach):
    r = coach.review(GOOD_RU, context=ROUTINE_RU)
    _consistent(r)
    assert r.findings == [] and r.tone == "constructive"
    assert {"greet", "thank", "restate", "acknowledge", "next_step", "question"} <= set(r.moves)
    assert r.missing == ["follow_up"]
    assert r.score == round(100 * (100 - WEIGHTS["follow_up"]) / 100)


def test_without_context_restating_is_not_judged(coach):
    r = coach.review(GOOD_EN)
    _consistent(r)
    assert r.case is None and "restate" not in r.moves + r.missing


def test_bad_input(coach):
    with pytest.raises(ValueError, match="empty"):
        coach.review("   ")
    with pytest.raises(TypeError):
        coach.review(b"bytes")
    with pytest.raises(ValueError, match="limit"):
        coach.review("a" * 20_001)
    assert coach.review("Thanks!", context="   ").case is None
