# `make run` and `make test` set themselves up: a virtualenv in .venv with the project installed.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint check-config train-triage bench-triage clean

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
