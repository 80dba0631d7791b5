"""The run history's SQLite event log: one open connection per database, every event kept."""

from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as db
from dagster import AssetKey, AssetMaterialization, DagsterEvent, DagsterEventType
from dagster._core.events import StepMaterializationData
from dagster._core.events.log import EventLogEntry

from orchestration.instance_storage import OPEN_SHARDS, OneWriterSqliteEventLogStorage


def materialization(run_id: str, n: int) -> EventLogEntry:
    event = DagsterEvent(
        event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
        job_name="refresh_usage",
        event_specific_data=StepMaterializationData(
            AssetMaterialization(asset_key=AssetKey(["marts", f"model_{n % 5}"]))
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


def test_a_run_of_events_opens_each_database_once_and_keeps_every_event(tmp_path):
    events = storage(tmp_path)
    opened: list = []

    def on_connect(*_args) -> None:
        opened.append(1)

    db.event.listen(db.engine.Engine, "connect", on_connect)
    try:
        for n in range(60):
            events.store_event(materialization("run-a", n))
    finally:
        db.event.remove(db.engine.Engine, "connect", on_connect)
    # the run's file and the index (plus one nested connection creating each): not one per event
    assert len(opened) <= 4, len(opened)
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
