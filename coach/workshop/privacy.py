"""Masking personal data before a report is shared: phone numbers, e-mail addresses and
the names of people.

Phones and e-mails are patterns. Names are harder offline (no NER model ships with the
project): a word is taken as a person's name when pymorphy3 tags it as a first name,
surname or patronymic (Russian), or when it follows a greeting, a title or a role word
("Hi Sam", "Mrs Patel", "walker Tom", «выгульщик Иван») or closes a message as a
signature. Pets' names after "my dog" are left alone — they are not people. What this
misses (an English name in the middle of a sentence, "Sam was late") is said in the
README and the report's footer: a trainer should still read a report before sharing it.
"""
from __future__ import annotations

import re
from functools import lru_cache

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# +7 912 345-67-89, 8 (912) 345 67 89, 07700 900123, 555-0134, +44 20 7946 0958 …
PHONE = re.compile(r"(?<![\w])(?:\+?\d[\d\s().-]{5,}\d)(?![\w])")
_NAME_AFTER = re.compile(
    r"\b(?i:hi|hello|hey|dear|thanks|thank you|cheers|regards|mr|mrs|ms|miss|dr|walker|sitter|manager|"
    r"здравствуйте|привет|добрый день|спасибо|уважаемый|уважаемая|выгульщик|выгульщица|ситтер|менеджер|"
    r"догситтер|администратор)[,.]?\s+([A-ZА-ЯЁ][a-zа-яё]+(?:[- ][A-ZА-ЯЁ][a-zа-яё]+)?)")
_SIGNATURE = re.compile(r"(?:^|\n)\s*[—–-]?\s*([A-ZА-ЯЁ][a-zа-яё]+)\s*$")
_CYR_WORD = re.compile(r"\b[А-ЯЁ][а-яё]{2,}\b")
DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
MASK = {"phone": "[phone]", "email": "[e-mail]", "name": "[name]"}


@lru_cache(maxsize=1)
def _morph():
    from ..nlp import lemmatizer

    return lemmatizer("ru")._morph


def _russian_person(word: str) -> bool:
    for p in _morph().parse(word)[:2]:
        if p.score >= 0.3 and ({"Name", "Surn", "Patr"} & set(str(p.tag).replace(" ", ",").split(","))):
            return True
    return False


def mask(text: str) -> str:
    """The text with phones, e-mails and people's names replaced by placeholders."""
    if not text:
        return text
    text = EMAIL.sub(MASK["email"], text)
    text = PHONE.sub(lambda m: m.group() if sum(ch.isdigit() for ch in m.group()) < 7 or DATE.fullmatch(m.group())
                     else MASK["phone"], text)
    spans = [m.span(1) for m in _NAME_AFTER.finditer(text)]
    spans += [m.span(1) for m in _SIGNATURE.finditer(text)]
    spans += [m.span() for m in _CYR_WORD.finditer(text) if _russian_person(m.group())]
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + MASK["name"] + text[end:]
    return text
