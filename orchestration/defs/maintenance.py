"""Run retention: Dagster OSS keeps run history forever; this job prunes it."""

import os
from datetime import UTC, datetime, timedelta

from dagster import OpExecutionContext, RunsFilter, job, op

DEFAULT_RETENTION_DAYS = 90


def retention_days() -> int:
    return int(os.environ.get("U2C_RUN_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


@op
def delete_old_runs(context: OpExecutionContext) -> int:
    cutoff = datetime.now(UTC) - timedelta(days=retention_days())
    records = context.instance.get_run_records(filters=RunsFilter(created_before=cutoff))
    finished = [r for r in records if r.dagster_run.is_finished]
    for record in finished:
        context.instance.delete_run(record.dagster_run.run_id)
    context.log.info(f"deleted {len(finished)} runs created before {cutoff:%Y-%m-%d}")
    return len(finished)


@job(description="Delete finished runs older than U2C_RUN_RETENTION_DAYS (default 90).")
def prune_run_history():
    delete_old_runs()
