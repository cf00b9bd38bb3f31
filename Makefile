# Two commands do all set-up: `make run` and `make test` (see README).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install bench evaluate clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

# torch first, pinned: it takes the CPU build on these machines; anything that pulls an
# unpinned torch before it would fetch a multi-GB GPU build.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	GRADIO_ANALYTICS_ENABLED=False $(BIN)/python app.py

test: install
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False $(BIN)/python -m pytest

evaluate: install
	$(BIN)/coach evaluate --checker

# One table of every figure (bench/run_all.py); the detailed benchmarks are beside it.
bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info
