"""Which models of a run need no rebuild: Dagster finds them FRESH (their code versions and
their inputs' data versions are those of their last materialization, orchestration.data_versions)
and their relation is in the warehouse. The runner leaves them out of the run, so an intra-day
append of usage rebuilds what reads usage, not the billing, CRM and ERP models beside it.

The check is Dagster's own stale-status resolver (what `RunRequest(stale_assets_only=True)`
uses in sensors and schedules); the in-process runner has no workspace, so it builds the
resolver's asset-graph view itself. The warehouse check catches what Dagster cannot see: a
warehouse deleted or rebuilt outside a run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb

from sources.lake_fs import connect_warehouse

TABLE_NAME = "dagster/table_name"  # dagster-dbt's "<database>.<schema>.<name>" of a node


def relations_in(warehouse: Path) -> set[tuple[str, str]]:
    """(schema, name) of every table and view in the warehouse; none when it does not exist."""
    if not warehouse.exists():
        return set()
    try:
        with connect_warehouse(warehouse) as con:
            rows = con.execute("select table_schema, table_name from information_schema.tables")
            return {(schema, name) for schema, name in rows.fetchall()}
    except duckdb.Error:
        return set()  # unreadable: everything is rebuilt


def fresh_keys(instance, asset_graph, specs: Iterable, warehouse: Path, check_specs=()) -> list:
    """The keys of `specs` (unpartitioned asset specs of dbt nodes) to keep as they are: FRESH in
    Dagster's eyes, their relation in `warehouse`, every check of theirs among `check_specs`
    passed when it last ran, and none of their ancestors among `specs` to be rebuilt.
    (Dagster's status looks one step up: a model whose parent is stale is itself FRESH until
    the parent is rebuilt; a run rebuilds the parent, so it rebuilds the model. A model whose
    test failed, or never finished, is rebuilt so its tests run again: kept, it would let what
    reads it build on rows its test refused.)"""
    from dagster._core.asset_graph_view.asset_graph_view import AssetGraphView, TemporalContext
    from dagster._core.definitions.data_version import CachingStaleStatusResolver, StaleStatus
    from dagster._time import get_current_datetime

    specs = list(specs)
    present = relations_in(warehouse)
    view = AssetGraphView(
        temporal_context=TemporalContext(effective_dt=get_current_datetime(), last_event_id=None),
        instance=instance,
        asset_graph=asset_graph,
    )
    resolver = CachingStaleStatusResolver(instance, asset_graph, view)
    keys = {spec.key for spec in specs}
    rebuild = {
        spec.key
        for spec in specs
        if relation_of(spec) not in present or resolver.get_status(spec.key) != StaleStatus.FRESH
    }
    rebuild |= unchecked(instance, [c for c in check_specs if c.asset_key in keys])
    return sorted(keys - downstream_within(rebuild, keys, asset_graph), key=str)


def unchecked(instance, check_specs: list) -> set:
    """The assets of `check_specs` with a check whose last execution did not pass (failed, or
    planned and never finished) or that never ran."""
    from dagster._core.storage.asset_check_execution_record import (
        AssetCheckExecutionRecordStatus,
    )

    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [c.key for c in check_specs]
    )
    passed = AssetCheckExecutionRecordStatus.SUCCEEDED
    return {
        c.asset_key for c in check_specs if c.key not in latest or latest[c.key].status != passed
    }


def relation_of(spec) -> tuple[str, ...]:
    return tuple(str(spec.metadata.get(TABLE_NAME, "")).split(".")[-2:])


def downstream_within(roots: set, keys: set, asset_graph) -> set:
    """`roots` and every key of `keys` below one of them."""
    seen, stack = set(roots), list(roots)
    while stack:
        for child in asset_graph.get(stack.pop()).child_keys:
            if child in keys and child not in seen:
                seen.add(child)
                stack.append(child)
    return seen
