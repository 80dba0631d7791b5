"""One row per pipeline run for `ops_runs`: what ran, when, for which partitions, and how long
and how many rows each stage (landing, dbt, checks, exports, publish) took.

The publish asset builds the row from the run's own event log (step starts and ends,
materialization and check metadata) when it publishes, and writes it as an immutable Parquet file
`lake/ops/runs/<run id>.parquet`; the analysts' copy gathers every such file into `ops_runs`.
The functions from events to a row are pure; `step_events` adapts Dagster's event log records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from exports.marts_copy import OPS_RUNS_SCHEMA, STAGES
from sources.atomic import atomic_path

REPLAY_TAG = "u2c/replay"  # "true" on runs the replay command launches
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

STEP_START = "STEP_START"
STEP_ENDS = ("STEP_SUCCESS", "STEP_FAILURE")
STEP_FAILURE = "STEP_FAILURE"
MATERIALIZATION = "ASSET_MATERIALIZATION"
CHECK_EVALUATION = "ASSET_CHECK_EVALUATION"
EVENT_TYPES = (STEP_START, *STEP_ENDS, MATERIALIZATION, CHECK_EVALUATION)

# the metadata a step reports its rows under, first found wins: dbt's row count, landing's rows
# landed, an export's or a GX check's rows
ROW_KEYS = ("dagster/row_count", "rows_landed", "rows")


@dataclass(frozen=True)
class StepEvent:
    step_key: str | None
    kind: str  # a Dagster event type name, e.g. STEP_START
    timestamp: float  # seconds since the epoch, UTC
    rows: int | None = None


def stage_of(groups: Iterable[str], kinds: Iterable[str], has_assets: bool) -> str | None:
    """The stage a step belongs to, from what it materializes: its assets' groups and kinds.
    A step that materializes nothing is an asset check."""
    groups, kinds = set(groups), set(kinds)
    if not has_assets:
        return "checks"
    if "dbt" in kinds:
        return "dbt"
    for stage in ("landing", "exports", "publish"):
        if stage in groups:
            return stage
    return None


def partitions_of(tags: Mapping[str, str]) -> str | None:
    """The run's partition key, or its range as `start...end`; None when unpartitioned."""
    if tags.get(PARTITION_TAG):
        return tags[PARTITION_TAG]
    start, end = tags.get(RANGE_START_TAG), tags.get(RANGE_END_TAG)
    if start and end:
        return start if start == end else f"{start}...{end}"
    return None


def rows_of(metadata: Mapping[str, object]) -> int | None:
    for key in ROW_KEYS:
        value = metadata.get(key)
        value = getattr(value, "value", value)  # a Dagster MetadataValue or a plain number
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _utc(seconds: float | None) -> datetime | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, tz=UTC).replace(tzinfo=None)


def run_row(
    *,
    run_id: str,
    job_name: str,
    tags: Mapping[str, str],
    started_at: float | None,
    recorded_at: float,
    events: Iterable[StepEvent],
    stage_by_step: Mapping[str, str | None],
    extra_rows: Mapping[str, int] | None = None,
) -> dict:
    """The run's row. A stage's duration is the wall time its steps ran: the union of their
    intervals from start to end (steps side by side count once; a gap between two of its steps,
    such as the ERP export between the period models and the export confirmation, does not
    count; a step still running ends at `recorded_at`); its rows are the sum of the row
    counts its steps reported, plus `extra_rows` (the publish step's own, not yet logged). A
    stage the run did not execute is null. Status is `failure` once any step failed."""
    events = list(events)
    spans: dict[str, float] = {}
    rows: dict[str, int] = dict(extra_rows or {})
    started: dict[str, float] = {}
    ended: dict[str, float] = {}
    failed = False
    for e in events:
        if e.kind == STEP_START and e.step_key:
            started[e.step_key] = min(started.get(e.step_key, e.timestamp), e.timestamp)
        elif e.kind in STEP_ENDS and e.step_key:
            ended[e.step_key] = max(ended.get(e.step_key, e.timestamp), e.timestamp)
            failed = failed or e.kind == STEP_FAILURE
        elif e.kind in (MATERIALIZATION, CHECK_EVALUATION) and e.rows is not None:
            stage = stage_by_step.get(e.step_key or "")
            if stage:
                rows[stage] = rows.get(stage, 0) + e.rows
    intervals: dict[str, list[tuple[float, float]]] = {}
    for step, start in started.items():
        stage = stage_by_step.get(step)
        if stage:
            intervals.setdefault(stage, []).append((start, ended.get(step, recorded_at)))
    for stage, found in intervals.items():
        merged: list[list[float]] = []
        for start, end in sorted(found):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        spans[stage] = sum(end - start for start, end in merged)
    first_event = min((e.timestamp for e in events), default=recorded_at)
    row = {
        "run_id": run_id,
        "job_name": job_name,
        "partitions": partitions_of(tags),
        "is_replay": tags.get(REPLAY_TAG, "").lower() == "true",
        "status": "failure" if failed else "success",
        "started_at": _utc(started_at if started_at is not None else first_event),
        "finished_at": _utc(recorded_at),
    }
    for stage in STAGES:
        seconds = spans.get(stage)
        row[f"{stage}_seconds"] = round(seconds, 3) if seconds is not None else None
        row[f"{stage}_rows"] = rows.get(stage)
    return {name: row[name] for name in OPS_RUNS_SCHEMA.names}


def step_events(records: Iterable) -> list[StepEvent]:
    """Dagster event log entries (`instance.all_logs(run_id)`) as StepEvents."""
    events = []
    counted: set = set()
    for entry in records:
        event = getattr(entry, "dagster_event", None)
        if event is None or event.event_type_value not in EVENT_TYPES:
            continue
        rows = None
        if event.event_type_value == MATERIALIZATION:
            # a partition range materializes an asset once per partition, each event with the
            # whole table's count: count a table once
            materialization = event.event_specific_data.materialization
            if (entry.step_key, materialization.asset_key) not in counted:
                counted.add((entry.step_key, materialization.asset_key))
                rows = rows_of(materialization.metadata)
        elif event.event_type_value == CHECK_EVALUATION:
            rows = rows_of(event.event_specific_data.metadata)
        events.append(StepEvent(entry.step_key, event.event_type_value, entry.timestamp, rows))
    return events


def write_run_record(row: dict, runs_dir: Path) -> Path:
    """`<runs_dir>/<run id>.parquet`, written to a temp name and renamed: readers see the whole
    file or none. A retried publish of the same run replaces it with its later figures."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    runs_dir.mkdir(parents=True, exist_ok=True)
    target = runs_dir / f"{row['run_id']}.parquet"
    with atomic_path(target) as tmp:
        pq.write_table(pa.Table.from_pylist([row], schema=OPS_RUNS_SCHEMA), tmp)
    return target


def stages_by_step(job_def) -> dict[str, str | None]:
    """Step key -> stage for every executable node of a Dagster asset job."""
    stages: dict[str, str | None] = {}
    for assets_def in job_def.asset_layer.asset_graph.assets_defs:
        if not assets_def.is_executable:
            continue
        specs = list(assets_def.specs)
        stages[assets_def.node_def.name] = stage_of(
            {s.group_name for s in specs if s.group_name},
            {kind for s in specs for kind in s.kinds},
            bool(assets_def.keys),
        )
    return stages


def record_run(
    instance, run, job_def, runs_dir: Path, extra_rows: Mapping[str, int] | None = None
) -> Path:
    """Build a run's row from its event log so far and write its record."""
    import time

    from dagster import DagsterEventType

    entries = instance.all_logs(
        run.run_id, of_type={DagsterEventType(kind) for kind in EVENT_TYPES}
    )
    record = instance.get_run_record_by_id(run.run_id)
    row = run_row(
        run_id=run.run_id,
        job_name=run.job_name,
        tags=run.tags,
        started_at=record.start_time if record else None,
        recorded_at=time.time(),
        events=step_events(entries),
        stage_by_step=stages_by_step(job_def),
        extra_rows=extra_rows,
    )
    return write_run_record(row, runs_dir)


def record_if_missing(instance, run, job_def, runs_dir: Path) -> Path:
    """A finished run's record, unless its publish step already wrote it (with the rows it
    published): for the runs that do not publish, whoever launched them."""
    target = runs_dir / f"{run.run_id}.parquet"
    return target if target.exists() else record_run(instance, run, job_def, runs_dir)


def record_current_run(context, runs_dir: Path, extra_rows: Mapping[str, int]) -> Path:
    """This run's record, from inside its publish step (so the copy it publishes lists it)."""
    return record_run(context.instance, context.run, context.job_def, runs_dir, extra_rows)
