"""Partitioned runs and replay end to end on the shared world (tests/e2e/conftest.py), through
the real CLI; this module adds late data to the world, so it runs last. A replay reproduces the
marts and the ERP files after later data arrived; a two-day backfill is one run with one dbt
invocation and recomputes exactly its two days."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb

from tests.conftest import dagster_instance, run_u2c
from tests.e2e.conftest import FIRST_DAY, LAST_DAY


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def run_events(data_dir: Path, run_id: str) -> list:
    """The run's Dagster events and, apart, its log messages."""
    with dagster_instance(data_dir) as instance:
        return list(instance.all_logs(run_id))


def run_id_of(output: str, job: str) -> str:
    """The run id `u2c` printed for `job` ("run <id> (<job> ...)")."""
    [line] = [x for x in output.splitlines() if x.startswith("run ") and f"({job}" in x]
    return line.split()[1]


def usage_rows(data_dir: Path, days: list[str]) -> dict[str, list[tuple]]:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        return {
            day: con.execute(
                "select * from marts.usage_daily where usage_date = ? order by all", [day]
            ).fetchall()
            for day in days
        }


def test_replay_reproduces_marts_and_erp_files_after_later_data_and_sends_nothing(world: Path):
    # later data: a late usage file for August lands and the pipeline runs again
    inbox = world / "inbox" / "usage"
    source = sorted(inbox.glob("events_2026-08-1[0-9].jsonl"))[0]  # a day file, not an extra
    late = []
    for n, line in enumerate(source.read_text().splitlines()[:25]):
        event = json.loads(line)
        late.append(json.dumps({**event, "id": f"late_replay_{n}"}))
    # and five exact re-deliveries of events counted before: an incremental run reports them
    redelivered = source.read_text().splitlines()[25:30]
    (inbox / "events_late_replay.jsonl").write_text("\n".join(late + redelivered) + "\n")
    again = run_u2c(world, "run")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    with duckdb.connect(str(world / "warehouse.duckdb"), read_only=True) as con:
        removed = con.execute(
            "select line_number, kept_file_name from marts.ops_usage_duplicates"
            " where file_name = 'events_late_replay.jsonl' order by line_number"
        ).fetchall()
    assert [line for line, _ in removed] == [26, 27, 28, 29, 30]
    assert all(kept != "events_late_replay.jsonl" for _, kept in removed)

    exports_before = tree(world / "exports")
    assert any(name.endswith("manifest.json") for name in exports_before)
    replayed = run_u2c(world, "replay", "--from", FIRST_DAY, "--to", LAST_DAY)
    assert replayed.returncode == 0, replayed.stdout[-4000:] + replayed.stderr[-3000:]
    # quiet like `u2c run`: what it does and the verdict, the rebuild's output in the log file
    assert "dagster - " not in replayed.stdout + replayed.stderr
    assert "tables identical to the live warehouse" in replayed.stdout

    report = json.loads(
        (world / "replay" / f"{FIRST_DAY}_{LAST_DAY}" / "replay_report.json").read_text()
    )
    assert report["identical"] is True
    marts = {m["table"]: m for m in report["marts"]}
    assert {
        "usage_daily",
        "journal_lines",
        "rec_summary",
        "rated_usage",
        "ops_usage_duplicates",
    } <= marts.keys()
    assert all(m["identical"] for m in marts.values())
    assert all(marts[t]["rows"] > 0 for t in ("usage_daily", "journal_lines", "rec_summary"))
    # every file of every published batch, re-derived byte for byte
    published = {
        (m.parent.name, f["file"])
        for m in (world / "exports" / "journals").glob("*/manifest.json")
        for f in json.loads(m.read_text())["files"]
    }
    assert {(f["export_batch_id"], f["file"]) for f in report["files"]} == published
    assert all(f["identical"] for f in report["files"])
    # nothing new for the ERP, no live file touched
    assert tree(world / "exports") == exports_before
    with dagster_instance(world) as instance:
        replays = [r for r in instance.get_runs() if r.tags.get("u2c/replay") == "true"]
    assert sorted(r.job_name for r in replays) == ["refresh_periods", "refresh_usage"]


def test_a_two_day_backfill_is_one_run_one_dbt_call_and_recomputes_exactly_its_days(world: Path):
    days = ["2026-08-10", "2026-08-11", "2026-08-12"]
    before = usage_rows(world, days)
    assert all(before.values())
    with duckdb.connect(str(world / "warehouse.duckdb")) as con:  # lose three days of the mart
        con.execute("delete from marts.usage_daily where usage_date in (?, ?, ?)", days)
    two_days = run_u2c(world, "run", "--job", "refresh_usage", "--from", days[0], "--to", days[1])
    assert two_days.returncode == 0, two_days.stdout[-3000:] + two_days.stderr[-3000:]

    after = usage_rows(world, days)
    assert after[days[0]] == before[days[0]] and after[days[1]] == before[days[1]]
    assert after[days[2]] == []  # outside the partitions: untouched
    # one run, one dbt invocation for the range, with the window in dbt's environment
    events = run_events(world, run_id_of(two_days.stdout, "refresh_usage"))
    starts = [
        e.step_key for e in events if e.is_dagster_event and e.dagster_event_type == "STEP_START"
    ]
    assert starts.count("usage_models") == 1
    messages = [e.user_message or "" for e in events if e.step_key == "usage_models"]
    assert sum("Running dbt command" in m for m in messages) == 1
    windows = [m for m in messages if m.startswith("dbt partition window:")]
    # end exclusive
    assert windows == [
        "dbt partition window: U2C_USAGE_WINDOW_START=2026-08-10, U2C_USAGE_WINDOW_END=2026-08-12"
    ]
    materialized = {
        e.dagster_event.partition
        for e in events
        if e.is_dagster_event
        and e.dagster_event_type == "ASSET_MATERIALIZATION"
        and e.dagster_event.asset_key.to_user_string() == "marts/usage_daily"
    }
    assert materialized == set(days[:2])
