"""Saving and loading model artefacts, with verification before anything is unpickled.

A joblib file is a pickle: loading it runs code, and scikit-learn objects do not load
reliably across library versions. So every artefact sits beside a `metadata.json` that
records its sha256 and the versions it was built with; `load` checks both first and
refuses a mismatch with a message that says how to rebuild (`coach train`).
"""
from __future__ import annotations

import hashlib
import json
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import joblib

# Libraries whose version must match exactly for a pickled pipeline to be trusted.
PINNED = ("scikit-learn", "numpy", "scipy", "joblib")


class ArtefactError(RuntimeError):
    """A model file that must not be loaded; the message says why and how to rebuild."""


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PINNED:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "absent"
    return out


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save(obj, folder: Path, name: str, metadata: dict) -> dict:
    """Write `<folder>/<name>.joblib` and record its hash under metadata['artefacts']."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.joblib"
    joblib.dump(obj, path, compress=3)
    metadata.setdefault("artefacts", {})[f"{name}.joblib"] = sha256_of(path)
    metadata["versions"] = library_versions()
    return metadata


def _rounded(obj, digits: int = 4):
    """Metrics to four decimals: readable, and enough for any figure we report."""
    if isinstance(obj, float):
        return round(obj, digits)
    if isinstance(obj, dict):
        return {k: _rounded(v, digits) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_rounded(v, digits) for v in obj]
    return obj


def write_metadata(folder: Path, metadata: dict) -> None:
    (folder / "metadata.json").write_text(json.dumps(_rounded(metadata), indent=1, ensure_ascii=False) + "\n",
                                          encoding="utf-8")


def load(folder: Path, name: str):
    """Load `<folder>/<name>.joblib` only if its hash and library versions match."""
    rebuild = "rebuild the models with `coach train`"
    meta_path = folder / "metadata.json"
    path = folder / f"{name}.joblib"
    if not meta_path.exists() or not path.exists():
        raise ArtefactError(f"model {path} or its metadata.json is missing; {rebuild}")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        expected = meta["artefacts"][path.name]
        built_with = meta["versions"]
    except (ValueError, KeyError) as exc:
        raise ArtefactError(f"{meta_path} is unreadable ({exc}); {rebuild}") from None
    actual = sha256_of(path)
    if actual != expected:
        raise ArtefactError(
            f"{path} does not match the sha256 in {meta_path.name} (expected {expected[:12]}…, "
            f"found {actual[:12]}…); refusing to unpickle it; {rebuild}")
    running = library_versions()
    diff = [f"{k} {built_with.get(k)} (built) vs {running[k]} (installed)"
            for k in PINNED if built_with.get(k) != running[k]]
    if diff:
        raise ArtefactError(f"{path} was built with other library versions: {'; '.join(diff)}; {rebuild}")
    return joblib.load(path)
