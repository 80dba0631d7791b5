"""A run rebuilds what changed, not the whole warehouse: the unpartitioned models (staging,
billing, CRM and ERP dimensions) whose code and inputs did not change since they were built are
kept (orchestration.fresh_models); what reads new data or a missing relation is rebuilt. So are
the period models of an intra-day refresh. On the shared world (tests/e2e/conftest.py), after
test_replay's late data: this module sorts last."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.conftest import dagster_instance, run_u2c
from tests.e2e.test_replay import run_id_of

FRESH = re.compile(r"(\d+) of (\d+) unpartitioned models fresh")


def materialized(world: Path, run_id: str) -> set[str]:
    from dagster import DagsterEventType

    with dagster_instance(world) as instance:
        records = instance.get_records_for_run(
            run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION, limit=100_000
        ).records
        return {r.event_log_entry.dagster_event.asset_key.to_user_string() for r in records}


def full_run(world: Path):
    (world / "run_state" / "last_complete_run.json").unlink(missing_ok=True)  # no no-op exit
    done = run_u2c(world, "run")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done, materialized(world, run_id_of(done.stdout, "refresh_usage"))


def count(world: Path, sql: str) -> int:
    with duckdb.connect(str(world / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def test_a_run_with_no_new_data_keeps_every_unpartitioned_model(world: Path):
    done, built = full_run(world)
    kept, total = map(int, FRESH.search(done.stdout + done.stderr).groups())
    assert kept == total > 50
    # the usage days are partitioned: the run's days are rebuilt, the rest of the warehouse kept
    assert "marts/usage_daily" in built
    assert not {k for k in built if k.startswith(("staging/", "marts/invoices", "marts/customers"))}


def report_failed_check(world: Path, asset: list[str], check: str) -> None:
    from dagster import AssetCheckEvaluation, AssetKey

    with dagster_instance(world) as instance:
        instance.report_runless_asset_event(
            AssetCheckEvaluation(asset_key=AssetKey(asset), check_name=check, passed=False)
        )


def latest_check_passed(world: Path, asset: list[str], check: str) -> bool:
    from dagster import AssetCheckKey, AssetKey
    from dagster._core.storage.asset_check_execution_record import (
        AssetCheckExecutionRecordStatus,
    )

    key = AssetCheckKey(AssetKey(asset), check)
    with dagster_instance(world) as instance:
        latest = instance.event_log_storage.get_latest_asset_check_execution_by_key([key])
    return latest[key].status == AssetCheckExecutionRecordStatus.SUCCEEDED


def test_new_usage_a_lost_table_and_a_failed_test_rebuild_what_they_reach_and_nothing_else(
    world: Path,
):
    invoices = count(world, "select count(*) from marts.invoices")
    distinct_events = "select count(*) from intermediate.int_usage_events_deduplicated"
    events_before = count(world, distinct_events)
    source = world / "inbox" / "usage" / "events_2026-09-30.jsonl"
    event = json.loads(source.read_text().splitlines()[0])
    (source.parent / "events_extra_unchanged_models.jsonl").write_text(
        json.dumps({**event, "id": "extra_unchanged_models_1"}) + "\n"
    )
    with duckdb.connect(str(world / "warehouse.duckdb")) as con:
        con.execute("drop table marts.invoices")  # lost outside a run: Dagster cannot know
    # a test that failed last time: its model is rebuilt and tested again, not kept
    customers_test = (["marts", "customers"], "column_rules_customers")
    report_failed_check(world, *customers_test)
    assert not latest_check_passed(world, *customers_test)

    done, built = full_run(world)

    kept, total = map(int, FRESH.search(done.stdout + done.stderr).groups())
    # rebuilt: the new usage's staging and what reads the landing ledger, the lost table and
    # the model whose test failed, with what reads them; kept: the billing, CRM and ERP models
    # none of that reached
    assert {
        "staging/stg_usage__events",
        "marts/ops_landing_batches",
        "marts/invoices",
        "marts/customers",
        "intermediate/int_billing_customers_mapped",
    } <= built
    assert not built & {"staging/stg_billing__invoices", "marts/legal_entities"}
    assert latest_check_passed(world, *customers_test)
    assert 0 < kept < total
    assert count(world, "select count(*) from marts.invoices") == invoices
    assert count(world, distinct_events) == events_before + 1


# the intra-day path (orchestration.runner.run_intraday), in its own process as the bench runs it
INTRADAY = """
import json, sys
from datetime import date
from orchestration.runner import ready, run_intraday
from orchestration.settings import Settings
settings = Settings.from_env()
ready(settings)
results = run_intraday(settings, date.fromisoformat(sys.argv[1]))
print(json.dumps({r.job_def.name: r.run_id for r in results if r.success}))
"""
# the intra-day period schedule's tick, evaluated by Dagster against the world's instance
PERIOD_TICK = """
import json
from datetime import UTC, datetime
from dagster import DagsterInstance, build_schedule_context
from orchestration.settings import Settings
Settings.from_env().apply()
from orchestration.definitions import defs
from orchestration.defs.schedules import intraday_periods
with DagsterInstance.get() as instance:
    context = build_schedule_context(
        scheduled_execution_time=datetime(2026, 9, 30, 14, 20, tzinfo=UTC),
        repository_def=defs.get_repository_def(),
        instance=instance,
    )
    [request] = intraday_periods.evaluate_tick(context).run_requests
    keys = request.asset_selection
    print(json.dumps(None if keys is None else sorted(k.to_user_string() for k in keys)))
"""
USAGE_ONLY_RECS = ("rec_usage_billing", "rec_usage_meters")
DOCUMENT_RECS = ("rec_billing_erp", "rec_payments_cash", "rec_adjustments_erp")


def python_in(world: Path, script: str, *args: str):
    """`script` run by this Python in its own process on the world; its last line, as JSON. (A
    file, not `python -c`: pyspark, which Great Expectations imports, takes a main module without
    a file for its doctests and exits.)"""
    env = {**os.environ, "U2C_DATA_DIR": str(world)}
    env.pop("DAGSTER_HOME", None)
    path = world.parent / "script.py"
    path.write_text(script)
    done = subprocess.run(
        [sys.executable, str(path), *args], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def rows(world: Path, mart: str) -> list[tuple]:
    with duckdb.connect(str(world / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(f"select * from marts.{mart} order by all").fetchall()


def test_an_intraday_period_refresh_rebuilds_the_usage_reconciliations_and_keeps_the_others(
    world: Path,
):
    distinct_events = "select count(*) from intermediate.int_usage_events_deduplicated"
    events_before = count(world, distinct_events)
    source = world / "inbox" / "usage" / "events_2026-09-30.jsonl"
    events = [json.loads(line) for line in source.read_text().splitlines()]
    event = next(e for e in events if e["time"].startswith("2026-09-30"))
    (source.parent / "events_extra_intraday.jsonl").write_text(
        json.dumps({**event, "id": "extra_intraday_1"}) + "\n"
    )

    runs = python_in(world, INTRADAY, "2026-09-30")

    assert list(runs) == ["land_inbox", "refresh_usage", "refresh_periods"]
    built = materialized(world, runs["refresh_periods"])
    # what reads usage is rebuilt; the billing, ERP and cash reconciliations and the journals
    # of documents read none of the new rows, so they are kept
    assert {f"marts/{m}" for m in USAGE_ONLY_RECS} | {"marts/journal_lines"} <= built
    assert not built & {f"marts/{m}" for m in DOCUMENT_RECS}
    assert "intermediate/int_journal_documents" not in built
    assert count(world, distinct_events) == events_before + 1
    kept = {m: rows(world, m) for m in (*DOCUMENT_RECS, *USAGE_ONLY_RECS)}

    # nothing is stale now: the period schedule's next tick asks for no period model, only what
    # follows them (the export confirmation, the analysts' publish)
    selection = python_in(world, PERIOD_TICK)
    assert selection is not None and "published/marts" in selection
    assert not {k for k in selection if k.endswith(DOCUMENT_RECS + USAGE_ONLY_RECS)}

    # a full run rebuilds every period model: what was kept is what a rebuild gives
    full_run(world)
    assert {m: rows(world, m) for m in kept} == kept
