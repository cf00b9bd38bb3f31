"""Hostile and odd input everywhere: every public call returns a result or its documented
error (ValueError / TypeError), with valid spans, and never hangs; the CLI exits 0 or 2
with a one-line reason."""
import signal
import subprocess
import sys
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from coach.cli import main

# Text that people and attackers really send: any Unicode (control characters and lone
# surrogates included), right-to-left scripts, emoji, digits, mixed alphabets.
ODD = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=50),
    st.text(alphabet=st.sampled_from("🙂🐶😡👍🏽‍♀️ \u200b\u200d\ufeff"), max_size=60),
    st.text(alphabet=st.sampled_from("0123456789 .,+-()"), max_size=60),
    st.text(alphabet=st.sampled_from("אבגדהوزحطيكلمن "), max_size=80),
    st.text(alphabet=st.sampled_from("aоeсрxуАВСЕНКМОРТХ sorryСпасибо "), max_size=80),
    st.builds(lambda a, b: a + "\ud800" + b, st.text(max_size=40), st.text(max_size=40)),
)
HANG = 30   # seconds: not a speed test (bench/ measures speed), a guard against a call that never returns


@contextmanager
def no_hang(what):
    def fail(*_):
        raise AssertionError(f"{what} did not return within {HANG} s")

    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(HANG)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="module", autouse=True)
def _warm(coach):
    coach.warm_up()   # rule packs compiled and models loaded before any guard starts


def _spans_ok(text, findings):
    return all(text[f.start:f.end] == f.text and 0 <= f.start <= f.end <= len(text) for f in findings)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ODD)
def test_every_call_survives_odd_text(coach, text):
    for name, call in (("check", lambda: coach.check(text)), ("triage", lambda: coach.triage(text)),
                       ("review", lambda: coach.review(text, context=text)), ("suggest", lambda: coach.suggest(text))):
        try:
            with no_hang(name):
                out = call()
        except ValueError as exc:   # the documented refusal: empty, or no letters to work on
            assert str(exc), name
            continue
        if name == "check":
            assert _spans_ok(text, out)
        elif name == "review":
            assert 0 <= out.score <= 100 and _spans_ok(text, out.findings)
        elif name == "suggest":
            assert len(out) >= 3 and all(len(s.text) < 700 for s in out)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ODD, min_size=1, max_size=4))
def test_batched_triage_of_odd_text_is_each_text_alone(coach, texts):
    """The batch path (`triage_many`, used by `coach batch` and the Workshop) on odd text:
    the same labels as one at a time, or the same refusal."""
    alone = []
    for text in texts:
        try:
            alone.append(coach.triage(text))
        except ValueError:
            alone.append(None)
    with no_hang("triage_many"):
        if None in alone:
            with pytest.raises(ValueError):
                coach.triage_many(texts)
            return
        together = coach.triage_many(texts)
    assert [(t.lang, t.severity, t.tone, t.category) for t in together] == \
        [(t.lang, t.severity, t.tone, t.category) for t in alone]


@pytest.mark.parametrize("call", ["check", "triage", "review", "suggest"])
def test_a_megabyte_is_refused_at_once(coach, call):
    big = "calm down " * 100_000
    with pytest.raises(ValueError, match="limit"), no_hang(call):
        getattr(coach, call)(big)


@pytest.mark.parametrize("value", [None, 42, b"bytes", ["list"]])
def test_non_strings_are_type_errors(coach, value):
    for call in (coach.check, coach.triage, coach.review, coach.suggest):
        with pytest.raises(TypeError):
            call(value)


NASTY = {
    "script.txt": "<script>alert(1)</script><img src=x onerror=alert(2)> Calm down, it's not my fault.".encode(),
    "formula.txt": b"=HYPERLINK(\"http://evil\",\"click\") +SUM(A1) -1 @x Calm down.",
    "cp1251.txt": "Успокойтесь, это не моя вина.".encode("cp1251"),
    "bom.txt": "\ufeffSorry you feel that way.".encode("utf-8"),
    "zip.txt": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 4,
    "nul.txt": b"hello\x00world",
    "huge.txt": b"calm down " * 1_100_000,          # 11 MB
    "latin1.txt": "Caf\xe9 \xa9 \xfe\xff".encode("latin-1") + bytes(range(128, 256)),
}


@pytest.mark.parametrize("name", sorted(NASTY))
@pytest.mark.parametrize("command", ["check", "triage", "review", "suggest"])
def test_cli_on_nasty_files(tmp_path, capsys, name, command):
    f = tmp_path / name
    f.write_bytes(NASTY[name])
    code = main([command, str(f), "--json"])
    out, err = capsys.readouterr()
    assert code in (0, 2)
    if code == 2:
        assert err.startswith("coach: ") and err.count("\n") == 1
    else:
        assert out.strip().startswith("{")
    if name in ("zip.txt", "nul.txt", "huge.txt"):
        assert code == 2


def test_cli_from_stdin_with_a_lone_surrogate():
    proc = subprocess.run([sys.executable, "-m", "coach.cli", "check", "-", "--json"],
                          input="Calm down \udcff please".encode("utf-8", "surrogateescape"),
                          capture_output=True, timeout=120)
    assert proc.returncode in (0, 2), proc.stderr


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ODD, st.sampled_from(["check", "triage", "review", "suggest"]))
def test_cli_survives_odd_text(text, command):
    """Any text in a file (written as UTF-8, lone surrogates escaped) through the CLI:
    exit 0 with JSON whose spans point into the text, or exit 2 with a reason."""
    import contextlib
    import io
    import json
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "in.txt"
        f.write_bytes(text.encode("utf-8", "surrogatepass"))
        out, err = io.StringIO(), io.StringIO()
        with no_hang(f"coach {command}"), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([command, str(f), "--json"])
        assert code in (0, 2), (code, err.getvalue())
        if code == 2:
            assert err.getvalue().startswith("coach: ")
            return
        data = json.loads(out.getvalue())
        if command in ("check", "review"):
            from coach.cli import read_text

            draft = read_text(str(f), 10**7)
            assert all(draft[x["start"]:x["end"]] == x["text"] for x in data["findings"])
        elif command == "suggest":
            assert len(data["suggestions"] if isinstance(data, dict) else data) >= 3
        else:
            assert data["severity"] in ("routine", "complex", "urgent")
