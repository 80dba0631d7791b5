"""The up-front check of `u2c run`: nothing new since the last complete run, or something to do."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from orchestration import runner, up_to_date
from orchestration.settings import Settings

TODAY = "2026-12-04"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path)
    (settings.inbox / "usage").mkdir(parents=True)
    (settings.inbox / "usage" / "events_2026-08-01.jsonl").write_text('{"id": "1"}\n')
    (settings.lake / "raw" / "usage").mkdir(parents=True)
    (settings.lake / "raw" / "usage" / "part-0.parquet").write_bytes(b"PAR1")
    settings.warehouse.write_bytes(b"duckdb")
    (settings.exports / "erp").mkdir(parents=True)
    (settings.exports / "erp" / "manifest.json").write_text("{}")
    return settings


def inputs(settings: Settings, environ=None, today=TODAY, close=True) -> dict:
    return up_to_date.inputs(settings, environ or {"U2C_DATA_DIR": "x"}, today, close)


def complete_run(settings: Settings) -> dict:
    started_from = inputs(settings)
    up_to_date.write_stamp(settings, started_from, ["run-1"])
    return started_from


def test_nothing_changed_since_the_last_complete_run_is_up_to_date(settings: Settings):
    complete_run(settings)
    stamp = up_to_date.is_up_to_date(settings, inputs(settings))
    assert stamp is not None and stamp["run_ids"] == ["run-1"]


def test_no_stamp_means_run(settings: Settings):
    assert up_to_date.is_up_to_date(settings, inputs(settings)) is None
    up_to_date.stamp_path(settings).parent.mkdir(parents=True, exist_ok=True)
    up_to_date.stamp_path(settings).write_text("{not json")  # damaged: run, do not crash
    assert up_to_date.is_up_to_date(settings, inputs(settings)) is None


def test_a_new_inbox_file_is_something_to_do(settings: Settings):
    complete_run(settings)
    (settings.inbox / "usage" / "events_2026-08-02.jsonl").write_text('{"id": "2"}\n')
    assert up_to_date.is_up_to_date(settings, inputs(settings)) is None


def test_a_redelivered_inbox_file_is_something_to_do(settings: Settings):
    complete_run(settings)
    path = settings.inbox / "usage" / "events_2026-08-01.jsonl"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert up_to_date.is_up_to_date(settings, inputs(settings)) is None


def test_a_file_delivered_during_the_run_is_new_to_the_next(settings: Settings):
    started_from = inputs(settings)  # the run starts: its inbox snapshot
    (settings.inbox / "usage" / "events_2026-08-02.jsonl").write_text('{"id": "2"}\n')
    up_to_date.write_stamp(settings, started_from, ["run-1"])  # the run ends
    assert up_to_date.is_up_to_date(settings, inputs(settings)) is None


@pytest.mark.parametrize(
    "writer",
    [
        lambda s: (s.lake / "raw" / "usage" / "part-1.parquet").write_bytes(b"PAR1"),
        lambda s: s.warehouse.write_bytes(b"duckdb, rebuilt by a --job run"),
        lambda s: (s.exports / "erp" / "manifest.json").write_text('{"batch": 2}'),
        lambda s: (s.data_dir / "warehouse.duckdb.wal").write_bytes(b"wal"),
    ],
    ids=["lake", "warehouse", "exports", "warehouse-wal"],
)
def test_another_writer_since_the_last_run_is_something_to_do(settings: Settings, writer):
    complete_run(settings)
    writer(settings)
    assert up_to_date.is_up_to_date(settings, inputs(settings)) is None


def test_a_new_day_other_settings_or_another_kind_of_run_are_something_to_do(
    settings: Settings,
):
    complete_run(settings)
    assert up_to_date.is_up_to_date(settings, inputs(settings, today="2026-12-05")) is None
    partitions = {"U2C_DATA_DIR": "x", "U2C_PARTITIONS_START": "2025-01-01"}
    assert up_to_date.is_up_to_date(settings, inputs(settings, environ=partitions)) is None
    assert up_to_date.is_up_to_date(settings, inputs(settings, close=False)) is None
    # variables of other programs are not settings of ours; nor is the data dir's spelling
    # (`u2c` exports it resolved once it runs, after this check)
    other = {"U2C_DATA_DIR": str(settings.data_dir), "TERM": "dumb"}
    assert up_to_date.is_up_to_date(settings, inputs(settings, environ=other)) is not None
    assert up_to_date.is_up_to_date(settings, inputs(settings, environ={"X": "1"})) is not None


def test_changed_code_is_something_to_do(settings: Settings, monkeypatch, tmp_path: Path):
    root = tmp_path / "project"
    (root / "dbt_project" / "models").mkdir(parents=True)
    (root / "dbt_project" / "models" / "m.sql").write_text("select 1")
    (root / "dbt_project" / "target").mkdir()
    (root / "orchestration").mkdir()
    (root / "orchestration" / "a.py").write_text("A = 1\n")
    (root / "dagster.yaml").write_text("telemetry: {}\n")
    monkeypatch.setattr(up_to_date, "PROJECT_ROOT", root)
    monkeypatch.setattr(up_to_date, "DBT_PROJECT_DIR", root / "dbt_project")
    monkeypatch.setattr(up_to_date, "DAGSTER_YAML", root / "dagster.yaml")
    complete_run(settings)
    # what dbt generates in its project dir is not code
    (root / "dbt_project" / "target" / "manifest.json").write_text("{}")
    assert up_to_date.is_up_to_date(settings, inputs(settings)) is not None
    (root / "dbt_project" / "models" / "m.sql").write_text("select 2")
    assert up_to_date.is_up_to_date(settings, inputs(settings)) is None
    complete_run(settings)
    (root / "orchestration" / "a.py").write_text("A = 2\n")
    assert up_to_date.is_up_to_date(settings, inputs(settings)) is None


def _result(success: bool, run_id: str):
    return SimpleNamespace(success=success, run_id=run_id)


@pytest.mark.parametrize(
    ("results", "stamped"),
    [
        ([_result(True, "a"), _result(True, "b"), _result(True, "c")], True),
        ([_result(True, "a"), _result(False, "b")], False),  # failed part-way
        ([], False),
    ],
    ids=["complete", "failed-part-way", "nothing-ran"],
)
def test_only_a_complete_run_leaves_a_stamp(settings: Settings, monkeypatch, results, stamped):
    complete_run(settings)  # an earlier complete run: its stamp must not survive a failed one
    monkeypatch.setattr(runner, "_run_sequence", lambda *args: results)
    assert runner.run_pipeline(settings) == results
    assert up_to_date.stamp_path(settings).exists() is stamped
    assert (runner.nothing_new(settings) is not None) is stamped


def test_nothing_new_is_one_line(settings: Settings, monkeypatch):
    monkeypatch.setattr(runner, "_run_sequence", lambda *args: [_result(True, "a")])
    runner.run_pipeline(settings)
    line = runner.nothing_new(settings)
    assert line.startswith("nothing new since the last complete run") and "\n" not in line
