"""ops_runs: one row per run from its step events, written as a record, gathered at publish."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from dagster import MetadataValue

from exports.marts_copy import OPS_RUNS_SCHEMA, publish_marts
from orchestration.run_record import (
    StepEvent,
    partitions_of,
    rows_of,
    run_row,
    stage_of,
    write_run_record,
)

T0 = 1_790_000_000.0  # 2026-09-21 14:13:20 UTC
STAGE_BY_STEP = {
    "land_sources": "landing",
    "warehouse_models": "dbt",
    "marts__journal_lines_gx_journal_lines": "checks",
    "marts__usage_daily_gx_usage_daily": "checks",
    "exports__usage_daily": "exports",
    "published__marts": "publish",
}


def step(key: str, start: float, end: float | None, *rows: int, failed: bool = False):
    kind = "ASSET_CHECK_EVALUATION" if "_gx_" in key else "ASSET_MATERIALIZATION"
    events = [StepEvent(key, "STEP_START", T0 + start)]
    events += [StepEvent(key, kind, T0 + start + 0.1, n) for n in rows]
    if end is not None:
        events.append(StepEvent(key, "STEP_FAILURE" if failed else "STEP_SUCCESS", T0 + end))
    return events


def whole_run() -> list[StepEvent]:
    return [
        *step("land_sources", 0, 10, 100, 50),
        *step("warehouse_models", 10, 40, 150, 20, 3),
        # checks run side by side (multiprocess): the stage spans both
        *step("marts__journal_lines_gx_journal_lines", 40, 42, 7),
        *step("marts__usage_daily_gx_usage_daily", 41, 45, 9),
        StepEvent("warehouse_models", "ASSET_CHECK_EVALUATION", T0 + 30, None),  # a dbt test
        *step("exports__usage_daily", 45, 46, 12),
        *step("published__marts", 46, None),  # still running: this is the publish
    ]


def test_a_run_row_has_every_stage_timed_and_counted():
    row = run_row(
        run_id="r1",
        job_name="close_period",
        tags={},
        started_at=T0 - 1,
        recorded_at=T0 + 48,
        events=whole_run(),
        stage_by_step=STAGE_BY_STEP,
        extra_rows={"publish": 1000},
    )
    assert row == {
        "run_id": "r1",
        "job_name": "close_period",
        "partitions": None,
        "is_replay": False,
        "status": "success",
        "started_at": datetime(2026, 9, 21, 14, 13, 19),
        "finished_at": datetime(2026, 9, 21, 14, 14, 8),
        "landing_seconds": 10.0,
        "landing_rows": 150,
        "dbt_seconds": 30.0,
        "dbt_rows": 173,
        "checks_seconds": 5.0,
        "checks_rows": 16,
        "exports_seconds": 1.0,
        "exports_rows": 12,
        "publish_seconds": 2.0,
        "publish_rows": 1000,
    }
    assert list(row) == OPS_RUNS_SCHEMA.names


def test_a_stage_split_by_another_counts_only_the_time_its_steps_ran():
    """The close runs the period models, the ERP export, then the export confirmation models:
    the dbt stage is 30 s + 5 s, not the 40 s from its first start to its last end, so the
    stages never add up to more than the run."""
    stages = {**STAGE_BY_STEP, "confirmation_models": "dbt", "exports__erp_journals": "exports"}
    events = [
        *step("warehouse_models", 0, 30, 10),
        *step("exports__erp_journals", 30, 35, 4),
        *step("confirmation_models", 35, 40, 2),
    ]
    row = run_row(
        run_id="r3",
        job_name="close_period",
        tags={},
        started_at=T0,
        recorded_at=T0 + 41,
        events=events,
        stage_by_step=stages,
    )
    assert (row["dbt_seconds"], row["exports_seconds"]) == (35.0, 5.0)
    assert (row["dbt_rows"], row["exports_rows"]) == (12, 4)


def test_a_gate_only_run_has_null_stages_and_a_failed_step_fails_it():
    events = [
        *step("marts__journal_lines_gx_journal_lines", 0, 2, 7, failed=True),
        *step("published__marts", 3, None),
    ]
    row = run_row(
        run_id="r2",
        job_name="__ASSET_JOB",
        tags={"u2c/replay": "true", "dagster/partition": "2026-09-01"},
        started_at=None,
        recorded_at=T0 + 5,
        events=events,
        stage_by_step=STAGE_BY_STEP,
    )
    assert row["status"] == "failure"
    assert row["is_replay"] is True
    assert row["partitions"] == "2026-09-01"
    assert row["started_at"] == datetime(2026, 9, 21, 14, 13, 20)  # the first event
    assert (row["checks_seconds"], row["checks_rows"]) == (2.0, 7)
    assert (row["publish_seconds"], row["publish_rows"]) == (2.0, None)
    assert [row[f"{s}_seconds"] for s in ("landing", "dbt", "exports")] == [None, None, None]
    assert [row[f"{s}_rows"] for s in ("landing", "dbt", "exports")] == [None, None, None]


@pytest.mark.parametrize(
    ("tags", "partitions"),
    [
        ({}, None),
        ({"dagster/partition": "2026-09-01"}, "2026-09-01"),
        (
            {
                "dagster/asset_partition_range_start": "2026-09-01",
                "dagster/asset_partition_range_end": "2026-09-07",
            },
            "2026-09-01...2026-09-07",
        ),
    ],
)
def test_partitions_from_the_run_tags(tags: dict, partitions: str | None):
    assert partitions_of(tags) == partitions


def test_stage_from_what_a_step_materializes():
    assert stage_of({"landing"}, {"parquet"}, True) == "landing"
    assert stage_of({"default"}, {"dbt", "duckdb"}, True) == "dbt"
    assert stage_of({"exports"}, {"csv"}, True) == "exports"
    assert stage_of({"publish"}, {"duckdb"}, True) == "publish"
    assert stage_of(set(), set(), False) == "checks"
    assert stage_of({"other"}, set(), True) is None


def test_rows_from_metadata():
    assert rows_of({"dagster/row_count": MetadataValue.int(5), "rows": 9}) == 5
    assert rows_of({"rows_landed": MetadataValue.int(7), "rows_quarantined": 2}) == 7
    assert rows_of({"rows": 3}) == 3
    assert rows_of({"open_rows": 3, "passed": True}) is None


def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create table marts.usage_daily as select 1 as quantity")
    return path


def test_ops_runs_is_empty_with_its_columns_before_any_record(tmp_path: Path):
    target = tmp_path / "published" / "marts.duckdb"
    counts = publish_marts(warehouse(tmp_path), target, runs_dir=tmp_path / "runs")
    assert counts == {"usage_daily": 1, "ops_runs": 0}
    with duckdb.connect(str(target), read_only=True) as con:
        columns = con.execute(
            "select column_name, data_type from duckdb_columns() where table_name = 'ops_runs' "
            "order by column_index"
        ).fetchall()
    assert [c for c, _ in columns] == OPS_RUNS_SCHEMA.names
    types = dict(columns)
    assert (types["is_replay"], types["started_at"], types["dbt_seconds"], types["dbt_rows"]) == (
        "BOOLEAN",
        "TIMESTAMP",
        "DOUBLE",
        "BIGINT",
    )


def test_the_publishing_run_is_in_its_own_copy_beside_earlier_runs(tmp_path: Path):
    runs_dir = tmp_path / "lake" / "ops" / "runs"
    earlier = run_row(
        run_id="r1",
        job_name="close_period",
        tags={},
        started_at=T0,
        recorded_at=T0 + 48,
        events=whole_run(),
        stage_by_step=STAGE_BY_STEP,
    )
    write_run_record(earlier, runs_dir)
    # a record written before a column existed: the column is null for it
    legacy = duckdb.connect()
    legacy.execute(
        f"copy (select 'r0' as run_id, 'close_period' as job_name, "
        f"timestamp '2026-09-01 00:00:00' as started_at) to '{runs_dir / 'r0.parquet'}'"
    )

    def record(copied: dict[str, int]) -> None:
        assert copied == {"usage_daily": 1}
        row = {**earlier, "run_id": "r2", "started_at": datetime(2026, 9, 22)}
        write_run_record({**row, "publish_rows": sum(copied.values())}, runs_dir)

    target = tmp_path / "marts.duckdb"
    counts = publish_marts(warehouse(tmp_path), target, runs_dir=runs_dir, on_copied=record)
    assert counts["ops_runs"] == 3
    assert sorted(p.name for p in runs_dir.iterdir()) == [
        "r0.parquet",
        "r1.parquet",
        "r2.parquet",
    ]  # no temp file left behind
    with duckdb.connect(str(target), read_only=True) as con:
        rows = con.execute(
            "select run_id, dbt_seconds, publish_rows, is_replay from ops_runs"
        ).fetchall()
    assert rows == [("r0", None, None, None), ("r1", 30.0, None, False), ("r2", 30.0, 1, False)]
