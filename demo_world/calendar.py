"""The demo world's clocks: the usage window, billing months, delivery times, ERP periods.

All times are naive UTC `datetime`s; `unix` turns them into Stripe's Unix seconds.

- The world covers `days` days from `start` (usage events occur in [start, end)); every
  extract of billing, CRM and ERP is delivered at `end` 00:00 UTC (the morning after the
  last day), a usage day file the next day at 01:00 UTC.
- Subscriptions start on the first of the start month; billing is monthly in arrears: the
  invoice for month M is created on M+1-01 01:00 and finalized at 02:00. A month is invoiced
  when that finalization happened before the extracts were taken.
- ERP accounting periods run from the month before the start month to at least three months
  after it; the month before the start and the start month itself are closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

EPOCH = datetime(1970, 1, 1)
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def unix(moment: datetime) -> int:
    """Unix seconds of a naive-UTC datetime."""
    return int((moment - EPOCH).total_seconds())


def from_unix(seconds: int) -> datetime:
    return EPOCH + timedelta(seconds=seconds)


def at(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second))


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first of the month `count` months after `month`'s month."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_key(day: date | datetime) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_seconds(month: date) -> int:
    return unix(at(add_months(month, 1))) - unix(at(month))


@dataclass(frozen=True)
class Period:
    """One monthly ERP accounting period."""

    id: int
    start: date
    closed: bool

    @property
    def end(self) -> date:  # inclusive, as NetSuite stores it
        return add_months(self.start, 1) - timedelta(days=1)

    @property
    def name(self) -> str:
        return f"{MONTH_NAMES[self.start.month - 1]} {self.start.year}"

    @property
    def key(self) -> str:
        return month_key(self.start)


@dataclass(frozen=True)
class Calendar:
    start: date
    days: int

    @property
    def end(self) -> date:
        """The first day after the world (exclusive end of the usage window)."""
        return self.start + timedelta(days=self.days)

    @property
    def extracted_at(self) -> datetime:
        """When billing, CRM and ERP extracts were taken and delivered."""
        return at(self.end)

    @property
    def first_month(self) -> date:
        return month_start(self.start)

    @cached_property
    def months(self) -> tuple[date, ...]:
        """Calendar months that overlap the usage window."""
        months, month = [], self.first_month
        while month < self.end:
            months.append(month)
            month = add_months(month, 1)
        return tuple(months)

    @cached_property
    def invoiced_months(self) -> tuple[date, ...]:
        return tuple(m for m in self.months if self.finalized_at(m) < self.extracted_at)

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)

    @staticmethod
    def invoice_created_at(month: date) -> datetime:
        return at(add_months(month, 1), 1)

    @staticmethod
    def finalized_at(month: date) -> datetime:
        return at(add_months(month, 1), 2)

    @staticmethod
    def usage_delivered_at(day: date) -> datetime:
        return at(day + timedelta(days=1), 1)

    @cached_property
    def periods(self) -> tuple[Period, ...]:
        first = add_months(self.first_month, -1)
        last = max(add_months(self.first_month, 3), add_months(month_start(self.end), 1))
        periods, month, number = [], first, 1
        while month <= last:
            periods.append(Period(number, month, closed=month <= self.first_month))
            month, number = add_months(month, 1), number + 1
        return tuple(periods)

    def period_of(self, day: date) -> Period:
        key = month_key(day)
        return next(p for p in self.periods if p.key == key)

    def posting_period(self, day: date) -> Period:
        """The period a document dated `day` posts in: its own, or the first open one after."""
        own = self.period_of(day)
        return next(p for p in self.periods if p.start >= own.start and not p.closed)
