"""Disk full (ENOSPC) and no permission (EACCES) while writing the lake, the exports or the
analysts' copy: the step fails with a message naming the path, nothing half-written is visible,
what was published before stays as it was (the previous copy, the export ledger), and the same
step completes once the fault is gone.

A fault-injecting layer stands in for the disk (mounting a small tmpfs needs privileges): the
write functions raise for paths under one folder, the way the kernel reports these errors (a
write or fsync error names no file, an open or rename error names the one it could not open)."""

from __future__ import annotations

import builtins
import errno
import hashlib
import json
import os
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from exports import marts_copy, publish
from exports.erp_journals import export_journals, read_ledger
from exports.marts_copy import publish_marts
from orchestration.retries import is_transient
from sources.landing import land_inbox
from sources.registry import CONTRACTS
from tests.integration.test_erp_export import SETUP, add_invoice
from tests.reliability.crash import ledger_problems, temp_files

NO_SPACE = (errno.ENOSPC, "No space left on device")
DENIED = (errno.EACCES, "Permission denied")


def under(path: object, folder: Path) -> bool:
    return str(path).startswith(str(folder))


# --- the lake -----------------------------------------------------------------------------


def inbox_of(tmp_path: Path, seeds) -> Path:
    inbox = tmp_path / "inbox"
    (inbox / "usage").mkdir(parents=True)
    (inbox / "crm").mkdir()
    lines = [json.dumps(e, default=str) for e in seeds["usage/events"][:20]]
    (inbox / "usage" / "events.jsonl").write_text("\n".join(lines) + "\n")
    accounts = seeds["crm/accounts"]
    header = sorted(accounts[0])
    rows = [",".join(header)] + [",".join(r[c] or "" for c in header) for r in accounts]
    (inbox / "crm" / "accounts.csv").write_text("\n".join(rows) + "\n")
    # delivered in this order (landing takes a run's files by delivery time): accounts, events
    os.utime(inbox / "crm" / "accounts.csv", (1_790_000_000, 1_790_000_000))
    os.utime(inbox / "usage" / "events.jsonl", (1_790_000_060, 1_790_000_060))
    return inbox


def faulty_writer(folder: Path, fault: tuple[int, str], on_open: bool):
    class FaultyWriter(pq.ParquetWriter):
        def __init__(self, where, *args, **kwargs):
            if on_open and under(where, folder):
                raise PermissionError(*fault, str(where))
            super().__init__(where, *args, **kwargs)

        def write_table(self, table, *args, **kwargs):
            if under(self.where, folder):
                raise OSError(*fault)  # as from write(2): no file named
            return super().write_table(table, *args, **kwargs)

    return FaultyWriter


@pytest.mark.parametrize(("fault", "on_open"), [(NO_SPACE, False), (DENIED, True)])
def test_the_lake_fails_naming_the_batch_file_and_a_rerun_lands_it(
    tmp_path, seeds, monkeypatch, fault, on_open
):
    inbox, lake = inbox_of(tmp_path, seeds), tmp_path / "lake"
    full = lake / "raw" / "usage"
    with monkeypatch.context() as patch:
        patch.setattr(pq, "ParquetWriter", faulty_writer(full, fault, on_open))
        with pytest.raises(OSError) as raised:
            land_inbox(inbox, lake, CONTRACTS)
    error = raised.value
    assert error.errno == fault[0] and not is_transient(error)
    assert str(full / "events") in str(error) and ".tmp" not in str(error), str(error)
    # crm landed before the fault (delivered first), usage not at all: no file, no ledger row
    problems, rows_read = ledger_problems(tmp_path)
    assert problems == [] and list(rows_read) == [r for r in rows_read if r.startswith("crm-")]
    assert not [p for p in full.rglob("*.parquet") if p.name != "_schema.parquet"]
    assert temp_files(tmp_path) == []

    results = land_inbox(inbox, lake, CONTRACTS)
    problems, rows_read = ledger_problems(tmp_path)
    assert problems == [] and sum(r.rows_read for r in results if not r.skipped) == 20
    assert len(rows_read) == 2


# --- the exports ---------------------------------------------------------------------------


def toy_warehouse(root: Path, journals: int) -> Path:
    warehouse = root / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        if journals == 1:
            con.execute(SETUP)
        day = f"2026-09-{10 + journals:02d}"
        journal = f"J-{journals}"
        add_invoice(con, journal, "UK01", "2026-09", day, "GBP", "1", "10.00", "0", "ACC-1", "m")
    return warehouse


class Wrapping:
    """A real file or connection, as a context manager; what a subclass does not override
    goes to it."""

    def __init__(self, inner):
        self.inner = inner

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.inner.close()

    def __getattr__(self, name):
        return getattr(self.inner, name)


def faulty_open(folder: Path, fault: tuple[int, str]):
    real_open = builtins.open

    class FullFile(Wrapping):
        def write(self, data):
            raise OSError(*fault)

    def fake_open(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        if "w" in mode and under(path, folder):
            if fault[0] == errno.EACCES:
                handle.close()
                raise PermissionError(*fault, str(path))
            return FullFile(handle)
        return handle

    return fake_open


@pytest.mark.parametrize("fault", [NO_SPACE, DENIED])
def test_an_export_fails_naming_its_file_and_the_ledger_stays_as_it_was(
    tmp_path, monkeypatch, fault
):
    exports = tmp_path / "exports"
    warehouse = toy_warehouse(tmp_path, 1)
    first = export_journals(warehouse, exports)
    ledger_before = read_ledger(exports)
    toy_warehouse(tmp_path, 2)  # a new journal to send
    with monkeypatch.context() as patch:
        patch.setattr(publish, "open", faulty_open(exports / "journals", fault), raising=False)
        with pytest.raises(OSError) as raised:
            export_journals(warehouse, exports)
    error = raised.value
    assert error.errno == fault[0]
    assert str(exports / "journals" / "jb-") in str(error) and ".tmp" not in str(error), str(error)
    assert read_ledger(exports) == ledger_before
    assert [p.name for p in (exports / "journals").iterdir()] == [first.batch.directory.name]

    again = export_journals(warehouse, exports)
    assert again.journals == 1
    sent = read_ledger(exports)
    assert len({(r["external_id"], r["line_number"]) for r in sent}) == len(sent)


# --- the analysts' copy --------------------------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_full_disk_leaves_the_previous_analysts_copy(tmp_path, monkeypatch):
    warehouse, target = toy_warehouse(tmp_path, 1), tmp_path / "published" / "marts.duckdb"
    publish_marts(warehouse, target)
    before = digest(target)
    toy_warehouse(tmp_path, 2)
    real_connect = duckdb.connect

    class FullDisk(Wrapping):
        def execute(self, sql, *args):
            if sql == "checkpoint":  # DuckDB writes the copy's blocks here
                raise duckdb.IOException(f'Could not write file "{self.path}": No space left')
            return self.inner.execute(sql, *args)

    def connect(path=":memory:", *args, **kwargs):
        con = FullDisk(real_connect(path, *args, **kwargs))
        con.path = path
        return con

    with monkeypatch.context() as patch:
        patch.setattr(marts_copy.duckdb, "connect", connect)
        with pytest.raises(OSError, match=str(target)):
            publish_marts(warehouse, target)
    assert digest(target) == before and temp_files(tmp_path) == []
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.execute("select count(*) from journal_lines").fetchone()[0] == 2

    counts = publish_marts(warehouse, target)
    assert counts["journal_lines"] == 4 and digest(target) != before


def test_no_permission_to_swap_the_copy_leaves_the_previous_one(tmp_path, monkeypatch):
    warehouse, target = toy_warehouse(tmp_path, 1), tmp_path / "published" / "marts.duckdb"
    publish_marts(warehouse, target)
    before = digest(target)
    toy_warehouse(tmp_path, 2)

    def denied(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied", str(src), None, str(dst))

    with monkeypatch.context() as patch:
        patch.setattr(marts_copy.os, "replace", denied)
        with pytest.raises(PermissionError) as raised:
            publish_marts(warehouse, target)
    assert str(target) in str(raised.value) and not is_transient(raised.value)
    assert digest(target) == before and temp_files(tmp_path) == []
    publish_marts(warehouse, target)
    assert digest(target) != before
