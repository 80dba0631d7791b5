"""Landing is split by concern, and its SQL lives in `.sql` files filled only with column names
the table's contract declares (values go as DuckDB parameters)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from sources.conflicts import find_conflicts
from sources.registry import USAGE_EVENTS
from sources.sql_files import SQL_DIR, column

SOURCES = Path(__file__).resolve().parents[2] / "sources"
LANDING_MODULES = [
    "landing.py",
    "inbox_files.py",
    "stage.py",
    "commit.py",
    "conflicts.py",
    "chunked_parquet.py",
    "duckdb_connections.py",
    "lake_files.py",
    "table_contract.py",
]
# Statements that belong in a .sql file, not in Python text.
SQL_STATEMENT = re.compile(r"create or replace temp table|semi join|group by", re.IGNORECASE)


def test_landing_is_split_into_small_modules():
    for name in LANDING_MODULES:
        lines = (SOURCES / name).read_text().count("\n")
        assert lines <= 250, f"{name} has {lines} lines"


def test_conflict_sql_lives_in_sql_files():
    for path in SOURCES.glob("*.py"):
        assert not SQL_STATEMENT.search(path.read_text()), path.name
    for name in ["conflicts_old_matches", "conflicts_find", "conflicts_new_buckets"]:
        assert SQL_STATEMENT.search((SQL_DIR / f"{name}.sql").read_text()), name


@pytest.mark.parametrize(
    "name", ['id" = "id" or 1=1 --', "ID", "no_such_column", "id; drop table x"]
)
def test_a_column_name_outside_the_contract_never_reaches_the_sql(name: str):
    with pytest.raises(ValueError, match="not a plain column"):
        column(USAGE_EVENTS.lake_schema, name)


def test_a_contract_naming_a_hostile_conflict_key_is_refused(tmp_path: Path):
    hostile = dataclasses.replace(USAGE_EVENTS, conflict_key=("source", "id) or (1=1"))
    (tmp_path / "raw").mkdir()
    new_rows = tmp_path / "new.parquet"
    with pytest.raises(ValueError, match="not a plain column"):
        find_conflicts(new_rows, tmp_path / "raw", hostile)


def test_a_fingerprint_collision_cannot_merge_two_different_events(tmp_path: Path, monkeypatch):
    """Every event gets the same fingerprint (a collision on every pair): conflicts are still
    told from exact re-deliveries, in the batch and against the lake, by their fields."""
    from sources.landing import land_inbox
    from sources.usage import events

    monkeypatch.setattr(events, "fingerprint", lambda row: "0" * 32)
    row_path_only = dataclasses.replace(USAGE_EVENTS, fast_reader=None)

    def line(n: int, minutes: int) -> str:
        return (
            f'{{"specversion":"1.0","id":"e{n}","source":"//p","type":"t",'
            f'"time":"2026-09-01T00:{minutes:02d}:00Z","data":{{"n":{minutes}}}}}'
        )

    inbox = tmp_path / "inbox" / "usage"
    inbox.mkdir(parents=True)
    (inbox / "events_1.jsonl").write_text("\n".join([line(1, 0), line(1, 0), line(1, 5)]) + "\n")
    lake = tmp_path / "lake"
    [first] = land_inbox(tmp_path / "inbox", lake, [row_path_only])
    (inbox / "events_2.jsonl").write_text("\n".join([line(1, 0), line(1, 7), line(2, 1)]) + "\n")
    second = land_inbox(tmp_path / "inbox", lake, [row_path_only])[-1]

    # line 2 repeats line 1 exactly; line 3 differs only in fields the (colliding) hash covers
    assert (first.rows_landed, first.rows_quarantined) == (2, 1)
    # the exact re-delivery and the new event land; the changed event is a conflict
    assert (second.rows_landed, second.rows_quarantined) == (2, 1)
