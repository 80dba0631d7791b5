"""The schedules, evaluated with Dagster's test contexts against the loaded code location.
(The inbox sensor and the retry policy: tests/unit/test_scheduling.py.)"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from dagster import build_schedule_context, instance_for_test

from orchestration.defs.schedules import (
    intraday_periods,
    intraday_usage,
    month_end_close,
    nightly_periods,
    nightly_usage,
)


def requests(schedule, when: datetime):
    # evaluated against the code location: Dagster resolves each request's partition against
    # the job's partitions, as the daemon does
    from orchestration.definitions import defs

    with instance_for_test() as instance:  # nothing built yet: no model is fresh
        context = build_schedule_context(
            scheduled_execution_time=when,
            repository_def=defs.get_repository_def(),
            instance=instance,
        )
        return schedule.evaluate_tick(context).run_requests


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
def test_each_schedule_requests_the_right_partition(schedule, when, partition, defs_data_dir: Path):
    from orchestration.definitions import defs

    [request] = requests(schedule, when)
    assert request.partition_key == partition
    assert request.asset_selection is None  # nothing built yet: the whole job
    # the code location serves the schedule, and its job has that partition at that time
    assert defs.resolve_schedule_def(schedule.name) is schedule
    job = defs.resolve_job_def(schedule.job_name)
    assert partition in job.partitions_def.get_partition_keys(current_time=when)
    # one run per tick: the same tick evaluated twice gives the same run key
    assert requests(schedule, when)[0].run_key == request.run_key


def test_a_period_tick_behind_another_run_asks_for_the_whole_job(defs_data_dir: Path, monkeypatch):
    """Runs start in queue order, so only with none queued or running can the tick's view of
    what is fresh be the run's; behind another run it does not look, and asks for everything."""
    from dagster import DagsterRunStatus

    from orchestration.definitions import defs
    from orchestration.defs import schedules

    looked = []
    monkeypatch.setattr(schedules, "fresh_keys", lambda *args: looked.append(args) or [])
    when = datetime(2026, 10, 1, 14, 20, tzinfo=UTC)
    with instance_for_test() as instance:
        context = build_schedule_context(
            scheduled_execution_time=when,
            repository_def=defs.get_repository_def(),
            instance=instance,
        )
        [request] = schedules.intraday_periods.evaluate_tick(context).run_requests
        assert request.asset_selection is None and len(looked) == 1  # looked: nothing fresh
        instance.create_run_for_job(
            defs.resolve_job_def("land_inbox"), status=DagsterRunStatus.STARTED
        )
        [request] = schedules.intraday_periods.evaluate_tick(context).run_requests
        assert request.asset_selection is None and len(looked) == 1  # did not look


def test_only_the_close_exports_and_every_schedule_starts_stopped(defs_data_dir: Path):
    from orchestration.definitions import defs

    assert month_end_close.job_name == "close_period"
    assert intraday_periods.job_name == nightly_periods.job_name == "refresh_periods"
    assert intraday_usage.job_name == nightly_usage.job_name == "refresh_usage"
    for schedule in (nightly_usage, nightly_periods, intraday_usage, intraday_periods):
        job = defs.resolve_job_def(schedule.job_name)
        keys = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
        assert "exports/erp_journals" not in keys and "exports/close_report" not in keys
    # an engineer turns them on (README); a fresh instance runs nothing by itself
    for schedule in defs.schedules:
        assert schedule.default_status.value == "STOPPED", schedule.name
