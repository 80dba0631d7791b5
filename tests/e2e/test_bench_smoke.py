"""`u2c bench` at a tiny size: the report is complete and consistent (no timing assertion)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_u2c


def test_bench_reports_every_stage_and_the_floor(tmp_path: Path):
    done = run_u2c(
        tmp_path, "bench", "--events", "4500", "--days", "8", "--out", str(tmp_path / "world")
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    [report_file] = (tmp_path / "world" / "bench").glob("bench-*.json")
    report = json.loads(report_file.read_text())
    assert report["events"] > 3500  # 4500 over 8 days, the last day held back for the append
    assert report["floor_seconds"] > 0 and report["ratio_to_floor"] > 0
    for run in ("pipeline", "incremental"):
        assert set(report[run]["stages"]) == {"landing", "dbt", "checks", "exports", "publish"}
        assert report[run]["seconds"] >= sum(s["seconds"] for s in report[run]["stages"].values())
    assert report["pipeline"]["runs"] == ["land_inbox", "refresh_usage", "close_period"]
    # the intra-day path: the new day's usage and its period's refresh, no ERP export
    assert report["incremental"]["runs"] == ["land_inbox", "refresh_usage", "refresh_periods"]
    assert "pipeline/floor" in done.stdout
    # the second `u2c run` with nothing new: it says so and starts no Dagster run
    assert report["no_op"]["dagster_runs"] == 0
    assert report["no_op"]["said"].startswith("nothing new since the last complete run")
    assert 0 < report["no_op_share_of_full"] < 1 and report["no_op"]["ratio_to_floor"] > 0
    assert report["incremental"]["ratio_to_floor"] > 0
    # the dbt stage against what dbt reports: two invocations per usage run, two per period run
    for run in ("pipeline", "incremental"):
        assert report[run]["dbt_reported"]["invocations"] == 4
        assert report[run]["dbt_reported"]["seconds"] > 0
        assert report[run]["dbt_stage_vs_reported"] >= 1
    assert "reported by dbt over 4 invocations" in done.stdout
    # quiet like `u2c run`: the steps as they start, the report; dbt and Dagster in the log file
    terminal = done.stdout + done.stderr
    assert "full run: land, usage days" in terminal and "a run with nothing new" in terminal
    assert "dagster - " not in terminal and "START sql" not in terminal
    [log] = (tmp_path / "world" / "logs").glob("u2c-*.log")
    assert "START sql" in log.read_text()
