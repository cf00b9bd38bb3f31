"""Reading user-supplied text files: bytes in, a clean str or a clear refusal out.

Russian text often arrives in cp1251 (saved from Excel or an old mail client), so a file
that is not UTF-8 is tried as cp1251 — but only accepted when the result reads like text,
because cp1251 decodes any byte sequence, binary junk included.
"""
from __future__ import annotations

import sys


class InputError(ValueError):
    """Input that cannot be read as text; the message is one line for the user."""


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    ok = sum(ch.isalnum() or ch.isspace() or ch in ".,;:!?-—–()\"'«»…/%+=№@#&*" for ch in text)
    return ok / len(text) >= 0.85


def decode(data: bytes, encoding: str | None = None) -> str:
    """Bytes -> str: the given encoding, else UTF-8 (with or without BOM), else cp1251."""
    if b"\x00" in data:
        raise InputError("input looks binary (it contains NUL bytes); expected text")
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(f"cannot decode input as {encoding}: {exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1251", errors="replace")
    if "\ufffd" in text or not _looks_like_text(text):
        raise InputError("input is neither UTF-8 nor cp1251 text")
    return text


def read_text(path: str, max_bytes: int) -> str:
    """Read a file, or standard input for '-', refusing more than `max_bytes`."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(max_bytes + 1)
        else:
            with open(path, "rb") as fh:
                data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(f"input is larger than {max_bytes:,} bytes")
    return decode(data)
