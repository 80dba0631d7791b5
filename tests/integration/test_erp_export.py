"""The ERP journal export over a small warehouse: files per format x entity x period, manifests
that match their files, exactly once, corrections as reversal + corrected journal."""

from __future__ import annotations

import json
import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from exports.erp_journals import export_journals, read_ledger
from exports.formats import canonical, fbdi, netsuite

D = Decimal

SETUP = """
create schema marts;
create table main.currencies as
    select * from (values ('GBP', 2), ('USD', 2), ('JPY', 0)) as t(currency, minor_units);
create table marts.customers as
    select * from (values ('ACC-1', 'Acme Labs'), ('ACC-2', '=HYPERLINK("http://evil","x")'))
        as t(account_id, account_name);
create table marts.legal_entities as
    select * from (values
        ('UK01', 2, 'Example Ltd', 'Example Ltd', 'GB', 'GBP', 2, 1),
        ('JP01', 4, 'Example K.K.', 'Example K.K.', 'JP', 'JPY', 0, 1)
    ) as t(legal_entity, subsidiary_id, legal_entity_name, legal_name, country,
           functional_currency, functional_minor_units, fiscal_calendar_id);
create table marts.fiscal_periods as
    select * from (values
        ('2026-08', date '2026-08-01', date '2026-08-31', true, '2026-09', 'Aug 2026'),
        ('2026-09', date '2026-09-01', date '2026-09-30', false, '2026-09', 'Sep 2026'),
        ('2026-10', date '2026-10-01', date '2026-10-31', false, '2026-10', 'Oct 2026')
    ) as t(fiscal_period, start_date, end_date, is_closed, posting_fiscal_period, period_name);
create schema intermediate;
create table intermediate.int_posting_periods as
    select * from (values
        ('2026-08', date '2026-08-01', date '2026-08-31', '2026-09', true, date '2026-09-01',
         'Aug 2026'),
        ('2026-09', date '2026-09-01', date '2026-09-30', '2026-09', false, null, 'Sep 2026'),
        ('2026-10', date '2026-10-01', date '2026-10-31', '2026-10', false, null, 'Oct 2026')
    ) as t(fiscal_period, start_date, end_date, posting_fiscal_period, is_posting_period_moved,
           moved_posting_date, period_name);
create table marts.ops_landing_batches as
    select timestamp '2026-10-02 01:00:00' as file_delivered_at,
           timestamp '2026-10-02 01:05:00' as landed_at;
create table marts.journal_lines (
    journal_id varchar, line_number integer, source_type varchar, legal_entity varchar,
    posting_period varchar, posting_date date, original_date date, account varchar,
    department varchar, class varchar, location varchar, memo varchar, crm_account_id varchar,
    currency varchar, exchange_rate decimal(38, 12), debit decimal(38, 9),
    credit decimal(38, 9), functional_currency varchar, functional_debit decimal(38, 9),
    functional_credit decimal(38, 9), source_system varchar, source_id varchar,
    source_line_id varchar, business_transaction_id varchar, batch_id varchar
);
"""


def add_invoice(con, journal_id, entity, period, day, currency, rate, total, tax, customer, memo):
    functional = "GBP" if entity == "UK01" else "JPY"
    digits = 0 if functional == "JPY" else 2
    net = D(total) - D(tax)
    lines = [("1200", D(total), D(0), "Accounts receivable"), ("4100", D(0), net, memo)]
    if D(tax):
        lines.append(("2200", D(0), D(tax), "Sales tax payable"))
    converted = [
        (
            account,
            (dr * D(rate)).quantize(D(1).scaleb(-digits)),
            (cr * D(rate)).quantize(D(1).scaleb(-digits)),
        )
        for account, dr, cr, _ in lines
    ]
    residual = sum(c[1] for c in converted) - sum(c[2] for c in converted)
    for number, ((account, dr, cr, text), (_, fdr, fcr)) in enumerate(
        zip(lines, converted, strict=True), 1
    ):
        if number == 2:
            fcr += residual  # keep the toy journal balanced in functional currency too
        con.execute(
            "insert into marts.journal_lines values "
            "(?, ?, 'invoice', ?, ?, ?, ?, ?, null, 'Usage', null, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "'billing', ?, null, 'BT-1', 'batch-1')",
            [journal_id, number, entity, period, day, day, account, text, customer, currency,
             D(rate), dr, cr, functional, fdr, fcr, journal_id],
        )  # fmt: skip


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, Path]:
    warehouse, exports = tmp_path / "warehouse.duckdb", tmp_path / "exports"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(SETUP)
        add_invoice(
            con,
            "U2C-INV-1",
            "UK01",
            "2026-09",
            "2026-09-10",
            "GBP",
            "1",
            "120.00",
            "20.00",
            "ACC-1",
            "Usage",
        )
        add_invoice(
            con,
            "U2C-INV-2",
            "UK01",
            "2026-09",
            "2026-09-12",
            "USD",
            "0.8",
            "99.99",
            "0",
            "ACC-2",
            '=HYPERLINK("http://evil","x")',
        )
        add_invoice(
            con,
            "U2C-INV-3",
            "UK01",
            "2026-10",
            "2026-10-01",
            "GBP",
            "1",
            "60.00",
            "10.00",
            "ACC-1",
            "Usage",
        )
        add_invoice(
            con,
            "U2C-INV-4",
            "JP01",
            "2026-09",
            "2026-09-20",
            "JPY",
            "1",
            "11000",
            "1000",
            "ACC-1",
            "+cmd",
        )
    return warehouse, exports


def parse(fmt: str, payload: bytes) -> list[dict]:
    return {
        "canonical_csv": canonical.parse_csv,
        "canonical_parquet": canonical.parse_parquet,
        "netsuite": netsuite.parse,
        "fbdi": fbdi.parse,
    }[fmt](payload)


def amounts(fmt: str, row: dict) -> tuple[str, str, Decimal, Decimal, Decimal, Decimal]:
    """(currency, journal, debit, credit, functional debit, functional credit) of a parsed row."""
    if fmt == "netsuite":
        rate = D(row["Exchange Rate"])
        dr, cr = D(row["Debit"] or 0), D(row["Credit"] or 0)
        return row["Currency"], row["External ID"], dr, cr, dr * rate, cr * rate
    if fmt == "fbdi":
        return (
            row["CURRENCY_CODE"],
            row["REFERENCE4"],
            *(D(row[c] or 0) for c in ("ENTERED_DR", "ENTERED_CR", "ACCOUNTED_DR", "ACCOUNTED_CR")),
        )
    return (
        row["currency"],
        row["external_id"],
        *(D(row[c]) for c in ("debit", "credit", "functional_debit", "functional_credit")),
    )


def test_each_file_parses_back_to_its_manifest_totals_and_every_journal_balances(world):
    warehouse, exports = world
    result = export_journals(warehouse, exports)
    manifest = json.loads((result.batch.directory / "manifest.json").read_text())
    files = {f["file"]: f for f in manifest["files"] if f["file"] != "ledger.parquet"}
    # one file per format x entity x period
    assert sorted(files) == sorted(
        f"{prefix}_{stem}.{ext}"
        for stem in ("UK01_2026-09", "UK01_2026-10", "JP01_2026-09")
        for prefix, ext in (
            ("canonical", "csv"), ("canonical", "parquet"), ("netsuite", "csv"), ("fbdi", "zip")
        )
    )  # fmt: skip
    for name, described in files.items():
        payload = (result.batch.directory / name).read_bytes()
        assert described["sha256"] == __import__("hashlib").sha256(payload).hexdigest()
        rows = parse(described["format"], payload)
        assert len(rows) == described["rows"]
        totals: dict[str, Decimal] = defaultdict(Decimal)
        journals: dict[tuple, list] = defaultdict(lambda: [D(0), D(0)])
        for row in rows:
            currency, journal, dr, cr, _, _ = amounts(described["format"], row)
            totals[f"debit.{currency}"] += dr
            totals[f"credit.{currency}"] += cr
            journals[(journal, currency)][0] += dr
            journals[(journal, currency)][1] += cr
        for key, value in totals.items():
            assert D(described["totals"][key]) == value, (name, key)
        assert all(dr == cr for dr, cr in journals.values()), name
        assert len({j for j, _ in journals}) == described["journals"]
    assert manifest["watermark"]["last_delivered_at"].startswith("2026-10-02")


def test_templates_and_formula_neutralization(world):
    warehouse, exports = world
    directory = export_journals(warehouse, exports).batch.directory
    header = (directory / "netsuite_UK01_2026-09.csv").read_bytes().decode().splitlines()[0]
    assert header.split(",") == list(netsuite.COLUMNS)
    with zipfile.ZipFile(directory / "fbdi_UK01_2026-09.zip") as archive:
        assert archive.namelist() == ["GlInterface.csv"]
        first = archive.read("GlInterface.csv").decode().splitlines()[0]
    assert first.startswith("NEW,")  # no header row: STATUS first
    for name in ("netsuite_UK01_2026-09.csv", "canonical_UK01_2026-09.csv"):
        text = (directory / name).read_bytes().decode()
        assert '"=HYPERLINK' not in text and "\n=HYPERLINK" not in text
        assert "'=HYPERLINK" in text
    rows = fbdi.parse((directory / "fbdi_UK01_2026-09.zip").read_bytes())
    assert any(r["REFERENCE10"].startswith("'=HYPERLINK") for r in rows)


def test_a_rerun_writes_nothing_and_a_correction_goes_out_in_the_next_batch(world):
    warehouse, exports = world
    first = export_journals(warehouse, exports)
    listing = sorted(p.relative_to(exports) for p in exports.rglob("*"))
    again = export_journals(warehouse, exports)
    assert again.batch is None
    assert sorted(p.relative_to(exports) for p in exports.rglob("*")) == listing
    # the GBP invoice U2C-INV-1 is re-rated after it was sent
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update marts.journal_lines set debit = debit * 2, credit = credit * 2, "
            "functional_debit = functional_debit * 2, functional_credit = functional_credit * 2 "
            "where journal_id = 'U2C-INV-1'"
        )
    second = export_journals(warehouse, exports)
    assert (second.reversals, second.corrections, second.journals) == (1, 1, 2)
    ledger = read_ledger(exports)
    sent = {(r["export_sequence"], r["external_id"], r["journal_kind"]) for r in ledger}
    assert (2, "U2C-INV-1-REV", "reversal") in sent
    assert (2, "U2C-INV-1-V2", "correction") in sent
    # the first batch's files are untouched
    for path in first.batch.directory.iterdir():
        assert path.read_bytes() == (first.batch.directory / path.name).read_bytes()
    reversal = [r for r in ledger if r["external_id"] == "U2C-INV-1-REV"]
    assert {r["reverses_external_id"] for r in reversal} == {"U2C-INV-1"}
    assert sum(r["debit"] for r in reversal) == D("120.00")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "select count(distinct export_batch_id), count(*) filter (format = 'netsuite') "
            "from exports.export_batches"
        ).fetchone() == (2, 4)
        assert con.execute("select count(*) from exports.export_ledger").fetchone()[0] == len(
            ledger
        )
    assert export_journals(warehouse, exports).batch is None


def test_summary_mode_links_every_detail_line_to_its_summary_line(world):
    warehouse, exports = world
    with duckdb.connect(str(warehouse)) as con:  # a second GBP invoice on the same day
        add_invoice(
            con, "U2C-INV-5", "UK01", "2026-09", "2026-09-10", "GBP", "1", "30.00", "5.00",
            "ACC-2", "Usage",
        )  # fmt: skip
    result = export_journals(warehouse, exports, mode="summary")
    ledger = read_ledger(exports)
    netsuite_rows = netsuite.parse(
        (result.batch.directory / "netsuite_UK01_2026-09.csv").read_bytes()
    )
    assert {r["External ID"] for r in netsuite_rows} == {
        r["erp_external_id"] for r in ledger if r["netsuite_file"] == "netsuite_UK01_2026-09.csv"
    }
    detail = [r for r in ledger if r["netsuite_file"] == "netsuite_UK01_2026-09.csv"]
    assert len(netsuite_rows) < len(detail)  # the two GBP invoices of 10 Sep share lines
    assert {r["journal_kind"] for r in ledger} == {"original"}
    with pytest.raises(ValueError, match="export mode"):
        export_journals(warehouse, exports, mode="bogus")
