# caseledger developer tasks (GNU make).
#
#   make install   (default) create .venv, install the project with dev extras, and fetch the
#                  pages' third-party files (api/web/assets.lock.json; NPM_REGISTRY=URL: a mirror)
#   make run       serve the app (HOST=127.0.0.1 PORT=8000 by default)
#   make test      import contracts + pytest on two workers (PostgreSQL via scripts/with-postgres;
#                  the browser tests drive Debian's chromium, found by scripts/find-chromium)
#   make lint      ruff check, ruff format --check, mypy
#   make bench     the benchmark suite (bench/suite.py), each figure beside its baseline:
#                  SIZE=quick (default: scratch databases, minutes) or SIZE=province (the
#                  province-year of bench/generate.py, about 2 million events, then every
#                  benchmark on it); PostgreSQL via scripts/with-postgres; the streams' relay
#                  part needs NATS at 127.0.0.1:4222. BENCH_ARGS='--only rebuild,graphql'.
#   make clean     remove .venv, var, the fetched api/web/vendor and caches

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := install

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM_REGISTRY ?=
WITH_POSTGRES := bash scripts/with-postgres

HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
#: pytest-xdist: two workers, each module on one (tests/xdist_support.py); PYTEST_XDIST= for one process.
PYTEST_XDIST ?= -n 2 --dist loadfile
#: make bench's size (quick or province) and bench/suite.py's other options.
SIZE ?= quick
BENCH_ARGS ?=

.PHONY: help .venv install assets run test lint bench clean

help:
	@echo "Targets: install run test lint bench clean"
	@echo "  make run HOST=127.0.0.1 PORT=8000"
	@echo "  make test PYTEST_ARGS='-k something'   (PYTEST_XDIST= runs pytest in one process)"

.venv: $(STAMP)

install: $(STAMP) assets

$(STAMP): pyproject.toml constraints.txt
	@if ! command -v $(PYTHON) >/dev/null 2>&1; then \
		echo "error: $(PYTHON) not found; caseledger needs Python >= 3.11 (set PYTHON=/path/to/python3.11)" >&2; \
		exit 1; \
	fi
	@if ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then \
		echo "error: caseledger needs Python >= 3.11, but $(PYTHON) is $$($(PYTHON) -c 'import platform; print(platform.python_version())')" \
			"(set PYTHON=/path/to/python3.11)" >&2; \
		exit 1; \
	fi
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then \
		echo "error: $(VENV) uses Python < 3.11; run 'make clean' and try again" >&2; \
		exit 1; \
	fi
	@if [ ! -x $(BIN)/python ]; then \
		echo "Creating $(VENV) with $$($(PYTHON) -c 'import sys; print(sys.executable, sys.version.split()[0])')"; \
		$(PYTHON) -m venv $(VENV); \
	fi
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

# Every time (0.01 s when nothing changed): a vendor file deleted or edited since the last
# fetch is put back from the checked tarball, which a stamp rule alone would not notice.
assets: | $(STAMP)
	@$(BIN)/python -m api.web.assets fetch $(if $(NPM_REGISTRY),--registry $(NPM_REGISTRY))

run: install
	$(BIN)/ledger serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/lint-imports
	@if ! bash scripts/find-chromium >/dev/null; then \
		echo "************************************************************************"; \
		echo "Chromium: not found (LEDGER_TEST_CHROMIUM, /usr/bin/chromium, chromium on PATH);"; \
		echo "the browser tests (tests/browser) will be SKIPPED: apt-get install chromium"; \
		echo "************************************************************************"; \
	fi >&2
	$(WITH_POSTGRES) $(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(WITH_POSTGRES) $(BIN)/python bench/suite.py --size $(SIZE) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var api/web/vendor build .pytest_cache .mypy_cache .ruff_cache .import_linter_cache *.egg-info
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
