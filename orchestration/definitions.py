"""The Dagster code location: `dagster dev -m orchestration.definitions`."""

from dagster import AssetSelection, Definitions, colored_console_logger, define_asset_job

from orchestration.console import LOGGERS
from orchestration.dbt_project import DbtCli
from orchestration.defs.dbt import (
    confirmation_models,
    dbt_project,
    period_models,
    usage_models,
    warehouse_models,
)
from orchestration.defs.exports import published_marts, usage_daily_export
from orchestration.defs.journal_exports import close_report, erp_journal_export
from orchestration.defs.landing import land_sources
from orchestration.defs.maintenance import prune_run_history
from orchestration.defs.quality import REC_GATES, REC_WARNINGS, gx_journal_lines, gx_usage_daily
from orchestration.defs.schedules import schedules
from orchestration.defs.sensors import inbox_sensor, record_failed_runs, record_succeeded_runs
from orchestration.jobs import CLOSE_JOB, LANDING_JOB, PERIODS_JOB, USAGE_JOB
from orchestration.resources import data_dir_resources
from orchestration.settings import Settings

LANDING = AssetSelection.assets(land_sources)
USAGE = LANDING | AssetSelection.assets(warehouse_models, usage_models, usage_daily_export)
PERIODS = AssetSelection.assets(period_models, confirmation_models, published_marts)
CLOSE = PERIODS | AssetSelection.assets(erp_journal_export, close_report)

defs = Definitions(
    assets=[
        land_sources,
        warehouse_models,
        usage_models,
        period_models,
        confirmation_models,
        usage_daily_export,
        erp_journal_export,
        close_report,
        published_marts,
    ],
    asset_checks=[
        gx_usage_daily,
        gx_journal_lines,
        *REC_GATES.values(),
        *REC_WARNINGS.values(),
    ],
    jobs=[
        define_asset_job(
            LANDING_JOB,
            selection=LANDING,
            description="Land the inbox into the lake (the inbox sensor's job).",
        ),
        define_asset_job(
            USAGE_JOB,
            selection=USAGE,
            description="Land, then build staging, dimensions and the usage models of the "
            "partition's UTC days; export the usage snapshot.",
        ),
        define_asset_job(
            PERIODS_JOB,
            selection=PERIODS,
            description="Rate, derive journals and reconcile the billing periods, with their "
            "gates; publish the analysts' copy. No ERP export.",
        ),
        define_asset_job(
            CLOSE_JOB,
            selection=CLOSE,
            description="Month-end close: the period job, then the ERP journal export and the "
            "close report of the periods.",
        ),
        prune_run_history,
    ],
    schedules=schedules(prune_run_history),
    sensors=[inbox_sensor, record_succeeded_runs, record_failed_runs],
    resources={
        "dbt": DbtCli(project_dir=dbt_project),
        **data_dir_resources(Settings.from_env()),
    },
    # Dagster's console logger (the default), and u2c's quiet terminal and log file
    loggers={"console": colored_console_logger, **LOGGERS},
)
