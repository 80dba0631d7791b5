"""Pin the asset graph: a change to it is a decision, made in this file too."""

from __future__ import annotations

from pathlib import Path


def test_asset_graph_is_pinned(defs_data_dir: Path):
    from dagster import AssetKey

    from orchestration.definitions import ALL_JOB, defs

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {
        "usage/events",
        "landing/batches",
        "landing/quarantine",
        "staging/stg_usage__events",
        "staging/stg_landing__batches",
        "staging/stg_landing__quarantine_rows",
        "marts/usage_daily",
        "marts/ops_landing_batches",
        "marts/ops_quarantine",
        "exports/usage_daily",
        "published/marts",
    } == keys

    def parents(key: str) -> set[str]:
        return {p.to_user_string() for p in graph.get(AssetKey.from_user_string(key)).parent_keys}

    assert parents("staging/stg_usage__events") == {"usage/events"}
    assert parents("marts/usage_daily") == {"staging/stg_usage__events"}
    assert parents("exports/usage_daily") == {"marts/usage_daily"}
    assert parents("published/marts") == {
        "marts/usage_daily",
        "marts/ops_landing_batches",
        "marts/ops_quarantine",
    }

    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert ("marts/usage_daily", "gx_usage_daily") in checks
    from orchestration.defs.quality import gx_usage_daily

    assert [spec.blocking for spec in gx_usage_daily.check_specs] == [True]
    # dbt tests arrive as checks too
    assert ("marts/usage_daily", "not_null_usage_daily_quantity") in checks
    assert defs.resolve_job_def(ALL_JOB) is not None
