# Kehou — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := miniprogram/node_modules/.installed

.PHONY: run test test-sqlite test-postgres test-miniprogram install migrate seed bench clean

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	touch $@

$(NODE_INSTALLED): miniprogram/package-lock.json
	cd miniprogram && npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(INSTALLED) $(NODE_INSTALLED)

## make run: install, migrate, seed the demo school if empty, serve on http://127.0.0.1:8000
run: $(INSTALLED)
	$(PY) -m app.cli serve --host 127.0.0.1 --port 8000

migrate: $(INSTALLED)
	$(PY) -m app.cli migrate

seed: $(INSTALLED)
	$(PY) -m app.cli seed-demo

## make test: every test — Python on SQLite, Python on a real PostgreSQL, the mini-program's
test: $(INSTALLED) $(NODE_INSTALLED)
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory test-miniprogram

test-sqlite: $(INSTALLED)
	@echo "== pytest on SQLite"
	$(PY) -m pytest

test-postgres: $(INSTALLED)
	@echo "== pytest on PostgreSQL (127.0.0.1)"
	scripts/with-postgres.sh $(PY) -m pytest

test-miniprogram: $(NODE_INSTALLED) $(INSTALLED)
	@echo "== mini-program tests (jest)"
	cd miniprogram && npm test --silent

clean:
	rm -rf $(VENV) miniprogram/node_modules kehou.db kehou.db-* media

## make bench: benchmarks on a throwaway PostgreSQL on 127.0.0.1 (figures go in docs/benchmarks.md)
bench: $(INSTALLED)
	KEHOU_PG_DIR=$(CURDIR)/.bench-data/pg ENV=test JWT_SECRET=bench-only-secret-0123456789abcdefghij scripts/with-postgres.sh $(PY) -m bench $(BENCH)
