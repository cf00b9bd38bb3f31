"""The labelled client messages and their fixed split.

The split is a function of the id (a hash), so it never depends on file order and a new
message lands in the same part everywhere: 70% train, 15% dev (for every choice:
features, encoders, thresholds), 15% test (for reporting only).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..evaluate import load_jsonl

TASKS = ("severity", "tone", "category")
LABELS = {
    "severity": ("routine", "complex", "urgent"),
    "tone": ("calm", "worried", "frustrated", "angry"),
    "category": ("lateness", "no_show", "instructions", "pet_harm", "pet_lost", "property",
                 "conduct", "billing", "communication", "other"),
}
MESSAGES = Path("data/messages.jsonl")


def split_of(row_id: str) -> str:
    """'train', 'dev' or 'test' for a message id (70/15/15 by a hash of the id)."""
    bucket = int.from_bytes(hashlib.sha256(row_id.encode("utf-8")).digest()[:4], "big") % 100
    return "train" if bucket < 70 else "dev" if bucket < 85 else "test"


def load_messages(path: Path = MESSAGES) -> list[dict]:
    rows = load_jsonl(path)
    for row in rows:
        for task in TASKS:
            if row.get(task) not in LABELS[task]:
                raise ValueError(f"{path}: {row.get('id')}: bad {task} {row.get(task)!r}")
        if row.get("lang") not in ("en", "ru"):
            raise ValueError(f"{path}: {row.get('id')}: bad lang {row.get('lang')!r}")
    return rows


def data_hash(path: Path = MESSAGES) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
