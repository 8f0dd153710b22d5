# `make run` and `make test` set themselves up: a virtualenv in .venv with the project installed.
# The dependencies come from requirements-dev.lock (exact versions, checked by their hashes);
# the project itself is installed editable on top, without resolving anything.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
LOCK := requirements-dev.lock
COMPILE := $(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --quiet $(UPGRADE)

.PHONY: run test lint lock check-config train-triage bench-triage bench bench-smoke clean

$(STAMP): pyproject.toml $(LOCK)
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(VENV)/bin/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# After changing the dependencies in pyproject.toml: rewrite both lock files (needs PyPI).
# Versions already locked are kept where they still fit; `make lock UPGRADE=--upgrade` takes
# the newest of everything. requirements.lock is the bot's alone (what a server installs).
lock: $(STAMP)
	$(COMPILE) -o requirements.lock
	$(COMPILE) --extra dev --extra train -o $(LOCK)

run: $(STAMP)
	test -f reviewdesk.toml || cp reviewdesk.example.toml reviewdesk.toml
	$(VENV)/bin/reviewdesk run

# The suite mostly waits on HTTP round trips, so its tests run in $(TEST_WORKERS) processes
# (pytest-xdist), each on its own databases and ports; the few that write a real site override
# folder into templates/ run alone afterwards.
TEST_WORKERS ?= 4
test: $(STAMP)
	$(VENV)/bin/pytest -n $(TEST_WORKERS) -m "not site_templates"
	$(VENV)/bin/pytest -m site_templates

# The benchmark suite (a few minutes): prints a table of ratios and writes bench/RESULTS.md.
bench: $(STAMP)
	$(VENV)/bin/python bench/run.py

bench-smoke: $(STAMP)
	$(VENV)/bin/python bench/run.py --smoke

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Retrain the complaint model from data/ (about a minute); writes bot/triage/models/.
# CANDIDATE="tfidf+vader LR, orgs equal": all four NHS organisations and data/*.jsonl (~5 min).
train-triage: $(STAMP)
	$(VENV)/bin/reviewdesk triage train $(if $(CANDIDATE),--candidate "$(CANDIDATE)")

bench-triage: $(STAMP)
	$(VENV)/bin/python bench/triage_bench.py

check-config: $(STAMP)
	$(VENV)/bin/reviewdesk check-config

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
