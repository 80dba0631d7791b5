"""The ERP journal export and the close report, per billing month: downstream of the blocking
journal gate, so a failing gate means no file. The work is in `exports.erp_journals` and
`exports.close_report`; this module only wires them."""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
)

from expectations.journal_gate import SUITES as GATE_SUITES
from expectations.validate import run_outcomes, saved_outcomes
from exports.close_page import write_close_page
from exports.close_report import write_close_report
from exports.erp_journals import export_journals
from orchestration.defs.dbt import model_key
from orchestration.owners import FINANCE_SYSTEMS
from orchestration.partitions import billing_periods, period_keys
from orchestration.pools import WAREHOUSE_POOL
from orchestration.resources import Lake, Warehouse

ERP_JOURNALS = AssetKey(["exports", "erp_journals"])
CLOSE_REPORT = AssetKey(["exports", "close_report"])
# ops_landing_batches gives the watermark the manifest records and the files are dated by
UPSTREAM_MODELS = (
    "journal_lines",
    "legal_entities",
    "fiscal_periods",
    # the posting periods a reversal takes its posting from
    "int_posting_periods",
    "customers",
    "ops_landing_batches",
)


class JournalExportConfig(Config):
    """mode `detail`: one ERP line per journal line; `summary`: one journal per entity, day and
    currency with one line per account and dimensions (the ledger keeps the drill-down)."""

    mode: str = "detail"


@asset(
    pool=WAREHOUSE_POOL,
    key=ERP_JOURNALS,
    deps=[model_key(m) for m in UPSTREAM_MODELS],
    group_name="exports",
    owners=[FINANCE_SYSTEMS],
    kinds={"csv", "parquet"},
    partitions_def=billing_periods,
    backfill_policy=BackfillPolicy.single_run(),
    description="NetSuite CSV, Oracle FBDI and canonical journal files per legal entity and "
    "period, with manifest.json; new and corrected journals of the run's periods only, each "
    "sent once.",
)
def erp_journal_export(
    context: AssetExecutionContext,
    config: JournalExportConfig,
    lake: Lake,
    warehouse: Warehouse,
) -> MaterializeResult:
    checks = saved_outcomes(lake.gx_dir / "validations", context.run.run_id, GATE_SUITES)
    periods = period_keys(context.partition_time_window)
    result = export_journals(
        warehouse.path,
        lake.exports_uri,
        mode=config.mode,
        periods=periods,
        checks=checks,
        ledger_mirror=lake.export_ledger_uri,
    )
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
            "periods": MetadataValue.json(periods),
            "skipped_files": MetadataValue.json(result.skipped),
        }
    )


@asset(
    key=CLOSE_REPORT,
    pool=WAREHOUSE_POOL,
    deps=[ERP_JOURNALS, model_key("rec_summary")],
    group_name="exports",
    owners=[FINANCE_SYSTEMS],
    kinds={"json"},
    partitions_def=billing_periods,
    backfill_policy=BackfillPolicy.single_run(),
    description="close/<YYYY-MM>/close_report.json and close_report.html (the page finance "
    "reads): per legal entity the tie-out usage -> billed -> receivable -> cash, the "
    "reconciliation statuses with open variances and their aging, late and unbilled usage, the "
    "journals needing review, the export files with their checksums; the run's quality gates.",
)
def close_report(
    context: AssetExecutionContext, lake: Lake, warehouse: Warehouse
) -> MaterializeResult:
    gates = run_outcomes(lake.gx_dir / "validations", context.run.run_id)
    reports, pages = [], {}
    for period in period_keys(context.partition_time_window):
        reports.append(write_close_report(warehouse.path, lake.exports_uri, period))
        pages[period] = write_close_page(warehouse.path, lake.exports_uri, period, gates)[0]
    for r in reports:
        context.log.info(
            f"close report {r.period}: {r.open_items} open reconciliation items, "
            f"{r.unsent_journals} journals not sent; "
            + ("written" if r.written else "unchanged")
            + f" at {r.path}; page {pages[r.period]}"
        )
    return MaterializeResult(
        metadata={
            "reports": MetadataValue.json({r.period: str(r.path) for r in reports}),
            "pages": MetadataValue.json({p: str(path) for p, path in pages.items()}),
            "open_items": sum(r.open_items for r in reports),
            "unsent_journals": sum(r.unsent_journals for r in reports),
        }
    )
