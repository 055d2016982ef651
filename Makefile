# caseledger developer tasks (GNU make).
#
#   make install   (default) create .venv and install the project with dev extras
#   make run       serve the app (HOST=127.0.0.1 PORT=8000 by default)
#   make test      import contracts + pytest on two workers (PostgreSQL via scripts/with-postgres)
#   make lint      ruff check, ruff format --check, mypy
#   make bench     benchmarks: commands, payroll, standard change, verify, streams (PostgreSQL via
#                  scripts/with-postgres; the streams' relay part needs NATS at 127.0.0.1:4222)
#   make clean     remove .venv, var and caches

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := install

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WITH_POSTGRES := bash scripts/with-postgres

HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
#: pytest-xdist: two workers, each module on one (tests/xdist_support.py); PYTEST_XDIST= for one process.
PYTEST_XDIST ?= -n 2 --dist loadfile
#: bench/streams.py's options; --quick finishes in about a minute.
STREAMS_BENCH_ARGS ?=

.PHONY: help .venv install run test lint bench clean

help:
	@echo "Targets: install run test lint bench clean"
	@echo "  make run HOST=127.0.0.1 PORT=8000"
	@echo "  make test PYTEST_ARGS='-k something'   (PYTEST_XDIST= runs pytest in one process)"

.venv install: $(STAMP)

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

run: install
	$(BIN)/ledger serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/lint-imports
	$(WITH_POSTGRES) $(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(WITH_POSTGRES) $(BIN)/python bench/commands.py
	$(WITH_POSTGRES) $(BIN)/python bench/payroll.py
	$(WITH_POSTGRES) $(BIN)/python bench/standard_change.py
	$(WITH_POSTGRES) $(BIN)/python bench/verify.py
	$(WITH_POSTGRES) $(BIN)/python bench/streams.py $(STREAMS_BENCH_ARGS)

clean:
	rm -rf $(VENV) var build .pytest_cache .mypy_cache .ruff_cache .import_linter_cache *.egg-info
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
