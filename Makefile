# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format bench migrate demo worker clean lighthouse lighthouse-install

$(STAMP): pyproject.toml
	@echo "== Creating the virtualenv in $(VENV) and installing the portal (a few minutes the first time) =="
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --progress-bar off -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	@echo "== Migrating the database =="
	$(BIN)/python manage.py migrate --noinput

# The demo's Site record and the admin's e-mail links follow HOST and PORT, so every link opens.
demo: migrate
	@echo "== Loading the demo content (about a minute the first time) =="
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python manage.py load_demo_data

run: demo
	@echo "== Serving the portal at http://$(HOST):$(PORT)/ (Ctrl-C stops it) =="
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# A task worker, for when TASKS_BACKEND=database.
worker: install
	$(BIN)/python manage.py db_worker --queue-name "*"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install
	DJANGO_SETTINGS_MODULE=portal.settings.test $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=portal.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Lighthouse (Node), pinned in tools/lighthouse; installed again only when its lock file changes.
LIGHTHOUSE_STAMP := tools/lighthouse/node_modules/.installed-stamp

$(LIGHTHOUSE_STAMP): tools/lighthouse/package-lock.json
	npm ci --prefix tools/lighthouse --no-audit --no-fund --loglevel=error
	touch $(LIGHTHOUSE_STAMP)

lighthouse-install: $(LIGHTHOUSE_STAMP)

# Lighthouse SEO and best-practices audits of the five public page types (needs Node and Chromium).
lighthouse: install lighthouse-install
	REQUIRE_BROWSER=1 $(BIN)/python -m pytest tests/browser/test_lighthouse_browser.py $(PYTEST_ARGS)

# Benchmarks (bench/README.md; not run in CI). BENCH_ARGS picks the modes: --pages (the default),
# --mixed (needs wrk: apt-get install wrk), --cold, --registrations; `make bench BENCH_ARGS=--help` lists all.
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .test-media .test-private-media tools/lighthouse/node_modules
