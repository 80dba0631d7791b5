"""Check a user's partition range (`u2c run --job J --from K --to K`) before Dagster sees it:
a key of the wrong shape, a reversed range or a range outside the partitions is one line that
says what to do, never an invariant traceback from inside a run."""

from __future__ import annotations

from datetime import date

from orchestration.errors import UserError
from orchestration.jobs import CLOSE_JOB, PERIODS_JOB

MONTHLY_JOBS = (PERIODS_JOB, CLOSE_JOB)


def check_range(
    job: str, first: str, last: str, bounds: tuple[date, date], data_start: date | None
) -> None:
    """Raise UserError unless first..last are partition keys of `job` inside `bounds` (the first
    and last usage day partitions). `data_start`: the first day of data in the lake, named in
    the message when the range starts before the partitions do."""
    monthly = job in MONTHLY_JOBS
    shape = "YYYY-MM-01 (a billing month)" if monthly else "YYYY-MM-DD (a UTC day)"
    keys = []
    for flag, key in (("--from", first), ("--to", last)):
        try:
            day = date.fromisoformat(key)
        except ValueError:
            raise UserError(f"{flag} {key!r} is not a partition key of {job}: {shape}") from None
        if monthly and day.day != 1:
            raise UserError(f"{flag} {key} is not a partition key of {job}: {shape}")
        keys.append(day)
    start, end = (d.replace(day=1) for d in bounds) if monthly else bounds
    if keys[0] > keys[1]:
        raise UserError(f"--from {first} is after --to {last}")
    if keys[0] < start:
        before = f"--from {first} is before the first partition, {start.isoformat()}"
        if data_start is not None and data_start >= bounds[0]:
            raise UserError(
                f"{before}, and the lake's data starts {data_start}: there is nothing earlier to "
                "build"
            )
        first_data = (data_start or keys[0]).replace(day=1)
        raise UserError(
            f"{before}: set U2C_PARTITIONS_START={first_data.isoformat()} (the first month of "
            "your data"
            + (f"; the lake's starts {data_start}" if data_start else "")
            + ") and run again"
        )
    if keys[1] > end:
        raise UserError(
            f"--to {last} is after the last partition, {end.isoformat()} (today, UTC): "
            "partitions end with the current day and month"
        )
