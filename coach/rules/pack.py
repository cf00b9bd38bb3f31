"""Rule packs: YAML files of rules, validated when loaded.

One file per language and category, `packs/<lang>/<category>.yml`:

    lang: en
    category: canned_apology
    rules:
      - id: sorry-you-feel              # stable; the full id is en.canned_apology.sorry-you-feel
        level: error                    # error | warning
        patterns: ["sorry [that|if] you (feel|felt) [that way|this way]"]
        antipatterns: []                # matches that suppress the rule where they overlap
        negatable: false                # suppressed after "never", "not", "не"...
        message: why it hurts, in the pack's language
        suggestions: [a rewrite that keeps the writer's meaning]
        examples:
          wrong: ["Well, [[sorry you feel that way]]."]   # the flagged span in [[...]]
          right: ["I'm sorry Bella was scared by the storm."]

A broken pack fails at load with the file, the rule id and what is wrong, so a typo
never ships as a rule that silently matches nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from .patterns import PatternError, expand

CATEGORIES = (
    "ultimatum",
    "insult",
    "canned_apology",
    "blame",
    "dismissive",
    "false_promise",
    "assumption",
)
LEVELS = ("error", "warning")
MIN_WRONG, MIN_RIGHT = 2, 2
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_MARK = re.compile(r"\[\[(.+?)\]\]")
_REQUIRED = {"id", "level", "patterns", "message", "suggestions", "examples"}
_OPTIONAL = {"antipatterns", "negatable", "note"}
# Cue packs (triage) share the format; a cue's message is the reason shown to the agent
# and it has no rewrites.
CUE_REQUIRED = _REQUIRED - {"suggestions"}


class PackError(ValueError):
    """A rule pack that cannot be used; the message names the file and the rule."""


@dataclass(frozen=True)
class Example:
    """A sentence and, for a wrong example, the span the rule must flag."""

    text: str
    span: tuple[int, int] | None


@dataclass(frozen=True)
class Rule:
    id: str
    lang: str
    category: str
    level: str
    patterns: tuple[str, ...]
    antipatterns: tuple[str, ...]
    negatable: bool
    message: str
    suggestions: tuple[str, ...]
    wrong: tuple[Example, ...]
    right: tuple[Example, ...]
    file: str


def parse_example(marked: str) -> Example:
    """'Well, [[sorry you feel that way]].' -> text without markers and the span."""
    marks = list(_MARK.finditer(marked))
    if len(marks) != 1:
        raise ValueError(f"a wrong example needs exactly one [[...]] span: {marked!r}")
    m = marks[0]
    text = marked[: m.start()] + m.group(1) + marked[m.end():]
    return Example(text, (m.start(), m.start() + len(m.group(1))))


def _fail(file: str, rule_id: str | None, what: str):
    where = f"{file}: rule {rule_id!r}" if rule_id else file
    raise PackError(f"{where}: {what}")


def _str_list(value, file, rule_id, key, min_len=1) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) < min_len:
        _fail(file, rule_id, f"'{key}' must be a list of at least {min_len} strings")
    if not all(isinstance(v, str) and v.strip() for v in value):
        _fail(file, rule_id, f"'{key}' must hold non-empty strings only")
    return tuple(value)


def _rule(raw, lang: str, category: str, file: str, required=frozenset(_REQUIRED)) -> Rule:
    if not isinstance(raw, dict):
        _fail(file, None, f"each rule must be a mapping, got {type(raw).__name__}")
    rid = raw.get("id")
    if not isinstance(rid, str) or not _ID.match(rid):
        _fail(file, rid, "'id' must be lower-case letters, digits, '-' or '_'")
    missing = required - raw.keys()
    if missing:
        _fail(file, rid, f"missing {', '.join(sorted(missing))}")
    unknown = raw.keys() - _REQUIRED - _OPTIONAL
    if unknown:
        _fail(file, rid, f"unknown key(s) {', '.join(sorted(unknown))}")
    if raw["level"] not in LEVELS:
        _fail(file, rid, f"'level' must be one of {', '.join(LEVELS)}")
    patterns = _str_list(raw["patterns"], file, rid, "patterns")
    antipatterns = _str_list(raw.get("antipatterns") or [], file, rid, "antipatterns", 0)
    for p in patterns + antipatterns:
        try:
            expand(p)
        except PatternError as exc:
            _fail(file, rid, f"bad pattern: {exc}")
    if not isinstance(raw["message"], str) or not raw["message"].strip():
        _fail(file, rid, "'message' must be a non-empty string")
    suggestions = _str_list(raw["suggestions"], file, rid, "suggestions") if "suggestions" in required \
        else _str_list(raw.get("suggestions") or [], file, rid, "suggestions", 0)
    negatable = raw.get("negatable", False)
    if not isinstance(negatable, bool):
        _fail(file, rid, "'negatable' must be true or false")
    ex = raw["examples"]
    if not isinstance(ex, dict) or set(ex) - {"wrong", "right"}:
        _fail(file, rid, "'examples' must have 'wrong' and 'right' lists")
    wrong_raw = _str_list(ex.get("wrong"), file, rid, "examples.wrong", MIN_WRONG)
    right_raw = _str_list(ex.get("right"), file, rid, "examples.right", MIN_RIGHT)
    try:
        wrong = tuple(parse_example(w) for w in wrong_raw)
    except ValueError as exc:
        _fail(file, rid, str(exc))
    if any("[[" in r for r in right_raw):
        _fail(file, rid, "a right example must not mark a span")
    return Rule(
        id=f"{lang}.{category}.{rid}",
        lang=lang,
        category=category,
        level=raw["level"],
        patterns=patterns,
        antipatterns=antipatterns,
        negatable=negatable,
        message=raw["message"].strip(),
        suggestions=suggestions,
        wrong=wrong,
        right=tuple(Example(r, None) for r in right_raw),
        file=file,
    )


def load_file(path: Path, lang: str, categories=CATEGORIES, required=frozenset(_REQUIRED)) -> list[Rule]:
    file = f"{lang}/{path.name}"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PackError(f"{file}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or set(data) != {"lang", "category", "rules"}:
        _fail(file, None, "a pack must have exactly the keys lang, category, rules")
    category = path.stem
    if data["lang"] != lang or data["category"] != category:
        _fail(file, None, f"header says {data['lang']}/{data['category']}, path says {lang}/{category}")
    if category not in categories:
        _fail(file, None, f"unknown category {category!r}; expected one of {', '.join(categories)}")
    if not isinstance(data["rules"], list) or not data["rules"]:
        _fail(file, None, "'rules' must be a non-empty list")
    return [_rule(r, lang, category, file, required) for r in data["rules"]]


def packs_dir() -> Path:
    return Path(str(resources.files("coach.rules").joinpath("packs")))


def load_rules(lang: str, root: Path | None = None, categories=CATEGORIES,
               required=frozenset(_REQUIRED)) -> list[Rule]:
    """Every rule of one language, validated; ids are unique."""
    root = root or packs_dir()
    folder = root / lang
    files = sorted(folder.glob("*.yml"))
    if not files:
        raise PackError(f"no rule packs for {lang!r} in {folder}")
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in files:
        for rule in load_file(path, lang, categories, required):
            if rule.id in seen:
                _fail(rule.file, rule.id, f"duplicate id (also in {seen[rule.id]})")
            seen[rule.id] = rule.file
            rules.append(rule)
    return rules
