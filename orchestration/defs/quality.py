"""Great Expectations suites as blocking asset checks: a failure stops exports and publish."""

from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, asset_check
from dagster_dbt import get_asset_key_for_model

from expectations.journal_gate import run_journal_gate
from expectations.validate import SuiteResult, frame_from_duckdb, save_result, validate_dataframe
from orchestration.defs.dbt import warehouse_models
from orchestration.settings import Settings

USAGE_DAILY = get_asset_key_for_model([warehouse_models], "usage_daily")
JOURNAL_LINES = get_asset_key_for_model([warehouse_models], "journal_lines")


def check_result(context: AssetCheckExecutionContext, results: list[SuiteResult]):
    """One check result from one or more suites; every suite's result is kept for the run."""
    settings = Settings.from_env()
    saved = [
        str(save_result(r, settings.gx_dir / "validations", context.run.run_id)) for r in results
    ]
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
            "failed": sum(len(r.failed) for r in results),
            "failures": [f"{r.suite}: {f.describe()}" for r in results for f in r.failed],
            "result_files": saved,
        },
    )


@asset_check(asset=USAGE_DAILY, blocking=True, name="gx_usage_daily")
def gx_usage_daily(context: AssetCheckExecutionContext) -> AssetCheckResult:
    frame = frame_from_duckdb(Settings.from_env().warehouse, "marts.usage_daily")
    return check_result(context, [validate_dataframe("usage_daily", frame)])


@asset_check(asset=JOURNAL_LINES, blocking=True, name="gx_journal_lines")
def gx_journal_lines(context: AssetCheckExecutionContext) -> AssetCheckResult:
    """Balanced per journal, entity and currency; account in the chart; period open; one
    non-negative side per line. Blocks the analysts' publish (and the ERP exports to come)."""
    return check_result(context, run_journal_gate(Settings.from_env().warehouse).results)
