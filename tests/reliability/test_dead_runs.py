"""A `u2c` killed mid-run leaves its run STARTED and the warehouse pool's one slot claimed: the
next run would wait for it forever (what the first crash trial found). The next `u2c` fails
such runs of dead processes and frees their slots, and leaves live ones alone."""

from __future__ import annotations

import subprocess

import pytest
from dagster import DagsterInstance, DagsterRunStatus
from dagster._core.storage.dagster_run import DagsterRun
from dagster._utils.concurrency import ConcurrencySlotStatus

from orchestration.dead_runs import PROCESS_TAG, process_identity, reap_dead_runs
from orchestration.pools import WAREHOUSE_POOL
from orchestration.settings import Settings


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("U2C_DATA_DIR", str(tmp_path))
    settings = Settings.from_env()
    settings.apply()
    with DagsterInstance.get() as instance:
        instance.event_log_storage.set_concurrency_slots(WAREHOUSE_POOL, 1)
        yield instance


def started_run(instance: DagsterInstance, identity: str) -> DagsterRun:
    run = DagsterRun(
        job_name="land_inbox", status=DagsterRunStatus.STARTED, tags={PROCESS_TAG: identity}
    )
    instance.add_run(run)
    return run


def claim(instance: DagsterInstance, run_id: str) -> ConcurrencySlotStatus:
    return instance.event_log_storage.claim_concurrency_slot(
        WAREHOUSE_POOL, run_id, "land_sources"
    ).slot_status


def test_the_slot_of_a_killed_u2c_is_freed_and_its_run_failed(instance):
    child = subprocess.Popen(["sleep", "60"])
    identity = process_identity(child.pid)
    child.kill()
    child.wait()
    dead = started_run(instance, identity)
    assert claim(instance, dead.run_id) == ConcurrencySlotStatus.CLAIMED
    waiting = started_run(instance, process_identity())
    assert claim(instance, waiting.run_id) == ConcurrencySlotStatus.BLOCKED

    assert reap_dead_runs(instance) == [dead.run_id]
    assert instance.get_run_by_id(dead.run_id).status == DagsterRunStatus.FAILURE
    assert claim(instance, waiting.run_id) == ConcurrencySlotStatus.CLAIMED
    # the live process's run (this one) is left alone, and reaping again finds nothing
    assert instance.get_run_by_id(waiting.run_id).status == DagsterRunStatus.STARTED
    assert reap_dead_runs(instance) == []


def test_a_reused_pid_is_not_taken_for_the_dead_process(instance):
    """Same pid, another start time: the tag names a process that is gone."""
    host, pid, _ticks = process_identity().split(":")
    run = started_run(instance, f"{host}:{pid}:1")
    assert reap_dead_runs(instance) == [run.run_id]
