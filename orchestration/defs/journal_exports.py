"""The ERP journal export: downstream of the blocking journal gate, so a failing gate means no
file. The work is in `exports.erp_journals`; this module only wires it."""

from dagster import AssetExecutionContext, AssetKey, Config, MaterializeResult, MetadataValue, asset
from dagster_dbt import get_asset_key_for_model

from expectations.journal_gate import SUITES as GATE_SUITES
from expectations.validate import saved_outcomes
from exports.erp_journals import export_journals
from orchestration.defs.dbt import warehouse_models
from orchestration.settings import Settings

ERP_JOURNALS = AssetKey(["exports", "erp_journals"])
# ops_landing_batches gives the watermark the manifest records and the files are dated by
UPSTREAM_MODELS = (
    "journal_lines",
    "legal_entities",
    "fiscal_periods",
    "customers",
    "ops_landing_batches",
)


class JournalExportConfig(Config):
    """mode `detail`: one ERP line per journal line; `summary`: one journal per entity, day and
    currency with one line per account and dimensions (the ledger keeps the drill-down)."""

    mode: str = "detail"


@asset(
    key=ERP_JOURNALS,
    deps=[get_asset_key_for_model([warehouse_models], m) for m in UPSTREAM_MODELS],
    group_name="exports",
    kinds={"csv", "parquet"},
    description="NetSuite CSV, Oracle FBDI and canonical journal files per legal entity and "
    "period, with manifest.json; new and corrected journals only, each sent once.",
)
def erp_journal_export(
    context: AssetExecutionContext, config: JournalExportConfig
) -> MaterializeResult:
    settings = Settings.from_env()
    checks = saved_outcomes(settings.gx_dir / "validations", context.run.run_id, GATE_SUITES)
    result = export_journals(settings.warehouse, settings.exports, mode=config.mode, checks=checks)
    if result.batch is None:
        context.log.info("ERP journals: nothing new to export, nothing written")
    else:
        context.log.info(
            f"ERP journals: batch {result.batch.export_id} with {result.journals} journals "
            f"({result.reversals} reversals, {result.corrections} corrections), "
            f"{len(result.batch.files)} files in {result.batch.directory}"
        )
    for name, reason in result.skipped.items():
        context.log.warning(f"ERP journals: {name} not produced: {reason}")
    return MaterializeResult(
        metadata={
            "export_batch_id": result.batch.export_id if result.batch else None,
            "written": bool(result.batch and result.batch.written),
            "directory": str(result.batch.directory) if result.batch else None,
            "rows": result.lines,
            "lines": result.lines,
            "journals": result.journals,
            "reversals": result.reversals,
            "corrections": result.corrections,
            "skipped_files": MetadataValue.json(result.skipped),
        }
    )
