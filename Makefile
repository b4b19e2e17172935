# Kehou — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := miniprogram/node_modules/.installed
CONSOLE_INSTALLED := console/node_modules/.installed
# The browser for the console's end-to-end tests (Debian's package; scripts/ensure-chromium.sh installs it).
export CHROMIUM ?= /usr/bin/chromium

.PHONY: run test test-sqlite test-postgres test-miniprogram test-console chromium install migrate seed bench clean

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	touch $@

$(NODE_INSTALLED): miniprogram/package-lock.json
	cd miniprogram && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CONSOLE_INSTALLED): console/package-lock.json
	cd console && npm ci --no-audit --no-fund --loglevel=error
	touch $@

chromium:
	@scripts/ensure-chromium.sh

install: $(INSTALLED) $(NODE_INSTALLED) $(CONSOLE_INSTALLED) chromium

## make run: install, migrate, seed the demo school if empty, serve on http://127.0.0.1:8000
run: $(INSTALLED)
	$(PY) -m app.cli serve --host 127.0.0.1 --port 8000

migrate: $(INSTALLED)
	$(PY) -m app.cli migrate

seed: $(INSTALLED)
	$(PY) -m app.cli seed-demo

## make test: every test — Python on SQLite and on a real PostgreSQL (the two at once, each printed when it
## ends), the mini-program's, and the admin console in headless Chromium
test: $(INSTALLED) $(NODE_INSTALLED) $(CONSOLE_INSTALLED)
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres
	$(MAKE) --no-print-directory test-miniprogram
	$(MAKE) --no-print-directory test-console

test-sqlite: $(INSTALLED)
	@echo "== pytest on SQLite"
	$(PY) -m pytest

test-postgres: $(INSTALLED)
	@echo "== pytest on PostgreSQL (127.0.0.1)"
	scripts/with-postgres.sh $(PY) -m pytest

test-miniprogram: $(NODE_INSTALLED) $(INSTALLED)
	@echo "== mini-program tests (jest)"
	cd miniprogram && npm test --silent

## make test-console: the /admin console end to end (a demo backend, Playwright driving headless Chromium)
test-console: $(CONSOLE_INSTALLED) $(INSTALLED) chromium
	@echo "== admin console (Playwright + headless Chromium)"
	cd console && npm test --silent

clean:
	rm -rf $(VENV) miniprogram/node_modules console/node_modules kehou.db kehou.db-* media

## make bench: benchmarks on a throwaway PostgreSQL on 127.0.0.1 (figures go in docs/benchmarks.md)
bench: $(INSTALLED)
	KEHOU_PG_DIR=$(CURDIR)/.bench-data/pg ENV=test RATE_LIMITS_ENABLED=false JWT_SECRET=bench-only-secret-0123456789abcdefghij scripts/with-postgres.sh $(PY) -m bench $(BENCH)
