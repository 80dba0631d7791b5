"""What a SIGKILL leaves behind, recreated by hand (a kill skips every `finally`), and what the
next run makes of it: the crash trials' findings as fast tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from exports.erp_journals import export_journals, read_ledger
from sources.landing import land_inbox
from sources.registry import CONTRACTS
from tests.integration.test_erp_export import SETUP, add_invoice


def dead_pid() -> int:
    child = subprocess.Popen(["sleep", "60"])
    child.kill()
    child.wait()
    return child.pid


def toy_warehouse(root: Path) -> Path:
    warehouse = root / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(SETUP)
        add_invoice(
            con, "J-1", "UK01", "2026-09", "2026-09-10", "GBP", "1", "10.00", "0", "ACC-1", "m"
        )
    return warehouse


def test_an_export_killed_before_its_rename_is_exported_again(tmp_path):
    """Killed after the staging directory was complete (ledger.parquet included) but before
    the rename: that ledger must not count as sent."""
    warehouse, exports = toy_warehouse(tmp_path), tmp_path / "exports"
    published = export_journals(warehouse, exports).batch.directory
    left = published.with_name(f".{published.name}.{dead_pid()}-0123abcd.tmp")
    published.rename(left)  # as the kill left it: complete, hidden, never renamed
    assert read_ledger(exports) == []
    again = export_journals(warehouse, exports)
    assert again.batch is not None and again.batch.directory == published
    assert not left.exists()  # swept: its process is gone


def test_an_export_killed_after_its_rename_still_reaches_the_warehouse_tables(tmp_path):
    """Killed between the batch's rename and the refresh of exports.export_ledger (the close
    report and the analysts' copy read it): the next run, with nothing new to send, refreshes
    it (the full crash trials found the close report saying nothing was sent)."""
    warehouse, exports = toy_warehouse(tmp_path), tmp_path / "exports"
    export_journals(warehouse, exports)
    with duckdb.connect(str(warehouse)) as con:
        sent = con.execute("select count(*) from exports.export_ledger").fetchone()[0]
        con.execute("drop schema exports cascade")  # as it was before the killed export
    assert export_journals(warehouse, exports).batch is None
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from exports.export_ledger").fetchone()[0] == sent > 0


def test_a_landing_killed_before_its_ledger_row_lands_the_file_once(tmp_path, seeds):
    """Killed after the batch's data files were renamed into place, before its ledger row, and
    rerun on a later day (another load_date partition)."""
    inbox, lake = tmp_path / "inbox", tmp_path / "lake"
    (inbox / "usage").mkdir(parents=True)
    lines = [json.dumps(e, default=str) for e in seeds["usage/events"][:5]]
    (inbox / "usage" / "events.jsonl").write_text("\n".join(lines) + "\n")
    [first] = land_inbox(inbox, lake, CONTRACTS)
    (lake / "_ledger" / "landing_batches" / f"{first.batch_id}.parquet").unlink()
    [raw] = list((lake / "raw").rglob(f"{first.batch_id}.parquet"))
    yesterday = raw.parent.with_name("load_date=2026-01-01")
    yesterday.mkdir()
    shutil.move(raw, yesterday / raw.name)

    [again] = land_inbox(inbox, lake, CONTRACTS)
    assert (again.batch_id, again.skipped, again.rows_landed) == (first.batch_id, False, 5)
    files = list((lake / "raw").rglob(f"{first.batch_id}.parquet"))
    assert len(files) == 1 and pq.read_metadata(files[0]).num_rows == 5


def test_temp_files_of_dead_processes_are_swept_live_ones_kept(tmp_path):
    lake = tmp_path / "lake"
    folder = lake / "raw" / "usage" / "events" / "load_date=2026-09-01"
    folder.mkdir(parents=True)
    dead = folder / f".usage-events-abc.parquet.{dead_pid()}-0a1b.tmp"
    live = folder / f".usage-events-def.parquet.{os.getpid()}-0a1b.tmp"
    for path in (dead, live):
        path.write_bytes(b"PAR1 half written")
    (tmp_path / "inbox").mkdir()
    land_inbox(tmp_path / "inbox", lake, CONTRACTS)
    assert not dead.exists() and live.exists()
