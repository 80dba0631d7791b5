"""The `u2c` commands a user looks with (status, exports, recon, quarantine) on the built world,
on an empty data dir and on a missing one; and what `u2c run` shows on the terminal."""

from __future__ import annotations

import csv
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_u2c


def as_json(data_dir: Path, *args: str) -> dict:
    done = run_u2c(data_dir, *args, "--format", "json")
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def marts(world: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(world / "published" / "marts.duckdb"), read_only=True)


def test_status_shows_runs_freshness_and_open_variances(world: Path):
    status = as_json(world, "status")
    jobs = {r["job"]: r["status"] for r in status["runs"]}
    assert jobs["land_inbox"] == jobs["refresh_usage"] == jobs["close_period"] == "success"
    sources = {s["system"]: s for s in status["sources"]}
    assert set(sources) == {"usage", "billing", "crm", "erp"}
    with marts(world) as con:
        files = dict(
            con.execute("select system, count(*) from ops_landing_batches group by all").fetchall()
        )
        last_usage = con.execute(
            "select max(file_delivered_at) from ops_landing_batches where system = 'usage'"
        ).fetchone()[0]
        open_rows = dict(
            con.execute(
                "select reconciliation, sum(open_row_count) from rec_summary group by all "
                "having sum(open_row_count) > 0"
            ).fetchall()
        )
    assert {k: v["files"] for k, v in sources.items()} == files
    assert sources["usage"]["last_delivered_at"] == last_usage.isoformat()
    assert sources["usage"]["last_file"].startswith("events_") and sources["usage"]["lag"]
    shown: dict[str, int] = {}
    for row in status["open_variances"]:
        shown[row["reconciliation"]] = shown.get(row["reconciliation"], 0) + row["open_rows"]
    assert shown == open_rows and shown


def test_exports_list_and_show_check_the_files_against_their_manifests(world: Path, tmp_path: Path):
    batches = as_json(world, "exports", "list")["batches"]
    manifests = sorted((world / "exports").glob("*/*/manifest.json"))
    assert sorted(b["export_id"] for b in batches) == sorted(m.parent.name for m in manifests)
    assert {b["manifest_check"] for b in batches} == {"ok"}
    journals = next(b for b in batches if b["kind"] == "journals")
    manifest = json.loads(
        (world / "exports" / "journals" / journals["export_id"] / "manifest.json").read_text()
    )
    assert journals["rows"] == sum(f["rows"] for f in manifest["files"])

    shown = as_json(world, "exports", "show", journals["export_id"])
    assert {f["file"]: f["sha256"] for f in shown["files"]} == {
        f["file"]: f["sha256"] for f in manifest["files"]
    }
    assert {f["on_disk"] for f in shown["files"]} == {"ok"}
    netsuite = next(f for f in shown["files"] if f["format"] == "netsuite")
    described = next(f for f in manifest["files"] if f["file"] == netsuite["file"])
    assert {k: Decimal(v) for k, v in netsuite["totals"].items()} == {
        k: Decimal(v) for k, v in described["totals"].items()
    }

    # a copy of the batch with one file edited and one deleted: show says so, and exits 1
    copy = tmp_path / "data"
    batch = copy / "exports" / "journals" / journals["export_id"]
    shutil.copytree(world / "exports" / "journals" / journals["export_id"], batch)
    (batch / netsuite["file"]).write_bytes((batch / netsuite["file"]).read_bytes() + b"\n")
    gone = next(f["file"] for f in manifest["files"] if f["format"] == "fbdi")
    (batch / gone).unlink()
    tampered = run_u2c(copy, "exports", "show", journals["export_id"], "--format", "json")
    assert tampered.returncode == 1
    status = {f["file"]: f["on_disk"] for f in json.loads(tampered.stdout)["files"]}
    assert status[netsuite["file"]] == "changed" and status[gone] == "missing"
    listed = run_u2c(copy, "exports", "list", "--format", "csv")
    [row] = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert row["manifest_check"] == "1 changed, 1 missing"
    table = run_u2c(copy, "exports", "show", journals["export_id"])
    assert "do NOT match the manifest" in table.stdout


def test_recon_filters_the_summary_and_lists_the_rows_behind_it(world: Path):
    with marts(world) as con:
        entity, period, status = con.execute(
            "select legal_entity, fiscal_period, status from rec_summary "
            "where status <> 'matched' and legal_entity is not null order by all limit 1"
        ).fetchone()
        summary_rows = con.execute(
            "select count(*) from rec_summary where legal_entity = ? and fiscal_period = ?",
            [entity, period],
        ).fetchone()[0]
        open_rows = con.execute(
            "select sum(open_row_count) from rec_summary "
            "where legal_entity = ? and fiscal_period = ?",
            [entity, period],
        ).fetchone()[0]
        with_status = con.execute(
            "select sum(row_count) from rec_summary where status = ?", [status]
        ).fetchone()[0]
    found = as_json(world, "recon", "--entity", entity, "--period", period)
    assert len(found["summary"]) == summary_rows
    assert len(found["rows"]) == open_rows > 0
    assert {r["legal_entity"] for r in found["rows"]} == {entity}
    assert all(r["status"] != "matched" for r in found["rows"])
    by_status = as_json(world, "recon", "--status", status)
    assert len(by_status["rows"]) == with_status
    assert {r["status"] for r in by_status["summary"]} == {status}
    table = run_u2c(world, "recon", "--entity", entity)
    assert table.returncode == 0 and "rec_summary (entity" in table.stdout
    assert "variance_functional" in table.stdout.splitlines()[1]


def test_quarantine_counts_by_reason_with_the_rows_file_and_line(world: Path):
    found = as_json(world, "quarantine", "--system", "usage", "--samples", "1")
    with marts(world) as con:
        expected = con.execute(
            "select source_table, reason_class, reason_code, count(*) from ops_quarantine "
            "where system = 'usage' group by all order by all"
        ).fetchall()
    assert [
        (r["source_table"], r["reason_class"], r["reason_code"], r["rows"]) for r in found["counts"]
    ] == expected
    assert expected  # the default world quarantines conflicting duplicates
    assert len(found["samples"]) == len(expected)  # one per reason
    sample = found["samples"][0]
    line = (
        (world / "inbox" / "usage" / sample["file_name"])
        .read_text()
        .splitlines()[sample["line_number"] - 1]
    )
    assert json.loads(line) == json.loads(sample["payload"])


def u2c_here(data_dir: Path, args: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    """`u2c` in this process (no interpreter start per call); the commands that only read."""
    from orchestration.cli import main

    monkeypatch.setenv("U2C_DATA_DIR", str(data_dir))
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


LOOKING = [
    ["status"],
    ["exports", "list"],
    ["exports", "show", "jb-nope"],
    ["recon"],
    ["recon", "--period", "2026-13"],
    ["quarantine"],
]


def test_every_command_on_a_missing_and_an_empty_data_dir_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
):
    empty = tmp_path / "empty"
    empty.mkdir()
    for command in LOOKING:
        code, _, err = u2c_here(tmp_path / "nowhere", command, monkeypatch, capsys)
        assert code == 2, command
        assert err.startswith(f"u2c {command[0]}: no data dir at") and "U2C_DATA_DIR" in err
        assert not (tmp_path / "nowhere").exists()  # a typo does not create a data dir

        code, out, err = u2c_here(empty, command, monkeypatch, capsys)
        if command[0] == "status" or command[:2] == ["exports", "list"]:
            assert code == 0, (command, err)
            assert "yet" in out  # "no runs yet", "nothing landed yet", ...
        else:
            assert code == 2 and err.startswith(f"u2c {command[0]}: "), (command, err)
            assert err.count("\n") == 1  # one line, no traceback

    # `run` runs Dagster: as a user would, in a process of its own
    missing = run_u2c(tmp_path / "nowhere", "run")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert "no data dir at" in missing.stderr
    done = run_u2c(empty, "run")
    assert done.returncode == 0 and "Traceback" not in done.stderr + done.stdout
    assert "is empty: nothing to land" in done.stderr
    assert "nothing landed yet: no usage days or billing periods to build" in done.stderr


def test_run_is_quiet_and_keeps_the_debug_stream_in_a_log_file(world: Path):
    stdout = (world.parent / "first_run.stdout").read_text()
    stderr = (world.parent / "first_run.stderr").read_text()
    terminal = stdout + stderr
    # no Dagster event stream, no dbt output, no warnings on the terminal ...
    for noise in ("DEBUG", "STEP_START", "Running with dbt=", "OK created sql", "Warning"):
        assert noise not in terminal, noise
    # ... but progress while it runs, and the summary
    assert "land_sources done in" in stderr and "period_models done in" in stderr
    assert "files landed" in stderr
    assert "run " in stdout and "close report pages" in stdout
    [log_line] = [line for line in stdout.splitlines() if line.startswith("full log")]
    log = Path(log_line.split(": ", 1)[1])
    assert log.parent == world / "logs"
    text = log.read_text()
    assert "DEBUG" in text and "STEP_START" in text and "Running with dbt=" in text


def test_verbose_shows_the_debug_stream(world: Path):
    done = run_u2c(world, "run", "--job", "land_inbox", "-v")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "DEBUG" in done.stderr and "STEP_START" in done.stderr


def test_docs_generates_the_dbt_docs_with_descriptions_and_the_catalog(world: Path):
    done = run_u2c(world, "docs")
    assert done.returncode == 0, done.stderr[-3000:]
    docs = world / "docs" / "dbt"
    assert str(docs / "static_index.html") in done.stdout
    page = (docs / "static_index.html").read_text()
    assert "Reconciliation overview" in page  # rec_summary's description, from its yml
    catalog = json.loads((docs / "catalog.json").read_text())
    columns = catalog["nodes"]["model.usage_to_cash.rec_summary"]["columns"]
    assert "open_variance_functional" in columns  # column types read from the warehouse
