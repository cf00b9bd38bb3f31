"""The labelled data files are what their datasheet says: every flag an exact substring of
its draft with a known category, ids unique, and the second annotator's labels about
drafts that exist, in their language."""
import json
from pathlib import Path

import pytest

from coach.evaluate import gold_spans
from coach.rules.pack import CATEGORIES

DATA = Path(__file__).resolve().parents[1] / "data"


def _rows(name):
    return [json.loads(line) for line in (DATA / name).open(encoding="utf-8")]


@pytest.mark.parametrize("name", ["drafts_dev.jsonl", "drafts_train.jsonl", "drafts_train_2.jsonl"])
def test_draft_files_have_valid_flags(name):
    rows = _rows(name)
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["lang"] in ("en", "ru") and r["text"].strip()
        assert all(f["category"] in CATEGORIES for f in r["flags"]), r["id"]
        for cat, s, e in gold_spans(r):   # raises when a flag is not in the text
            assert r["text"][s:e].strip(), r["id"]


def test_second_annotator_labels_refer_to_round_two_drafts():
    original = {r["id"]: r for r in _rows("drafts_train_2.jsonl")}
    second = _rows("drafts_train_2.second_annotator.jsonl")
    assert len({s["id"] for s in second}) == len(second) == 240
    for s in second:
        row = original[s["id"]]
        assert s["lang"] == row["lang"]
        assert all(f["category"] in CATEGORIES for f in s["flags"])
        gold_spans(dict(row, flags=s["flags"]))
    # blind labels, not a copy: they disagree with the originals somewhere
    assert any(sorted((f["category"], f["text"]) for f in s["flags"])
               != sorted((f["category"], f["text"]) for f in original[s["id"]]["flags"]) for s in second)
