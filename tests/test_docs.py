"""The README's worked examples are the code's own output (docs/examples.py)."""
import runpy
from pathlib import Path

EXAMPLES = runpy.run_path(str(Path(__file__).resolve().parents[1] / "docs" / "examples.py"))


def test_readme_examples_are_current(coach):
    readme = Path("README.md").read_text(encoding="utf-8")
    assert EXAMPLES["START"] in readme and EXAMPLES["END"] in readme
    assert EXAMPLES["render"](readme, coach) == readme, "run `python docs/examples.py` and commit README.md"
