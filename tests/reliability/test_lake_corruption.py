"""A corrupted or truncated Parquet file in the lake is found and named with its path and batch
(never read as fewer rows), and `u2c reland` lands the batch again from its inbox file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sources.lake_check import CannotReland, check_lake, reland
from sources.landing import land_inbox
from sources.registry import CONTRACTS
from tests.conftest import run_u2c
from tests.reliability.crash import ledger_problems


@pytest.fixture
def landed(tmp_path: Path, seeds) -> Path:
    """A data dir with usage (one conflicting re-delivery), invoices with their lines and a
    CRM file with a rejected row, landed."""
    inbox = tmp_path / "inbox"
    for system in ("usage", "billing", "crm"):
        (inbox / system).mkdir(parents=True)
    events = seeds["usage/events"][:30]
    write_lines(inbox / "usage" / "events_a.jsonl", events)
    conflict = json.loads(json.dumps(events[0], default=str))
    conflict["data"]["quantity"] = 999_999
    write_lines(inbox / "usage" / "events_b.jsonl", [conflict, *seeds["usage/events"][30:40]])
    write_lines(inbox / "billing" / "invoices.jsonl", seeds["billing/invoices"])
    accounts = seeds["crm/accounts"]
    header = sorted(accounts[0])
    rows = [",".join(r[c] or "" for c in header) for r in accounts] + ["ACC-bad,,,,,,,,,"]
    (inbox / "crm" / "accounts.csv").write_text("\n".join([",".join(header), *rows]) + "\n")
    land_inbox(inbox, tmp_path / "lake", CONTRACTS)
    assert check_lake(tmp_path / "lake", CONTRACTS) == []
    return tmp_path


def write_lines(path: Path, records: list) -> None:
    path.write_text("".join(json.dumps(r, default=str) + "\n" for r in records))


def raw_file(data_dir: Path, system: str, table: str, area: str = "raw", rows: int | None = None):
    """The one landed file of a table (of the batch with `rows` rows, for usage)."""
    [path] = [
        p
        for p in (data_dir / "lake" / area / system / table).glob("load_date=*/*.parquet")
        if rows is None or pq.read_metadata(p).num_rows == rows
    ]
    return path


def snapshot(data_dir: Path) -> dict[str, list]:
    lake = data_dir / "lake"
    return {
        str(p.relative_to(lake)): pq.read_table(p).to_pylist()
        for p in sorted(lake.rglob("*.parquet"))
        if not p.name.startswith("_") and "ops" not in p.parts
    }


def truncate(path: Path) -> None:
    payload = path.read_bytes()
    path.write_bytes(payload[: len(payload) // 2])


def fewer_rows(path: Path) -> None:
    """A valid Parquet file with one row less: what a plain read would silently accept."""
    table = pq.read_table(path)
    pq.write_table(table.slice(0, table.num_rows - 1), path)


def flip_a_page_byte(path: Path) -> None:
    payload = bytearray(path.read_bytes())
    payload[len(payload) // 4] ^= 0xFF  # inside the first row group's pages, not the footer
    path.write_bytes(bytes(payload))


@pytest.mark.parametrize(
    ("damage", "system", "table", "area", "rows", "words"),
    [
        (truncate, "usage", "events", "raw", 30, "unreadable"),
        (fewer_rows, "usage", "events", "raw", 30, "29 rows where the ledger counts 30 raw"),
        (fewer_rows, "crm", "accounts", "quarantine", None, "0 rows where the ledger counts 1"),
        (Path.unlink, "crm", "accounts", "quarantine", None, "missing"),
        (truncate, "billing", "invoices", "raw", None, "unreadable"),
        (truncate, "billing", "invoice_lines", "raw", None, "unreadable"),
    ],
)
def test_a_damaged_file_is_named_with_its_batch_and_relanded(
    landed, damage, system, table, area, rows, words
):
    before = snapshot(landed)
    path = raw_file(landed, system, table, area, rows)
    batch_id = path.stem
    damage(path)
    [problem] = check_lake(landed / "lake", CONTRACTS)
    assert problem.batch_id == batch_id and words in problem.problem
    assert str(problem.path).startswith(str(landed / "lake" / area))
    assert batch_id in str(problem) and "u2c reland" in str(problem)

    result = reland(batch_id, landed / "inbox", landed / "lake", CONTRACTS)
    assert result.batch_id == batch_id and not result.skipped
    assert check_lake(landed / "lake", CONTRACTS, deep=True) == []
    assert snapshot(landed) == before  # the same rows, landing times and partitions as before
    assert ledger_problems(landed)[0] == []


def test_a_flipped_bit_inside_a_page_is_found_by_the_deep_check(landed):
    path = raw_file(landed, "usage", "events", rows=30)
    flip_a_page_byte(path)
    [problem] = check_lake(landed / "lake", CONTRACTS, deep=True)
    assert problem.batch_id == path.stem and "unreadable" in problem.problem


def test_relanding_keeps_the_first_delivery_of_a_conflicting_event(landed):
    """events_b re-delivers an event of events_a with another payload: quarantined as a
    conflict. Re-landing either batch keeps it so (only earlier batches are compared)."""
    before = snapshot(landed)
    first = raw_file(landed, "usage", "events", rows=30)
    second = raw_file(landed, "usage", "events", rows=10)
    for path in (first, second):
        truncate(path)
        reland(path.stem, landed / "inbox", landed / "lake", CONTRACTS)
    assert snapshot(landed) == before
    conflicts = pq.read_table(raw_file(landed, "usage", "events", "quarantine")).to_pylist()
    assert [c["reason_code"] for c in conflicts] == ["conflicting_duplicate"]


def test_a_batch_whose_inbox_file_is_gone_or_changed_is_not_relanded(landed):
    path = raw_file(landed, "billing", "invoices")
    truncate(path)
    inbox_file = landed / "inbox" / "billing" / "invoices.jsonl"
    original = inbox_file.read_bytes()
    inbox_file.write_bytes(original + b"\n")
    with pytest.raises(CannotReland, match="changed"):
        reland(path.stem, landed / "inbox", landed / "lake", CONTRACTS)
    inbox_file.unlink()
    with pytest.raises(CannotReland, match="not there"):
        reland(path.stem, landed / "inbox", landed / "lake", CONTRACTS)
    assert check_lake(landed / "lake", CONTRACTS)  # still reported, nothing removed
    with pytest.raises(CannotReland, match="no landed batch"):
        reland("usage-events-0000", landed / "inbox", landed / "lake", CONTRACTS)


def test_the_cli_checks_and_relands(landed):
    path = raw_file(landed, "billing", "invoices")
    shutil.copy(path, landed / "kept.parquet")
    truncate(path)
    checked = run_u2c(landed, "check-lake")
    assert checked.returncode == 1 and str(path) in checked.stdout and path.stem in checked.stdout
    relanded = run_u2c(landed, "reland", path.stem)
    assert relanded.returncode == 0, relanded.stderr
    assert run_u2c(landed, "check-lake", "--deep").returncode == 0
