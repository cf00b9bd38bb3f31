"""The `coach` command: check a file or stdin, JSON output, exit 2 with a reason on bad input."""
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coach.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _run(argv, stdin_bytes=None, monkeypatch=None):
    if stdin_bytes is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin_bytes)))
    return main(argv)


def test_cli_check_file_json(tmp_path, capsys):
    draft = tmp_path / "draft.txt"
    draft.write_text("Sorry you feel that way.", encoding="utf-8")
    assert main(["check", str(draft), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["lang"] == "en"
    assert [f["category"] for f in out["findings"]] == ["canned_apology"]
    f = out["findings"][0]
    assert "Sorry you feel that way."[f["start"]:f["end"]] == f["text"]


def test_cli_check_stdin_human_readable(monkeypatch, capsys):
    assert _run(["check", "-"], "Приносим свои извинения.".encode(), monkeypatch) == 0
    out = capsys.readouterr().out
    assert "canned_apology" in out and "1:1" in out and "try:" in out


def test_cli_check_reads_cp1251(tmp_path, capsys):
    draft = tmp_path / "draft.txt"
    draft.write_bytes("Приносим свои извинения за задержку.".encode("cp1251"))
    assert main(["check", str(draft), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"]


def test_cli_check_clean_draft_says_so(tmp_path, capsys):
    draft = tmp_path / "draft.txt"
    draft.write_text("Hi Anna, thanks for telling me. I'll be there at 9 tomorrow.", encoding="utf-8")
    assert main(["check", str(draft)]) == 0
    assert "No findings" in capsys.readouterr().out


@pytest.mark.parametrize(
    "content,reason",
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x00\x01\x02binary\xff\xfe", "binary"),
        (bytes(range(128, 256)) * 4, "neither UTF-8 nor cp1251"),
        (b"x" * 90_000, "larger than"),
    ],
)
def test_cli_check_bad_input_exits_2_with_one_line(tmp_path, capsys, content, reason):
    draft = tmp_path / "draft.txt"
    draft.write_bytes(content)
    assert main(["check", str(draft)]) == 2
    err = capsys.readouterr().err
    assert reason in err and err.count("\n") == 1


def test_cli_check_missing_file_exits_2(capsys):
    assert main(["check", "/nonexistent/draft.txt"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_cli_check_too_long_text_exits_2(tmp_path, capsys):
    draft = tmp_path / "draft.txt"
    draft.write_text("calm down " * 2500, encoding="utf-8")
    assert main(["check", str(draft)]) == 2
    assert "limit is 20,000" in capsys.readouterr().err


def test_cli_evaluate_checker_prints_per_language_and_category(capsys):
    assert main(["evaluate", "--checker", "--split", "dev", "--real", "/nonexistent"]) == 0
    out = capsys.readouterr().out
    for word in ("[en]", "[ru]", "precision", "false-alarm rate", "canned_apology", "assumption"):
        assert word in out


def test_cli_console_script_is_installed():
    exe = shutil.which("coach", path=str(Path(sys.executable).parent))
    assert exe, "the coach console script is not installed in this environment"
    res = subprocess.run([exe, "check", "-", "--json"], input="Calm down.".encode(), capture_output=True)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["findings"][0]["category"] == "dismissive"


def test_cli_triage_json_and_text(tmp_path, capsys):
    msg = tmp_path / "msg.txt"
    msg.write_text("Bella was hit by a car on the walk, we're at the vet now", encoding="utf-8")
    assert main(["triage", str(msg), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["severity"] == "urgent" and out["route"]["sla_hours"] is None
    assert main(["triage", str(msg)]) == 0
    text = capsys.readouterr().out
    assert "severity  urgent" in text and "[ ]" in text and "why" in text


def test_cli_triage_bad_playbook_exits_2(tmp_path, capsys):
    msg = tmp_path / "msg.txt"
    msg.write_text("The walker was late.", encoding="utf-8")
    pb = tmp_path / "team.yml"
    pb.write_text("team: x\n", encoding="utf-8")
    assert main(["triage", str(msg), "--playbook", str(pb)]) == 2
    assert "team.yml" in capsys.readouterr().err


def test_cli_evaluate_triage_prints_every_task_per_language(capsys):
    assert main(["evaluate", "--split", "test"]) == 0
    out = capsys.readouterr().out
    for word in ("[en] severity", "[ru] tone", "[ru] category", "confusion", "urgent recall"):
        assert word in out


def test_a_closed_pipe_ends_the_command_quietly():
    """`coach suggest - --json | head -c 0`: no traceback when the reader goes away."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "coach.cli", "suggest", "-", "--json"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdin.write(b"The walker was late again and Rex was alone for hours.")
    proc.stdin.close()
    proc.stdout.close()   # the reader is gone before the command writes a byte
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err
