"""Schedules, the inbox sensor and the retry policy, evaluated with Dagster's test contexts."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from dagster import RetryRequested, build_schedule_context, build_sensor_context

from orchestration.defs.schedules import (
    intraday_periods,
    intraday_usage,
    month_end_close,
    nightly_periods,
    nightly_usage,
)
from orchestration.defs.sensors import inbox_sensor
from orchestration.inbox_scan import scan
from orchestration.retries import backoff_seconds, is_transient, retry_transient


def requests(schedule, when: datetime):
    # invoked directly: the partition key is checked against the job's partitions in
    # tests/test_definitions.py, where the whole code location is loaded
    return [schedule(build_schedule_context(scheduled_execution_time=when))]


@pytest.mark.parametrize(
    ("schedule", "when", "partition"),
    [
        (nightly_usage, datetime(2026, 10, 1, 2, 0, tzinfo=UTC), "2026-09-30"),
        (nightly_periods, datetime(2026, 10, 1, 2, 10, tzinfo=UTC), "2026-09-01"),
        (nightly_periods, datetime(2026, 10, 2, 2, 10, tzinfo=UTC), "2026-10-01"),
        (intraday_usage, datetime(2026, 10, 1, 14, 15, tzinfo=UTC), "2026-10-01"),
        (intraday_periods, datetime(2026, 10, 1, 14, 20, tzinfo=UTC), "2026-10-01"),
        (month_end_close, datetime(2026, 11, 1, 6, 0, tzinfo=UTC), "2026-10-01"),
        (month_end_close, datetime(2027, 1, 1, 6, 0, tzinfo=UTC), "2026-12-01"),
    ],
)
def test_each_schedule_requests_the_right_partition(schedule, when, partition):
    [request] = requests(schedule, when)
    assert request.partition_key == partition
    # one run per tick: the same tick evaluated twice gives the same run key
    assert requests(schedule, when)[0].run_key == request.run_key


def test_the_close_never_targets_a_refresh_job_and_intraday_never_exports():
    assert month_end_close.job_name == "close_period"
    assert intraday_periods.job_name == nightly_periods.job_name == "refresh_periods"
    assert intraday_usage.job_name == nightly_usage.job_name == "refresh_usage"


def deliver(inbox: Path, name: str, text: str = "x\n", mtime: int = 1_790_000_000) -> None:
    path = inbox / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, (mtime, mtime))


def tick(data_dir: Path, cursor: str | None):
    os.environ["U2C_DATA_DIR"] = str(data_dir)
    return inbox_sensor.evaluate_tick(build_sensor_context(cursor=cursor))


def test_each_new_file_triggers_landing_once_however_often_the_sensor_ticks(tmp_path, monkeypatch):
    monkeypatch.setenv("U2C_DATA_DIR", str(tmp_path))
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
