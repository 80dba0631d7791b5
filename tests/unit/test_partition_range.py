"""A backfill range the partitions do not have is one line that says what to do (issue 24:
`u2c run --job refresh_periods --from 2017-05-01` ended in a Dagster invariant traceback)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from orchestration.errors import UserError
from orchestration.partition_range import check_range
from tests.conftest import run_u2c

BOUNDS = (date(2026, 1, 1), date(2026, 12, 4))


@pytest.mark.parametrize(
    ("job", "first", "last", "data_start", "message"),
    [
        ("refresh_periods", "2017-05-01", "2017-06-01", date(2017, 5, 3),
         "--from 2017-05-01 is before the first partition, 2026-01-01: set "
         "U2C_PARTITIONS_START=2017-05-01 (the first month of your data; the lake's starts "
         "2017-05-03) and run again"),
        ("refresh_periods", "2017-05-01", "2017-06-01", date(2026, 8, 1),
         "--from 2017-05-01 is before the first partition, 2026-01-01, and the lake's data "
         "starts 2026-08-01: there is nothing earlier to build"),
        ("refresh_usage", "2017-05-01", "2017-05-31", None,
         "--from 2017-05-01 is before the first partition, 2026-01-01: set "
         "U2C_PARTITIONS_START=2017-05-01 (the first month of your data) and run again"),
        ("close_period", "2026-09-15", "2026-10-01", None,
         "--from 2026-09-15 is not a partition key of close_period: YYYY-MM-01 (a billing month)"),
        ("refresh_usage", "2026-09", "2026-10-01", None,
         "--from '2026-09' is not a partition key of refresh_usage: YYYY-MM-DD (a UTC day)"),
        ("refresh_usage", "2026-10-02", "2026-10-01", None,
         "--from 2026-10-02 is after --to 2026-10-01"),
        ("refresh_periods", "2026-11-01", "2027-01-01", None,
         "--to 2027-01-01 is after the last partition, 2026-12-01 (today, UTC): partitions end "
         "with the current day and month"),
    ],
)  # fmt: skip
def test_a_range_outside_the_partitions_says_what_to_do(job, first, last, data_start, message):
    with pytest.raises(UserError) as raised:
        check_range(job, first, last, BOUNDS, data_start)
    assert str(raised.value) == message


def test_a_range_inside_the_partitions_passes():
    check_range("refresh_usage", "2026-08-01", "2026-10-01", BOUNDS, date(2026, 8, 1))
    check_range("close_period", "2026-01-01", "2026-12-01", BOUNDS, None)


def test_the_cli_says_it_in_one_line_without_a_traceback(tmp_path: Path):
    (tmp_path / "inbox").mkdir()
    done = run_u2c(tmp_path, "run", "--job", "refresh_periods", "--from", "2017-05-01",
                   "--to", "2017-06-01")  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("u2c run: --job refresh_periods: --from 2017-05-01 is before the first")
    assert "U2C_PARTITIONS_START=" in line
