# Consult — `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
CHROMIUM := /usr/bin/chromium
# pytest-xdist workers for `make test` (one per core; `PYTEST_WORKERS=0` runs in one process, e.g. to debug).
# --dist loadfile keeps a module's tests in one worker, so its module-scoped fixtures are built once; files are
# handed out in collection order, the heaviest first (tests/conftest.py HEAVY_FILES).
PYTEST_WORKERS ?= auto
PYTEST_XDIST = -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder
# Bytecode caches on, even where the environment turns them off: pytest keeps the test modules it rewrote for
# assertions (~10 s of collection per worker) and the served apps and CLI runs the suite starts load faster.
TEST_ENV = PYTHONDONTWRITEBYTECODE= CONSULT_ENV=testing
# Debian libraries WeasyPrint (PDF questionnaires and reports) loads, the fonts the PDFs use, and poppler-utils
# (pdftotext) with which the tests read the PDFs back.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation poppler-utils

# requirements.lock pins every dependency (test extra included) with its hashes; `make lock` regenerates it from
# pyproject.toml with uv, run from a throwaway tool venv (never installed into $(VENV)).
LOCK_TOOLS := /tmp/consult-lock-tools
UV_VERSION := 0.13.9

.PHONY: run test test-postgres setup system-deps translations compile-translations migrate-check clean chromium redis lock audit bench wrk

$(BIN)/python:
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  echo "Installing python3-venv with apt…"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; }
	$(PYTHON) -m venv $(VENV)

# The dependencies come from the lock only (a changed or substituted file fails its hash); consult itself after.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

# After changing a dependency in pyproject.toml: pins stay where they are unless UPGRADE=1 (then the newest allowed).
lock:
	@test -x $(LOCK_TOOLS)/bin/uv || { $(PYTHON) -m venv $(LOCK_TOOLS) && $(LOCK_TOOLS)/bin/pip install --quiet uv==$(UV_VERSION); }
	$(LOCK_TOOLS)/bin/uv pip compile pyproject.toml --extra test --generate-hashes --universal --python-version 3.11 \
	  --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) -o requirements.lock

# Known vulnerabilities of the locked versions (pip-audit's default advisory service; .ci/run probes it first).
audit: $(VENV)/.installed
	$(BIN)/pip-audit --requirement requirements.lock --require-hashes --disable-pip --strict --progress-spinner off

setup: system-deps $(VENV)/.installed compile-translations

system-deps:
	@command -v dpkg >/dev/null || exit 0; dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || { \
	  echo "Installing Pango, HarfBuzz and fonts with apt (for PDF rendering)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; }

compile-translations: $(VENV)/.installed
	@$(BIN)/pybabel --quiet compile -d translations

translations: $(VENV)/.installed
	$(BIN)/pybabel --quiet extract -F babel.cfg -k _l -k lazy_gettext -k pgettext:1c,2 -k lazy_pgettext:1c,2 -o translations/messages.pot --no-location --sort-output --project Consult .
	$(BIN)/pybabel --quiet update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel --quiet compile -d translations

# The background worker (territory-wide files) runs beside the web server and stops with it.
run: setup
	$(FLASK) db upgrade
	$(FLASK) seed-demo --publish-results
	@echo "Consult is served on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@$(FLASK) worker & worker=$$!; \
	  trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	  $(FLASK) run --host $(HOST) --port $(PORT)

chromium:
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium for the browser tests…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

test: setup chromium
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

# Redis for the test of two app servers sharing one PostgreSQL and one Redis (tests/core/test_two_instances.py).
redis:
	@command -v redis-server >/dev/null || { echo "Installing Debian's redis-server for the two-server test…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

test-postgres: setup chromium redis
	$(BIN)/python -m tests.pgcluster -- env $(TEST_ENV) $(BIN)/pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

# Benchmark against minimal Flask apps (bench/run.py, never part of `make test`): about 15 minutes on 2 cores.
# Writes bench/results.json; `make bench BENCH_DATABASE=postgresql` runs it on a throwaway PostgreSQL cluster and
# writes bench/results-postgresql.json. BENCH_ARGS passes options, e.g. BENCH_ARGS="--responses 20000 --seconds 4".
BENCH_DATABASE ?= sqlite
BENCH_ARGS ?=

wrk:
	@command -v wrk >/dev/null || { echo "Installing Debian's wrk for the benchmark…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

bench: setup wrk
ifeq ($(BENCH_DATABASE),postgresql)
	$(BIN)/python -m tests.pgcluster -- sh -c '$(BIN)/python bench/run.py --database-url "$$TEST_DATABASE_URL" $(BENCH_ARGS)'
else
	$(BIN)/python bench/run.py $(BENCH_ARGS)
endif

clean:
	rm -rf $(VENV) instance .pytest_cache translations/*/LC_MESSAGES/*.mo
