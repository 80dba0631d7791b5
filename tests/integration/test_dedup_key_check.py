"""The deduplicated usage's key test (`unique_combination` with `checked_through`) reads only
the rows it has not passed yet: those landed after the newest one metering has read, since dbt
builds metering only once the test has passed. On hand-written rows in the two tables, with the
warehouse's real schema (built empty from the lake's schema files), no world needed."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt_project import run_dbt
from orchestration.settings import Settings
from sources.landing import ensure_schema_files
from sources.registry import CONTRACTS

DEDUP = "intermediate.int_usage_events_deduplicated"
METERED = "intermediate.int_usage_events_metered"
KEY_TEST = "int_usage_events_deduplicated,test_name:unique_combination"


def dbt(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return run_dbt(data_dir, *args, environ={**os.environ, **Settings(data_dir=data_dir).environ()})


def results(data_dir: Path) -> dict[str, dict]:
    """run_results.json of the last dbt command: its result per node name."""
    done = json.loads((data_dir / "dbt" / "target" / "run_results.json").read_text())
    return {r["unique_id"].split(".")[2]: r for r in done["results"]}


def key_test(data_dir: Path) -> tuple[str, int]:
    """Status and failing keys of the key test, run alone on the tables as they are."""
    dbt(data_dir, "test", "--select", KEY_TEST)
    [result] = [r for name, r in results(data_dir).items() if name.startswith("unique_comb")]
    return result["status"], result["failures"]


def events(data_dir: Path, table: str, *rows: tuple[str, str, str]) -> None:
    """Rows (event id, event time, landing time) into `table`; their other columns null, as
    the key test reads none of them."""
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        for event_id, occurred_at, landed_at in rows:
            con.execute(
                f"insert into {table} by name select 'src' as event_source, ? as event_id,"
                " 'api.call' as event_type, cast(? as timestamp) as occurred_at,"
                " cast(? as timestamp) as landed_at",
                [event_id, occurred_at, landed_at],
            )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("dedup_key")
    ensure_schema_files(data_dir / "lake", CONTRACTS)
    built = dbt(
        data_dir, "build", "--empty", "--select", "+int_usage_events_metered",
        "--exclude-resource-type", "unit_test", "test",
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-4000:]
    return data_dir


def test_the_key_test_reads_the_rows_metering_has_not_read_and_every_row_without_it(
    warehouse: Path,
):
    first, second = "2026-09-30 01:00:00", "2026-09-30 02:00:00.123456"
    e1, e2, e3 = "2026-09-29 10:00:00", "2026-09-29 11:00:00", "2026-09-29 12:00:00"
    events(warehouse, DEDUP, ("e1", e1, first), ("e2", e2, first))
    assert key_test(warehouse) == ("pass", 0)  # nothing metered yet: every row read

    # the first landing passed and was metered; the second repeats e1 (same event time)
    events(warehouse, METERED, ("e1", e1, first))
    events(warehouse, DEDUP, ("e1", e1, second), ("e3", e3, second))
    assert key_test(warehouse) == ("fail", 1)

    # a failed test leaves the mark where it was: dbt build skips metering, and the next build
    # (here with nothing new to append) checks the same rows again
    built = dbt(
        warehouse, "build", "--select", "int_usage_events_deduplicated int_usage_events_metered",
        "--exclude-resource-type", "unit_test",
    )  # fmt: skip
    statuses = {name: r["status"] for name, r in results(warehouse).items()}
    assert built.returncode == 1
    assert [s for name, s in statuses.items() if name.startswith("unique_comb")] == ["fail"]
    assert statuses["int_usage_events_metered"] == "skipped"
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        assert str(con.execute(f"select max(landed_at) from {METERED}").fetchone()[0]) == first

    # once metering has read the second landing, its rows count as passed: a repeat among them
    # is no longer looked for (the cost follows the new rows), until metering is rebuilt
    events(warehouse, METERED, ("e3", e3, second))
    assert key_test(warehouse) == ("pass", 0)
    with duckdb.connect(str(warehouse / "warehouse.duckdb")) as con:
        con.execute(f"drop table {METERED}")
    assert key_test(warehouse) == ("fail", 1)
