"""`coach batch`: formats in and out, one output row per input row in order, hostile
files refused with a reason, resume after a kill, jobs and Dask giving the same rows."""
import csv
import json

import pytest

from coach import batch
from coach.cli import main

ROWS = ["Успокойтесь, это не моя вина.", "=HYPERLINK(\"http://evil\")", "Hi Sam, sorry you feel that way.",
        "", "Спасибо, что написали! Мне очень жаль, что так вышло. Сегодня же перенесу прогулку."]


def _csv_in(tmp_path, encoding="cp1251"):
    f = tmp_path / "in.csv"
    body = "id;ответ\n" + "".join(f"{i};{t}\n" for i, t in enumerate(ROWS, 1)) + "6\n"
    f.write_bytes(body.encode(encoding, errors="replace"))
    return f


def _read_csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_cp1251_semicolon_csv_to_guarded_csv(tmp_path, capsys):
    out = tmp_path / "out.csv"
    assert main(["batch", str(_csv_in(tmp_path)), "-o", str(out), "--kind", "drafts", "--quiet"]) == 0
    rows = _read_csv(out)
    assert [r["id"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert rows[0]["lang"] == "ru" and "dismissive" in rows[0]["finding_categories"]
    assert rows[1]["text"].startswith("'=")
    assert rows[3]["error"] == "draft is empty" or rows[3]["error"]
    assert rows[5]["error"].startswith("half-broken row")
    assert not (tmp_path / "out.csv.part.jsonl").exists()


def test_jsonl_xlsx_and_txt(tmp_path):
    from openpyxl import Workbook, load_workbook

    j = tmp_path / "in.jsonl"
    j.write_text('{"id": "a", "message": "Bella was hit by a car!"}\n[1, 2]\n{"id": "c", "message": "Late again."}\n',
                 encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert batch.run(str(j), str(out), kind="messages", progress=False) == 3
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [g["id"] for g in got] == ["a", "2", "c"] and got[0]["severity"] == "urgent" and got[1]["error"]
    wb = Workbook()
    ws = wb.active
    ws.append(["Draft"])
    for t in ROWS[:3]:
        ws.append([t])
    x = tmp_path / "in.xlsx"
    wb.save(x)
    xo = tmp_path / "out.xlsx"
    assert batch.run(str(x), str(xo), kind="drafts", progress=False) == 3
    sheet = load_workbook(xo).active
    texts = [row[12] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert texts[1].startswith("'=") and sheet.cell(row=3, column=13).data_type == "s"
    t = tmp_path / "in.txt"
    t.write_text("Calm down.\n\nNot my fault.\n", encoding="utf-8")
    assert batch.run(str(t), str(tmp_path / "o.csv"), kind="drafts", progress=False) == 2


@pytest.mark.parametrize("name,content,reason", [
    ("in.csv", b"PK\x03\x04" + b"\x00" * 100, "binary"),
    ("in.csv", b"\x00\x01\x02garbage", "binary"),
    ("in.xlsx", b"id,text\n1,hi\n", "not an XLSX"),
    ("in.pdf", b"%PDF-1.4", "expected one of"),
])
def test_hostile_files_are_refused_with_a_reason(tmp_path, capsys, name, content, reason):
    f = tmp_path / name
    f.write_bytes(content)
    assert main(["batch", str(f), "-o", str(tmp_path / "out.csv"), "--quiet"]) == 2
    assert reason in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_resume_continues_a_killed_job(tmp_path):
    src = _csv_in(tmp_path, "utf-8")
    out = tmp_path / "out.csv"
    journal = tmp_path / "out.csv.part.jsonl"
    done = [{"id": "1", "kind": "drafts", "text": ROWS[0], "error": "from the first run"},
            {"id": "2", "kind": "drafts", "text": ROWS[1], "error": "from the first run"}]
    journal.write_text("".join(json.dumps(d) + "\n" for d in done) + '{"id": "3", "kind": "dr', encoding="utf-8")
    assert batch.run(str(src), str(out), kind="drafts", resume=True, progress=False) == 6
    rows = _read_csv(out)
    assert [r["id"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert [r["error"] for r in rows[:2]] == ["from the first run"] * 2   # not recomputed
    assert rows[2]["error"] == "" and rows[2]["findings"] == "1"          # the half line was redone
    assert not journal.exists()


def test_two_jobs_give_the_same_rows_as_one(tmp_path):
    src = _csv_in(tmp_path, "utf-8")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    batch.run(str(src), str(one), kind="drafts", jobs=1, progress=False)
    batch.run(str(src), str(two), kind="drafts", jobs=2, progress=False)
    assert one.read_text(encoding="utf-8") == two.read_text(encoding="utf-8")


def test_dask_local_cluster_gives_the_same_rows(tmp_path, monkeypatch):
    from distributed import LocalCluster

    monkeypatch.setattr(batch, "DASK_PARTITION", 2)   # three partitions over two workers
    src = _csv_in(tmp_path, "utf-8")
    single, spread = tmp_path / "single.jsonl", tmp_path / "dask.jsonl"
    batch.run(str(src), str(single), kind="drafts", progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster:
        batch.run(str(src), str(spread), kind="drafts", engine_name="dask", scheduler=cluster.scheduler_address,
                  progress=False)
    assert single.read_text(encoding="utf-8") == spread.read_text(encoding="utf-8")


def test_quick_chunk_with_bad_rows_equals_row_by_row():
    """A chunk is triaged together; empty, too long and pre-failed rows still get their
    own error, and every other row the result it gets alone."""
    from coach import Coach
    from coach.workshop import engine

    coach = Coach(max_chars=300)
    rows = [{"id": "1", "text": "The walker never showed up and Rex was alone all day."},
            {"id": "2", "text": "\u200b\u200b"},
            {"id": "3", "text": "Выгульщик опоздал на сорок минут, Бусю не покормили."},
            {"id": "4", "text": "late " * 100},
            {"id": "5", "text": "ok", "error": "undecodable row"},
            {"id": "6", "text": "Max slipped his harness in the park and we can't find him!"}]
    together = engine.run(coach, rows, "quick")
    alone = [engine.process(coach, row, "quick") for row in rows]
    assert together == alone
    assert [bool(r["error"]) for r in together] == [False, True, False, True, True, False]
    assert together[5]["severity"] == "urgent"


def test_fast_quick_batch_and_a_resume_with_other_settings_is_refused(tmp_path, capsys):
    src = _csv_in(tmp_path, "utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(src), "-o", str(out), "--kind", "quick", "--fast", "--quiet"]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert rows[2]["lang"] == "en" and rows[2]["severity"] and "canned_apology" in rows[2]["finding_categories"]
    assert rows[3]["error"] and rows[5]["error"]
    # a job killed under --fast must not be finished with the accurate models, or the other way round
    (tmp_path / "out.jsonl.part.jsonl").write_text(out.read_text(encoding="utf-8").splitlines()[0] + "\n",
                                                   encoding="utf-8")
    (tmp_path / "out.jsonl.part.json").write_text(json.dumps(
        {"input": src.name, "kind": "quick", "column": None, "triage_models": "fast"}), encoding="utf-8")
    assert main(["batch", str(src), "-o", str(out), "--kind", "quick", "--resume", "--quiet"]) == 2
    assert "triage_models 'fast' -> 'accurate'" in capsys.readouterr().err
    assert main(["batch", str(src), "-o", str(out), "--kind", "quick", "--fast", "--resume", "--quiet"]) == 0
