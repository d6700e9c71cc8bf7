# Lotsenbuch — every task a developer or CI runs. `make help` lists them.
# Idempotent: stamps under .stamps/ skip work whose inputs did not change.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app server
STAMPS := .stamps
PWA_OUT := server/static/app
PWA_SOURCES := $(shell find pwa/src pwa/public pwa/scripts -type f 2>/dev/null) pwa/index.html pwa/vite.config.ts pwa/package.json pwa/tsconfig.json
CHARTS_SOURCES := $(shell find pwa/coordinator-charts -type f 2>/dev/null) pwa/vite.coordinator.config.ts pwa/package.json
# The coordinator pages' own files, compressed with the charts build (server/static_files.py serves both).
COORDINATOR_STATIC := $(wildcard server/coordinator/static/*.css server/coordinator/static/*.js)
# Brotli and gzip next to every built file, once at build time: WhiteNoise serves them as they are.
COMPRESS := $(BIN)/python -m whitenoise.compress -q
PO_FILES := $(wildcard locales/*/LC_MESSAGES/messages.po)
HOST ?= 127.0.0.1
PORT ?= 5000
# Two test processes: one per core of the development and CI machines.
PYTEST_WORKERS ?= 2

.PHONY: help run test test-dates lint setup pwa charts i18n-extract i18n-update i18n-compile i18n-add i18n-sizes clean-db bench

help: ## list the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

run: setup ## set up, migrate, seed the demo (once) and serve on http://$(HOST):$(PORT)
	@$(FLASK) db upgrade
	@$(FLASK) seed-demo
	@echo
	@echo "Lotsenbuch runs at http://$(HOST):$(PORT)/  (coordinators: http://$(HOST):$(PORT)/coordinator/)"
	@PUBLIC_URL=$${PUBLIC_URL:-http://$(HOST):$(PORT)} $(FLASK) demo-info
	@echo
	@# The outbox sender runs beside the server and stops with it. Without an SMTP server, mails go to
	@# .eml files under instance/mail (MAIL_BACKEND=file), so the demo's mails can be opened.
	@export PUBLIC_URL=$${PUBLIC_URL:-http://$(HOST):$(PORT)}; \
	if [ -z "$$MAIL_SERVER" ] && [ -z "$$MAIL_BACKEND" ]; then export MAIL_BACKEND=file; fi; \
	$(FLASK) send-mail & sender=$$!; \
	trap 'kill $$sender 2>/dev/null; wait $$sender 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

test: setup ## set up, then lint, type-check and run every test
	@$(BIN)/ruff check server sync tests bench
	@$(BIN)/mypy
	@cd pwa && npm run --silent typecheck
	@# The app's data layer against the real server (pwa/test/: Vitest, fake-indexeddb, tests/pwa_data_server.py).
	@cd pwa && npm run --silent test
	@$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
	@if [ -z "$(PYTEST_ARGS)" ]; then $(MAKE) --no-print-directory test-dates; fi

# The tests whose outcome hangs on the calendar, run again with the whole clock at another moment.
DATE_TESTS := tests/test_cli.py tests/money tests/coordinator/test_dashboard.py tests/coordinator/test_privacy.py \
	tests/coordinator/test_restricted_records.py tests/coordinator/test_requests.py tests/coordinator/test_matching.py \
	tests/coordinator/test_guides.py tests/coordinator/test_review.py tests/coordinator/test_plenum.py

test-dates: setup ## the date-sensitive tests (demo, money, claims, limits, reports, retention) at another moment
	@now="$${TEST_NOW:-$$($(BIN)/python -m tests.moments)}"; echo "== date-sensitive tests with the clock at $$now"; \
		LOTSENBUCH_TEST_NOW="$$now" $(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q -p no:cacheprovider $(DATE_TESTS)

lint: setup ## ruff, mypy and tsc only
	@$(BIN)/ruff check server sync tests bench
	@$(BIN)/mypy
	@cd pwa && npm run --silent typecheck

setup: $(STAMPS)/python $(STAMPS)/npm $(STAMPS)/pwa $(STAMPS)/charts $(STAMPS)/i18n ## virtualenv, dependencies, PWA build, charts, catalogs

$(STAMPS)/python: pyproject.toml requirements.lock
	@mkdir -p $(STAMPS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

$(STAMPS)/npm: pwa/package.json pwa/package-lock.json
	@mkdir -p $(STAMPS)
	@cd pwa && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(STAMPS)/i18n: $(PO_FILES) $(STAMPS)/python
	@$(BIN)/pybabel -q compile --use-fuzzy -d locales
	@touch $@

# The wire types are generated from sync/ first (standard library only; tests/test_contract.py checks them).
$(STAMPS)/pwa: $(PWA_SOURCES) $(PO_FILES) sync/spec.py sync/envelope.py sync/vocabulary.py $(STAMPS)/npm $(STAMPS)/python
	@$(PYTHON) pwa/scripts/gen_wire_types.py
	@cd pwa && npm run --silent build
	@$(COMPRESS) $(PWA_OUT)
	@touch $@

# The coordinator pages' charts: a separate small Vite build into server/coordinator/static/charts/.
$(STAMPS)/charts: $(CHARTS_SOURCES) $(COORDINATOR_STATIC) $(STAMPS)/npm $(STAMPS)/python
	@cd pwa && npm run --silent build:charts
	@$(COMPRESS) server/coordinator/static
	@touch $@

pwa: $(STAMPS)/pwa ## build the guide's app into server/static/app

charts: $(STAMPS)/charts ## build the coordinator pages' charts into server/coordinator/static/charts

i18n-extract: $(STAMPS)/python ## collect every translatable string into locales/messages.pot
	@PYTHONPATH=locales $(BIN)/pybabel -q extract -F locales/babel.cfg -k lazy_gettext -k _l -k lazy_ngettext:1,2 -k t -k N_ -c TRANSLATORS: \
		-o locales/messages.pot --no-location --sort-output --project=Lotsenbuch .

i18n-update: i18n-extract ## merge new strings into every language's catalog
	@$(BIN)/pybabel -q update -i locales/messages.pot -d locales --no-fuzzy-matching --ignore-pot-creation-date

i18n-compile: ## compile catalogs (.mo for the server; the PWA build makes JSON)
	@$(BIN)/pybabel compile --use-fuzzy -d locales

# LANG on the command line (make i18n-add LANG=tr) wins over the shell's LANG=en_US.UTF-8, which the
# script refuses as a language code.
i18n-add: i18n-extract ## a new language: make i18n-add LANG=xx (catalog with its Plural-Forms, row in locales/languages.json)
	@$(BIN)/python locales/add_language.py "$(LANG)"

i18n-sizes: pwa ## per language: messages, translated, first-screen catalog size (the table of locales/README.md)
	@$(BIN)/python locales/catalog_sizes.py

bench: setup ## run the benchmarks (figures, not pass/fail)
	@for f in bench/*_bench.py; do echo "== $$f"; $(BIN)/python $$f; done

clean-db: ## delete the local SQLite database and receipts (the demo comes back on the next run)
	rm -rf instance/lotsenbuch.sqlite* instance/blobs
