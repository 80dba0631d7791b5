"""The two partitionings: UTC days for usage, calendar months (billing periods) for the rest.

Both start at U2C_PARTITIONS_START (default 2026-01-01: the demo world's year); pick the first
day of your data. Today's day and this month are partitions too (end_offset=1), so intra-day
runs can refresh them before they end. The window reaches dbt in the environment
(`dbt_window_env`; dbt's macro `partition_window` reads it, a --vars value wins), empty by
default, so a plain `dbt build` still builds everything. Not as --vars: dbt re-parses the whole
project whenever a var changes (~5 s per step); the models read these env vars only when dbt runs
them, so the dbt steps of a process share one parse (`orchestration.dbt_in_process`).
"""

import os
from datetime import date, datetime, timedelta

from dagster import DailyPartitionsDefinition, MonthlyPartitionsDefinition, TimeWindow

START = os.environ.get("U2C_PARTITIONS_START", "2026-01-01")

usage_days = DailyPartitionsDefinition(start_date=START, timezone="UTC", end_offset=1)
billing_periods = MonthlyPartitionsDefinition(start_date=START, timezone="UTC", end_offset=1)

WINDOW_KINDS = ("usage", "period")
# every window variable `dbt_window_env` can set: read by the models only when dbt runs them
WINDOW_ENV = tuple(
    f"U2C_{kind.upper()}_WINDOW_{bound}" for kind in WINDOW_KINDS for bound in ("START", "END")
)


def dbt_window_env(kind: str, window: TimeWindow) -> dict[str, str]:
    """The partition window for dbt: `U2C_USAGE_WINDOW_START/END` for days,
    `U2C_PERIOD_WINDOW_START/END` for billing periods (end exclusive, YYYY-MM-DD)."""
    return {
        f"U2C_{kind.upper()}_WINDOW_START": window.start.date().isoformat(),
        f"U2C_{kind.upper()}_WINDOW_END": window.end.date().isoformat(),
    }


def day_key(day: date) -> str:
    return day.isoformat()


def month_key(day: date) -> str:
    return day.replace(day=1).isoformat()


def previous_day(now: datetime) -> date:
    return (now - timedelta(days=1)).date()


def previous_month(now: datetime) -> date:
    return (now.date().replace(day=1) - timedelta(days=1)).replace(day=1)


def months_between(first: date, last: date) -> list[str]:
    """The billing periods ('YYYY-MM', as the warehouse names them) from the month of `first` to
    the month of `last`, both included."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(f"{month:%Y-%m}")
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def period_keys(window: TimeWindow) -> list[str]:
    """The billing periods a month window (end exclusive) covers."""
    return months_between(window.start.date(), window.end.date() - timedelta(days=1))
