# Rongxin. `make demo` and `make test` are the two commands a fresh machine needs.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RONGXIN := $(BIN)/rongxin

.PHONY: setup demo test test-pg fuzz check lint typecheck contracts openapi messages bench load browser clean

$(STAMP): pyproject.toml requirements/lock.txt
	@command -v $(PY) >/dev/null || { echo "Python 3.11 is required ($(PY) not found)"; exit 1; }
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip==24.3.1"
	$(BIN)/pip install --quiet -c requirements/lock.txt -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

# The demo as a county would run it: DEBUG off (the Chinese error pages, never Django's debug
# page), static files collected and served by WhiteNoise. HOST=0.0.0.0 listens on every interface
# (to try it from a phone on the same network); PORT=8100 another port. The Procfile binds
# RONGXIN_HOST:RONGXIN_PORT, not honcho's PORT (which honcho sets itself, from 5000 up).
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_ENV = RONGXIN_DEBUG=0 RONGXIN_HOST=$(HOST) RONGXIN_PORT=$(PORT)

demo: setup
	$(DEMO_ENV) $(RONGXIN) migrate --noinput -v 0
	$(DEMO_ENV) $(RONGXIN) collectstatic --noinput -v 0
	$(DEMO_ENV) $(RONGXIN) demo --host $(HOST) --port $(PORT)
	$(DEMO_ENV) $(BIN)/honcho start -f Procfile

# Playwright drives Debian's Chromium (never a downloaded browser). Installed when missing and
# we may (root with apt); otherwise the browser tests skip, except in CI where they must run.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian chromium and CJK fonts for the browser tests"; \
	    (apt-get install -y -q chromium fonts-noto-cjk >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium fonts-noto-cjk >/dev/null)); \
	  else echo "chromium not installed: browser tests will be skipped"; fi; \
	fi

# The suite runs on two pytest-xdist workers (this machine's two cores; docs/benchmarks.md, "Test
# suite"), each with its own test database and data directory. Two tests at a time per worker
# (--maxschedchunk 1) so the slow process-level tests, collected first, start on different workers.
# PYTEST_WORKERS=0 runs in one process; PYTEST_ARGS='-m "not slow"' skips the slow tests.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
PYTEST_RUN = $(BIN)/pytest -n $(PYTEST_WORKERS) --maxschedchunk 1 $(PYTEST_ARGS)

test: setup browser
	$(PYTEST_RUN)

test-pg: setup browser
	@pg_isready -h 127.0.0.1 -p 5432 -q || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rongxin $(PYTEST_RUN)

# The long API fuzz run (the short one is part of `make test`): random, 200 generated requests per
# operation, each sent as every role. RONGXIN_FUZZ_SEED=<seed printed by a failure> repeats a run.
fuzz: setup
	RONGXIN_FUZZ_EXAMPLES=$${RONGXIN_FUZZ_EXAMPLES:-200} RONGXIN_FUZZ_RANDOM=1 $(BIN)/pytest src/rongxin/config/tests/test_fuzz.py

lint: setup
	$(BIN)/ruff check src
	$(BIN)/ruff format --check src

typecheck: setup
	$(BIN)/mypy src/rongxin

contracts: setup
	$(BIN)/lint-imports

openapi: setup
	$(BIN)/python -m rongxin.config.openapi docs/openapi.json

messages: setup
	cd src/rongxin && ../../$(RONGXIN) makemessages -l zh_Hans --no-location --no-obsolete -i "*/tests/*" && ../../$(RONGXIN) compilemessages -l zh_Hans

check: lint typecheck contracts
	$(RONGXIN) makemigrations --check --dry-run
	$(PYTEST_RUN)

bench: setup
	$(RONGXIN) bench generate --scale $${SCALE:-1.0} --json bench-generate.json
	$(RONGXIN) bench credit --scale $${SCALE:-1.0} --json bench-credit.json

# Load test of the hot endpoints against gunicorn on PostgreSQL (docs/benchmarks.md, "Load").
# Builds the database rongxin_load once (about 20 min at scale 1.0), then reuses it. Variables:
# SCALE=0.05 (a quick run, its own database), DB=name, DURATION=seconds a step, CONCURRENCY=8,32,64,
# REBUILD=1 (drop and build again).
load: setup
	@pg_isready -h 127.0.0.1 -p 5432 -q || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	RONGXIN_LOAD_DURATION=$(DURATION) RONGXIN_LOAD_CONCURRENCY=$(CONCURRENCY) RONGXIN_LOAD_REBUILD=$(REBUILD) \
	  $(RONGXIN) bench load --scale $(or $(SCALE),1.0) --engine-url postgresql://postgres@127.0.0.1:5432/$(DB) \
	  --json bench-load.json

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
