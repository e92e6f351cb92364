# Postcraft entry points. `make demo` and `make test` are all a newcomer needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test test-fast lint format serve worker reconciler clean bench

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Postcraft needs Python 3.11 (set PYTHON=/path/to/python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install Postcraft with its dev tools

demo: install ## Demo brands, API + worker on the embedded default, one draft; keeps serving
	$(BIN)/postcraft demo

test: install ## The whole test suite (PostgreSQL/Redis tests skip with a reason when absent)
	$(BIN)/pytest

test-fast: install ## Everything but the tests that start real processes
	$(BIN)/pytest -m "not slow"

lint: install ## ruff, formatting, mypy --strict, import-linter layers
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

serve: install ## The API (plus a worker and the reconciler on the embedded default)
	$(BIN)/postcraft serve

worker: install
	$(BIN)/postcraft worker

reconciler: install
	$(BIN)/postcraft reconciler

bench: install ## Benchmark suite beside a LangChain peer -> bench/RESULTS.md (BENCH_ARGS=--quick)
	$(BIN)/python -m bench.suite $(BENCH_ARGS)

clean: ## Forget the embedded default's data (./var)
	rm -rf var
