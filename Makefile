# Two commands for a newcomer: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= warehouse/demo.duckdb
DEMO_RAW ?= demo/raw

.PHONY: setup demo test lint bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/pipeline.py run --raw-dir $(DEMO_RAW) --database $(DEMO_DB) --as-of 2026-11-01
	@echo
	@echo "Portfolio: the 12 months up to the as-of month, by site and commodity"
	@$(BIN)/python scripts/pipeline.py rollup --database $(DEMO_DB) --group-by site commodity --last-months 12 --by total
	@echo
	@echo "Data quality: the findings to act on (pipeline.py quality)"
	@$(BIN)/python scripts/pipeline.py quality --database $(DEMO_DB)

lint: $(STAMP)
	$(BIN)/ruff format --check scripts tests
	$(BIN)/ruff check scripts tests
	$(BIN)/mypy
	$(BIN)/sqlfluff lint models data-tests analyses

test: lint
	$(BIN)/pytest

bench: $(STAMP)  # e.g. make bench BENCH_ARGS="--sizes 100k 1m --reuse"
	$(BIN)/python scripts/benchmark.py $(BENCH_ARGS)

clean:
	rm -rf target logs warehouse .pytest_cache
