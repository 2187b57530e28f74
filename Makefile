# Two commands for a newcomer: `make demo` and `make check` (lint, the DuckDB
# suite and PostgreSQL and Spark parity, side by side).
# The inner loop while changing code: `make test-fast`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ENGINES_STAMP := $(VENV)/.installed-engines
DEMO_DB ?= warehouse/demo.duckdb
DEMO_RAW ?= demo/raw
DEMO_REPORT ?= warehouse/demo-report.html
DOCS_HTML ?= docs/warehouse-docs.html
SITE_DIR ?= site

.PHONY: setup demo check test test-duckdb test-fast test-engines lint docs bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/pipeline.py run --raw-dir $(DEMO_RAW) --database $(DEMO_DB) --as-of 2026-11-01
	@echo
	@echo "Portfolio: the 12 months up to the last complete month, by site and commodity"
	@$(BIN)/python scripts/pipeline.py rollup --database $(DEMO_DB) --group-by site commodity --last-months 12 --by total
	@echo
	@echo "Data quality: the findings to act on (pipeline.py quality)"
	@$(BIN)/python scripts/pipeline.py quality --database $(DEMO_DB)
	@echo
	@echo "GHG inventory of 2025, the last complete year: CO2e by company, scope and method, and what lacks factors (pipeline.py ghg; every year without --year)"
	@$(BIN)/python scripts/pipeline.py ghg --database $(DEMO_DB) --year 2025
	@echo
	@echo "Report: one self-contained HTML page of charts, works offline (pipeline.py report)"
	@$(BIN)/python scripts/pipeline.py report --database $(DEMO_DB) --out $(DEMO_REPORT)

# ruff, mypy, sqlfluff (it compiles the project), dbt parse and MetricFlow's
# configs: the only job that writes the project's own target/ folder (tests
# give dbt their own), so it can run beside the suites.
lint: $(STAMP)
	$(BIN)/ruff format --check scripts tests
	$(BIN)/ruff check scripts tests
	$(BIN)/mypy
	$(BIN)/sqlfluff lint models data-tests analyses
	UTILITY_WAREHOUSE_DB=:memory: $(BIN)/dbt parse --quiet --profiles-dir .
	UTILITY_WAREHOUSE_DB=:memory: $(BIN)/mf validate-configs --skip-dw

# lint, then the DuckDB suite (test-duckdb).
test: lint test-duckdb

# Every test but the engines', on two pytest workers (one test file each at a
# time), the slowest tests listed at the end.
test-duckdb: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile --durations 20

# The inner loop: the unit-level tests (loader, generator, commands on small
# warehouses written in SQL, the docs site), without the tests marked e2e
# (everything that runs dbt on the whole project: builds, end-to-end runs, a
# parse) or engines. No lint: `make lint` (or pre-commit) does that. Under a
# minute of CPU; 80 to 116 s on two busy cores.
test-fast: $(STAMP)
	$(BIN)/pytest -m "not e2e and not engines" -q -p no:cacheprovider

# The whole test suite, as CI runs it: lint, the DuckDB suite and the engines
# suite at once (two cores stay busy; each job's output is printed whole when
# it ends), after the engines' extras are installed.
check: $(ENGINES_STAMP)
	$(MAKE) --no-print-directory --jobs 3 --output-sync=target lint test-duckdb test-engines

$(ENGINES_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev,postgres,spark]"
	touch $(ENGINES_STAMP)

# The same landing folders on DuckDB, a throwaway PostgreSQL cluster and a local
# Spark session, every mart compared row for row, and the read commands'
# --target. Two pytest workers, one test file each at a time, so that a file's
# builds (module fixtures) are made once. Needs PostgreSQL's server binaries and
# Java 17: as root with apt-get the tests install Debian's postgresql and
# openjdk-17-jre-headless if missing.
test-engines: $(ENGINES_STAMP)
	$(BIN)/pytest -m engines tests/engines -n 2 --dist loadfile --durations 20

# The dbt docs as one self-contained HTML file (column types and row counts
# come from $(DEMO_DB) when `make demo` has built it), then the MkDocs site of
# docs/ in $(SITE_DIR)/, which carries a copy of the dbt docs file: open
# $(SITE_DIR)/index.html.
docs: $(STAMP)
	@if [ -f $(DEMO_DB) ]; then db=$(DEMO_DB); catalog=; else db=:memory:; catalog=--empty-catalog; fi; \
		UTILITY_WAREHOUSE_DB=$$db $(BIN)/dbt docs generate --static --quiet --profiles-dir . --target-path target/docs $$catalog
	@mkdir -p $(dir $(DOCS_HTML))
	@cp target/docs/static_index.html $(DOCS_HTML)
	@echo "docs: $(DOCS_HTML) ($$(du -h $(DOCS_HTML) | cut -f1))"
	@NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir $(SITE_DIR)
	@echo "docs: $(SITE_DIR)/index.html"

bench: $(STAMP)  # e.g. make bench BENCH_ARGS="--sizes 100k 1m --reuse"
	$(BIN)/python scripts/benchmark.py $(BENCH_ARGS)

clean:
	rm -rf target logs warehouse $(SITE_DIR) .pytest_cache
