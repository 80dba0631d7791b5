"""The warehouse: the dbt project as Dagster assets; dbt tests become asset checks.

Four groups of models, by their dbt tag (dbt_project.yml): `usage_day` models are partitioned by
UTC day, `billing_period` models by billing month, the rest (seeds, staging, dimensions) are not
partitioned; the `export_confirmation` models (billing months too) read the export ledger, so
they build after the ERP journal export, apart from the other period models it depends on. A
partition range runs dbt once (single-run backfill policy), with the window in dbt's environment
(`orchestration.partitions.dbt_window_env`). Every dbt step takes the warehouse pool's one slot:
one writer at a time.

Every model, seed and snapshot dbt built carries its row count (`dagster/row_count`). dagster-dbt's
`fetch_row_counts()` opens one adapter connection per node inside this process and keeps a
read-write DuckDB handle open, which then refuses the read-only connections the quality checks
open in the same process; so the counts are taken here, after dbt has exited (and released its
write lock), over one read-only connection.
"""

import contextlib
import os
import signal
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    BackfillPolicy,
    MetadataValue,
    Output,
)
from dagster_dbt import DbtCliResource, dbt_assets, get_asset_key_for_model

from orchestration.data_versions import VersionedTranslator, project_digest
from orchestration.dbt_in_process import DbtThread
from orchestration.dbt_project import make_dbt_project, prepare
from orchestration.partitions import billing_periods, dbt_window_env, usage_days
from orchestration.pools import WAREHOUSE_POOL
from orchestration.resources import Warehouse
from sources.faults import fault_point
from sources.lake_fs import connect_warehouse

ROW_COUNT = "dagster/row_count"  # the key Dagster's UI shows as the asset's row count

dbt_project = make_dbt_project()
# parse when the manifest is missing or older than the project, not only under `dagster dev`:
# the code location then loads anywhere (`dagster definitions validate`, a fresh data dir)
prepare(dbt_project)
# code versions over the whole project and its settings: what makes a model stale besides new
# data (orchestration.data_versions)
TRANSLATOR = VersionedTranslator(project_digest(Path(dbt_project.project_dir), os.environ))


def count_rows(warehouse: Path, relations: dict[str, tuple[str, str]]) -> dict[str, int]:
    """Rows per relation, by key: {key: (schema, name)}; a relation that cannot be counted is
    left out rather than failing the build."""
    counts: dict[str, int] = {}
    if not relations:
        return counts
    with connect_warehouse(warehouse) as con:
        for key, (schema, name) in relations.items():
            try:
                counts[key] = con.execute(
                    'select count(*) from "{}"."{}"'.format(
                        schema.replace('"', '""'), name.replace('"', '""')
                    )
                ).fetchone()[0]
            except duckdb.Error:
                continue
    return counts


def _unique_id(event) -> str | None:
    value = event.metadata.get("unique_id")
    return getattr(value, "text", value)


def with_row_counts(events: list, manifest: dict, warehouse: Path) -> list:
    """The events, each materialization with its relation's row count attached."""
    relations = {}
    for event in events:
        uid = _unique_id(event) if isinstance(event, (Output, AssetMaterialization)) else None
        node = manifest["nodes"].get(uid) if uid else None
        # views are left out: counting one re-reads everything below it (at scale, the raw lake)
        if node and node.get("config", {}).get("materialized") != "view":
            relations[uid] = (node["schema"], node.get("alias") or node["name"])
    counts = count_rows(warehouse, relations)
    return [
        event.with_metadata({**event.metadata, ROW_COUNT: MetadataValue.int(counts[uid])})
        if uid in counts
        else event
        for event, uid in ((e, _unique_id(e)) for e in events)
    ]


def _exhaust(stream: Iterable, step: str = "dbt") -> tuple[list, Exception | None]:
    events: list = []
    try:
        for event in stream:
            events.append(event)
            fault_point(f"{step}.event")  # crash trials: a kill in the middle of a dbt build
    except Exception as error:  # dbt failed: still report what it built, then fail the step
        return events, error
    return events, None


@contextlib.contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    """os.environ with `values` set, restored after: dbt reads os.environ. Steps that run dbt
    hold the warehouse pool's one slot, so no two at once."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def build(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: Warehouse,
    window: dict[str, str] | None = None,
) -> Iterator:
    """`dbt build` of the step's selected models (dagster-dbt passes the selection) into
    `warehouse`, with the row counts of what it built; `window` (env vars) is the run's
    partition window."""
    # dbt unit tests check the SQL, not the data: they run in the test suite
    # (tests/integration/test_dbt_unit_tests.py), not in every production build (dbt's advice)
    args = ["build", "--exclude-resource-type", "unit_test"]
    if window:
        bounds = ", ".join(f"{name}={value}" for name, value in window.items())
        context.log.info(f"dbt partition window: {bounds}")
    # dbt's profile reads the data dir from U2C_DATA_DIR: the warehouse resource's; dbt runs in
    # this process (orchestration.dbt_in_process) and reads the environment while it builds
    with _environ({"U2C_DATA_DIR": warehouse.data_dir, **(window or {})}):
        invocation = dbt.cli(args, context=context)
        # dbt holds the warehouse's write lock until it has finished: collect, then count
        events, error = _exhaust(invocation.stream(), f"dbt.{context.op_def.name}")
    if error is not None:
        # a stream that broke off (not dbt failing) can leave dbt running with the warehouse's
        # write lock: stop it, and report the error, not a lock conflict while counting
        _stop(invocation.process)
        yield from events
        raise error
    fault_point(f"dbt.{context.op_def.name}.built")
    started = time.perf_counter()
    counted = with_row_counts(events, invocation.manifest, warehouse.path)
    context.log.info(f"row counts taken in {time.perf_counter() - started:.2f} s")
    yield from counted


def _stop(process: DbtThread, timeout: float = 30) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # dbt's own shutdown: it cancels its queries
        if process.wait(timeout=timeout) is None:
            process.kill()
            process.wait()


USAGE_DAY = "tag:usage_day"
BILLING_PERIOD = "tag:billing_period"
# what was sent to the ERP against what it posted (rec_exports_erp) and the summary including it:
# read the export ledger the ERP journal export writes, so they build after that asset
EXPORT_CONFIRMATION = "tag:export_confirmation"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=TRANSLATOR,
    exclude=f"{USAGE_DAY} {BILLING_PERIOD}",
    pool=WAREHOUSE_POOL,
)
def warehouse_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    """Seeds, staging and the dimensions: not partitioned."""
    yield from build(context, dbt, warehouse)


def partitioned_models(
    name: str, tag: str, partitions_def, window_kind: str, doc: str, exclude: str | None = None
):
    """The models tagged `tag` (but `exclude`), partitioned by `partitions_def`; a range of
    partitions is one dbt build with the window as `U2C_<WINDOW_KIND>_WINDOW_START/END` in its
    environment."""

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        dagster_dbt_translator=TRANSLATOR,
        select=tag,
        exclude=exclude,
        name=name,
        partitions_def=partitions_def,
        backfill_policy=BackfillPolicy.single_run(),
        pool=WAREHOUSE_POOL,
    )
    def models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
        window = dbt_window_env(window_kind, context.partition_time_window)
        yield from build(context, dbt, warehouse, window)

    models.__doc__ = doc
    return models


usage_models = partitioned_models(
    "usage_models", USAGE_DAY, usage_days, "usage", "Deduplicated usage and the daily usage marts."
)
period_models = partitioned_models(
    "period_models",
    BILLING_PERIOD,
    billing_periods,
    "period",
    "Rating, journals, reconciliation.",
    exclude=EXPORT_CONFIRMATION,
)
confirmation_models = partitioned_models(
    "confirmation_models",
    EXPORT_CONFIRMATION,
    billing_periods,
    "period",
    "Export <-> ERP confirmation (rec_exports_erp) and the reconciliation summary: after the ERP "
    "journal export of the run, when there is one.",
)


DBT_ASSETS = [warehouse_models, usage_models, period_models, confirmation_models]


def model_key(name: str) -> AssetKey:
    """The asset key of a dbt model, whichever group builds it (the three share one manifest
    and translator, and dagster-dbt resolves a name through exactly one of them)."""
    return get_asset_key_for_model([warehouse_models], name)
