"""Run the jobs in-process, in order, on the instance under the data dir: what `u2c run`,
`u2c demo`, `u2c bench` and `u2c replay` do. Each job is one Dagster run; a partition range is
one run too (the partitioned dbt assets have a single-run backfill policy, so dbt runs once for
the whole range).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from orchestration.settings import Settings

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
CONSOLE = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


@dataclass(frozen=True)
class DataSpan:
    first_day: date
    last_day: date

    @property
    def months(self) -> tuple[str, str]:
        return (self.first_day.replace(day=1).isoformat(), self.last_day.replace(day=1).isoformat())

    @property
    def days(self) -> tuple[str, str]:
        return (self.first_day.isoformat(), self.last_day.isoformat())


def data_span(lake: Path) -> DataSpan | None:
    """The UTC days the landed data covers: usage event days and file delivery days."""
    usage = sorted((lake / "raw" / "usage" / "events").glob("**/*.parquet"))
    ledger = sorted((lake / "_ledger").glob("**/*.parquet"))
    days: list[date] = []
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        if usage:
            days += [
                d
                for d in con.execute(
                    "select min(cast(time as date)), max(cast(time as date)) "
                    "from read_parquet(?, union_by_name = true)",
                    [[str(p) for p in usage]],
                ).fetchone()
                if d is not None
            ]
        if ledger:
            days += [
                d
                for d in con.execute(
                    "select min(cast(file_delivered_at as date)), "
                    "max(cast(file_delivered_at as date)) "
                    "from read_parquet(?, union_by_name = true)",
                    [[str(p) for p in ledger]],
                ).fetchone()
                if d is not None
            ]
    return DataSpan(min(days), max(days)) if days else None


def clamp(span: DataSpan, first: date, last: date) -> DataSpan:
    """The span within the partitions that exist (from U2C_PARTITIONS_START to today)."""
    return DataSpan(max(span.first_day, first), min(span.last_day, last))


def partition_bounds() -> tuple[date, date]:
    from orchestration.partitions import usage_days

    keys = usage_days.get_partition_keys()
    return date.fromisoformat(keys[0]), date.fromisoformat(keys[-1])


def execute(job_name: str, *, key_range: tuple[str, str] | None, tags: dict, selection=None):
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    job = defs.resolve_job_def(job_name)
    run_tags = dict(tags)
    if key_range is not None:
        run_tags |= {RANGE_START: key_range[0], RANGE_END: key_range[1]}
    with DagsterInstance.get() as instance:
        return job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config=CONSOLE,
            tags=run_tags,
            asset_selection=selection,
        )


def previous_day(day: date) -> date:
    return day - timedelta(days=1)
