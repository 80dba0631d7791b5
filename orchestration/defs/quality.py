"""Great Expectations suites as blocking asset checks: a failure stops exports and publish."""

from decimal import Decimal
from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    MetadataValue,
    asset_check,
)

from expectations.data_docs import build_data_docs
from expectations.dbt_rules import accepted_values
from expectations.journal_gate import (
    BALANCES_MODEL,
    LINES_MODEL,
    PARAMETER_MODELS,
    run_journal_gate,
)
from expectations.validate import SuiteResult, frame_from_duckdb, save_result, validate_dataframe
from orchestration.defs.dbt import dbt_project, model_key
from orchestration.inspect_marts import REC_MARTS
from orchestration.pools import WAREHOUSE_POOL
from orchestration.resources import Lake, Warehouse
from sources import lake_fs

USAGE_DAILY = model_key("usage_daily")
JOURNAL_LINES = model_key("journal_lines")


def check_result(context: AssetCheckExecutionContext, lake: Lake, results: list[SuiteResult]):
    """One check result from one or more suites; every suite's result is kept for the run and
    rendered into the Data Docs. A failure names the expectation and its offending rows in the
    description, the metadata and the run log."""
    run_dir = lake.gx_dir / "validations" / context.run.run_id
    saved = [str(save_result(r, run_dir.parent, context.run.run_id)) for r in results]
    docs = _data_docs(context, run_dir, lake.gx_dir / "data_docs", [r.suite for r in results])
    passed = all(r.success for r in results)
    description = "; ".join(r.describe() for r in results)
    if not passed:
        context.log.error(description)
    return AssetCheckResult(
        passed=passed,
        severity=AssetCheckSeverity.ERROR,
        description=description,
        metadata={
            "expectations": sum(r.evaluated for r in results),
            "rows": sum(r.rows for r in results),
            "failed": sum(len(r.failed) for r in results),
            "failures": [f"{r.suite}: {f.describe()}" for r in results for f in r.failed],
            "failed_rows": MetadataValue.json(
                [
                    {
                        "suite": r.suite,
                        "expectation": f.expectation,
                        "column": f.column,
                        "unexpected_count": f.unexpected_count,
                        "rows": f.rows,
                    }
                    for r in results
                    for f in r.failed
                ]
            ),
            "result_files": saved,
            **({"data_docs": MetadataValue.path(str(docs))} if docs else {}),
        },
    )


def _data_docs(
    context: AssetCheckExecutionContext, run_dir: Path, docs_dir: Path, suites: list[str]
) -> Path | None:
    """Render the suites' results into the Data Docs; the HTML is a view, so a failure to
    render it is logged and never decides the gate."""
    try:
        return build_data_docs(run_dir, docs_dir, suites)
    except Exception as error:
        context.log.warning(f"Data Docs not rendered: {error!r}")
        return None


@asset_check(asset=USAGE_DAILY, blocking=True, name="gx_usage_daily", pool=WAREHOUSE_POOL)
def gx_usage_daily(
    context: AssetCheckExecutionContext, lake: Lake, warehouse: Warehouse
) -> AssetCheckResult:
    """The usage_daily suite. With no usage landed at all (a delivery of billing or ERP
    extracts only) there is nothing to check: a warning that says so, never a failed run."""
    if not usage_landed(lake.uri):
        description = (
            "skipped: no usage events have landed (nothing in inbox/usage/ yet), so usage_daily "
            "is empty and no usage snapshot is exported"
        )
        context.log.warning(f"gx_usage_daily {description}")
        return AssetCheckResult(
            passed=False,
            severity=AssetCheckSeverity.WARN,
            description=description,
            metadata={"skipped": True, "rows": 0},
        )
    frame = frame_from_duckdb(warehouse.path, "marts.usage_daily")
    return check_result(context, lake, [validate_dataframe("usage_daily", frame)])


def usage_landed(lake: Path | str) -> bool:
    """Whether any usage event has landed (a batch with rows: not the table's empty schema file,
    nor the empty batch of an empty extract), in a local or s3:// lake. Reads Parquet footers
    only, up to the first hit."""
    import pyarrow.parquet as pq

    store = lake_fs.Lake.at(str(lake))
    files = store.files(store.uri("raw", "usage"), "*.parquet")
    return any(
        pq.read_metadata(store.open_input_file(f)).num_rows > 0
        for f in files
        if not f.rsplit("/", 1)[-1].startswith("_")
    )


# the gate reads dbt views over journal_lines and the ERP chart and periods, where the dbt tests
# of the same rules live: they are the check's inputs
@asset_check(
    asset=JOURNAL_LINES,
    additional_deps=[
        model_key(m) for m in (LINES_MODEL, BALANCES_MODEL, *PARAMETER_MODELS.values())
    ],
    blocking=True,
    name="gx_journal_lines",
    pool=WAREHOUSE_POOL,
)
def gx_journal_lines(
    context: AssetCheckExecutionContext, lake: Lake, warehouse: Warehouse
) -> AssetCheckResult:
    """Balanced per journal, entity and currency; account in the chart; period open; one
    non-negative side per line. Blocks the analysts' publish (and the ERP exports to come)."""
    return check_result(context, lake, run_journal_gate(warehouse.path).results)


# the reconciliation marts (REC_MARTS): a blocking gate on their shape (unique keys, accepted
# statuses) and a warning on their content (open variances), which the demo world has on purpose
OPEN_VARIANCES_SQL = """
    select status, currency, functional_currency, count(*) as rows,
           coalesce(sum(variance), 0) as variance,
           coalesce(sum(variance_functional), 0) as variance_functional
    from marts.{mart}
    where status <> 'matched'
    group by all
    order by all
"""


def rec_gate(mart: str) -> AssetChecksDefinition:
    @asset_check(
        pool=WAREHOUSE_POOL,
        asset=model_key(mart),
        blocking=True,
        name=f"gx_{mart}",
        description=f"Great Expectations suite {mart}: unique key, accepted statuses. Blocks the "
        "analysts' publish.",
    )
    def gate(
        context: AssetCheckExecutionContext, lake: Lake, warehouse: Warehouse
    ) -> AssetCheckResult:
        frame = frame_from_duckdb(warehouse.path, f"marts.{mart}")
        # the statuses the mart's dbt accepted_values test names: one list, in the models' yml
        statuses = accepted_values(dbt_project.manifest_path, mart, "status")
        parameters = {"accepted_statuses": statuses}
        return check_result(context, lake, [validate_dataframe(mart, frame, parameters)])

    return gate


def _totals(amounts: dict) -> dict[str, str]:
    """Per currency (`none` when the rows have none), the amount as plain decimal text."""
    return {str(c or "none"): f"{Decimal(v).normalize():f}" for c, v in amounts.items()}


def rec_open_variances(mart: str) -> AssetChecksDefinition:
    @asset_check(
        pool=WAREHOUSE_POOL,
        asset=model_key(mart),
        blocking=False,
        name=f"{mart}_open_variances",
        description=f"Warns while {mart} has rows not matched; reports their counts and variance "
        "totals. Never blocks: finance works the open items.",
    )
    def open_variances(
        context: AssetCheckExecutionContext, warehouse: Warehouse
    ) -> AssetCheckResult:
        with warehouse.connect() as con:
            rows = con.execute(OPEN_VARIANCES_SQL.format(mart=mart)).fetchall()
        by_status: dict[str, int] = {}
        variance: dict[str, Decimal] = {}
        functional: dict[str, Decimal] = {}
        for status, currency, functional_currency, count, amount, amount_functional in rows:
            by_status[status] = by_status.get(status, 0) + count
            variance[currency] = variance.get(currency, Decimal(0)) + amount
            functional[functional_currency] = (
                functional.get(functional_currency, Decimal(0)) + amount_functional
            )
        open_rows = sum(by_status.values())
        variance_text, functional_text = _totals(variance), _totals(functional)
        description = (
            f"{mart}: {open_rows} open rows ("
            + ", ".join(f"{n} {s}" for s, n in sorted(by_status.items()))
            + "); open variance "
            + ", ".join(f"{v} {c}" for c, v in sorted(variance_text.items()))
            + "; functional "
            + ", ".join(f"{v} {c}" for c, v in sorted(functional_text.items()))
            if open_rows
            else f"{mart}: every row matched"
        )
        if open_rows:
            context.log.warning(description)
        return AssetCheckResult(
            passed=open_rows == 0,
            severity=AssetCheckSeverity.WARN,
            description=description,
            metadata={
                "open_rows": open_rows,
                "open_rows_by_status": MetadataValue.json(by_status),
                "open_variance_by_currency": MetadataValue.json(variance_text),
                "open_variance_functional_by_currency": MetadataValue.json(functional_text),
            },
        )

    return open_variances


# rec_exports_erp is built after the ERP export it confirms (the export_confirmation models):
# a gate there would come too late to hold anything back, and its variances are the close
# report's unconfirmed exports
GATED_REC_MARTS = tuple(mart for mart in REC_MARTS if mart != "rec_exports_erp")
REC_GATES = {mart: rec_gate(mart) for mart in GATED_REC_MARTS}
REC_WARNINGS = {mart: rec_open_variances(mart) for mart in GATED_REC_MARTS}
