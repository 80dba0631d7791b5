"""The inbox sensor (evaluated with Dagster's test context) and the retry policy."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from dagster import RetryRequested, build_sensor_context

from orchestration.defs.sensors import inbox_sensor
from orchestration.inbox_scan import scan
from orchestration.resources import Lake
from orchestration.retries import backoff_seconds, is_transient, retry_transient


def deliver(inbox: Path, name: str, text: str = "x\n", mtime: int = 1_790_000_000) -> None:
    path = inbox / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, (mtime, mtime))


def tick(data_dir: Path, cursor: str | None):
    lake = Lake(data_dir=str(data_dir))
    return inbox_sensor.evaluate_tick(build_sensor_context(cursor=cursor, resources={"lake": lake}))


def test_each_new_file_triggers_landing_once_however_often_the_sensor_ticks(tmp_path):
    inbox = tmp_path / "inbox"
    deliver(inbox, "usage/events_2026-09-01.jsonl")
    deliver(inbox, "billing/invoices.jsonl")
    deliver(inbox, "usage/.events_2026-09-02.jsonl.part")  # still being written
    first = tick(tmp_path, None)
    [request] = first.run_requests
    assert "billing/invoices.jsonl" in request.tags["u2c/new_files"]
    assert ".part" not in request.tags["u2c/new_files"]
    for _ in range(3):
        again = tick(tmp_path, first.cursor)
        assert again.run_requests == []
        assert again.skip_message
    # an old-dated file is still new; a re-delivered file under the same name is new again
    deliver(inbox, "erp/accounts.csv", mtime=1_600_000_000)
    deliver(inbox, "billing/invoices.jsonl", text="y\nz\n")
    later = tick(tmp_path, first.cursor)
    [request] = later.run_requests
    assert request.tags["u2c/new_files"] == "billing/invoices.jsonl, erp/accounts.csv"
    assert request.run_key != first.run_requests[0].run_key
    assert tick(tmp_path, later.cursor).run_requests == []


def test_the_cursor_forgets_files_that_left_the_inbox(tmp_path):
    deliver(tmp_path, "a.csv")
    delta = scan(tmp_path, None)
    (tmp_path / "a.csv").unlink()
    assert scan(tmp_path, delta.cursor).cursor == "{}"


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (duckdb.IOException('Could not set lock on file "warehouse.duckdb"'), True),
        (RuntimeError("IO Error: Could not set lock on file warehouse.duckdb"), True),
        (TimeoutError("read timed out"), True),
        (OSError(5, "Input/output error"), True),
        (FileNotFoundError("inbox missing"), False),
        (PermissionError("read-only"), False),
        (ValueError("journal U2C-INV-1 does not balance"), False),
        (RuntimeError("dbt test unique_invoices_invoice_id failed"), False),
    ],
)
def test_only_transient_failures_are_retried(error, transient):
    assert is_transient(error) is transient
    if transient:
        with pytest.raises(RetryRequested) as raised, retry_transient(retry_number=0):
            raise error
        assert raised.value.seconds_to_wait == backoff_seconds(0)
    else:
        with pytest.raises(type(error)), retry_transient(retry_number=0):
            raise error


def test_retries_stop_after_the_policy_limit():
    with pytest.raises(TimeoutError), retry_transient(retry_number=3):
        raise TimeoutError("still timing out")
    assert [backoff_seconds(n) for n in range(3)] == [2, 4, 8]


def test_instance_storage_is_sqlite_by_default_and_postgres_from_the_environment(tmp_path):
    """The instance config u2c writes validates against Dagster's schema either way; Postgres
    credentials come from the environment, never from the file."""
    import yaml
    from dagster._core.instance.config import dagster_instance_config

    from orchestration.settings import instance_yaml

    sqlite = instance_yaml({})
    (tmp_path / "dagster.yaml").write_text(sqlite)
    config, _ = dagster_instance_config(str(tmp_path))
    assert config["event_log_storage"]["class"] == "OneWriterSqliteEventLogStorage"
    assert "storage" not in config
    assert config["concurrency"]["pools"]["default_limit"] == 1

    env = {
        "DAGSTER_PG_HOST": "db.internal",
        "DAGSTER_PG_PORT": "5432",
        "DAGSTER_PG_DB": "dagster",
        "DAGSTER_PG_USERNAME": "u2c",
        "DAGSTER_PG_PASSWORD": "secret",
    }
    postgres = instance_yaml(env)
    assert "secret" not in postgres and "db.internal" not in postgres
    (tmp_path / "dagster.yaml").write_text(postgres)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        config, _ = dagster_instance_config(str(tmp_path))
    parsed = yaml.safe_load(postgres)
    assert "event_log_storage" not in parsed
    assert parsed["storage"]["postgres"]["postgres_db"]["hostname"] == {"env": "DAGSTER_PG_HOST"}
    # everything else (queue, pools, telemetry, retention) is the same in both
    for key in ("concurrency", "run_coordinator", "telemetry", "retention"):
        assert config[key] == yaml.safe_load(sqlite)[key]
