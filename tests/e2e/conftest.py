"""One generated world for the end-to-end modules, built once per session through the real CLI
(`u2c generate` + `u2c run`: three Dagster runs).

The modules share it in file order: test_gate (tampers with the warehouse and restores it, then
asks for `rerun`, the one full rerun without new input, which test_pipeline reads too: after the
gate's own runs, so the stamp it leaves makes test_pipeline's run with nothing new a no-op),
test_pipeline (reads, runs with nothing new), then test_replay, which adds late data and so
runs last (its name sorts after the others; pytest keeps file order).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_u2c

TINY = ["--seed", "11", "--days", "62", "--customers", "8", "--events-per-day", "200"]
FIRST_DAY, LAST_DAY = "2026-08-01", "2026-10-01"  # the world's 62 days


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("world")
    generated = run_u2c(data_dir, "generate", *TINY)
    assert generated.returncode == 0, generated.stderr
    first = run_u2c(data_dir, "run")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    # what the user saw, for the tests of the terminal output (outside the data dir)
    (data_dir.parent / "first_run.stdout").write_text(first.stdout)
    (data_dir.parent / "first_run.stderr").write_text(first.stderr)
    assert (data_dir / "published" / "marts.duckdb").exists()
    return data_dir


@dataclass(frozen=True)
class Rerun:
    """The world's full `u2c run` again without new input, its last-complete stamp removed (so it
    rebuilds everything and publishes), while an analyst holds the published file open read-only:
    what the run said, the state before and after, and what the analyst read during it."""

    done: subprocess.CompletedProcess
    usage_before: list[tuple]
    usage_after: list[tuple]
    exports_before: list[Path]
    exports_after: list[Path]
    journal_lines_before: int
    analyst_marker: list[tuple]  # read through the held connection after the run
    analyst_journal_lines: int
    published_tables: set[str]  # in the file the run published
    published_journal_lines: int


def _usage_rows(published: Path) -> list[tuple]:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute("select * from usage_daily order by all").fetchall()


def _exported(world: Path) -> list[Path]:
    return sorted(p.relative_to(world) for p in (world / "exports").rglob("*"))


@pytest.fixture(scope="session")
def rerun(world: Path) -> Rerun:
    """One full rerun shared by the publish test (test_gate) and the idempotence test
    (test_pipeline): a full run costs about a minute, and both only read what it did."""
    published = world / "published" / "marts.duckdb"
    usage_before, exports_before = _usage_rows(published), _exported(world)
    # a marker only the file the analyst holds has: the run's publish writes a fresh file
    with duckdb.connect(str(published)) as con:
        con.execute("create table analyst_marker as select 1 as held")
    (world / "run_state" / "last_complete_run.json").unlink(missing_ok=True)
    with duckdb.connect(str(published), read_only=True) as analyst:
        journal_lines_before = analyst.execute("select count(*) from journal_lines").fetchone()[0]
        done = run_u2c(world, "run")
        marker = analyst.execute("select held from analyst_marker").fetchall()
        analyst_count = analyst.execute("select count(*) from journal_lines").fetchone()[0]
    with duckdb.connect(str(published), read_only=True) as fresh:
        tables = {r[0] for r in fresh.execute("select table_name from duckdb_tables()").fetchall()}
        fresh_count = fresh.execute("select count(*) from journal_lines").fetchone()[0]
    return Rerun(
        done=done,
        usage_before=usage_before,
        usage_after=_usage_rows(published),
        exports_before=exports_before,
        exports_after=_exported(world),
        journal_lines_before=journal_lines_before,
        analyst_marker=marker,
        analyst_journal_lines=analyst_count,
        published_tables=tables,
        published_journal_lines=fresh_count,
    )
