"""The team playbook: severity -> what to do now, the SLA, the checklist, the gift policy.

Escalation details differ per team (the form, the chat, who is on duty), so they live
in a YAML file a team edits — `default.yml` here, or `Coach(playbook=path)` — never in
code. The file is validated when loaded; a mistake names the file and the key.
"""
from __future__ import annotations

import string
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

import yaml

SEVERITIES = ("routine", "complex", "urgent")
CATEGORIES = ("lateness", "no_show", "instructions", "pet_harm", "pet_lost", "property",
              "conduct", "billing", "communication", "other")


class PlaybookError(ValueError):
    """A playbook file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Route:
    """What the agent does now for one case."""

    severity: str
    action: str
    sla_hours: float | None       # None: immediately
    sla: str
    checklist: list[str]
    tell_client: str
    gift: str | None = None       # the gift or credit, for a critical routine slip
    team: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Playbook:
    team: str
    contacts: dict[str, str]
    severities: dict[str, dict]
    gift: dict = field(default_factory=dict)
    source: str = "default"

    def route(self, severity: str, category: str | None = None) -> Route:
        if severity not in self.severities:
            raise ValueError(f"unknown severity {severity!r}")
        s = self.severities[severity]
        fill = lambda text: text.format_map(self.contacts)  # noqa: E731
        gift = None
        if severity == "routine" and category in self.gift.get("categories", ()):
            gift = f"{self.gift['offer']} ({self.gift['when']})"
        return Route(severity=severity, action=fill(s["action"]), sla_hours=s["sla_hours"], sla=s["sla"],
                     checklist=[fill(c) for c in s["checklist"]], tell_client=fill(s["tell_client"]),
                     gift=gift, team=self.team)


def _fail(source: str, key: str, what: str):
    raise PlaybookError(f"{source}: {key}: {what}")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def parse(data, source: str) -> Playbook:
    if not isinstance(data, dict):
        _fail(source, "(top)", "a playbook must be a mapping")
    unknown = set(data) - {"team", "contacts", "severities", "gift"}
    if unknown:
        _fail(source, "(top)", f"unknown key(s) {', '.join(sorted(unknown))}")
    contacts = data.get("contacts") or {}
    if not isinstance(contacts, dict) or not all(isinstance(v, str) for v in contacts.values()):
        _fail(source, "contacts", "must map names to strings")
    sev = data.get("severities")
    if not isinstance(sev, dict) or set(sev) != set(SEVERITIES):
        _fail(source, "severities", f"must define exactly {', '.join(SEVERITIES)}")
    for name, s in sev.items():
        key = f"severities.{name}"
        if not isinstance(s, dict):
            _fail(source, key, "must be a mapping")
        for k in ("action", "sla", "tell_client"):
            if not isinstance(s.get(k), str) or not s[k].strip():
                _fail(source, f"{key}.{k}", "must be a non-empty string")
        if "sla_hours" not in s:
            _fail(source, f"{key}.sla_hours", "is missing (a number of hours, or null for immediately)")
        hours = s["sla_hours"]
        if name == "urgent" and hours is not None:
            _fail(source, f"{key}.sla_hours", "must be null: urgent cases are handled immediately")
        if name != "urgent" and (not isinstance(hours, (int, float)) or isinstance(hours, bool) or hours < 0):
            _fail(source, f"{key}.sla_hours", "must be a number of hours ≥ 0")
        checklist = s.get("checklist")
        if not isinstance(checklist, list) or not checklist or not all(isinstance(c, str) for c in checklist):
            _fail(source, f"{key}.checklist", "must be a non-empty list of strings")
        for text in [s["action"], s["tell_client"], *checklist]:
            missing = _placeholders(text) - set(contacts)
            if missing:
                _fail(source, key, f"placeholder(s) {', '.join(sorted(missing))} not defined in contacts")
    gift = data.get("gift") or {}
    if gift:
        if not isinstance(gift, dict) or not {"categories", "offer", "when"} <= set(gift):
            _fail(source, "gift", "needs categories, offer and when")
        bad = set(gift["categories"]) - set(CATEGORIES)
        if bad:
            _fail(source, "gift.categories", f"unknown category {', '.join(sorted(bad))}")
    return Playbook(team=str(data.get("team") or ""), contacts=dict(contacts), severities=sev,
                    gift=gift, source=source)


def load_default(lang: str = "en") -> Playbook:
    """The embedded playbook in `lang` (default.yml, default.ru.yml), English if none."""
    name = "default.yml" if lang == "en" else f"default.{lang}.yml"
    if not resources.files("coach.playbook").joinpath(name).is_file():
        name = "default.yml"
    text = resources.files("coach.playbook").joinpath(name).read_text(encoding="utf-8")
    return parse(yaml.safe_load(text), f"embedded {name}")


def load(path: str | Path | None = None) -> Playbook:
    """The default playbook, or a team's own file (validated)."""
    if path is None:
        text = resources.files("coach.playbook").joinpath("default.yml").read_text(encoding="utf-8")
        source = "default playbook"
    else:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise PlaybookError(f"{source}: cannot read ({exc.strerror or exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PlaybookError(f"{source}: not valid YAML: {exc}") from None
    return parse(data, source)
