# postrun-kit: two commands for a fresh machine.
#   make lab   set up .venv, then JupyterLab on notebooks/01-triage.ipynb with the DEMO store (sample season;
#              kit lab --demo --dir notebooks: developers work on the repository's own notebooks)
#   make test  set up .venv (+ Debian's chromium for browser tests), then lint (ruff, import-linter, mypy) and every
#              test, the wheel test included (it installs the built wheel offline from uv's cache, filled by setup)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed
EXTRAS ?= lab,scale,dev

.PHONY: setup lab test test-fast browser lint demo benchmark handouts notebooks clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check uv

$(STAMP): pyproject.toml | $(PY)
	$(UV) pip install --python $(PY) -q -e ".[$(EXTRAS)]"
	touch $(STAMP)

setup: $(STAMP)

# Debian's chromium for the Playwright tests (a browser download is not possible here).
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: sudo apt-get install chromium (browser tests will be skipped)"; fi; \
	fi

# ruff (style, errors), import-linter (the layers of kit/: pyproject [tool.importlinter]), mypy --strict (pyproject [tool.mypy])
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

test: setup browser lint
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not browser and not slow"

demo: setup
	$(PY) -m kit demo

lab: setup
	$(PY) -m kit lab --demo --dir notebooks

# Build notebooks/*.ipynb from their py:percent sources notebooks/*.py (execute, strip); docs/notebooks.md.
notebooks: setup
	$(PY) notebooks/make_notebooks.py

benchmark: setup
	$(PY) benchmarks/run.py

# One self-contained HTML handout per athlete of the sample team, in handouts/ (git-ignored).
handouts: setup
	$(PY) -m kit handout --all --log data/sample-team-log.csv --out handouts

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache handouts
