"""Practice scenarios for trainees: a client's message, the trainee's reply, its review,
and the scenario's model answer afterwards. The bank is data:
`scenarios/<lang>.yml`, at least 20 scenarios per language."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml


@lru_cache(maxsize=None)
def scenarios(lang: str) -> list[dict]:
    with resources.files("coach.workshop").joinpath(f"scenarios/{lang}.yml").open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return list(data["scenarios"])


def find(scenario_id: str) -> dict:
    lang = scenario_id.split("-", 1)[0]
    for s in scenarios(lang if lang in ("en", "ru") else "en"):
        if s["id"] == scenario_id:
            return s
    raise ValueError(f"unknown scenario {scenario_id!r}")
