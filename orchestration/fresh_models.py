"""Which models of a run need no rebuild: Dagster finds them FRESH (their code versions and
their inputs' data versions are those of their last materialization, orchestration.data_versions)
and their relation is in the warehouse. The runner leaves them out of the run, so an intra-day
append of usage rebuilds what reads usage, not the billing, CRM and ERP models beside it: the
unpartitioned ones (staging, dimensions) and the billing-period ones (the billing, ERP and cash
reconciliations), whose partitions of the run must each be FRESH.

The check is Dagster's own stale-status resolver (what `RunRequest(stale_assets_only=True)`
uses in sensors and schedules); the in-process runner has no workspace, so it builds the
resolver's asset-graph view itself. The warehouse check catches what Dagster cannot see: a
warehouse deleted or rebuilt outside a run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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


def fresh_keys(
    instance, asset_graph, specs: Iterable, warehouse: Path, partition_keys: Sequence = (None,)
) -> list:
    """The keys of `specs` (asset specs of dbt nodes) to keep as they are: FRESH in Dagster's
    eyes (a partitioned one: in each of `partition_keys`, the run's partitions), their relation in
    `warehouse`, every check of theirs passed when it last ran (dbt tests and the quality gates),
    and none of their ancestors among `specs` to be rebuilt.
    (Dagster's status looks one step up: a model whose parent is stale is itself FRESH until
    the parent is rebuilt; a run rebuilds the parent, so it rebuilds the model. A model whose
    test failed, or never finished, is rebuilt so its tests run again: kept, it would let what
    reads it build on rows its test refused.)"""
    from dagster._core.asset_graph_view.asset_graph_view import AssetGraphView, TemporalContext
    from dagster._core.definitions.data_version import CachingStaleStatusResolver, StaleStatus
    from dagster._core.storage.event_log.base import AssetRecord
    from dagster._time import get_current_datetime

    specs = list(specs)
    present = relations_in(warehouse)
    view = AssetGraphView(
        temporal_context=TemporalContext(effective_dt=get_current_datetime(), last_event_id=None),
        instance=instance,
        asset_graph=asset_graph,
    )
    # every asset record in one query, not one per asset as the resolver reaches it
    AssetRecord.prepare(view, asset_graph.get_all_asset_keys())
    resolver = CachingStaleStatusResolver(instance, asset_graph, view)
    keys = {spec.key for spec in specs}
    rebuild = {
        spec.key
        for spec in specs
        if relation_of(spec) not in present
        or any(resolver.get_status(spec.key, p) != StaleStatus.FRESH for p in partition_keys)
    }
    rebuild |= unchecked(instance, asset_graph.get_check_keys_for_assets(keys))
    return sorted(keys - downstream_within(rebuild, keys, asset_graph), key=str)


def unchecked(instance, check_keys: Iterable) -> set:
    """The assets with a check among `check_keys` whose last execution did not pass (failed, or
    planned and never finished) or that never ran. A warning is no refusal: a reconciliation's
    open variances (a WARN check) are findings, and a rebuild from the same inputs finds them
    again."""
    from dagster import AssetCheckSeverity
    from dagster._core.storage.asset_check_execution_record import (
        AssetCheckExecutionRecordStatus,
    )

    def passed(record) -> bool:
        if record.status == AssetCheckExecutionRecordStatus.SUCCEEDED:
            return True
        failed = record.status == AssetCheckExecutionRecordStatus.FAILED
        evaluation = record.evaluation if failed else None
        return evaluation is not None and evaluation.severity == AssetCheckSeverity.WARN

    check_keys = list(check_keys)
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
    return {k.asset_key for k in check_keys if k not in latest or not passed(latest[k])}


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
