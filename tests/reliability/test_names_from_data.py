"""Names read from extracts (entity codes, periods, customer names, inbox file names) never
escape the data dir or make odd paths, and no text cell of any export format can run as a
spreadsheet formula.

The export side runs on the small warehouse of tests/integration/test_erp_export.py, with
legal entity codes and periods an ERP extract could carry: `../`, absolute paths, NUL and
control characters, 300 characters.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import zipfile
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from exports import close_report
from exports.erp_journals import export_journals
from exports.formats import fbdi
from exports.formats.csv_safe import FORMULA_TRIGGERS
from exports.formats.lines import ExportFormatError
from exports.safe_names import check_name, name_part
from exports.usage_daily import export_usage_daily
from sources.landing import land_inbox
from sources.registry import CONTRACTS
from tests.integration.test_erp_export import SETUP, add_invoice

HOSTILE = [
    "../../../escaped",
    "/tmp/absolute",
    "..",
    ".hidden",
    "nul\x00byte",
    "tab\tand\nnewline",
    "x" * 300,
    "back\\slash",
    "名前",
    "US01",  # a plain code stays as it is
]


def hostile_warehouse(root: Path, entity: str, period: str) -> Path:
    warehouse = root / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(SETUP)
        con.execute(
            "insert into marts.legal_entities values (?, 9, ?, ?, 'XX', 'GBP', 2, 1)",
            [entity, f"=cmd {entity}", f"+{entity}"],
        )
        con.execute(
            "insert into marts.fiscal_periods values (?, date '2026-11-01', date '2026-11-30', "
            "false, ?, ?)",
            [period, period, f"-{period}"],
        )
        # the posting periods the export reads (int_posting_periods)
        con.execute(
            "insert into intermediate.int_posting_periods values (?, date '2026-11-01', "
            "date '2026-11-30', ?, false, null, ?)",
            [period, period, f"-{period}"],
        )
        journals = [("J-1", entity, period, "2026-11-10"), ("J-2", "UK01", "2026-09", "2026-09-10")]
        for journal, where, when, day in journals:
            add_invoice(con, journal, where, when, day, "GBP", "1", "10.00", "0", "ACC-1", "m")
    return warehouse


def files_under(root: Path) -> list[Path]:
    return [Path(d) / f for d, _, names in os.walk(root) for f in names]


@pytest.mark.parametrize("entity", HOSTILE)
def test_export_files_stay_in_their_batch_directory(tmp_path, entity):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    warehouse = hostile_warehouse(data_dir, entity, "2026-11")
    exports = data_dir / "exports"
    if len(entity) > fbdi.MAX_LENGTHS["SEGMENT1"]:  # the ERP cannot take it: a clear error
        with pytest.raises(ExportFormatError, match="longer than"):
            export_journals(warehouse, exports)
        assert files_under(tmp_path) == [warehouse]
        return
    result = export_journals(warehouse, exports)
    # nothing outside the data dir, and every export file directly inside its batch directory
    assert sorted(files_under(tmp_path)) == sorted(files_under(data_dir))
    written = files_under(exports)
    assert written and all(p.parent == result.batch.directory for p in written)
    for path in written:
        assert check_name(path.name) == path.name
    # four files per entity x period group (two groups), the ledger and the manifest: no
    # two groups share a file, so nothing was overwritten
    assert len(written) == 2 * 4 + 2


PERIODS = ["../2026-11", "/etc/passwd", "2026-11\n", "2026-11/../..", "x" * 300]


@pytest.mark.parametrize("period", PERIODS)
def test_a_period_that_is_no_period_stops_the_export_and_writes_nothing(tmp_path, period):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    warehouse = hostile_warehouse(data_dir, "US01", period)
    with pytest.raises(ValueError, match="not YYYY-MM"):
        export_journals(warehouse, data_dir / "exports")
    assert files_under(tmp_path) == [warehouse]


@pytest.mark.parametrize("period", PERIODS)
def test_a_close_report_stays_under_exports_close(tmp_path, period, monkeypatch):
    empty = {"entities": [], "open_reconciliation_items": 0}
    monkeypatch.setattr(close_report, "build_report", lambda _warehouse, p: {"period": p, **empty})
    report = close_report.write_close_report(tmp_path / "w.duckdb", tmp_path / "exports", period)
    assert report.path.parent.parent == tmp_path / "exports" / "close"
    assert check_name(report.path.parent.name)
    assert files_under(tmp_path) == [report.path]


def test_name_parts_are_plain_and_distinct():
    parts = [name_part(value) for value in HOSTILE]
    assert len(set(parts)) == len(HOSTILE)
    for part in parts:
        assert check_name(part) == part and len(part) <= 64
    assert name_part("US01") == "US01" and name_part("2026-11") == "2026-11"


def test_odd_inbox_file_names_land_under_batch_ids(tmp_path, seeds):
    """Inbox file names are data too: whatever they hold, the lake's paths are made of the
    system, table, date and batch id only; the name itself is kept as a column."""
    inbox = tmp_path / "inbox" / "usage"
    inbox.mkdir(parents=True)
    import json

    line = json.dumps(seeds["usage/events"][0], default=str)
    names = [
        "events -- ; rm -rf $(x).jsonl",
        "events\nnewline.jsonl",
        "events..jsonl",
        "-events.jsonl",
        "événements.jsonl",
        "e" * 240 + ".jsonl",
    ]
    for number, name in enumerate(names):
        (inbox / name).write_text(line.replace('"id": "', f'"id": "{number}-') + "\n")
    results = land_inbox(tmp_path / "inbox", tmp_path / "lake", CONTRACTS)
    assert sorted(r.file_name for r in results) == sorted(names)
    assert all(r.rows_landed == 1 for r in results)
    for path in files_under(tmp_path / "lake"):
        relative = path.relative_to(tmp_path / "lake")
        assert all(check_name(part) for part in relative.parts if not part.startswith(("_", ".")))
    raw = (tmp_path / "lake" / "raw").rglob("usage-*.parquet")
    landed = [pq.read_table(p).column("file_name").to_pylist()[0] for p in raw]
    assert sorted(landed) == sorted(names)


# --- spreadsheet formulas -------------------------------------------------------------------

triggers = st.sampled_from(FORMULA_TRIGGERS)
hostile_text = st.one_of(
    st.builds(lambda t, rest: t + rest, triggers, st.text(max_size=12)),
    st.sampled_from(
        ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\t=1", "\r=1", "=1\n=2"]
    ),
)


def csv_cells(payload: bytes) -> list[str]:
    return [c for row in csv.reader(io.StringIO(payload.decode("utf-8"), newline="")) for c in row]


def all_cells(directory: Path) -> dict[str, list[str]]:
    """Every cell of every spreadsheet-readable file of an export batch."""
    cells = {}
    for path in directory.iterdir():
        if path.suffix == ".csv":
            cells[path.name] = csv_cells(path.read_bytes())
        elif path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    cells[f"{path.name}/{member}"] = csv_cells(archive.read(member))
    return cells


# what fits the FBDI columns (PERIOD_NAME 15, segments 25 characters: longer raises, tested above)
short_hostile = st.one_of(
    st.builds(lambda t, rest: t + rest, triggers, st.text(max_size=8)),
    st.sampled_from(["+1+1", "-2", "@SUM(A1)", "\t=1", "\r=1", "=1\n=2"]),
)


@given(
    memo=hostile_text,
    customer=hostile_text,
    account=short_hostile,
    dimension=short_hostile,
    entity_name=hostile_text,
    period_name=short_hostile,
)
def test_no_text_cell_of_any_export_format_starts_a_formula(
    memo, customer, account, dimension, entity_name, period_name
):
    """NetSuite CSV, FBDI (GlInterface.csv inside the zip), canonical CSV and the usage
    snapshot: every text field from data, whatever it begins with."""
    with tempfile.TemporaryDirectory(prefix="u2c-formula-") as tmp:
        warehouse, exports = Path(tmp) / "warehouse.duckdb", Path(tmp) / "exports"
        with duckdb.connect(str(warehouse)) as con:
            con.execute(SETUP)
            con.execute("update marts.customers set account_name = ?", [customer])
            con.execute(
                "update marts.legal_entities set legal_entity_name = ?, legal_name = ?",
                [entity_name, entity_name],
            )
            con.execute("update marts.fiscal_periods set period_name = ?", [period_name])
            con.execute(
                "update intermediate.int_posting_periods set period_name = ?", [period_name]
            )
            add_invoice(
                con, "J-1", "UK01", "2026-09", "2026-09-10", "GBP", "1", "10.00", "0", "ACC-2", memo
            )
            con.execute(
                "update marts.journal_lines set account = ?, department = ?, class = ?, "
                "location = ?",
                [account, dimension, dimension, dimension],
            )
            con.execute(
                "create table marts.usage_daily as select ? as subscription_id, ? as customer_id,"
                " ? as metric, ? as dimensions, date '2026-09-01' as usage_date,"
                " 1.5::decimal(38, 9) as quantity, 3 as event_count",
                # the dimensions are the product's own group-by values
                [dimension, customer, memo, memo],
            )
        batch = export_journals(warehouse, exports).batch
        usage = export_usage_daily(warehouse, exports, {})
        cells = all_cells(batch.directory) | all_cells(usage.directory)
        assert {name.split("_")[0] for name in cells} == {"netsuite", "fbdi", "canonical", "usage"}
        for name, values in cells.items():
            for cell in values:
                assert not cell.startswith(FORMULA_TRIGGERS), (name, cell)
