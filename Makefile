# The two commands a newcomer types: `make run` and `make test`. Both are idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app eventapp

.PHONY: run test test-postgres test-browser bench fuzz lint setup

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed
	$(BIN)/pybabel compile -d eventapp/translations > /dev/null
	$(BIN)/python -c "import solver.columns, solver.search; solver.search.compile_kernels(); solver.columns.compile_kernels()"

run: setup
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: setup
	$(BIN)/pytest

# The database tests again, over a real PostgreSQL connection (CI runs this too).
test-postgres: setup
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
		$(BIN)/pytest -m db

# End-to-end tests in a real headless Chromium: Debian's package, never a downloaded browser.
test-browser: setup
	command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }
	$(BIN)/pytest -m e2e

bench: setup
	$(BIN)/python -m benchmarks.solver_bench
	$(BIN)/python -m benchmarks.import_bench

# Random instances, every result checked against its rules: minutes, so not part of `make test`.
fuzz: setup
	$(BIN)/python -m benchmarks.fuzz --seeds 0-299

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
