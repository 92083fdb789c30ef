# Two commands for a newcomer: `make run` and `make test`. Everything lands in .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate demo lint format assets bench worker beat clean help-screenshots

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (looked for $(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	@$(BIN)/python manage.py demo_logins
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Rebuilds static/ from npm packages (needs Node and npm); the output is committed.
assets:
	bash assets/build.sh

# Rebuilds the walk-through's screenshots (static/help/*.png) from the demo in a
# throwaway SQLite database, with Debian's Chromium; the output is committed.
HELP_DB := /tmp/portal-help-screenshots.sqlite3
help-screenshots: install
	rm -f $(HELP_DB)
	DATABASE_URL=sqlite:///$(HELP_DB) $(BIN)/python manage.py migrate --noinput
	DATABASE_URL=sqlite:///$(HELP_DB) $(BIN)/python manage.py help_screenshots

BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	@touch $(BENCH_STAMP)

# Needs PostgreSQL and Redis (see docs/benchmarks.md); writes docs/benchmarks.md.
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

worker: install
	$(BIN)/celery -A portal worker --loglevel=INFO

beat: install
	$(BIN)/celery -A portal beat --loglevel=INFO

clean:
	rm -rf $(VENV) portal.sqlite3 staticfiles
