# OMS developer commands. `make run` and `make test` work on a bare machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Two cores here: one test process per core.
PYTEST_WORKERS ?= auto

# Local development runs with DEBUG on unless the caller says otherwise.
export DEBUG ?= true

.PHONY: setup run test worker lint format migrate reset-demo clean

$(BIN)/activate:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

migrate: setup
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Back office: http://$(HOST):$(PORT)/  (API docs: /api/docs/)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# Start the demo over: empty the database (the SQLite file, or the one DATABASE_URL names; Django
# asks to confirm with "yes"), then seed it again. `make run` afterwards serves the fresh data.
reset-demo: migrate
	$(PY) manage.py flush
	$(PY) manage.py seed_demo

# pytest exits 5 when it collects nothing; a suite that runs no test is a failure here.
test: setup
	@$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$status

worker: setup
	$(BIN)/celery -A oms worker --beat --loglevel INFO --concurrency 2

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
