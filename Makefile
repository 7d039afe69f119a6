# OnePic — `make` alone lists the targets. Every target builds .venv first if it is missing or
# older than pyproject.toml ("installs what is missing").
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The web page's third-party scripts (services/web/package.json), copied from npm by
# build.mjs into static/vendor; never committed, rebuilt when the lock file changes.
WEB := services/web
WEB_STAMP := $(WEB)/static/vendor/.built

.PHONY: help install web run migrate up down purge status lint test bench bench-quick image k8s

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-11s\033[0m %s\n", $$1, $$2}'

# The stamp is newer than pyproject.toml once its dependencies are installed.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP) ## create .venv from pyproject.toml (only reinstalls when it changes)

$(WEB_STAMP): $(WEB)/package.json $(WEB)/package-lock.json $(WEB)/build.mjs
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error && node build.mjs
	touch $@

web: $(WEB_STAMP) ## the web page's libraries from npm (npm ci into services/web; needs node and npm)

run: $(STAMP) $(WEB_STAMP) ## standalone: everything in one process on SQLite/files under ./var, http://127.0.0.1:8080 (PORT overrides)
	mkdir -p var
	$(BIN)/python -m services.metadata.migrate
	$(BIN)/python -m services.standalone

migrate: $(STAMP) ## apply database migrations to DATABASE_URL (default: SQLite under ./var)
	mkdir -p var
	$(BIN)/python -m services.metadata.migrate

up: $(STAMP) $(WEB_STAMP) ## every service its own supervised process on local Postgres/RabbitMQ/Redis, nginx in front on :8080
	$(BIN)/python -m deploy.local up

down: $(STAMP) ## stop what `make up` started
	$(BIN)/python -m deploy.local down

purge: $(STAMP) ## stop `make up` and delete its database, queues, Redis db and files (logs kept)
	$(BIN)/python -m deploy.local purge

status: $(STAMP) ## one line per `make up` process: pid, ready, restarts
	$(BIN)/python -m deploy.local status

lint: $(STAMP) ## ruff over the tree (rules in pyproject.toml; ruff comes with the test extra)
	$(BIN)/ruff check .

# checkov in its own venv (its pins clash with ours), from pyproject's `policy` extra.
CHECKOV_VENV := var/tools/checkov-venv
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-stamp
$(CHECKOV_STAMP): pyproject.toml $(STAMP)
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet $$($(BIN)/python -c 'import tomllib; print(" ".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["policy"]))')
	touch $@

image: $(STAMP) ## the container image onepic:<version> (BASE_IMAGE=… overrides debian:bookworm-slim; docs/deploy.md)
	deploy/image/build.sh $(BASE_IMAGE)

k8s: $(STAMP) ## regenerate deploy/k8s's generated files from the code (routing, settings, commands)
	$(BIN)/python -m deploy.k8s.generate

test: $(STAMP) $(WEB_STAMP) $(CHECKOV_STAMP) ## the whole suite: unit, integration, end-to-end, security, browser, image (needs Postgres, Redis, RabbitMQ, Docker)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The bench extra (the latency plot) on top of the test install; wrk, nginx-light and thumbor
# (its own venv under var/bench) are installed by the harness when missing.
bench: $(STAMP) ## benchmarks, several minutes: render vs nginx, thumbor, write path → bench/results/
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench

bench-quick: $(STAMP) ## the benchmark harness for moments (as the test suite runs it): proves it works, measures nothing
	$(BIN)/python -m bench --quick --out var/bench/quick
