"""Scoring a reply draft against what a good first reply does.

The score (0-100) is a documented formula, so a writer can see what moves it:

    score = moves − phrases − tone − case, clamped to 0..100

- moves: 100 × (weight of the moves present) / (weight of the moves judged). Weights:
  greet 10, thank 10, restate 15, acknowledge 20, next step 25, question 15, follow-up 5.
  Restating is judged only against a client message. With a message, the next step of a
  complex case is the hand-over to senior managers (`escalation`), and of an urgent case
  acting now (`urgent_action`); either is then what `missing` names.
- phrases: 15 per checker finding from a rule, 8 per finding of the learned layer (it is
  less certain), at most 60.
- tone: 25 for a hostile draft, 15 for a defensive or dismissive one.
- case (only with a client message, from its triage): 40 for an urgent case without
  acting now (it was answered with a routine reply), 15 for a 24-hour promise in an
  urgent case, 30 for a complex case without the 24-hour hand-over.

The explanations list the worst miss first: the case, then the phrases, the tone, and
the moves missing.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

from .moves import MOVES, MoveFinder

WEIGHTS = {"greet": 10, "thank": 10, "restate": 15, "acknowledge": 20, "next_step": 25, "question": 15,
           "follow_up": 5}
FINDING_PENALTY = {"error": 15, "warning": 8}
MAX_FINDING_PENALTY = 60
TONE_PENALTY = {"constructive": 0, "dismissive": 15, "defensive": 15, "hostile": 25}
CASE_PENALTY = {"urgent_routine": 40, "urgent_24h": 15, "complex_no_24h": 30}


@lru_cache(maxsize=1)
def explanations() -> dict:
    with resources.files("coach.review").joinpath("explain.yml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass(frozen=True)
class Review:
    """A draft's findings, tone, moves and score; `explanations` say why, worst first."""

    lang: str
    score: int
    tone: str
    tone_scores: dict
    findings: list
    moves: list[str]              # the good moves present, in the canonical order
    missing: list[str]            # the moves judged and absent
    explanations: list[str]
    parts: dict                   # the formula's terms: moves, phrases, tone, case
    case: dict | None = None      # the client message's triage (severity, tone, category)
    evidence: dict = field(default_factory=dict)  # move -> the phrases that show it

    def to_dict(self) -> dict:
        d = asdict(self)
        d["findings"] = [f.to_dict() for f in self.findings]
        return d


def score_review(lang: str, findings, tone: str, tone_scores: dict, found: dict, case=None) -> Review:
    """The formula above, on what the checker, the tone model and the move finder saw.
    `case` is the context's Triage, or None."""
    said = explanations()[lang]
    present = {m for m, hits in found.items() if hits}
    sev = case.severity if case is not None else None
    # the next step a case calls for: the hand-over for a complex one, acting now for an
    # urgent one; without a client message any of the three counts
    step = {"complex": "escalation", "urgent": "urgent_action"}.get(sev, "next_step")
    judged = [step if m == "next_step" else m for m in WEIGHTS if m != "restate" or "restate" in found]
    weight = {**WEIGHTS, "escalation": WEIGHTS["next_step"], "urgent_action": WEIGHTS["next_step"]}
    have = {m for m in judged if m in present}
    if step == "next_step" and sev is None and present & {"escalation", "urgent_action"}:
        have.add("next_step")
    moves_points = 100.0 * sum(weight[m] for m in have) / sum(weight[m] for m in judged)
    phrases = min(MAX_FINDING_PENALTY, sum(FINDING_PENALTY.get(f.level, 15) for f in findings))
    tone_pen = TONE_PENALTY.get(tone, 0)
    notes, case_pen = [], 0
    sla = 24
    if case is not None and case.route.sla_hours:
        sla = int(case.route.sla_hours)
    if sev == "urgent":
        if "urgent_action" not in present:
            case_pen += CASE_PENALTY["urgent_routine"]
            notes.append(said["urgent_routine"])
        if "escalation" in present and any(_is_24h(h.text) for h in found.get("escalation", [])):
            case_pen += CASE_PENALTY["urgent_24h"]
            notes.append(said["urgent_24h"])
    elif sev == "complex" and "escalation" not in present:
        case_pen += CASE_PENALTY["complex_no_24h"]
        notes.append(said["complex_no_24h"].format(sla=sla))
    if findings:
        phrases_txt = "; ".join(f"«{f.text}»" if lang == "ru" else f'"{f.text}"' for f in findings[:5])
        notes.append(said["findings"].format(n=len(findings), phrases=phrases_txt))
    if tone != "constructive":
        notes.append(said["tone"].format(tone=said["tones"][tone]))
    missing = [m for m in judged if m not in have]
    notes += [said["missing"][m] for m in missing if m in said["missing"]]  # the case notes cover the rest
    if not notes:
        notes.append(said["good"])
    score = int(round(max(0.0, min(100.0, moves_points - phrases - tone_pen - case_pen))))
    case_info = None if case is None else {"severity": case.severity, "tone": case.tone,
                                           "category": case.category}
    return Review(lang=lang, score=score, tone=str(tone), tone_scores={str(k): v for k, v in tone_scores.items()}, findings=list(findings),
                  moves=[m for m in MOVES if m in present],
                  missing=missing, explanations=notes,
                  parts={"moves": round(moves_points, 1), "phrases": -phrases, "tone": -tone_pen, "case": -case_pen},
                  case=case_info,
                  evidence={m: [h.text for h in hits] for m, hits in found.items() if hits})


def _is_24h(text: str) -> bool:
    return any(k in text for k in ("24", "twenty", "суток", "сутки"))


class Reviewer:
    """Move finders per language, built on first use."""

    def __init__(self):
        self._finders: dict[str, MoveFinder] = {}

    def moves(self, lang: str) -> MoveFinder:
        finder = self._finders.get(lang)
        if finder is None:
            finder = self._finders[lang] = MoveFinder(lang)
        return finder
