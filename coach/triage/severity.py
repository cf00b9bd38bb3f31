"""How the severity model and the urgent safety net combine into one label.

A live urgent cue makes the case urgent unless the model all but rules it out
(probability of `urgent` below `cue_floor`); a model probability of `urgent` at or
above `urgent_threshold` makes it urgent too. Both numbers are chosen per language on
dev messages, which the cue rules were not written from.
"""
from __future__ import annotations

from .safety import Cue

ORDER = ("routine", "complex", "urgent")


def decide(proba: dict[str, float], cues: list[Cue], urgent_threshold: float,
           complex_cues_lift: bool = False, cue_floor: float = 0.0) -> str:
    p_urgent = proba.get("urgent", 0.0)
    if p_urgent >= cue_floor and any(c.kind == "urgent" and c.live for c in cues):
        return "urgent"
    if proba.get("urgent", 0.0) >= urgent_threshold:
        return "urgent"
    label = max((lab for lab in ORDER if lab != "urgent"), key=lambda lab: proba.get(lab, 0.0))
    if label == "routine" and complex_cues_lift and any(c.kind == "complex" and c.live for c in cues):
        return "complex"
    return label
