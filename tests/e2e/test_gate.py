"""End to end: the quality gate stops the analysts' publish, and the publish never disturbs an
analyst holding the published file open.

The shared world (tests/e2e/conftest.py); the warehouse is tampered with (one journal line's
debit moved by a cent, so its journal no longer balances) and a job holding only the
gx_journal_lines gate and the publish runs against it, in a subprocess with its own data dir.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.e2e.conftest import Rerun

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# the gate and the publish only: journal_lines is not rebuilt, so the tampered table is checked
GATE_AND_PUBLISH = """
import json
from dagster import AssetKey, DagsterInstance
from orchestration.settings import Settings
from orchestration.dbt_project import make_dbt_project, prepare

Settings.from_env().apply()
prepare(make_dbt_project())
from orchestration.definitions import defs
from orchestration.defs.quality import gx_journal_lines

from orchestration.runner import RANGE_END, RANGE_START, data_span

job = defs.resolve_job_def("close_period").get_subset(
    asset_selection={AssetKey(["exports", "erp_journals"]), AssetKey(["published", "marts"])},
    asset_check_selection=set(gx_journal_lines.check_keys),
)
first, last = data_span(Settings.from_env().lake).months  # the periods `u2c run` closed
with DagsterInstance.get() as instance:
    result = job.execute_in_process(
        instance=instance, raise_on_error=False, tags={RANGE_START: first, RANGE_END: last}
    )
    errors = [
        r.user_message
        for r in instance.all_logs(result.run_id)
        if r.level >= 40 and not r.is_dagster_event
    ]
print(json.dumps({
    "success": result.success,
    "checks": [
        {
            "name": e.check_name,
            "passed": e.passed,
            "description": e.description,
            "failed_rows": e.metadata["failed_rows"].value if "failed_rows" in e.metadata else None,
        }
        for e in result.get_asset_check_evaluations()
    ],
    "errors": errors,  # the run log at ERROR, as the UI shows it
    "materialized": [
        e.asset_key.to_user_string() for e in result.get_asset_materialization_events()
    ],
}))
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_gate_and_publish(data_dir: Path) -> dict:
    env = {**os.environ, "U2C_DATA_DIR": str(data_dir)}
    env.pop("DAGSTER_HOME", None)
    # a script file, not `python -c`: with pyspark installed (the spark extra), Great Expectations
    # imports pyspark.sql.connect, which takes a main module without a file for a doctest run and
    # exits the process
    script = data_dir / "gate_and_publish.py"
    script.write_text(GATE_AND_PUBLISH)
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_unbalanced_journal_fails_the_gate_and_publishes_nothing(world: Path):
    published = world / "published" / "marts.duckdb"
    before, inode = sha256(published), published.stat().st_ino
    exported = sorted((world / "exports").rglob("*"))
    with duckdb.connect(str(world / "warehouse.duckdb")) as con:
        journal, entity, currency = con.execute(
            "select journal_id, legal_entity, currency from marts.journal_lines "
            "where rowid = (select min(rowid) from marts.journal_lines where debit > 0)"
        ).fetchone()
        tampered = con.execute(
            "update marts.journal_lines set debit = debit + 0.01 "
            "where rowid = (select min(rowid) from marts.journal_lines where debit > 0)"
        ).fetchone()[0]
    assert tampered == 1

    outcome = run_gate_and_publish(world)

    assert not outcome["success"], outcome
    [gate] = [c for c in outcome["checks"] if c["name"] == "gx_journal_lines"]
    assert not gate["passed"]
    assert "journal_balances" in gate["description"]
    assert "expect_column_pair_values_to_be_equal" in gate["description"]
    # ... and on which journal: its id, entity, currency and imbalance, in the description, the
    # metadata and the run log
    named = (
        f"[journal_id={journal}, legal_entity={entity}, currency={currency}, imbalance=0.01, "
        "functional_imbalance=0]"
    )
    assert named in gate["description"]
    [failed] = gate["failed_rows"]
    assert (failed["suite"], failed["expectation"]) == (
        "journal_balances",
        "expect_column_pair_values_to_be_equal",
    )
    assert [r["journal_id"] for r in failed["rows"]] == [journal]
    assert any(named in message for message in outcome["errors"])
    assert outcome["materialized"] == []  # neither the ERP export nor the publish ran
    assert sorted((world / "exports").rglob("*")) == exported
    assert sha256(published) == before
    assert published.stat().st_ino == inode

    # the control: the same job on the balanced journal passes the gate and publishes
    with duckdb.connect(str(world / "warehouse.duckdb")) as con:
        con.execute(
            "update marts.journal_lines set debit = debit - 0.01 "
            "where rowid = (select min(rowid) from marts.journal_lines where debit > 0)"
        )
    outcome = run_gate_and_publish(world)
    assert outcome["success"], outcome
    assert set(outcome["materialized"]) == {"exports/erp_journals", "published/marts"}
    assert sorted((world / "exports").rglob("*")) == exported  # nothing new to send
    assert published.stat().st_ino != inode  # a fresh file renamed over the old one


def test_publish_replaces_the_file_under_a_held_read_only_connection(rerun: Rerun):
    """An analyst's read-only connection stays open across a whole run (the shared full rerun,
    tests/e2e/conftest.py): the run succeeds, and the analyst keeps reading the file as it was
    when opened."""
    assert rerun.done.returncode == 0, rerun.done.stdout[-3000:] + rerun.done.stderr[-3000:]
    assert rerun.journal_lines_before > 0
    assert rerun.analyst_marker == [(1,)]
    assert rerun.analyst_journal_lines == rerun.journal_lines_before
    # the run published a fresh file, renamed over the one the analyst holds
    assert "analyst_marker" not in rerun.published_tables
    assert rerun.published_journal_lines == rerun.journal_lines_before


def test_source_health_accounts_for_every_batch(world: Path):
    """ops_source_health in the published file: per system and table, the ledger's totals and its
    last batch; usage has its arrival lag and its quarantined conflicting duplicates."""
    key = json.loads((world / "answer_key.json").read_text())
    conflicts = sum(1 for e in key if e["anomaly"] == "conflicting_duplicate")
    with duckdb.connect(str(world / "published" / "marts.duckdb"), read_only=True) as con:
        health = con.execute(
            "select system, source_table, batch_count, rows_read, rows_landed, rows_quarantined,"
            " last_landed_at from ops_source_health order by all"
        ).fetchall()
        ledger = con.execute(
            "select system, source_table, count(*), sum(rows_read), sum(rows_landed),"
            " sum(rows_quarantined), max(landed_at) from ops_landing_batches"
            " group by all order by all"
        ).fetchall()
        usage = con.execute(
            "select rows_failed_business_rule, failure_reasons, lag_event_count,"
            " lag_minutes_p50, lag_minutes_p95 from ops_source_health where system = 'usage'"
        ).fetchone()
        # each event once: by one billable meter, or in ops_usage_unmetered (seat viewers)
        counted = con.execute(
            "select (select sum(event_count) from usage_daily where metric <> 'api_errors')"
            " + (select sum(event_count) from ops_usage_unmetered)"
        ).fetchone()[0]
    assert health == ledger
    failed, reasons, lagged, p50, p95 = usage
    assert failed == conflicts
    assert reasons == f"business_rule/conflicting_duplicate: {conflicts}"
    assert lagged == counted
    assert 0 <= p50 <= p95
