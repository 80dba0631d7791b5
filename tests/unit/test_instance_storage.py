"""The run history's SQLite event log: one open connection per database, every event kept."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as db
from dagster import AssetKey, AssetMaterialization, DagsterEvent, DagsterEventType
from dagster._core.events import StepMaterializationData
from dagster._core.events.log import EventLogEntry

from orchestration.instance_storage import OPEN_SHARDS, OneWriterSqliteEventLogStorage


def materialization(run_id: str, n: int, partition: str | None = None) -> EventLogEntry:
    # a partition and a data version, as dagster-dbt's day-partitioned models carry: tags the
    # index keeps per event
    tags = {"dagster/data_version": f"v{n}"} if partition else None
    event = DagsterEvent(
        event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
        job_name="refresh_usage",
        event_specific_data=StepMaterializationData(
            AssetMaterialization(
                asset_key=AssetKey(["marts", f"model_{n % 5}"]), partition=partition, tags=tags
            )
        ),
    )
    return EventLogEntry(
        error_info=None,
        level="INFO",
        user_message="",
        run_id=run_id,
        timestamp=time.time(),
        step_key="usage_models",
        job_name="refresh_usage",
        dagster_event=event,
    )


def storage(tmp_path: Path) -> OneWriterSqliteEventLogStorage:
    return OneWriterSqliteEventLogStorage(str(tmp_path / "runs") + "/")


@contextmanager
def counted(name: str) -> Iterator[list]:
    """Every `name` event (connect, commit) of any SQLAlchemy engine while inside."""
    seen: list = []

    def on_event(*_args) -> None:
        seen.append(1)

    db.event.listen(db.engine.Engine, name, on_event)
    try:
        yield seen
    finally:
        db.event.remove(db.engine.Engine, name, on_event)


def test_a_run_of_events_opens_each_database_once_and_keeps_every_event(tmp_path):
    events = storage(tmp_path)
    with counted("connect") as opened:
        for n in range(60):
            events.store_event(materialization("run-a", n, partition=f"2026-08-{n % 28 + 1:02d}"))
    # the run's file and the index (plus one nested connection creating each): not one per event,
    # nor one per event asking the index whether its tags table exists (the stock storage does)
    assert len(opened) <= 5, len(opened)
    assert len(events.get_logs_for_run("run-a")) == 60
    # another process (here: a fresh storage) reads what was written, from disk
    fresh = storage(tmp_path)
    assert len(fresh.get_logs_for_run("run-a")) == 60
    latest = fresh.get_latest_materialization_events([AssetKey(["marts", "model_4"])])
    assert latest[AssetKey(["marts", "model_4"])] is not None


def test_writes_are_durable_across_a_killed_process_not_fsynced_each(tmp_path):
    events = storage(tmp_path)
    events.store_event(materialization("run-a", 0))
    with events.run_connection("run-a") as conn:
        journal = conn.execute(db.text("PRAGMA journal_mode")).scalar()
        synchronous = conn.execute(db.text("PRAGMA synchronous")).scalar()
    assert (journal, synchronous) == ("wal", 1)  # WAL, NORMAL


def test_open_databases_are_bounded_and_a_wipe_closes_them(tmp_path):
    events = storage(tmp_path)
    for n in range(OPEN_SHARDS + 5):
        events.store_event(materialization(f"run-{n}", n))
    assert len(events._engines) <= OPEN_SHARDS
    assert len(events.get_logs_for_run("run-0")) == 1  # evicted, opened again
    events.wipe()
    assert set(events._engines) <= {"index"}  # the wiped run files are not held open
    assert events.get_logs_for_run("run-1") == []
    events.store_event(materialization("run-1", 1))
    assert len(events.get_logs_for_run("run-1")) == 1


def test_a_batch_is_one_commit_per_database_and_keeps_every_event(tmp_path):
    events = storage(tmp_path)
    events.store_event(materialization("run-a", 0))  # the run's file and the index exist
    batch = [materialization("run-a", n, partition=f"2026-08-{n % 28 + 1:02d}") for n in range(60)]
    with counted("commit") as commits:
        events.store_event_batch(batch)
    assert len(commits) == 2  # the run's file and the index, not 2 per event
    assert len(events.get_logs_for_run("run-a")) == 61
    fresh = storage(tmp_path)  # what another process reads, from disk
    key = AssetKey(["marts", "model_4"])
    latest = fresh.get_latest_materialization_events([key])[key]
    assert latest.dagster_event.event_specific_data.materialization.partition == "2026-08-04"
    assert fresh.get_materialized_partitions(key) == {
        f"2026-08-{n % 28 + 1:02d}" for n in range(60) if n % 5 == 4
    }


def test_a_batch_that_fails_stores_none_of_its_events(tmp_path, monkeypatch):
    """All or nothing: Dagster then stores the batch's events one by one, none twice."""
    events = storage(tmp_path)
    events.store_event(materialization("run-a", 0))
    stored = events._store_asset_event
    calls: list = []

    def failing_on_the_tenth(conn, event, event_id):
        calls.append(1)
        if len(calls) == 10:
            raise db.exc.OperationalError("insert", {}, Exception("disk I/O error"))
        stored(conn, event, event_id)

    monkeypatch.setattr(events, "_store_asset_event", failing_on_the_tenth)
    with pytest.raises(db.exc.OperationalError):
        events.store_event_batch([materialization("run-a", n) for n in range(1, 21)])
    monkeypatch.undo()
    assert len(events.get_logs_for_run("run-a")) == 1
    assert len(storage(tmp_path).get_logs_for_run("run-a")) == 1
    # the lock is free and the storage usable: a later event is stored
    events.store_event(materialization("run-a", 21))
    assert len(events.get_logs_for_run("run-a")) == 2


def test_u2c_turns_batches_on_and_keeps_a_size_the_user_set(tmp_path, monkeypatch):
    from orchestration.settings import Settings

    monkeypatch.delenv("DAGSTER_EVENT_BATCH_SIZE", raising=False)
    assert int(Settings(data_dir=tmp_path).environ()["DAGSTER_EVENT_BATCH_SIZE"]) > 1
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "0")  # batches off, as Dagster's default
    assert Settings(data_dir=tmp_path).environ()["DAGSTER_EVENT_BATCH_SIZE"] == "0"
