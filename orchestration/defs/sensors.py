"""The inbox sensor: every new delivery triggers one landing run, however often it ticks."""

from dagster import RunRequest, SensorEvaluationContext, SensorResult, SkipReason, sensor

from orchestration.inbox_scan import scan
from orchestration.jobs import LANDING_JOB
from orchestration.settings import Settings

MAX_FILES_IN_TAG = 20


@sensor(
    job_name=LANDING_JOB,
    minimum_interval_seconds=60,
    description="Watches U2C_DATA_DIR/inbox; new or replaced files launch one landing run.",
)
def inbox_sensor(context: SensorEvaluationContext):
    delta = scan(Settings.from_env().inbox, context.cursor)
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
