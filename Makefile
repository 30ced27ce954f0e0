# Zoom Admin. `make run` serves the dashboard on the Zoom sandbox; `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help install install-dev setup run serve test test-suite lint format browser bench clean demo-reset

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
WORKERS ?= 2
export ZOOM_MODE ?= sandbox
SANDBOX_USERS ?= 300
SANDBOX_MEETINGS ?= 3000
STOP_GRACE ?= 2

# The first Python >= 3.12 found: pyenv's versions (named in .python-version first), then PATH.
find_python = for c in $$(pv=$$(cat .python-version 2>/dev/null); r=$$(pyenv root 2>/dev/null); \
	  [ -n "$$r" ] && ls -d $$r/versions/$$pv/bin/python3 $$r/versions/3.1[2-9]*/bin/python3 2>/dev/null) \
	  $$(command -v python3.13 python3.12 python3 2>/dev/null); do \
	  "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo "$$c"; break; }; done

help:
	@echo "make run      set everything up and serve the dashboard on the Zoom sandbox (http://127.0.0.1:$(PORT))"
	@echo "make test     install test needs (Chromium included) and run ruff, mypy and the whole test suite"
	@echo "make install  create .venv (Python >= 3.12) and install the project"
	@echo "make bench    run the benchmarks; JSON results in bench/results/"

$(VENV)/.installed: pyproject.toml
	@py=$$($(find_python)); \
	  if [ -z "$$py" ]; then echo "No Python >= 3.12 found (pyenv versions or python3.12 on PATH)." >&2; exit 1; fi; \
	  if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	    rm -rf $(VENV); echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV); fi
	@set -o pipefail; $(PY) -m pip install -q --disable-pip-version-check -e '.[dev]' 2>&1 \
	  | { grep -v "is ignored: it is neither a file nor a directory" || true; }
	@touch $@

install: $(VENV)/.installed

# Local serving over plain http on loopback: production settings (DEBUG off) minus the https-only ones.
# SECRET_KEY and the webhook secret token come from .env, which `make run` writes once (localenv.py).
RUN_ENV = SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0

# Everything `make run` does before it serves: local .env, database, static files, sandbox and demo
# operators, the first sync and the schedules (nightly sync, change upkeep, nightly audit verification).
# Idempotent; quick once done.
setup: install
	@$(PY) -m zoomadmin_site.localenv
	@$(RUN_ENV) $(PY) manage.py migrate --no-input -v0
	@$(RUN_ENV) $(PY) manage.py createcachetable -v0
	@$(RUN_ENV) $(PY) manage.py collectstatic --no-input -v0
	@if [ "$$ZOOM_MODE" = sandbox ]; then \
	  $(RUN_ENV) $(PY) manage.py zoom_sandbox seed --if-empty --users $(SANDBOX_USERS) --meetings $(SANDBOX_MEETINGS) && \
	  echo "Demo operators (password: $${ZOOMADMIN_DEMO_PASSWORD:-zoomadmin-demo}):" && \
	  $(RUN_ENV) $(PY) manage.py demo_operators && \
	  $(RUN_ENV) $(PY) manage.py zoom_sandbox webhook --url http://127.0.0.1:$(PORT)/zoom/webhooks/ >/dev/null; fi
	@$(RUN_ENV) $(PY) manage.py zoom_sync --initial
	@$(RUN_ENV) $(PY) manage.py zoom_sync --schedule
	@$(RUN_ENV) $(PY) manage.py changes_maintain --schedule
	@$(RUN_ENV) $(PY) manage.py audit_verify --schedule

run: setup
	@echo "Zoom Admin on http://127.0.0.1:$(PORT)  (Ctrl-C stops the server and the background worker)"
	@# Ctrl-C or SIGTERM stops the three children by their PIDs, waits for them, and ends make cleanly. The
	@# worker takes a first signal as "finish the current task": a sync in progress gets a second one after
	@# STOP_GRACE seconds and records itself interrupted (the next make run continues it).
	@pids=""; \
	  stop() { trap '' INT TERM; trap - EXIT; kill -TERM $$pids 2>/dev/null; \
	    for _ in $$(seq $$(( $(STOP_GRACE) * 10 ))); do kill -0 $$pids 2>/dev/null || break; sleep 0.1; done; \
	    kill -TERM $$pids 2>/dev/null; wait; exit 0; }; \
	  trap stop INT TERM EXIT; \
	  $(RUN_ENV) $(PY) manage.py db_worker --no-reload --interval 1 & pids="$$!"; \
	  if [ "$$ZOOM_MODE" = sandbox ]; then \
	    $(RUN_ENV) $(PY) manage.py zoom_sandbox deliver-webhooks --every 2 & pids="$$pids $$!"; fi; \
	  $(RUN_ENV) $(VENV)/bin/gunicorn zoomadmin_site.wsgi:application -w $(WORKERS) -b 127.0.0.1:$(PORT) \
	    --no-control-socket --access-logfile - --log-level warning & pids="$$pids $$!"; \
	  wait

# Chromium from Debian's packages for the browser tests (Playwright drives it; no `playwright install`).
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  echo "Installing Chromium from Debian's packages"; \
	  if [ "$$(id -u)" != 0 ]; then echo "Chromium is missing and needs root to install: apt-get install chromium" >&2; exit 1; fi; \
	  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The pytest suite alone (CI calls it again with DATABASE_URL pointing at PostgreSQL), on one pytest-xdist
# worker per core (PYTEST_WORKERS=0 runs it in one process); each worker has its own test database.
# loadgroup keeps the browser tests, and the README commands, on one worker each (tests/conftest.py).
test-suite: install
	$(PY) -m pytest -q -p no:cacheprovider -n $${PYTEST_WORKERS:-auto} --dist loadgroup

test: install browser lint test-suite

bench: install
	@command -v wrk >/dev/null 2>&1 || { echo "Installing wrk from Debian's packages"; \
	  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }
	$(PY) -m bench.run_all

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache
