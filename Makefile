# PrivacyDesk developer commands. `make help` lists them.
#
# Everything runs from the project's own virtualenv in .venv/. Without DATABASE_URL and
# REDIS_URL the app runs embedded: SQLite in var/, Celery tasks eager, e-mail to the console.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
BENCH_ARGS ?=
# make run PORT=8001 serves elsewhere; links in e-mails follow unless SITE_URL is set.
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help venv run test lint format bench worker beat cluster cluster-stop cluster-test

help:
	@echo "make venv    create .venv (Python 3.11) and install the project with its dev extras"
	@echo "make run     migrate, seed demo data (prints the logins), serve on http://127.0.0.1:8000 (PORT=8001 to move)"
	@echo "make test    run the test suite (PYTEST_ARGS='-k login' to pass arguments to pytest)"
	@echo "make lint    ruff check, ruff format --check, makemigrations --check"
	@echo "make format  apply ruff's fixes and formatting"
	@echo "make bench   run the benchmarks in bench/"
	@echo "make worker  start a Celery worker (needs REDIS_URL)"
	@echo "make beat    start Celery beat, the periodic task scheduler (needs REDIS_URL)"
	@echo "make cluster        start HAProxy, 2 web nodes, 2 workers, beat, Redis, a PostgreSQL primary and replica"
	@echo "make cluster-stop   stop all of it (its data stays in var/cluster/)"
	@echo "make cluster-test   start it, run the drills under load, stop it (CLUSTER_ARGS='--scale 1000000')"

venv: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --progress-bar off -e '.[dev]'
	touch $(STAMP)

run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py migrate --noinput --database ledger
	$(BIN)/python manage.py seed_demo
	SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: venv
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: venv
	$(BIN)/python -m bench $(BENCH_ARGS)

worker: venv
	$(BIN)/celery -A config worker -l info

# The schedule file records when each entry last ran; var/ is ignored by git.
beat: venv
	mkdir -p var
	$(BIN)/celery -A config beat -l info --schedule var/celerybeat-schedule

# --- The production topology on one machine (issue 19) --------------------------------------
# HAProxy, two web nodes, two workers, beat, Redis, a PostgreSQL primary and its streaming
# replica, all under supervisord, with their data in var/cluster/. As root, PostgreSQL runs as
# the postgres system user. CLUSTER_ARGS="--scale 1000000 --users 8" for a smaller drill.
CLUSTER_ARGS ?=
CLUSTER_STAMP := $(VENV)/.installed-cluster

# The cluster's extras as well (supervisor, locust, gunicorn), again only when pyproject.toml
# changed: starting the cluster needs no index once they are there.
$(CLUSTER_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --progress-bar off -e '.[dev,cluster]'
	touch $(STAMP) $(CLUSTER_STAMP)

cluster: $(CLUSTER_STAMP)
	$(BIN)/python -m cluster up

cluster-stop:
	$(BIN)/python -m cluster down

cluster-test: $(CLUSTER_STAMP)
	$(BIN)/python -m cluster test $(CLUSTER_ARGS)
