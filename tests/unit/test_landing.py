from __future__ import annotations

import dataclasses
import gzip
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sources.landing import land_file, land_inbox, ledger_path
from sources.registry import CONTRACTS

USAGE = next(c for c in CONTRACTS if (c.system, c.table) == ("usage", "events"))


def event(n: int, quantity: float | int = 1) -> str:
    return json.dumps(
        {
            "specversion": "1.0",
            "id": f"e{n}",
            "source": "//p/m",
            "type": "t",
            "subject": "s",
            "time": "2026-09-01T00:00:00Z",
            "data": {"route": "/v1/items", "quantity": quantity},
        }
    )


def read(lake: Path, area: str) -> list[dict]:
    files = [p for p in (lake / area).rglob("*.parquet") if not p.name.startswith("_")]
    return [row for p in files for row in pq.read_table(p).to_pylist()]


def test_bad_lines_are_quarantined_and_the_rest_lands(tmp_path: Path):
    path = tmp_path / "events.jsonl"
    lines = [
        event(1).encode(),
        b'{"specversion": "1.0", "id": "e2"',
        b"\xff\xfe not utf-8",
        b"",
        event(3).replace('"time": "2026-09-01T00:00:00Z"', '"time": "2026-09-01"').encode(),
        b"[1]",
        event(4).encode(),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    lake = tmp_path / "lake"

    result = land_file(path, USAGE, lake)

    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (7, 2, 5)
    landed = read(lake, "raw")
    assert sorted((r["id"], r["line_number"]) for r in landed) == [("e1", 1), ("e4", 7)]
    assert {r["batch_id"] for r in landed} == {result.batch_id}
    reasons = {
        r["line_number"]: (r["reason_code"], r["reason_class"]) for r in read(lake, "quarantine")
    }
    assert reasons == {
        2: ("malformed_json", "schema"),
        3: ("invalid_utf8", "schema"),
        4: ("empty_line", "schema"),
        5: ("timestamp_without_offset", "schema"),
        6: ("not_an_object", "schema"),
    }
    ledger = read(lake, "_ledger")
    assert [(r["rows_read"], r["rows_landed"], r["rows_quarantined"]) for r in ledger] == [
        (7, 2, 5)
    ]


def test_same_content_lands_once_even_under_another_name(tmp_path: Path):
    inbox = tmp_path / "inbox" / "usage"
    inbox.mkdir(parents=True)
    (inbox / "a.jsonl").write_text(event(1) + "\n" + event(2) + "\n")
    lake = tmp_path / "lake"
    first = land_inbox(tmp_path / "inbox", lake, CONTRACTS)
    (inbox / "b.jsonl").write_text(event(1) + "\n" + event(2) + "\n")
    with gzip.open(inbox / "c.jsonl.gz", "wt") as fh:
        fh.write(event(5) + "\n")
    second = land_inbox(tmp_path / "inbox", lake, CONTRACTS)

    assert [r.rows_landed for r in first] == [2]
    assert [(r.file_name, r.skipped, r.rows_landed) for r in second] == [
        ("a.jsonl", True, 0),
        ("b.jsonl", True, 0),
        ("c.jsonl.gz", False, 1),
    ]
    assert sorted(r["id"] for r in read(lake, "raw")) == ["e1", "e2", "e5"]


def test_a_landed_file_is_not_read_again_unless_it_changes(tmp_path: Path, monkeypatch):
    """Each run knows every inbox file's batch id without re-hashing what it hashed before
    (same size and mtime); a file rewritten in place is hashed again and lands as a new batch."""
    import sources.inbox_digests as digests

    hashed: list[str] = []
    real = digests.sha256_file
    monkeypatch.setattr(digests, "sha256_file", lambda p: hashed.append(p.name) or real(p))
    inbox = tmp_path / "inbox" / "usage"
    inbox.mkdir(parents=True)
    (inbox / "a.jsonl").write_text(event(1) + "\n")
    (inbox / "b.jsonl").write_text(event(2) + "\n")
    lake = tmp_path / "lake"
    land_inbox(tmp_path / "inbox", lake, CONTRACTS)
    assert sorted(hashed) == ["a.jsonl", "b.jsonl"]

    hashed.clear()
    again = land_inbox(tmp_path / "inbox", lake, CONTRACTS)
    assert hashed == []
    assert [(r.file_name, r.skipped) for r in again] == [("a.jsonl", True), ("b.jsonl", True)]

    (inbox / "b.jsonl").write_text(event(2) + "\n" + event(3) + "\n")  # rewritten in place
    changed = land_inbox(tmp_path / "inbox", lake, CONTRACTS)
    assert hashed == ["b.jsonl"]
    assert [(r.file_name, r.skipped, r.rows_landed) for r in changed] == [
        ("a.jsonl", True, 0),
        ("b.jsonl", False, 2),
    ]
    # a lost digest file only costs a re-read
    (lake / "_ledger" / "inbox_digests.json").write_text("not json")
    hashed.clear()
    assert all(r.skipped for r in land_inbox(tmp_path / "inbox", lake, CONTRACTS))
    assert sorted(hashed) == ["a.jsonl", "b.jsonl"]


@pytest.mark.parametrize("name", ["refunds.jsonl", "refunds.jsonl.gz"])
def test_an_empty_extract_is_an_empty_batch(tmp_path: Path, name: str):
    """A period with no refunds: the file lands as a batch of zero rows (ledger row, nothing
    quarantined), whether plain or an empty gzip stream."""
    refunds = next(c for c in CONTRACTS if (c.system, c.table) == ("billing", "refunds"))
    path = tmp_path / name
    path.write_bytes(gzip.compress(b"") if name.endswith(".gz") else b"")
    lake = tmp_path / "lake"
    for contract in (refunds, USAGE):
        result = land_file(path, contract, lake)
        assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (0, 0, 0)
        assert ledger_path(lake, result.batch_id).exists()
    assert read(lake, "quarantine") == [] and read(lake, "raw") == []


def test_an_unreadable_file_is_a_quarantine_row(tmp_path: Path):
    path = tmp_path / "refunds.jsonl.gz"
    path.write_bytes(b"not gzip at all")
    result = land_file(path, USAGE, tmp_path / "lake")
    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (1, 0, 1)
    assert [r["reason_code"] for r in read(tmp_path / "lake", "quarantine")] == ["unreadable_file"]


def test_a_failed_landing_leaves_nothing_visible(tmp_path: Path):
    path = tmp_path / "events.jsonl"
    path.write_text(event(1) + "\n" + event(2) + "\n")
    lake = tmp_path / "lake"

    def explode(_):
        raise OSError("disk full")

    broken = dataclasses.replace(USAGE, validate=explode, fast_reader=None)
    with pytest.raises(OSError):
        land_file(path, broken, lake)
    assert not [p for p in lake.rglob("*") if p.is_file()]
    assert land_file(path, USAGE, lake).rows_landed == 2  # and the retry lands it whole


def test_conflicting_duplicates_are_quarantined_exact_redeliveries_land(tmp_path: Path):
    inbox = tmp_path / "inbox" / "usage"
    inbox.mkdir(parents=True)
    # day 1: e1, e2, e2 again (exact), e3 then e3 with another quantity (conflict in-file)
    (inbox / "events_1.jsonl").write_text(
        "\n".join([event(1), event(2), event(2), event(3, 5), event(3, 6)]) + "\n"
    )
    # day 2: e1 with another quantity (conflict with the lake), e2 exact again, e4 new
    (inbox / "events_2.jsonl").write_text("\n".join([event(1, 9), event(2), event(4)]) + "\n")
    lake = tmp_path / "lake"

    results = land_inbox(tmp_path / "inbox", lake, CONTRACTS)

    assert [(r.rows_read, r.rows_landed, r.rows_quarantined) for r in results] == [
        (5, 4, 1),
        (3, 2, 1),
    ]
    quarantined = sorted(
        (r["file_name"], r["line_number"], r["reason_code"], r["reason_class"])
        for r in read(lake, "quarantine")
    )
    assert quarantined == [
        ("events_1.jsonl", 5, "conflicting_duplicate", "business_rule"),
        ("events_2.jsonl", 1, "conflicting_duplicate", "business_rule"),
    ]
    # the quarantined copy keeps its original payload; the first delivery stays in the lake
    payloads = {r["line_number"]: json.loads(r["payload"]) for r in read(lake, "quarantine")}
    assert payloads[1]["data"]["quantity"] == 9
    landed = sorted((r["id"], json.loads(r["data"])["quantity"]) for r in read(lake, "raw"))
    assert ("e1", 1) in landed and ("e1", 9) not in landed
    assert landed.count(("e2", 1)) == 3  # exact re-deliveries land; dbt dedups


def test_a_file_no_contract_claims_is_quarantined_not_skipped(tmp_path: Path):
    inbox = tmp_path / "inbox"
    (inbox / "usage").mkdir(parents=True)
    (inbox / "usage" / "notes.txt").write_text("hello")
    (inbox / "mystery").mkdir()
    (inbox / "mystery" / "data.jsonl").write_text(event(1) + "\n")
    (inbox / "stray.csv").write_text("a,b\n1,2\n")
    results = land_inbox(inbox, tmp_path / "lake", CONTRACTS)
    assert sorted((r.system, r.table, r.rows_read, r.rows_quarantined) for r in results) == [
        ("inbox", "unknown", 1, 1),
        ("mystery", "unknown", 1, 1),
        ("usage", "unknown", 1, 1),
    ]
    reasons = {r["reason_code"] for r in read(tmp_path / "lake", "quarantine")}
    assert reasons == {"unknown_file_kind"}
    again = land_inbox(inbox, tmp_path / "lake", CONTRACTS)
    assert all(r.skipped for r in again)


def test_columnar_and_row_paths_land_identical_rows(tmp_path: Path):
    events = [
        json.loads(event(1, 3)),
        {**json.loads(event(2)), "time": "2026-12-31T23:30:00.123456-05:00", "subject": None},
        {**json.loads(event(3)), "data": {**json.loads(event(3))["data"], "quantity": 0.25}},
        {**json.loads(event(4)), "datacontenttype": "application/json", "extra": "k"},
        {**json.loads(event(5)), "data": {**json.loads(event(5))["data"], "quantity": 10**18}},
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n")
    # the columnar reader vouches for every line of this file (it does not decline)
    assert sum(t.num_rows for t in USAGE.fast_reader(path)) == 5
    columnar = land_file(path, USAGE, tmp_path / "a")
    rowwise = land_file(path, dataclasses.replace(USAGE, fast_reader=None), tmp_path / "b")
    assert columnar.rows_landed == rowwise.rows_landed == 5

    def rows(lake: Path) -> list[dict]:
        return sorted(
            (
                {k: v for k, v in r.items() if k not in ("data", "landed_at")}
                for r in read(lake, "raw")
            ),
            key=lambda r: r["line_number"],
        )

    assert rows(tmp_path / "a") == rows(tmp_path / "b")
    assert rows(tmp_path / "a")[1]["time"].isoformat() == "2027-01-01T04:30:00.123456"


def _delivered(path: Path, text: str, moment: str) -> None:
    path.write_text(text)
    stamp = datetime.fromisoformat(moment).replace(tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))


def test_a_run_lands_its_files_in_delivery_order_not_name_order(tmp_path: Path):
    """A re-delivery whose name sorts first (`events_2026-08-redelivery.jsonl`) lands after the
    original it repeats when it was delivered after it; a file delivered first under a later
    name (`events_2026-08_early.jsonl`) lands first. Landing times follow delivery, and the
    conflict check takes the first delivery as the reference: the re-delivery's changed copy
    is the one quarantined, not the original."""
    inbox = tmp_path / "inbox" / "usage"
    inbox.mkdir(parents=True)
    _delivered(
        inbox / "events_2026-08-redelivery.jsonl",
        event(1) + "\n" + event(2, 9) + "\n",
        "2026-09-05T00:00:00",
    )
    _delivered(
        inbox / "events_2026-08.jsonl", event(1) + "\n" + event(2) + "\n", "2026-09-01T01:00:00"
    )
    _delivered(inbox / "events_2026-08_early.jsonl", event(3) + "\n", "2026-08-31T12:00:00")
    lake = tmp_path / "lake"

    results = land_inbox(tmp_path / "inbox", lake, CONTRACTS, workers=2)

    assert [r.file_name for r in results] == [
        "events_2026-08_early.jsonl",
        "events_2026-08.jsonl",
        "events_2026-08-redelivery.jsonl",
    ]
    ledger = {r["file_name"]: r for r in read(lake, "_ledger")}
    landed = sorted(ledger, key=lambda name: ledger[name]["landed_at"])
    assert landed == [r.file_name for r in results]
    assert ledger["events_2026-08.jsonl"]["file_delivered_at"] == datetime(2026, 9, 1, 1)
    [conflict] = read(lake, "quarantine")
    assert (conflict["file_name"], conflict["line_number"], conflict["reason_code"]) == (
        "events_2026-08-redelivery.jsonl",
        2,
        "conflicting_duplicate",
    )
    assert {(r["file_name"], r["id"]) for r in read(lake, "raw")} == {
        ("events_2026-08_early.jsonl", "e3"),
        ("events_2026-08.jsonl", "e1"),
        ("events_2026-08.jsonl", "e2"),
        ("events_2026-08-redelivery.jsonl", "e1"),
    }


def test_a_byte_order_mark_starts_a_json_lines_file_without_harm(tmp_path: Path):
    """A BOM is not part of the first line of any JSON-lines extract (Stripe objects too)."""
    refund = {
        "id": "re_1", "object": "refund", "created": 1790000000, "amount": 100,
        "currency": "usd", "charge": "ch_1", "status": "succeeded",
    }  # fmt: skip
    path = tmp_path / "refunds.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(refund).encode() + b"\n")
    refunds = next(c for c in CONTRACTS if (c.system, c.table) == ("billing", "refunds"))
    result = land_file(path, refunds, tmp_path / "lake")
    assert (result.rows_landed, result.rows_quarantined) == (1, 0)


def test_a_killed_landings_spill_dir_is_cleared_by_the_next_landing(tmp_path):
    """A killed landing leaves its DuckDB spill dir behind (it cannot remove it): the next
    landing removes the dirs of processes that are gone, never a running one's."""
    import subprocess
    import sys

    from sources.duckdb_connections import SPILL_PREFIX, clear_dead_spills, connections

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    dead = tmp_path / f"{SPILL_PREFIX}{gone}-x1"
    alive = tmp_path / f"{SPILL_PREFIX}{os.getpid()}-x2"
    unnamed = tmp_path / f"{SPILL_PREFIX}x3"  # no pid in its name: not known to be gone
    for folder in (dead, alive, unnamed):
        (folder / "duckdb_temp_storage-0.tmp").parent.mkdir()
        (folder / "duckdb_temp_storage-0.tmp").write_bytes(b"spilled")
    assert clear_dead_spills(tmp_path) == [dead]
    assert not dead.exists() and alive.exists() and unnamed.exists()
    # a landing's own spill dir is named for its process
    with connections() as connect:
        spill = connect().execute("select current_setting('temp_directory')").fetchone()[0]
    assert Path(spill).name.startswith(f"{SPILL_PREFIX}{os.getpid()}-")
    assert not Path(spill).exists()  # removed when the landing ends
