"""Great Expectations suites as blocking asset checks: a failure stops exports and publish."""

from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, asset_check
from dagster_dbt import get_asset_key_for_model

from expectations.validate import frame_from_duckdb, save_result, validate_dataframe
from orchestration.defs.dbt import warehouse_models
from orchestration.settings import Settings

USAGE_DAILY = get_asset_key_for_model([warehouse_models], "usage_daily")


def run_suite(context: AssetCheckExecutionContext, suite: str, table: str) -> AssetCheckResult:
    settings = Settings.from_env()
    result = validate_dataframe(suite, frame_from_duckdb(settings.warehouse, table))
    saved = save_result(result, settings.gx_dir / "validations", context.run.run_id)
    if not result.success:
        context.log.error(result.describe())
    return AssetCheckResult(
        passed=result.success,
        severity=AssetCheckSeverity.ERROR,
        description=result.describe(),
        metadata={
            "expectations": result.evaluated,
            "failed": len(result.failed),
            "failures": [f.describe() for f in result.failed],
            "result_file": str(saved),
        },
    )


@asset_check(asset=USAGE_DAILY, blocking=True, name="gx_usage_daily")
def gx_usage_daily(context: AssetCheckExecutionContext) -> AssetCheckResult:
    return run_suite(context, "usage_daily", "marts.usage_daily")
