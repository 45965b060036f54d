# Quick start: `make package` builds the package, `make test` runs the tests.
# Each creates .venv/ and installs the project from pyproject.toml when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: package test lint release clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

package: $(VENV)/.installed
	$(BIN)/bigtech-events build

test: $(VENV)/.installed
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests

release: $(VENV)/.installed
	$(BIN)/bigtech-events release

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
