# Fengqiao: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
PYTEST_ARGS ?=

.PHONY: setup run test lint lock messages demo clean

setup: $(VENV)/.installed
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py train_triage

$(VENV)/.installed: requirements.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $@

# The scheduler (nightly warnings, rollup upkeep) runs beside the server, in the same process
# group: Ctrl-C stops both.
run: setup
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py scheduler & $(BIN)/python manage.py runserver $(HOST)

demo: setup
	$(BIN)/python manage.py load_demo

test: $(VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Style on the whole tree; types (mypy with the Django and DRF plugins) on the core apps,
# which [tool.mypy] files in pyproject.toml lists.
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Rebuild the pinned lock file from requirements.in and requirements-dev.in.
lock:
	rm -rf /tmp/fengqiao-lock && $(PYTHON) -m venv /tmp/fengqiao-lock
	/tmp/fengqiao-lock/bin/pip install --quiet -r requirements.in -r requirements-dev.in
	/tmp/fengqiao-lock/bin/pip freeze --exclude pip > requirements.lock

# Extract and compile translations (needs GNU gettext).
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages --locale zh_Hans --locale en --ignore '.venv/*' --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
