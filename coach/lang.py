"""Language of a text: English or Russian, by the letters it is written in.

Counting Cyrillic against Latin letters is exact for the two languages we serve, costs
microseconds and, unlike a statistical detector, does not flip on a three-word reply.
A few look-alike letters from the other alphabet do not change the majority.
"""
from __future__ import annotations

from .nlp import LANGS
from .text import dominant_script


def detect(text: str) -> str:
    """'ru' when Cyrillic letters outnumber Latin ones, else 'en'."""
    return "ru" if dominant_script(text) == "cyrillic" else "en"


def resolve(text: str, lang: str | None) -> str:
    """The forced language if given (validated), else the detected one."""
    if lang is None:
        return detect(text)
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; expected one of {', '.join(LANGS)}")
    return lang
