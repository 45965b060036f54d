# Quick start: `make package` builds the package, `make test` runs the tests.
# Each creates .venv/ and installs the project from pyproject.toml when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Development set (`make devset`): gold annotations and scorer live outside the repository.
DEVSET_GOLD ?= ../shared/devset/gold
SCORER ?= ../shared/eval/score.py
DEVSET := .devset
DEVSET_OUT := .devset-out

.PHONY: package test lint release devset clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# constraints.txt pins the libraries that fix the output bytes; pyproject.toml has ranges.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

# croissant.json (Croissant metadata) is generated beside datapackage.json from it, and the
# figures in docs/figures/ are drawn from the package just built (README, Figures).
package: $(VENV)/.installed
	$(BIN)/bigtech-events build --frictionless
	$(BIN)/python -m bigtech_events.croissant .
	$(BIN)/bigtech-events report

test: $(VENV)/.installed
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests

release: $(VENV)/.installed
	$(BIN)/bigtech-events release

# Texts in .devset/ (never committed) are checked against the gold hashes, built and scored.
devset: $(VENV)/.installed
	$(BIN)/python scripts/devset.py check $(DEVSET) $(DEVSET_GOLD)
	$(BIN)/bigtech-events build --seeds $(DEVSET) --out $(DEVSET_OUT)
	$(BIN)/python $(SCORER) $(DEVSET_OUT) $(DEVSET_GOLD)/*.json
	$(BIN)/python scripts/devset.py summary $(SCORER) $(DEVSET_OUT) $(DEVSET_GOLD)

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis .cache/bigtech-events $(DEVSET_OUT)
