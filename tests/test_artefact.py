"""Model files are verified before unpickling: a changed file or other library versions
are refused with a message that says how to rebuild."""
import json
import shutil
from pathlib import Path

import pytest

from coach.classify import artefact

MODELS = Path(__file__).resolve().parents[1] / "models"


@pytest.fixture
def model_copy(tmp_path):
    dst = tmp_path / "severity"
    shutil.copytree(MODELS / "severity", dst)
    return dst


def test_artefact_committed_models_load(model_copy):
    pipe = artefact.load(model_copy, "en")
    assert list(pipe.classes_) and hasattr(pipe, "predict_proba")


def test_artefact_tampered_file_is_refused(model_copy):
    with open(model_copy / "en.joblib", "ab") as fh:
        fh.write(b"\x00")
    with pytest.raises(artefact.ArtefactError, match="sha256.*coach train"):
        artefact.load(model_copy, "en")


def test_artefact_other_library_versions_are_refused(model_copy):
    meta = json.loads((model_copy / "metadata.json").read_text())
    meta["versions"]["scikit-learn"] = "0.0.1"
    (model_copy / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(artefact.ArtefactError, match="scikit-learn 0.0.1.*coach train"):
        artefact.load(model_copy, "en")


def test_artefact_missing_metadata_is_refused(model_copy):
    (model_copy / "metadata.json").unlink()
    with pytest.raises(artefact.ArtefactError, match="missing"):
        artefact.load(model_copy, "en")


@pytest.mark.parametrize("task", ["severity", "tone", "category"])
def test_artefact_metadata_records_hashes_versions_and_metrics(task):
    meta = json.loads((MODELS / task / "metadata.json").read_text())
    assert meta["data_sha256"] and meta["versions"]["scikit-learn"]
    for lang in ("en", "ru"):
        for name in (lang, f"{lang}-fast"):
            assert len(meta["artefacts"][f"{name}.joblib"]) == 64
            assert sorted(artefact.load(MODELS / task, name).classes_) == sorted(meta["labels"])
        assert meta["languages"][lang]["test"]["per_class"]
        assert meta["fast"][lang]["variant"] == "tfidf" and meta["fast"][lang]["test"]["per_class"]
    assert (MODELS / task / "MODEL_CARD.md").exists()
