"""Workshop: reading messy uploads, one result row per input row, reports safe to share,
and the practice bank."""
import csv
import io

import pytest

from coach.workshop import engine, report
from coach.workshop.practice import scenarios
from coach.workshop.privacy import mask


def test_cp1251_csv_with_semicolons_and_a_broken_row(coach):
    text = ("id;ответ;контекст\n1;Успокойтесь, это не моя вина.;Собака хромает\n"
            "2;=HYPERLINK(\"http://x\")\n3\n4;Здравствуйте! Спасибо, что написали. Мне очень жаль, что так вышло.;\n")
    rows = engine.read_rows(text.encode("cp1251"), "trainees.csv")
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    results = engine.run(coach, rows, "drafts")
    assert len(results) == 4 and [r["id"] for r in results] == ["1", "2", "3", "4"]
    assert results[0]["lang"] == "ru" and {"dismissive", "blame"} <= set(results[0]["finding_categories"].split())
    assert results[0]["severity"]          # the context was triaged
    assert results[2]["error"]             # the row with no text column
    assert not results[3]["error"] and results[3]["score"] != ""
    out = list(csv.reader(io.StringIO(report.to_csv(results))))
    assert len(out) == 5
    text_col = out[0].index("text")
    assert out[2][text_col].startswith("'=")   # formula guarded


def test_jsonl_and_pasted_lines(coach):
    rows = engine.read_rows(b'{"id": "a", "message": "Bella was hit by a car!"}\nnot json\n', "m.jsonl")
    assert [r["id"] for r in rows] == ["a", "2"] and rows[1]["error"]
    results = engine.run(coach, rows, "messages")
    assert results[0]["severity"] == "urgent" and results[0]["suggestion"]
    assert results[1]["error"] and not results[1]["severity"]
    pasted = engine.read_rows("Calm down.\n\n\nIt's not my fault.\n", "pasted.txt")
    assert [r["text"] for r in pasted] == ["Calm down.", "It's not my fault."]


def test_every_row_gets_an_output_row_even_when_hostile(coach):
    rows = [{"id": str(i), "text": t, "context": ""} for i, t in
            enumerate(["", "x" * 25_000, "\u200b\u200b", "<script>alert(1)</script> calm down", "🙂" * 50])]
    results = engine.run(coach, rows, "drafts")
    assert [r["id"] for r in results] == [r["id"] for r in rows]
    assert results[0]["error"] and results[1]["error"] and results[2]["error"]
    assert not results[3]["error"]


def test_report_html_escapes_and_masks(coach):
    rows = [{"id": "1", "text": "Hi Sam, call me on +44 7700 900123 or sam@example.com. <img src=x onerror=alert(1)> "
                                "calm down", "context": ""}]
    page = report.to_html(engine.run(coach, rows, "drafts"))
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "7700" not in page and "sam@example.com" not in page and "Sam," not in page
    assert "<script" not in page and "http" not in page.split("</head>")[1]


@pytest.mark.parametrize("text,masked", [
    ("Walker Tom was late; call 8 (912) 345-67-89.", "Walker [name] was late; call [phone]."),
    ("Здравствуйте, Ольга! Выгульщик Иван опять опоздал.", "Здравствуйте, [name]! Выгульщик [name] опять опоздал."),
    ("My dog Bella was fine on 12.11.2026, 3 walks for £45.50.", "My dog Bella was fine on 12.11.2026, 3 walks for £45.50."),
])
def test_mask(text, masked):
    assert mask(text) == masked


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_practice_bank(coach, lang):
    bank = scenarios(lang)
    assert len(bank) >= 20 and len({s["id"] for s in bank}) == len(bank)
    for s in bank:
        assert s["severity"] in ("routine", "complex", "urgent") and s["message"] and s["title"]
        assert coach.check(s["model_answer"], lang=lang) == [], s["id"]
        assert coach.review(s["model_answer"], context=s["message"], lang=lang).score >= 85, s["id"]
