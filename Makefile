# `make run` and `make test` set themselves up: a virtualenv in .venv with the project installed.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint check-config train-triage bench-triage bench bench-smoke clean

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	test -f reviewdesk.toml || cp reviewdesk.example.toml reviewdesk.toml
	$(VENV)/bin/reviewdesk run

test: $(STAMP)
	$(VENV)/bin/pytest

# The benchmark suite (a few minutes): prints a table of ratios and writes bench/RESULTS.md.
bench: $(STAMP)
	$(VENV)/bin/python bench/run.py

bench-smoke: $(STAMP)
	$(VENV)/bin/python bench/run.py --smoke

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Retrain the complaint model from data/ (about a minute); writes bot/triage/models/.
train-triage: $(STAMP)
	$(VENV)/bin/reviewdesk triage train

bench-triage: $(STAMP)
	$(VENV)/bin/python bench/triage_bench.py

check-config: $(STAMP)
	$(VENV)/bin/reviewdesk check-config

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
