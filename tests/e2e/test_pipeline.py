"""End to end: a tiny generated world through the real CLI, asserted on outcomes."""

from __future__ import annotations

import csv
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import duckdb

from tests.conftest import dagster_instance, run_u2c
from tests.e2e.conftest import Rerun


def expected_totals(inbox: Path) -> dict[str, Decimal]:
    """Recompute from the generated files, independently of the pipeline: what usage_daily sums
    to per metric, each day's quantity being the demo meters' aggregation over that day (the
    seed meters: requests summed, 5xx roll-ups counted, the day's peak snapshot, the day's
    distinct paying users)."""
    seen: set[tuple[str, str]] = set()
    days: dict[tuple, object] = {}
    # landing order is delivery order (mtime, then name); the first delivery of a (source, id)
    # is the one counted
    files = (inbox / "usage").glob("*.jsonl")
    for path in sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name)):
        for line in path.read_text().splitlines():
            event = json.loads(line, parse_float=Decimal)
            key = (event["source"], event["id"])
            if key in seen:
                continue
            seen.add(key)
            data, day = event["data"], (event["subject"], event["time"][:10])
            if event["type"] == "com.example.api.requests":
                key = ("api_calls", *day)
                days[key] = days.get(key, 0) + data["requests"]
                if data["status"] >= 500:
                    days[("api_errors", *day)] = days.get(("api_errors", *day), 0) + 1
            elif event["type"] == "com.example.storage.snapshot":
                key = ("storage_bytes", *day)
                days[key] = max(days.get(key, 0), data["bytes"])
            elif data["role"] != "viewer":
                days.setdefault(("seats", *day), set()).add(data["user_id"])
    totals: dict[str, Decimal] = {}
    for (metric, *_), value in days.items():
        amount = len(value) if isinstance(value, set) else value
        totals[metric] = totals.get(metric, Decimal(0)) + Decimal(amount)
    return totals


def test_mart_counts_each_event_once(world: Path):
    expected = expected_totals(world / "inbox")
    generated_lines = sum(
        len(p.read_text().splitlines()) for p in (world / "inbox" / "usage").glob("*.jsonl")
    )
    with duckdb.connect(str(world / "published" / "marts.duckdb"), read_only=True) as con:
        got = dict(
            con.execute("select metric, sum(quantity) from usage_daily group by metric").fetchall()
        )
        # each demo event is counted by one billable meter, or not at all (seat viewers)
        counted = con.execute(
            "select (select sum(event_count) from usage_daily where metric <> 'api_errors')"
            " + (select sum(event_count) from ops_usage_unmetered)"
        ).fetchone()[0]
        removed = con.execute("select count(*) from ops_usage_duplicates").fetchone()[0]
        landed, quarantined = con.execute(
            "select sum(rows_landed), sum(rows_quarantined) from ops_landing_batches "
            "where system = 'usage'"
        ).fetchone()
        unmapped = con.execute(
            "select sum(event_count) from usage_by_period where not is_mapped"
        ).fetchone()[0]
    assert got == expected
    # every line is accounted for: counted once, removed as a re-delivery, or quarantined
    assert landed + quarantined == generated_lines
    assert counted + removed == landed
    key = json.loads((world / "answer_key.json").read_text())
    assert removed == sum(1 for e in key if e["anomaly"] == "duplicate_event")
    assert quarantined == sum(1 for e in key if e["anomaly"] == "conflicting_duplicate")
    # usage for an unknown subscription is counted and flagged, not dropped
    assert unmapped > 0


def test_blocking_check_passed_and_export_matches_its_manifest(world: Path):
    results = list((world / "gx" / "validations").glob("*/usage_daily.json"))
    assert results and json.loads(results[0].read_text())["success"] is True
    manifests = list((world / "exports").glob("usage_daily/*/manifest.json"))
    assert len(manifests) == 1
    manifest = json.loads(manifests[0].read_text())
    [described] = manifest["files"]
    with open(manifests[0].parent / described["file"], newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == described["rows"]
    totals: dict[str, Decimal] = {}
    for row in rows:
        key = f"quantity.{row['metric']}"
        totals[key] = totals.get(key, Decimal(0)) + Decimal(row["quantity"])
    assert {k: Decimal(v) for k, v in described["totals"].items()} == totals
    import hashlib

    payload = (manifests[0].parent / described["file"]).read_bytes()
    assert hashlib.sha256(payload).hexdigest() == described["sha256"]


def test_erp_journals_are_exported_balanced_and_published_with_their_batches(world: Path):
    [manifest_path] = list((world / "exports").glob("journals/*/manifest.json"))
    manifest = json.loads(manifest_path.read_text())
    formats = {f.get("format") for f in manifest["files"]}
    assert {"netsuite", "fbdi", "canonical_csv", "canonical_parquet"} <= formats
    for f in manifest["files"]:
        payload = (manifest_path.parent / f["file"]).read_bytes()
        assert hashlib.sha256(payload).hexdigest() == f["sha256"]
    assert manifest["quality_checks"], "the gate's outcome is recorded"
    assert all(r["success"] for r in manifest["quality_checks"].values())
    with duckdb.connect(str(world / "published" / "marts.duckdb"), read_only=True) as con:
        unbalanced = con.execute(
            "select count(*) from (select journal_id, legal_entity, currency from journal_lines "
            "group by all having sum(debit) <> sum(credit) "
            "or sum(functional_debit) <> sum(functional_credit))"
        ).fetchone()[0]
        assert unbalanced == 0
        files, batches = con.execute(
            "select count(*), count(distinct export_batch_id) from export_batches"
        ).fetchone()
        assert (files, batches) == (len(manifest["files"]) - 1, 1)  # all but the ledger
        sent, derived = con.execute(
            "select (select count(distinct journal_id) from export_ledger), "
            "(select count(distinct journal_id) from journal_lines)"
        ).fetchone()
        assert sent == derived > 0


def test_each_closed_period_has_a_close_report_that_agrees_with_the_marts(world: Path):
    reports = {
        p.parent.name: json.loads(p.read_text())
        for p in (world / "exports" / "close").glob("*/close_report.json")
    }
    with duckdb.connect(str(world / "published" / "marts.duckdb"), read_only=True) as con:
        months = {
            r[0] for r in con.execute("select distinct fiscal_period from rec_summary").fetchall()
        }
        assert set(reports) >= months  # every month of the data was closed by `u2c run`
        for period, report in reports.items():
            derived = con.execute(
                "select count(distinct journal_id) from journal_lines where posting_period = ?",
                [period],
            ).fetchone()[0]
            open_items = con.execute(
                "select coalesce(sum(row_count), 0) from rec_summary "
                "where fiscal_period = ? and status <> 'matched'",
                [period],
            ).fetchone()[0]
            assert sum(e["journals"] for e in report["entities"]) == derived, period
            # everything derived for the period went out in a batch
            assert sum(e["journals_sent"] for e in report["entities"]) == derived, period
            assert report["open_reconciliation_items"] == open_items, period
            exposure = con.execute(
                "select coalesce(sum(unbilled_exposure_functional), 0) from rec_summary "
                "where fiscal_period = ?",
                [period],
            ).fetchone()[0]
            assert Decimal(report["unbilled_exposure_functional"]) == exposure, period
            assert sum(Decimal(e["amount_functional"]) for e in report["unbilled_exposure"]) == (
                exposure
            )
    assert any(r["open_reconciliation_items"] > 0 for r in reports.values())  # the default world
    # the default world's late usage is valued: a close report shows it as unbilled exposure
    assert any(Decimal(r["unbilled_exposure_functional"]) > 0 for r in reports.values())
    # the journals the export sent that the ERP extract does not confirm, with their status: the
    # answer key's (a processor fee the ERP never posted, the documents it lacks, ...)
    key = json.loads((world / "answer_key.json").read_text())
    expected = {
        (e["key"]["external_id"], e["status"]) for e in key if e["mart"] == "rec_exports_erp"
    }
    unconfirmed = {
        (u["external_id"], status)
        for r in reports.values()
        for u in r["unconfirmed_exports"]
        for status in u["statuses"]
    }
    assert ("not_in_erp" in {s for _, s in expected}) and unconfirmed == expected
    assert {a for a in (e["anomaly"] for e in key) if a == "export_not_posted"}
    for r in reports.values():
        for u in r["unconfirmed_exports"]:
            assert u["days_open"] is not None and Decimal(u["variance_functional"]) > 0, u


def test_rerun_without_new_input_writes_nothing_and_changes_no_row(rerun: Rerun):
    # without the last complete run's stamp the run cannot know nothing changed: it rebuilds
    # (the shared full rerun, tests/e2e/conftest.py)
    assert rerun.done.returncode == 0, rerun.done.stderr[-3000:]
    assert rerun.exports_after == rerun.exports_before
    assert rerun.usage_after == rerun.usage_before
    assert "unchanged, nothing written" in rerun.done.stdout + rerun.done.stderr


def _materializations(world: Path) -> tuple[int, int]:
    from dagster import DagsterEventType, EventRecordsFilter

    with dagster_instance(world) as instance:
        records = instance.get_event_records(
            EventRecordsFilter(event_type=DagsterEventType.ASSET_MATERIALIZATION)
        )
        return instance.get_runs_count(), len(records)


def _file_states(world: Path) -> dict[str, tuple[int, int]]:
    roots = [world / "published", world / "exports", world / "lake"]
    files = [world / "warehouse.duckdb", *(p for r in roots for p in r.rglob("*") if p.is_file())]
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in files}


def test_a_second_run_with_nothing_new_materializes_nothing(world: Path):
    first = run_u2c(world, "run")  # complete (or itself a no-op after the rerun above)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    runs_before, materialized_before = _materializations(world)
    files_before = _file_states(world)
    again = run_u2c(world, "run")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert again.stdout.startswith("nothing new since the last complete run"), again.stdout
    assert len(again.stdout.splitlines()) == 1
    assert _materializations(world) == (runs_before, materialized_before)
    assert _file_states(world) == files_before


def test_usage_flags_match_the_answer_key_exactly(world: Path):
    key = json.loads((world / "answer_key.json").read_text())

    def keys(anomaly: str) -> set[tuple]:
        return {
            (e["key"]["subscription_id"], e["key"]["metric"], e["key"]["billing_period"])
            for e in key
            if e["anomaly"] == anomaly
        }

    with duckdb.connect(str(world / "published" / "marts.duckdb"), read_only=True) as con:
        late = set(
            con.execute(
                "select subscription_id, metric, billing_period from usage_by_period "
                "where late_event_count > 0"
            ).fetchall()
        )
        unmapped = set(
            con.execute(
                "select subscription_id, metric, billing_period from usage_by_period "
                "where not is_mapped"
            ).fetchall()
        )
        duplicates = set(
            con.execute(
                "select event_source, event_id, file_name, line_number from ops_usage_duplicates"
            ).fetchall()
        )
    assert late == keys("late_usage") and late
    assert unmapped == keys("unknown_subscription") and unmapped
    assert duplicates == {
        (
            e["key"]["event_source"],
            e["key"]["event_id"],
            e["key"]["file_name"],
            e["key"]["line_number"],
        )
        for e in key
        if e["anomaly"] == "duplicate_event"
    }


def test_ops_runs_records_every_run_with_its_stages_timed(world: Path):
    """`u2c run` is three Dagster runs (land, usage days, billing periods with the close); each
    is in ops_runs with its partitions, a duration and rows for the stages it ran (the dbt rows:
    each table counted once, however many partitions the run covered)."""
    with duckdb.connect(str(world / "published" / "marts.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select run_id, job_name, partitions, is_replay, status, started_at, finished_at,"
            " landing_seconds, dbt_seconds, checks_seconds, exports_seconds, publish_seconds,"
            " landing_rows, dbt_rows, checks_rows, exports_rows, publish_rows"
            " from ops_runs order by started_at"
        ).fetchall()
        landed = con.execute("select sum(rows_landed) from ops_landing_batches").fetchone()[0]
    records = {p.stem for p in (world / "lake" / "ops" / "runs").glob("*.parquet")}
    assert {r[0] for r in rows} == records
    with dagster_instance(world) as instance:
        assert records <= set(instance.get_run_ids())  # each a run of this data dir
    # the first `u2c run`: land, the usage days, the periods (the later reruns repeat it)
    jobs = [r[1] for r in rows]
    assert jobs[:3] == ["land_inbox", "refresh_usage", "close_period"]
    ran = {
        "land_inbox": {"landing"},
        "refresh_usage": {"dbt", "checks", "exports"},
        "refresh_periods": {"dbt", "checks", "publish"},
        "close_period": {"dbt", "checks", "exports", "publish"},
    }
    stages = ("landing", "dbt", "checks", "exports", "publish")
    # later runs of the shared world (tests/e2e/conftest.py) may run a subset of their job
    for n, (run_id, job, partitions, replay, status, started, finished, *figures) in enumerate(
        rows
    ):
        assert (replay, status) == (False, "success"), run_id
        assert (partitions is None) == (job == "land_inbox"), (run_id, partitions)
        assert started < finished
        seconds = dict(zip(stages, figures[:5], strict=True))
        counts = dict(zip(stages, figures[5:], strict=True))
        timed = {s for s, v in seconds.items() if v is not None}
        assert timed == ran[job] if n < 3 else timed <= ran[job], (run_id, seconds)
        assert sum(v for v in seconds.values() if v) <= (finished - started).total_seconds() + 1
        assert all(counts[s] > 0 for s in timed & {"dbt", "checks", "publish"})
        if job == "refresh_usage":  # a table counted once, not once per day of the range
            # (four tables of about a row per event: deduplicated, metered, per batch and
            # distinct value, per day and dimensions)
            assert counts["dbt"] < 4 * landed
    assert rows[0][12] > 0  # the first run landed the whole inbox
    usage = next(r for r in rows if r[1] == "refresh_usage")
    assert usage[2].startswith("2026-") and ".." in usage[2]


def test_a_run_the_daemon_launched_gets_its_record_from_the_run_status_sensor(
    world: Path, defs_data_dir: Path
):
    """Runs launched by a schedule do not go through `u2c`: the run status sensor writes the
    record of a run that did not publish (evaluated here with Dagster's test context)."""
    from dagster import DagsterEventType, build_run_status_sensor_context

    from orchestration.definitions import defs
    from orchestration.defs.sensors import record_succeeded_runs
    from orchestration.resources import Lake

    runs_dir = world / "lake" / "ops" / "runs"
    with dagster_instance(world) as instance:
        [run] = [r for r in instance.get_runs() if r.job_name == "refresh_usage"][
            -1:
        ]  # the first one
        record = runs_dir / f"{run.run_id}.parquet"
        before = duckdb.sql(f"select * exclude (finished_at) from '{record}'").fetchall()
        record.unlink()
        [success] = instance.all_logs(run.run_id, of_type=DagsterEventType.RUN_SUCCESS)
        context = build_run_status_sensor_context(
            sensor_name=record_succeeded_runs.name,
            dagster_instance=instance,
            dagster_run=run,
            dagster_event=success.dagster_event,
            repository_def=defs.get_repository_def(),
            # the code location stays loaded as it is: the sensor writes where its lake is
            resources={"lake": Lake(data_dir=str(world))},
        )
        record_succeeded_runs(context)
    assert record.exists()
    assert duckdb.sql(f"select * exclude (finished_at) from '{record}'").fetchall() == before


def test_data_docs_name_every_suite_the_run_validated(world: Path):
    index = world / "gx" / "data_docs" / "index.html"
    html = index.read_text()
    # the latest result of each suite, whichever run made it (usage and period runs differ)
    latest: dict[str, str] = {}
    runs = sorted((world / "gx" / "validations").iterdir(), key=lambda p: p.stat().st_mtime)
    for run in runs:
        latest |= {p.stem: run.name for p in run.glob("*.json")}
    assert {"usage_daily", "journal_lines", "journal_balances", "rec_billing_erp"} <= set(latest)
    for suite, run_name in latest.items():
        assert f"validations/{suite}/{run_name}/" in html, suite
