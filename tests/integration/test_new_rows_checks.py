"""The usage tables' tests read only the rows they have not passed yet (`new_column` and
`checked_through`): those landed after the newest one of a model dbt builds from the table only
once its tests have passed. The deduplicated usage's key test against metering's mark, the
metered events' column rules against usage per batch's. On hand-written rows, with the
warehouse's real schema (built empty from the lake's schema files), no world needed."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from sources.landing import ensure_schema_files
from sources.registry import CONTRACTS
from tests.integration.conftest import dbt_test
from tests.integration.test_dbt_unit_tests import dbt

DEDUP = "intermediate.int_usage_events_deduplicated"
METERED = "intermediate.int_usage_events_metered"
BY_BATCH = "intermediate.int_usage_by_batch"
KEY_TEST = "unique_combination_int_usage_events_deduplicated"
METERED_RULES = "column_rules_int_usage_events_metered"


def results(data_dir: Path) -> dict[str, dict]:
    """run_results.json of the last dbt command: its result per node name."""
    done = json.loads((data_dir / "dbt" / "target" / "run_results.json").read_text())
    return {r["unique_id"].split(".")[2]: r for r in done["results"]}


def run_test(data_dir: Path, name: str) -> tuple[str, int]:
    """Status and failures of the test `name`, run alone on the tables as they are."""
    [result] = dbt_test(data_dir, name)
    return result["status"], result["failures"]


def rows(data_dir: Path, table: str, *values: dict) -> None:
    """Rows into `table` by column name; the columns not given are null, as the tests read none
    of them."""
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        for row in values:
            names = ", ".join(f"? as {column}" for column in row)
            con.execute(f"insert into {table} by name select {names}", list(row.values()))


def events(data_dir: Path, table: str, *values: tuple[str, str, str], **columns) -> None:
    """Events (id, event time, landing time) into `table`, with `columns` beside them."""
    rows(
        data_dir,
        table,
        *(
            {"event_source": "src", "event_id": event_id, "event_type": "api.call",
             "occurred_at": occurred_at, "landed_at": landed_at, **columns}
            for event_id, occurred_at, landed_at in values
        ),
    )  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("new_rows")
    ensure_schema_files(data_dir / "lake", CONTRACTS)
    built = dbt(
        data_dir, "build", "--empty", "--select", "+int_usage_by_batch",
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
    assert run_test(warehouse, KEY_TEST) == ("pass", 0)  # nothing metered yet: every row read

    # the first landing passed and was metered; the second repeats e1 (same event time)
    events(warehouse, METERED, ("e1", e1, first), meter_status="metered")
    events(warehouse, DEDUP, ("e1", e1, second), ("e3", e3, second))
    assert run_test(warehouse, KEY_TEST) == ("fail", 1)

    # a failed test leaves the mark where it was: dbt build skips metering, and the next build
    # (here with nothing new to append) checks the same rows again
    built = dbt(
        warehouse, "build", "--select", "int_usage_events_deduplicated int_usage_events_metered",
        "--exclude-resource-type", "unit_test",
    )  # fmt: skip
    statuses = {name: r["status"] for name, r in results(warehouse).items()}
    assert built.returncode == 1
    assert statuses[KEY_TEST] == "fail"
    assert statuses["int_usage_events_metered"] == "skipped"
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        assert str(con.execute(f"select max(landed_at) from {METERED}").fetchone()[0]) == first

    # once metering has read the second landing, its rows count as passed: a repeat among them
    # is no longer looked for (the cost follows the new rows), until metering is rebuilt
    events(warehouse, METERED, ("e3", e3, second), meter_status="metered")
    assert run_test(warehouse, KEY_TEST) == ("pass", 0)
    aside(warehouse, METERED, "metered_aside")
    assert run_test(warehouse, KEY_TEST) == ("fail", 1)
    aside(warehouse, "intermediate.metered_aside", "int_usage_events_metered")


def aside(data_dir: Path, table: str, name: str) -> None:
    """`table` renamed `name` (in its schema): the mark's model missing, then back."""
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        con.execute(f"alter table {table} rename to {name}")


def test_the_metered_events_rules_read_the_rows_usage_per_batch_has_not_read(warehouse: Path):
    first, second = "2026-10-01 01:00:00", "2026-10-01 02:00:00"
    wrong = {"event_source": "src", "event_id": "m1", "meter_status": "unknown_status"}
    rows(warehouse, METERED, {**wrong, "landed_at": first})
    assert run_test(warehouse, METERED_RULES) == ("fail", 1)  # no batch read yet: every row

    # usage per batch has read the first landing: its rows passed, the second's are read
    rows(warehouse, BY_BATCH, {"batch_id": "b1", "landed_at": first})
    assert run_test(warehouse, METERED_RULES) == ("pass", 0)
    rows(warehouse, METERED, {**wrong, "meter_status": None, "landed_at": second})
    assert run_test(warehouse, METERED_RULES) == ("fail", 1)  # the null status
