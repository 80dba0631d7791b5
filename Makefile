# usage-to-cash: `make demo` runs the pipeline on a generated world; `make test` passes the tests.
# Both create the venv and install from the lock file when it is missing or stale.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-from-lock
UV_VERSION := 0.13.8
export U2C_DATA_DIR ?= $(CURDIR)/data
BENCH_EVENTS ?= 1000000

CHROMIUM := /usr/bin/chromium
JAVA := /usr/bin/java
# world options of `make spark-check`, e.g. SPARK_CHECK_ARGS="--customers 10 --days 62"
SPARK_CHECK_ARGS ?=
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: install demo test test-partial reliability lint format ui bench docs browser java spark-check clean

install: $(STAMP)

# Bytecode is compiled at install: with PYTHONDONTWRITEBYTECODE set (as on our machines) every
# process would otherwise recompile dagster, pandas and great_expectations from source.
$(STAMP): pyproject.toml uv.lock Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv sync --frozen --all-extras --compile-bytecode --python $(BIN)/python
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/u2c demo

# On every core (pytest-xdist): a module's tests stay on one worker, the end-to-end modules
# share one (tests/conftest.py). TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
test: $(STAMP) $(CHROMIUM) $(JAVA)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

# Every one-system inbox (billing, ERP, usage) through a full `u2c run`; `make test` runs one.
test-partial: $(STAMP)
	$(BIN)/pytest tests/e2e/test_partial_deliveries.py -m "partial_delivery or not partial_delivery"

# The browser tests (close report page, Dagster UI) drive Debian's Chromium, never a browser
# download: installed here when missing (CI runs `make test` on a fresh machine, as root).
browser: $(CHROMIUM)
$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

# The dbt project on DuckDB and on Spark over one generated world (default: the demo world),
# compared row for row: every rec_* mart, journal_lines, usage_daily. Under $(U2C_DATA_DIR)/spark-check.
spark-check: $(STAMP) $(JAVA)
	$(BIN)/u2c spark-check $(SPARK_CHECK_ARGS)

# Spark (the spark dbt target, make spark-check, its test) runs on Java 17: Debian's, installed
# here when missing, as Chromium above.
java: $(JAVA)
$(JAVA):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless

# dbt docs of the project: $(U2C_DATA_DIR)/docs/dbt/static_index.html opens from disk
docs: $(STAMP)
	$(BIN)/u2c docs

# The whole reliability suite (make test runs it reduced): every crash-trial chain, the big
# hypothesis profile. About 35 minutes on 2 cores.
reliability: $(STAMP)
	U2C_RELIABILITY=full HYPOTHESIS_PROFILE=reliability $(BIN)/pytest -m reliability

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	mkdir -p $(U2C_DATA_DIR)  # the dbt templater opens the warehouse to compile
	cd dbt_project && ../$(BIN)/sqlfluff lint models

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/u2c bench --events $(BENCH_EVENTS)

ui: $(STAMP)
	U2C_DATA_DIR=$(U2C_DATA_DIR) DAGSTER_HOME=$(U2C_DATA_DIR)/dagster_home \
		$(BIN)/python -c "from orchestration.settings import Settings; Settings.from_env().apply()"
	U2C_DATA_DIR=$(U2C_DATA_DIR) DAGSTER_HOME=$(U2C_DATA_DIR)/dagster_home \
		$(BIN)/dagster dev -m orchestration.definitions

clean:
	rm -rf $(U2C_DATA_DIR)
