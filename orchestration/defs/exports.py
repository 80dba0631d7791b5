"""Exports and the analysts' publish; both sit downstream of the blocking checks."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from exports.marts_copy import publish_marts
from exports.usage_daily import export_usage_daily
from orchestration.defs.dbt import dbt_project, model_key
from orchestration.owners import ANALYTICS, DATA_PLATFORM
from orchestration.pools import WAREHOUSE_POOL
from orchestration.resources import Lake, Warehouse

USAGE_DAILY = model_key("usage_daily")


def mart_keys() -> list[AssetKey]:
    """Every dbt model built in the marts schema: what the analysts' copy contains (the views
    under models/marts/ that the quality checks read are built in the intermediate schema)."""
    import json

    manifest = json.loads(dbt_project.manifest_path.read_text())
    names = sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    )
    return [model_key(name) for name in names]


@asset(
    pool=WAREHOUSE_POOL,
    key=AssetKey(["exports", "usage_daily"]),
    deps=[USAGE_DAILY],
    group_name="exports",
    owners=[DATA_PLATFORM],
    kinds={"csv"},
    description="exports/usage_daily/<export id>/usage_daily.csv with its manifest.json: the "
    "daily usage snapshot, written once per content (a rerun with nothing new writes nothing; "
    "no usage delivered, nothing written).",
)
def usage_daily_export(
    context: AssetExecutionContext, lake: Lake, warehouse: Warehouse
) -> MaterializeResult:
    batch = export_usage_daily(
        warehouse.path, lake.exports_uri, {"gx_usage_daily": "passed", "run_id": context.run_id}
    )
    if batch is None:
        context.log.warning("usage_daily is empty (no usage delivered): no snapshot written")
        return MaterializeResult(metadata={"written": False, "rows": 0})
    context.log.info(
        f"export {batch.export_id}: "
        + ("written" if batch.written else "unchanged, nothing written")
    )
    return MaterializeResult(
        metadata={
            "export_id": batch.export_id,
            "written": batch.written,
            "directory": str(batch.directory),
            "rows": sum(f.rows for f in batch.files),
        }
    )


@asset(
    pool=WAREHOUSE_POOL,
    key=AssetKey(["published", "marts"]),
    # the ERP export first: the copy carries its ledger and batches (export_batches)
    deps=[*mart_keys(), AssetKey(["exports", "erp_journals"])],
    group_name="publish",
    owners=[ANALYTICS],
    kinds={"duckdb"},
)
def published_marts(
    context: AssetExecutionContext, lake: Lake, warehouse: Warehouse
) -> MaterializeResult:
    """The analysts' copy, with `ops_runs`: this run's record (lake/ops/runs/<run id>.parquet) is
    written once the marts are copied, so the copy it lands in already lists this run."""
    from orchestration.run_record import record_current_run

    runs_dir = lake.run_records
    records = []

    def record_run(copied: dict[str, int]) -> None:
        records.append(record_current_run(context, runs_dir, {"publish": sum(copied.values())}))

    counts = publish_marts(
        warehouse.path, warehouse.published, runs_dir=runs_dir, on_copied=record_run
    )
    return MaterializeResult(
        metadata={
            "path": str(warehouse.published),
            **({"run_record": str(records[0])} if records else {}),
            **{f"rows.{t}": n for t, n in counts.items()},
        }
    )
