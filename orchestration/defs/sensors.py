"""The inbox sensor: every new delivery triggers one landing run, however often it ticks. The
run recorder: every finished run of a u2c job gets its `ops_runs` record, also the runs the
daemon launched that do not publish, and the runs a gate stopped."""

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunStatusSensorContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_status_sensor,
    sensor,
)

from orchestration.inbox_scan import scan
from orchestration.jobs import CLOSE_JOB, LANDING_JOB, PERIODS_JOB, USAGE_JOB
from orchestration.resources import Lake

MAX_FILES_IN_TAG = 20


@sensor(
    job_name=LANDING_JOB,
    minimum_interval_seconds=60,
    description="Watches U2C_DATA_DIR/inbox; new or replaced files launch one landing run.",
)
def inbox_sensor(context: SensorEvaluationContext, lake: Lake):
    delta = scan(lake.inbox, context.cursor)
    if not delta.new_files:
        return SensorResult(
            skip_reason=SkipReason("no new files in the inbox"), cursor=delta.cursor
        )
    shown = ", ".join(delta.new_files[:MAX_FILES_IN_TAG])
    more = len(delta.new_files) - MAX_FILES_IN_TAG
    return SensorResult(
        run_requests=[
            RunRequest(
                run_key=delta.run_key,
                tags={
                    "u2c/trigger": "inbox",
                    "u2c/new_files": shown + (f" and {more} more" if more > 0 else ""),
                },
            )
        ],
        cursor=delta.cursor,
    )


RECORDED_JOBS = (LANDING_JOB, USAGE_JOB, PERIODS_JOB, CLOSE_JOB)


def record_finished_run(context: RunStatusSensorContext, lake: Lake) -> None:
    from orchestration.run_record import record_if_missing

    run = context.dagster_run
    if run.job_name not in RECORDED_JOBS:
        return
    # the job as the code location this sensor belongs to defines it (its steps give the stages)
    if context.repository_def is None:
        raise ValueError("record_finished_run needs the sensor's repository (code location)")
    job = context.repository_def.get_job(run.job_name)
    record_if_missing(context.instance, run, job, lake.run_records)


def run_recorder(name: str, status: DagsterRunStatus, description: str):
    # on by default: it only writes run records
    @run_status_sensor(
        name=name,
        run_status=status,
        default_status=DefaultSensorStatus.RUNNING,
        description=description,
    )
    def recorder(context: RunStatusSensorContext, lake: Lake):
        record_finished_run(context, lake)

    return recorder


record_succeeded_runs = run_recorder(
    "record_succeeded_runs",
    DagsterRunStatus.SUCCESS,
    "Writes lake/ops/runs/<run id>.parquet for each successful u2c run that did not publish; the "
    "next publish carries it into ops_runs.",
)
record_failed_runs = run_recorder(
    "record_failed_runs",
    DagsterRunStatus.FAILURE,
    "Writes the ops_runs record of each failed u2c run (a gate that stopped it, a failed step), "
    "with status failure.",
)
