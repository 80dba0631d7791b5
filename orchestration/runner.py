"""Run the jobs in-process, in order, on the instance under the data dir: what `u2c run`,
`u2c demo`, `u2c bench` and `u2c replay` do. A partition range is one Dagster run (the
partitioned assets have a single-run backfill policy, so dbt runs once for the whole range).

A pipeline run is a sequence: land the inbox, then the usage days the lake covers, then its
billing periods (with the ERP export and close report when closing). Runs that do not publish
the analysts' copy leave their `ops_runs` record here; the next publish carries it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from orchestration import up_to_date
from orchestration.jobs import CLOSE_JOB, LANDING_JOB, PERIODS_JOB, USAGE_JOB
from orchestration.settings import Settings
from sources import lake_fs

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


# What dates the landed data covers, per table: usage event days, file delivery days, and the
# dates of the billing and ERP documents, so a delivery without usage (billing or ERP extracts
# only) still builds and closes the periods its documents fall in.
SPAN_COLUMNS = [
    ("cast(time as date)", ("raw", "usage", "events")),
    # the landing ledger only: _ledger/export_ledger (what the ERP exports sent) has no delivery
    ("cast(file_delivered_at as date)", ("_ledger", "landing_batches")),
    ("cast(created as date)", ("raw", "billing", "invoices")),
    ("cast(created as date)", ("raw", "billing", "credit_notes")),
    ("cast(created as date)", ("raw", "billing", "charges")),
    ("cast(created as date)", ("raw", "billing", "refunds")),
    ("trandate", ("raw", "erp", "transaction")),
]


def data_span(lake: Path | str) -> DataSpan | None:
    """The UTC days the landed data covers (SPAN_COLUMNS), in a local lake or on s3://."""
    days: list[date] = []
    store = lake_fs.Lake.at(str(lake))
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        store.let_duckdb_read(con)
        for expression, parts in SPAN_COLUMNS:
            files = store.files(store.uri(*parts), "*.parquet")
            if files:
                found = con.execute(
                    f"select min({expression}), max({expression}) "
                    "from read_parquet(?, union_by_name = true)",
                    [files],
                ).fetchone()
                days += [d for d in found if d is not None]
    return DataSpan(min(days), max(days)) if days else None


def clamp(span: DataSpan, first: date, last: date) -> DataSpan | None:
    """The span within the partitions that exist (U2C_PARTITIONS_START to today)."""
    clamped = DataSpan(max(span.first_day, first), min(span.last_day, last))
    return clamped if clamped.first_day <= clamped.last_day else None


def partition_bounds() -> tuple[date, date]:
    from orchestration.partitions import usage_days

    keys = usage_days.get_partition_keys()
    return date.fromisoformat(keys[0]), date.fromisoformat(keys[-1])


def ready(settings: Settings, say: Callable[[str], None] | None = None) -> None:
    """Before the first run in this process: export the data dir's environment, create its
    folders and instance config, and parse the dbt project if it changed."""
    import time

    from orchestration.dbt_project import make_dbt_project, prepare

    settings.apply()
    started = time.perf_counter()
    if prepare(make_dbt_project()) and say is not None:
        say(f"dbt project parsed in {time.perf_counter() - started:.1f} s (new or changed)")


def execute(
    job_name: str,
    *,
    key_range: tuple[str, str] | None = None,
    tags=None,
    skip=(),
    run_config: dict | None = None,
):
    """One in-process run of a job (over a partition range), recorded in the instance; `skip`:
    asset keys of the job not to materialize this time; `run_config`: its loggers (default:
    Dagster's console logger at INFO; `u2c` passes orchestration.console's)."""
    from dagster import DagsterInstance

    from orchestration.dead_runs import process_tag, reap_dead_runs
    from orchestration.definitions import defs
    from orchestration.run_record import record_if_missing

    job = defs.resolve_job_def(job_name)
    run_tags = dict(tags or {}) | process_tag()
    if key_range is not None:
        run_tags |= {RANGE_START: key_range[0], RANGE_END: key_range[1]}
    selection = None
    if skip:
        selection = [k for k in job.asset_layer.executable_asset_keys if k not in set(skip)]
    with DagsterInstance.get() as instance:
        reap_dead_runs(instance)  # a killed u2c's runs would hold the warehouse slot forever
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config=run_config or CONSOLE,
            tags=run_tags,
            asset_selection=selection,
        )
        runs_dir = Settings.from_env().run_records
        record_if_missing(instance, instance.get_run_by_id(result.run_id), job, runs_dir)
    return result


def fresh_models(assets_def, what: str, partition_keys=(None,), say=None) -> list:
    """The models of `assets_def` that need no rebuild in the run's partitions
    (orchestration.fresh_models): nothing they read or run changed since they were built. `say`
    hears how many of the `what` are kept."""
    from dagster import DagsterInstance

    from orchestration.definitions import defs
    from orchestration.fresh_models import fresh_keys

    with DagsterInstance.get() as instance:
        fresh = fresh_keys(
            instance,
            defs.resolve_asset_graph(),
            assets_def.specs,
            Settings.from_env().warehouse,
            partition_keys,
        )
    if fresh and say is not None:
        total = len(assets_def.keys)
        say(f"{len(fresh)} of {total} {what} fresh (inputs and code unchanged): kept")
    return fresh


def refresh_days(
    span: DataSpan,
    *,
    tags: dict | None = None,
    run_config: dict | None = None,
    say: Callable[[str], None] | None = None,
):
    """`refresh_usage` over the span's days, without its landing step (landed just before) and
    without the unpartitioned models that are fresh."""
    from orchestration.defs.dbt import warehouse_models
    from orchestration.defs.landing import LANDING_SPECS

    skip = [spec.key for spec in LANDING_SPECS]
    fresh = fresh_models(warehouse_models, "unpartitioned models", say=say)
    return execute(
        USAGE_JOB, key_range=span.days, tags=tags, skip=skip + fresh, run_config=run_config
    )


def refresh_periods(
    span: DataSpan,
    *,
    tags: dict | None = None,
    run_config: dict | None = None,
    say: Callable[[str], None] | None = None,
):
    """`refresh_periods` over the span's months, without the period models fresh in every one of
    them: after an append of usage, rating, the usage journals and the usage reconciliations are
    rebuilt, not the billing, ERP and cash ones. (The close runs every model and gate: its
    report and its export are judged on the gates of their own run.)"""
    from dagster import PartitionKeyRange

    from orchestration.defs.dbt import period_models
    from orchestration.partitions import billing_periods

    months = billing_periods.get_partition_keys_in_range(PartitionKeyRange(*span.months))
    fresh = fresh_models(period_models, "period models", months, say)
    return execute(PERIODS_JOB, key_range=span.months, tags=tags, skip=fresh, run_config=run_config)


def run_inputs(settings: Settings, close: bool = True) -> dict:
    return up_to_date.inputs(settings, os.environ, up_to_date.utc_today(), close)


def nothing_new(settings: Settings, close: bool = True) -> str | None:
    """The one line to say when the last complete pipeline run left everything as it is now (no
    new inbox file, partition, code or setting, no other writer since): nothing to run. None when
    there is something to do. Cheap: file metadata and the source files, no Dagster."""
    stamp = up_to_date.is_up_to_date(settings, run_inputs(settings, close))
    if stamp is None:
        return None
    return (
        f"nothing new since the last complete run (finished {stamp['finished_at']}): inbox, "
        "lake, warehouse, code and settings unchanged; nothing to run"
    )


def run_pipeline(
    settings: Settings,
    *,
    close: bool = True,
    land: bool = True,
    tags: dict | None = None,
    on_run: Callable | None = None,
    run_config: dict | None = None,
    say: Callable[[str], None] | None = None,
) -> list:
    """Land the inbox, build the usage days the lake covers, then its billing periods; stops at
    the first failed run. Returns the runs' results in order; `say` hears what starts."""
    say = say or (lambda _message: None)
    # the inbox as it is now: a file delivered while this runs is new to the next run
    started_from = run_inputs(settings, close)
    up_to_date.clear_stamp(settings)  # a run that stops part-way leaves no stamp
    results = _run_sequence(settings, close, land, tags, on_run, run_config, say)
    if land and results and all(r.success for r in results):
        up_to_date.write_stamp(settings, started_from, [r.run_id for r in results])
    return results


def _run_sequence(settings, close, land, tags, on_run, run_config, say) -> list:
    results = []

    def step(result) -> bool:
        results.append(result)
        if on_run is not None:
            on_run(result)
        return result.success

    if land:
        say(f"{LANDING_JOB}: landing the inbox")
        if not step(execute(LANDING_JOB, tags=tags, run_config=run_config)):
            return results
    span = data_span(settings.lake_uri)
    bounds = partition_bounds()
    if span is not None and span.first_day < bounds[0]:
        say(
            f"the lake holds data from {span.first_day}, before the first partition {bounds[0]}: "
            f"those days are not built; set U2C_PARTITIONS_START="
            f"{span.first_day.replace(day=1)} to build them"
        )
    span = clamp(span, *bounds) if span else None
    if span is None:
        say("nothing landed yet: no usage days or billing periods to build")
        return results
    say(f"{USAGE_JOB}: usage days {span.days[0]}..{span.days[1]}")
    if not step(refresh_days(span, tags=tags, run_config=run_config, say=say)):
        return results
    job = CLOSE_JOB if close else PERIODS_JOB
    say(f"{job}: billing periods {span.months[0][:7]}..{span.months[1][:7]}")
    if close:
        step(execute(job, key_range=span.months, tags=tags, run_config=run_config))
    else:
        step(refresh_periods(span, tags=tags, run_config=run_config, say=say))
    return results


def run_intraday(settings: Settings, day: date, *, tags: dict | None = None) -> list:
    """The intra-day path for `day`: land what arrived, refresh that usage day, then refresh its
    billing period's rating, journals and reconciliation (no ERP export)."""
    span = DataSpan(day, day)
    results = [execute(LANDING_JOB, tags=tags)]
    if results[-1].success:
        results.append(refresh_days(span, tags=tags))
    if results[-1].success:
        results.append(refresh_periods(span, tags=tags))
    return results
