"""Runs whose `u2c` process died (killed, out of memory, power cut) are failed and their pool
slots freed, so the next run does not wait forever for the warehouse's one slot.

A run `u2c` executes in-process carries `u2c/process` = `<host>:<pid>:<start>` (the process's
start time in clock ticks since boot, so a reused pid is not taken for the dead process). Dagster
frees a run's concurrency slots when the run finishes, and its daemon watches the runs it
launched; nothing watches an in-process run whose process was killed: it stays STARTED and keeps
the `u2c_warehouse` slot. Before each run, `reap_dead_runs` marks such runs of this host failed
and frees their slots.
"""

from __future__ import annotations

import os
import socket

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

PROCESS_TAG = "u2c/process"
UNFINISHED = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]


def _start_ticks(pid: int) -> str | None:
    """The process's start time (field 22 of /proc/<pid>/stat), or None when it is gone.
    Without procfs (macOS), "alive" while a process of that pid exists."""
    if not os.path.isdir("/proc/self"):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass  # someone else's process: it exists
        return "alive"
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()[19]


def process_identity(pid: int | None = None) -> str:
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid)}"


def process_tag() -> dict[str, str]:
    """The tag that ties a run to this process."""
    return {PROCESS_TAG: process_identity()}


def is_dead(identity: str) -> bool:
    """True when the process named by a `u2c/process` tag of this host no longer runs; a tag of
    another host is never judged here."""
    host, _, rest = identity.partition(":")
    pid, _, ticks = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return _start_ticks(int(pid)) != ticks


def reap_dead_runs(instance: DagsterInstance) -> list[str]:
    """Fail the unfinished runs of dead `u2c` processes and free their pool slots; return their
    run ids."""
    reaped = []
    for record in instance.get_run_records(filters=RunsFilter(statuses=UNFINISHED)):
        run = record.dagster_run
        identity = run.tags.get(PROCESS_TAG)
        if identity is None or not is_dead(identity):
            continue
        instance.report_run_failed(
            run, f"the u2c process that ran it ({identity}) died before the run finished"
        )
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        reaped.append(run.run_id)
    return reaped
