"""How the severity model and the urgent safety net combine into one label.

A live urgent cue makes the case urgent whatever the model says; so does a model
probability of `urgent` at or above a per-language threshold chosen on dev (set low on
purpose: over-escalating a routine case is cheap, missing an urgent one is not).
"""
from __future__ import annotations

from .safety import Cue

ORDER = ("routine", "complex", "urgent")


def decide(proba: dict[str, float], cues: list[Cue], urgent_threshold: float,
           complex_cues_lift: bool = False) -> str:
    if any(c.kind == "urgent" and c.live for c in cues):
        return "urgent"
    if proba.get("urgent", 0.0) >= urgent_threshold:
        return "urgent"
    label = max((lab for lab in ORDER if lab != "urgent"), key=lambda lab: proba.get(lab, 0.0))
    if label == "routine" and complex_cues_lift and any(c.kind == "complex" and c.live for c in cues):
        return "complex"
    return label
