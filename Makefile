# `make run` sets up and serves mkflow with demo data (gunicorn, the worker beside it; Ctrl-C
# stops both); `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test translations translations-update chromium lint bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d mkflow/translations

translations-update: $(VENV)/.installed
	$(BIN)/python tools/translations.py

run: $(VENV)/.installed translations
	$(FLASK) db upgrade
	$(FLASK) seed demo --if-empty
	@echo
	@echo "mkflow is starting at http://$(HOST):$(PORT)/"
	@echo "Log in as head@demo.local (or any account above) with the password: demo"
	@echo "The worker (mail, schedules, reminders) runs beside it and logs to instance/worker.log;"
	@echo "without MKFLOW_SMTP_HOST the mails are written there instead of being sent."
	@echo
	@# Ctrl-C (or SIGTERM to make) stops the server and the worker, which finishes the mail
	@# it is sending, and ends with the server's status: 0 when it was stopped.
	@export MKFLOW_BASE_URL=$${MKFLOW_BASE_URL:-http://$(HOST):$(PORT)}; \
	  $(FLASK) worker >> instance/worker.log 2>&1 & worker=$$!; \
	  $(BIN)/gunicorn --workers 2 --threads 4 --bind $(HOST):$(PORT) 'app:app' & web=$$!; \
	  trap 'stopping=1; kill $$web $$worker 2>/dev/null' INT TERM; \
	  wait $$web; status=$$?; \
	  if [ -n "$$stopping" ]; then wait $$web; status=$$?; fi; \
	  kill $$worker 2>/dev/null; wait $$worker; \
	  exit $$status

chromium:
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi; \
	fi

# The suite runs on every core (pytest-xdist); `pytest` alone runs it in one process.
test: $(VENV)/.dev-installed translations chromium
	$(BIN)/python -m pytest -n auto

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check mkflow tests tools migrations bench
	$(BIN)/lint-imports

bench: $(VENV)/.dev-installed translations
	$(BIN)/python bench/run.py --db both
	$(BIN)/python bench/projects.py --db both
	$(BIN)/python bench/throughput.py --db both   # needs wrk (apt-get install -y wrk)
	$(BIN)/python bench/browser.py
