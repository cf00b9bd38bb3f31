"""notebooks/evaluation.ipynb runs top to bottom against the committed models."""
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "evaluation.ipynb"


def test_notebook_evaluation_runs_and_was_committed_executed():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit it executed"
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [f"{o['ename']}: {o['evalue']}" for o in outputs if o.get("output_type") == "error"]
    assert not errors
    assert any(o.get("output_type") == "display_data" and "image/png" in o.get("data", {}) for o in outputs)
