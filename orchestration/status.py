"""`u2c status`: the last runs and their outcome (the Dagster instance under the data dir), the
freshness of each source system (the landing ledger in the lake: last file, its delivery, the
lag since), and the open variances per reconciliation (the published `rec_summary`)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import duckdb

from orchestration.inspect_marts import published, require_data_dir, rows, tables
from orchestration.runner import RANGE_END, RANGE_START
from orchestration.settings import Settings
from orchestration.tables import Section
from sources import lake_fs

PARTITION = "dagster/partition"

LEDGER_SQL = """
    with batches as (
        select * from read_parquet(?, union_by_name = true)
    ),
    last_file as (
        select system,
            first(file_name order by file_delivered_at desc, landed_at desc, file_name desc)
                as last_file
        from batches group by system
    )
    select b.system, count(*) as files, max(b.file_delivered_at) as last_delivered_at,
        max(b.landed_at) as last_landed_at, l.last_file, sum(b.rows_read) as rows_read,
        sum(b.rows_quarantined) as rows_quarantined
    from batches as b join last_file as l on b.system = l.system
    group by b.system, l.last_file
    order by b.system
"""

OPEN_SQL = """
    select reconciliation, functional_currency, sum(open_row_count) as open_rows,
        sum(open_variance_functional) as open_variance_functional,
        sum(open_rows_over_90_days) as open_rows_over_90_days,
        min(as_of_date) as as_of_date
    from rec_summary
    group by all
    having sum(open_row_count) > 0
    order by reconciliation, functional_currency
"""


def lag(since: datetime | None, now: datetime) -> str | None:
    """`3d 4h`, `5h 12m`, `7m`: how long ago, for a reader."""
    if since is None:
        return None
    minutes = max(0, int((now - since).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {mins}m" if hours else f"{mins}m"


def last_runs(settings: Settings, limit: int) -> list[dict]:
    if not (settings.dagster_home / "dagster.yaml").exists():
        return []
    from dagster import DagsterInstance

    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)  # the instance's storage reads it
    found = []
    with DagsterInstance.get() as instance:
        for record in instance.get_run_records(limit=limit):
            run = record.dagster_run
            tags = run.tags
            if RANGE_START in tags:
                partitions = f"{tags[RANGE_START]}..{tags[RANGE_END]}"
            else:
                partitions = tags.get(PARTITION)
            started = record.start_time and datetime.fromtimestamp(record.start_time, UTC)
            ended = record.end_time and datetime.fromtimestamp(record.end_time, UTC)
            found.append(
                {
                    "run_id": run.run_id,
                    "job": run.job_name,
                    "partitions": partitions,
                    "status": run.status.value.lower(),
                    "started_at": started.replace(tzinfo=None) if started else None,
                    "finished_at": ended.replace(tzinfo=None) if ended else None,
                    "seconds": round(record.end_time - record.start_time)
                    if record.start_time and record.end_time
                    else None,
                    "replay": tags.get("u2c/replay") == "true",
                }
            )
    return found


def freshness(settings: Settings, now: datetime) -> list[dict]:
    lake = lake_fs.Lake.at(settings.lake_uri)  # local, or s3:// (U2C_LAKE_URI)
    ledger = lake.files(lake.uri("_ledger", "landing_batches"), "*.parquet")
    if not ledger:
        return []
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        lake.let_duckdb_read(con)
        found = rows(con, LEDGER_SQL, [ledger])
    for row in found:
        row["lag"] = lag(row["last_delivered_at"], now)
    return found


def open_variances(settings: Settings) -> list[dict] | None:
    """None when nothing is published yet."""
    if not settings.published_marts.exists():
        return None
    with published(settings) as con:
        if "rec_summary" not in tables(con):
            return None
        return rows(con, OPEN_SQL)


def status(settings: Settings, limit: int = 10, now: datetime | None = None) -> list[Section]:
    require_data_dir(settings)
    now = now or datetime.now(UTC).replace(tzinfo=None)
    variances = open_variances(settings)
    inbox_files = (
        sum(1 for p in settings.inbox.rglob("*") if p.is_file()) if settings.inbox.is_dir() else 0
    )
    return [
        Section(
            "runs",
            f"last runs (newest first, up to {limit})",
            last_runs(settings, limit),
            ["run_id", "job", "partitions", "status", "started_at", "seconds"],
            empty="no runs yet: `u2c run` runs the pipeline on the inbox",
        ),
        Section(
            "sources",
            "freshness per source system (the landing ledger; lag = now - last delivery)",
            freshness(settings, now),
            [
                "system",
                "files",
                "last_file",
                "last_delivered_at",
                "lag",
                "last_landed_at",
                "rows_quarantined",
            ],
            empty=f"nothing landed yet ({inbox_files} files in {settings.inbox})",
        ),
        Section(
            "open_variances",
            "open variances per reconciliation (published rec_summary, functional currency)",
            variances or [],
            [
                "reconciliation",
                "open_rows",
                "functional_currency",
                "open_variance_functional",
                "open_rows_over_90_days",
                "as_of_date",
            ],
            empty="nothing published yet" if variances is None else "nothing open",
        ),
    ]
