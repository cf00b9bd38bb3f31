"""Coach.triage on real phrasing, the playbook route, and bad input."""
import pytest

from coach import Coach
from coach.classify.data import LABELS


URGENT = [
    ("Hi, just so you know, Max slipped his harness in the park an hour ago and we still can't find him.", "en"),
    ("Bella was hit by a car on the walk, we're at the emergency vet now", "en"),
    ("he ate a whole bar of dark chocolate while the sitter was there, what do I do", "en"),
    ("Собака убежала на прогулке, выгульщик не может её найти уже час", "ru"),
    ("Кот не дышит, ситтер говорит, что нашла его так утром", "ru"),
    ("Рекса сбила машина, мы в клинике", "ru"),
]


@pytest.mark.parametrize("message,lang", URGENT)
def test_triage_urgent_cases_are_urgent_even_when_calm(coach, message, lang):
    t = coach.triage(message)
    assert t.lang == lang
    assert t.severity == "urgent"
    assert t.route.sla_hours is None and t.route.sla in ("immediately", "немедленно")
    assert any("call" in c.lower() or "позвон" in c.lower() for c in t.route.checklist)


@pytest.mark.parametrize(
    "message",
    [
        "he's NOT hurt, the walker was just late today, about 15 minutes",
        "Last week Max got out of the gate but a neighbour caught him straight away. Just wondering how it happened?",
    ],
)
def test_triage_negated_or_resolved_danger_is_not_urgent(coach, message):
    assert coach.triage(message).severity != "urgent"


def test_triage_result_has_the_contract_fields(coach):
    t = coach.triage("Where is the walker?? Third time this week!")
    assert t.lang == "en"
    for task in ("severity", "tone", "category"):
        assert getattr(t, task) in LABELS[task]
        probs = t.scores[task]
        assert set(probs) == set(LABELS[task])
        assert abs(sum(probs.values()) - 1) < 0.01
    assert t.reasons and all(isinstance(r, str) and r for r in t.reasons)
    d = t.to_dict()
    assert set(d) >= {"lang", "severity", "tone", "category", "scores", "route", "reasons"}
    assert set(d["route"]) >= {"action", "sla_hours", "checklist"}


def test_triage_complex_route_promises_24_hours(coach):
    t = coach.triage("Since the walk yesterday Toby won't put any weight on his back leg and yelps when "
                     "I touch it. The walker said nothing. This is the third time she has been careless.")
    assert t.severity in ("complex", "urgent")
    if t.severity == "complex":
        assert t.route.sla_hours == 24
        assert any("form" in c for c in t.route.checklist)


def test_triage_russian_message_gets_a_russian_route(coach):
    t = coach.triage("Выгульщик сегодня опоздал на 20 минут, ничего страшного, просто сообщаю.")
    assert t.lang == "ru"
    assert any("а" <= ch <= "я" for ch in t.route.action.lower())


def _default_playbook_text() -> str:
    from importlib import resources

    return resources.files("coach.playbook").joinpath("default.yml").read_text(encoding="utf-8")


def test_triage_team_playbook_is_used(tmp_path):
    src = tmp_path / "team.yml"
    src.write_text(_default_playbook_text().replace("team: Your pet-care team", "team: Paws & Co")
                   .replace("the on-duty senior manager", "Duty Lead"), encoding="utf-8")
    t = Coach(playbook=src).triage("Bella was hit by a car on the walk, we're at the vet")
    assert t.route.team == "Paws & Co"
    assert "Duty Lead" in t.route.action


@pytest.mark.parametrize(
    "change,expected",
    [
        (("sla_hours: null", "sla_hours: 4"), "severities.urgent.sla_hours"),
        (("  urgent:\n", "  emergency:\n"), "severities"),
        (("{form_link}.", "{missing_thing}."), "missing_thing"),
    ],
)
def test_triage_broken_playbook_fails_with_file_and_key(tmp_path, change, expected):
    from coach.playbook import PlaybookError

    src = tmp_path / "team.yml"
    src.write_text(_default_playbook_text().replace(*change), encoding="utf-8")
    with pytest.raises(PlaybookError) as err:
        Coach(playbook=src)
    assert str(src) in str(err.value) and expected in str(err.value)


def test_triage_routine_critical_slip_offers_the_gift(coach):
    t = coach.triage("The walker didn't come at all today and didn't tell us. Bruno waited all day.")
    if t.severity == "routine":
        assert t.route.gift


@pytest.mark.parametrize("bad,exc", [("", ValueError), ("   ", ValueError), (None, TypeError),
                                     (b"hi", TypeError), ("x" * 20_001, ValueError)])
def test_triage_bad_input(coach, bad, exc):
    with pytest.raises(exc):
        coach.triage(bad)


def _messages(n_per_lang: int) -> list[str]:
    import json
    from pathlib import Path

    rows = [json.loads(line) for line in (Path(__file__).parents[1] / "data/messages.jsonl").open(encoding="utf-8")]
    en = [r["text"] for r in rows if r["lang"] == "en"][:n_per_lang]
    ru = [r["text"] for r in rows if r["lang"] == "ru"][:n_per_lang]
    return [m for pair in zip(en, ru) for m in pair]   # languages interleaved


def test_triage_many_gives_the_results_of_one_at_a_time(coach):
    """Batch jobs triage chunks together; a message's result must not depend on its
    neighbours (labels, reasons and route exactly, scores to their 4th decimal)."""
    messages = _messages(60)
    together = coach.triage_many(messages)
    assert len(together) == len(messages)
    for message, many in zip(messages, together):
        one = coach.triage(message)
        assert (many.lang, many.severity, many.tone, many.category) == (one.lang, one.severity, one.tone, one.category)
        assert many.reasons == one.reasons and many.route == one.route
        for task, probs in one.scores.items():
            for label, p in probs.items():
                assert abs(many.scores[task][label] - p) <= 1e-4


def test_triage_many_refuses_what_triage_refuses(coach):
    with pytest.raises(ValueError, match="empty"):
        coach.triage_many(["The walker was late again.", "  \u200b "])
    with pytest.raises(TypeError):
        coach.triage_many("The walker was late again.")
    assert coach.triage_many([]) == []


# -- the fast models (`triage_models="fast"`, `coach batch --fast`) -----------------------

@pytest.fixture(scope="module")
def fast():
    return Coach(triage_models="fast")


@pytest.mark.parametrize("message,lang", URGENT)
def test_fast_triage_still_calls_urgent_cases_urgent(fast, message, lang):
    t = fast.triage(message)
    assert (t.lang, t.severity) == (lang, "urgent")


def test_fast_triage_uses_no_sentence_encoder(fast, coach):
    """What makes it fast: its pipelines have TF-IDF parts only, while the accurate
    models of the same tasks use USE (and MiniLM for English severity)."""
    from coach.classify.encoders import SentenceEncoder

    for c, want_encoder in ((fast, False), (coach, True)):
        c.triage("The walker was late again.")
        c.triage("Выгульщик снова опоздал.")
        parts = [part for model in c._triager._models.values() for _, part in model.parts]
        assert any(isinstance(p, SentenceEncoder) for p in parts) is want_encoder


def test_fast_triage_reproduces_its_model_card():
    """The fast models' committed test figures are what `coach evaluate --fast` gets."""
    import json
    from pathlib import Path

    from coach.triage.evaluate import evaluate_triage

    root = Path(__file__).resolve().parents[1]
    report = evaluate_triage(Coach(triage_models="fast"), root / "data/messages.jsonl", "test")
    for task in ("severity", "tone", "category"):
        meta = json.loads((root / "models" / task / "metadata.json").read_text(encoding="utf-8"))
        for lang in ("en", "ru"):
            got = report["languages"][lang][task]["macro_f1"]
            assert abs(got - meta["fast"][lang]["test"]["macro_f1"]) < 1e-3, (task, lang)


def test_triage_models_must_be_known():
    with pytest.raises(ValueError, match="accurate, fast"):
        Coach(triage_models="turbo")
