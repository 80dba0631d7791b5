"""The Dagster code location: `dagster dev -m orchestration.definitions`."""

from __future__ import annotations

from dagster import AssetSelection, Definitions, define_asset_job
from dagster_dbt import DbtCliResource

from orchestration.defs.dbt import dbt_project, warehouse_models
from orchestration.defs.exports import published_marts, usage_daily_export
from orchestration.defs.journal_exports import erp_journal_export
from orchestration.defs.landing import land_sources
from orchestration.defs.maintenance import prune_run_history
from orchestration.defs.quality import REC_GATES, REC_WARNINGS, gx_journal_lines, gx_usage_daily
from orchestration.defs.sensors import inbox_sensor
from orchestration.jobs import ALL_JOB, LANDING_JOB

defs = Definitions(
    assets=[
        land_sources,
        warehouse_models,
        usage_daily_export,
        erp_journal_export,
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
            ALL_JOB,
            selection=AssetSelection.all(),
            description="Land, build, check, export and publish everything.",
        ),
        define_asset_job(
            LANDING_JOB,
            selection=AssetSelection.assets(land_sources),
            description="Land the inbox into the lake (the inbox sensor's job).",
        ),
        prune_run_history,
    ],
    sensors=[inbox_sensor],
    resources={"dbt": DbtCliResource(project_dir=dbt_project)},
)
