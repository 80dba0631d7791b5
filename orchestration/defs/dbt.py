"""The warehouse: the dbt project as Dagster assets; dbt tests become asset checks.

Every model, seed and snapshot dbt built carries its row count (`dagster/row_count`). dagster-dbt's
`fetch_row_counts()` opens one adapter connection per node inside this process and keeps a
read-write DuckDB handle open, which then refuses the read-only connections the quality checks
open in the same process; so the counts are taken here, after dbt has exited (and released its
write lock), over one read-only connection.
"""

import time
from collections.abc import Iterable
from pathlib import Path

import duckdb
from dagster import AssetExecutionContext, AssetMaterialization, MetadataValue, Output
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_project import make_dbt_project
from orchestration.settings import Settings

ROW_COUNT = "dagster/row_count"  # the key Dagster's UI shows as the asset's row count

dbt_project = make_dbt_project()
dbt_project.prepare_if_dev()


def count_rows(warehouse: Path, relations: dict[str, tuple[str, str]]) -> dict[str, int]:
    """Rows per relation, by key: {key: (schema, name)}; a relation that cannot be counted is
    left out rather than failing the build."""
    counts: dict[str, int] = {}
    if not relations:
        return counts
    with duckdb.connect(str(warehouse), read_only=True) as con:
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


def _exhaust(stream: Iterable) -> tuple[list, Exception | None]:
    events: list = []
    try:
        for event in stream:
            events.append(event)
    except Exception as error:  # dbt failed: still report what it built, then fail the step
        return events, error
    return events, None


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project)
def warehouse_models(context: AssetExecutionContext, dbt: DbtCliResource):
    invocation = dbt.cli(["build"], context=context)
    # the dbt process holds the warehouse's write lock until it exits: collect, then count
    events, error = _exhaust(invocation.stream())
    started = time.perf_counter()
    counted = with_row_counts(events, invocation.manifest, Settings.from_env().warehouse)
    context.log.info(f"row counts taken in {time.perf_counter() - started:.2f} s")
    yield from counted
    if error is not None:
        raise error
