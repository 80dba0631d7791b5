"""Schedules (UTC; cron expressions from the environment, turned on in the UI or with
`dagster schedule start`). With the queued run coordinator (one run at a time) the usage run of
a night finishes before that night's period run starts.

- nightly_usage (U2C_NIGHTLY_CRON, 02:00): yesterday's usage day.
- nightly_periods (U2C_NIGHTLY_PERIODS_CRON, 02:10): the current billing period's rating,
  journals, reconciliation, and the analysts' publish.
- intraday_usage / intraday_periods (U2C_INTRADAY_CRON, hourly at :15 and :20): today's
  arrivals and the reconciliation marts; never an ERP export.
- month_end_close (U2C_CLOSE_CRON, the 1st at 06:00): the final ERP exports of the month just
  ended, then its close report.
- prune_run_history (03:30): run history older than U2C_RUN_RETENTION_DAYS (default 90).

The period runs (nightly and intra-day) leave out the period models that are fresh
(orchestration.fresh_models): after an hour of usage, rating and the usage reconciliations are
rebuilt, the billing, ERP and cash ones kept. Only when no run is queued or running: runs start
one at a time in the order they were queued, so none can change the inputs between the tick and
the run; behind another run the tick cannot know, and asks for every model.
"""

import os

from dagster import (
    DagsterRunStatus,
    RunRequest,
    RunsFilter,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    schedule,
)

from orchestration.fresh_models import fresh_keys
from orchestration.jobs import CLOSE_JOB, PERIODS_JOB, USAGE_JOB
from orchestration.partitions import day_key, month_key, previous_day, previous_month

MAINTENANCE_JOB = "prune_run_history"


def cron(name: str, default: str) -> str:
    return os.environ.get(name, default)


# runs that will run, or are running, before a run queued now
UNFINISHED = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]


def _request(kind: str, partition: str, when, asset_selection=None) -> RunRequest:
    return RunRequest(
        run_key=f"{kind}-{partition}-{when:%Y%m%dT%H%M}",
        partition_key=partition,
        tags={"u2c/schedule": kind},
        asset_selection=asset_selection,
    )


def without_fresh_models(context: ScheduleEvaluationContext, job_name: str, partition: str):
    """For `refresh_periods`, the job's assets but the period models fresh in `partition`; None
    (the whole job) for any other job, while another run is queued or running, or without the
    code location to tell."""
    from orchestration.defs.dbt import period_models
    from orchestration.settings import Settings

    repository = context.repository_def
    if job_name != PERIODS_JOB or repository is None:
        return None
    if context.instance.get_runs_count(RunsFilter(statuses=UNFINISHED)):
        return None
    fresh = fresh_keys(
        context.instance,
        repository.asset_graph,
        period_models.specs,
        Settings.from_env().warehouse,
        [partition],
    )
    if not fresh:
        return None
    keys = repository.get_job(job_name).asset_layer.executable_asset_keys
    return sorted(set(keys) - set(fresh), key=str)


def partition_schedule(name, cron_env, default_cron, job_name, kind, partition, description):
    """A schedule asking for one partition of `job_name`: `partition(tick time)` gives its key.
    A `refresh_periods` tick leaves out the period models fresh in it (when nothing runs before
    it); the close asks for them all."""

    @schedule(
        name=name,
        cron_schedule=cron(cron_env, default_cron),
        job_name=job_name,
        execution_timezone="UTC",
        description=description,
    )
    def tick(context: ScheduleEvaluationContext):
        now = context.scheduled_execution_time
        key = partition(now)
        return _request(kind, key, now, without_fresh_models(context, job_name, key))

    return tick


nightly_usage = partition_schedule(
    "nightly_usage",
    "U2C_NIGHTLY_CRON",
    "0 2 * * *",
    USAGE_JOB,
    "nightly",
    lambda now: day_key(previous_day(now)),
    "Yesterday's usage day: landing, usage models, usage snapshot.",
)
nightly_periods = partition_schedule(
    "nightly_periods",
    "U2C_NIGHTLY_PERIODS_CRON",
    "10 2 * * *",
    PERIODS_JOB,
    "nightly",
    lambda now: month_key(previous_day(now)),
    "The current billing period (of yesterday): rating, journals, reconciliation, the analysts' "
    "publish.",
)
intraday_usage = partition_schedule(
    "intraday_usage",
    "U2C_INTRADAY_CRON",
    "15 * * * *",
    USAGE_JOB,
    "intraday",
    lambda now: day_key(now.date()),
    "Today's usage so far.",
)
intraday_periods = partition_schedule(
    "intraday_periods",
    "U2C_INTRADAY_PERIODS_CRON",
    "20 * * * *",
    PERIODS_JOB,
    "intraday",
    lambda now: month_key(now.date()),
    "The reconciliation marts of the current period; no ERP export.",
)
month_end_close = partition_schedule(
    "month_end_close",
    "U2C_CLOSE_CRON",
    "0 6 1 * *",
    CLOSE_JOB,
    "close",
    lambda now: month_key(previous_month(now)),
    "Month-end close: the final ERP exports of the month just ended, then its close report.",
)


def schedules(prune_job) -> list[ScheduleDefinition]:
    return [
        nightly_usage,
        nightly_periods,
        intraday_usage,
        intraday_periods,
        month_end_close,
        ScheduleDefinition(
            name="prune_run_history",
            cron_schedule=cron("U2C_PRUNE_CRON", "30 3 * * *"),
            job=prune_job,
            execution_timezone="UTC",
            description="Deletes run history older than U2C_RUN_RETENTION_DAYS (default 90).",
        ),
    ]
