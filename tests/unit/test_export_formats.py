from __future__ import annotations

import io
import re
import zipfile
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import pytest

from exports.formats import canonical, fbdi, netsuite
from exports.formats.csv_safe import FORMULA_TRIGGERS, read_csv
from exports.formats.lines import (
    LINE_KEYS,
    FileContext,
    InvalidExportLines,
    UnrepresentableLine,
    UnsupportedCurrency,
)

CTX = FileContext(
    export_batch_id="jb-3f2a9c1d0e4b5a67",
    legal_entity="UK01",
    subsidiary="Example UK Ltd",
    ledger_id="300000001234",
    ledger_name="UK01 Primary",
    posting_period="2026-10",
    period_name="Oct 2026",
    created_date=date(2026, 11, 2),
)
MINOR = {"GBP": 2, "USD": 2, "EUR": 2, "JPY": 0, "KWD": 3}
RATES = {"GBP": Decimal("1"), "USD": Decimal("0.79"), "JPY": Decimal("0.0052")}
INJECTIONS = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"]
NUMBER = re.compile(r"^\d+(\.\d+)?$")


def journal(
    external_id: str,
    currency: str,
    entries: list[tuple],
    *,
    source_type: str = "invoice",
    kind: str = "original",
    reverses: str | None = None,
    rate: Decimal | None = None,
    day: date = date(2026, 10, 5),
    **extra: object,
) -> list[dict]:
    """entries: (account, debit, credit, functional_debit, functional_credit, memo)."""
    lines = []
    for number, (account, dr, cr, fdr, fcr, memo) in enumerate(entries, start=1):
        lines.append(
            {
                "external_id": external_id,
                "journal_id": external_id,
                "line_number": number,
                "journal_kind": kind,
                "reverses_external_id": reverses,
                "source_type": source_type,
                "legal_entity": "UK01",
                "posting_period": "2026-10",
                "posting_date": day,
                "original_date": day,
                "account": account,
                "department": "SALES",
                "class": None,
                "location": "LON",
                "memo": memo,
                "name": "Acme, Ltd",
                "currency": currency,
                "minor_units": MINOR[currency],
                "exchange_rate": rate if rate is not None else RATES[currency],
                "debit": Decimal(dr),
                "credit": Decimal(cr),
                "functional_currency": "GBP",
                "functional_minor_units": 2,
                "functional_debit": Decimal(fdr),
                "functional_credit": Decimal(fcr),
                "source_system": "billing",
                "source_id": external_id.rsplit("-", 1)[-1],
                "source_line_id": f"il_{number}",
                "business_transaction_id": "BTX-0001",
                "batch_id": "lb-0001",
                **extra,
            }
        )
    return lines


def usd_invoice(kind: str = "original") -> list[dict]:
    entries = [
        ("1200", "100.00", "0", "79.00", "0", "Receivable"),
        ("4100", "0", "60.00", "0", "47.40", "Usage: 1,200 API calls"),
        ("4100", "0", "40.00", "0", "31.60", 'Platform fee "Pro"'),
    ]
    if kind == "reversal":
        entries = [(a, cr, dr, fcr, fdr, f"Reversal: {m}") for a, dr, cr, fdr, fcr, m in entries]
        return journal(
            "U2C-REV-U2C-INV-in_usd",
            "USD",
            entries,
            kind="reversal",
            reverses="U2C-INV-in_usd",
            day=date(2026, 10, 20),
        )
    return journal("U2C-INV-in_usd", "USD", entries)


def sample_lines() -> list[dict]:
    """GBP (ledger currency, multi-line), USD with a rate, JPY, a reversal, formula memos."""
    return [
        *journal(
            "U2C-CN-cn_evil",
            "GBP",
            [
                ("4100", "1.00", "0", "1.00", "0", INJECTIONS[0]),
                ("4100", "1.00", "0", "1.00", "0", INJECTIONS[1]),
                ("4100", "1.00", "0", "1.00", "0", INJECTIONS[2]),
                ("1200", "0", "1.00", "0", "1.00", INJECTIONS[3]),
                ("1200", "0", "1.00", "0", "1.00", INJECTIONS[4]),
                ("1200", "0", "1.00", "0", "1.00", INJECTIONS[5] + "\nsecond line"),
            ],
            source_type="credit_note",
            department="-dep",
            name="=cmd|' /C calc'!A0",
        ),
        *journal(
            "U2C-INV-in_gbp",
            "GBP",
            [
                ("1200", "120.00", "0", "120.00", "0", "Receivable"),
                ("4100", "0", "100.00", "0", "100.00", "Usage"),
                ("2200", "0", "20.00", "0", "20.00", "VAT 20%"),
            ],
        ),
        *usd_invoice(),
        *journal(
            "U2C-PAY-ch_jpy",
            "JPY",
            [
                ("1100", "15000", "0", "78.00", "0", None),
                ("1200", "0", "15000", "0", "78.00", None),
            ],
            source_type="payment",
        ),
        *usd_invoice("reversal"),
    ]


def rounding_journal() -> list[dict]:
    """EUR at 1.5: 0.03 -> 0.04 and 3 x 0.01 -> 0.02 (half-even); 0.02 goes to a rounding line."""
    return journal(
        "U2C-INV-in_eur",
        "EUR",
        [
            ("1200", "0.03", "0", "0.04", "0", "Receivable"),
            ("4100", "0", "0.01", "0", "0.02", "a"),
            ("4100", "0", "0.01", "0", "0.02", "b"),
            ("4100", "0", "0.01", "0", "0.02", "c"),
            ("7990", "0", "0", "0.02", "0", "Rounding (currency conversion)"),
        ],
        rate=Decimal("1.5"),
    )


def kwd_journal() -> list[dict]:
    return journal(
        "U2C-INV-in_kwd",
        "KWD",
        [("1200", "1.250", "0", "3.25", "0", "x"), ("4100", "0", "1.250", "0", "3.25", "y")],
        rate=Decimal("2.6"),
    )


def fbdi_csv(payload: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        return archive.read(fbdi.FILE_NAME)


# --- reading every format back as (journal, currency, debit, credit[, functional]) ---------


def from_input(lines):
    return [(x["external_id"], x["currency"], x["debit"], x["credit"]) for x in lines]


def from_canonical(rows):
    return [(r["external_id"], r["currency"], r["debit"], r["credit"]) for r in rows]


def from_netsuite(rows):
    zero = Decimal(0)
    return [
        (r["External ID"], r["Currency"], r["Debit"] or zero, r["Credit"] or zero) for r in rows
    ]


def from_fbdi(rows):
    zero = Decimal(0)
    return [
        (r["REFERENCE4"], r["CURRENCY_CODE"], r["ENTERED_DR"] or zero, r["ENTERED_CR"] or zero)
        for r in rows
    ]


READERS = {
    "canonical_csv": lambda lines: from_canonical(canonical.parse_csv(canonical.render_csv(lines))),
    "canonical_parquet": lambda lines: from_canonical(
        canonical.parse_parquet(canonical.render_parquet(lines))
    ),
    "netsuite": lambda lines: from_netsuite(netsuite.parse(netsuite.render(lines, CTX))),
    "fbdi": lambda lines: from_fbdi(fbdi.parse(fbdi.render(lines, CTX))),
}


def totals(entries) -> dict[str, tuple[Decimal, Decimal]]:
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for _, currency, debit, credit in entries:
        sums[currency][0] += debit
        sums[currency][1] += credit
    return {currency: tuple(pair) for currency, pair in sums.items()}


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_parsed_back_totals_journals_and_balance(fmt):
    lines = sample_lines()
    parsed = READERS[fmt](lines)
    assert len(parsed) == len(lines)
    assert totals(parsed) == totals(from_input(lines))
    assert len({e[0] for e in parsed}) == len({x["external_id"] for x in lines}) == 5
    per_journal: dict[str, Decimal] = defaultdict(Decimal)
    for external_id, _, debit, credit in parsed:
        per_journal[external_id] += debit - credit
    assert set(per_journal.values()) == {Decimal(0)}


def test_fbdi_functional_amounts_parse_back_and_balance():
    lines = sample_lines() + rounding_journal()
    rows = fbdi.parse(fbdi.render(lines, CTX))
    zero = Decimal(0)
    assert sum((r["ACCOUNTED_DR"] or zero) for r in rows) == sum(
        x["functional_debit"] for x in lines
    )
    assert sum((r["ACCOUNTED_CR"] or zero) for r in rows) == sum(
        x["functional_credit"] for x in lines
    )
    balance: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        balance[r["REFERENCE4"]] += (r["ACCOUNTED_DR"] or zero) - (r["ACCOUNTED_CR"] or zero)
    assert set(balance.values()) == {zero}


def test_canonical_round_trips_every_key():
    lines = sample_lines() + rounding_journal() + kwd_journal()
    assert canonical.parse_csv(canonical.render_csv(lines)) == lines
    assert canonical.parse_parquet(canonical.render_parquet(lines)) == lines


def test_canonical_columns_and_types():
    payload = canonical.render_csv(sample_lines())
    assert read_csv(payload)[0] == list(LINE_KEYS) == canonical.COLUMNS
    assert payload.startswith(b"external_id,journal_id,line_number,journal_kind,")
    schema = canonical.SCHEMA
    assert str(schema.field("debit").type) == "decimal128(38, 9)"
    assert str(schema.field("functional_credit").type) == "decimal128(38, 9)"
    assert str(schema.field("posting_date").type) == "date32[day]"
    assert str(schema.field("exchange_rate").type) == "decimal128(38, 12)"


def test_netsuite_header_and_values():
    rows = read_csv(netsuite.render(sample_lines(), CTX))
    assert rows[0] == [
        "External ID",
        "Subsidiary",
        "Currency",
        "Exchange Rate",
        "Date",
        "Posting Period",
        "Account",
        "Debit",
        "Credit",
        "Memo",
        "Name",
        "Department",
        "Class",
        "Location",
    ]
    assert rows[0] == netsuite.COLUMNS
    by_key = {(r[0], r[6], r[7], r[8]): dict(zip(netsuite.COLUMNS, r, strict=True)) for r in rows}
    usd = by_key[("U2C-INV-in_usd", "1200", "100.00", "")]
    assert usd["Exchange Rate"] == "0.79"
    assert usd["Date"] == "10/5/2026"
    assert usd["Posting Period"] == "Oct 2026"
    assert usd["Subsidiary"] == "Example UK Ltd"
    assert usd["Name"] == "Acme, Ltd"
    assert by_key[("U2C-REV-U2C-INV-in_usd", "1200", "", "100.00")]["Date"] == "10/20/2026"
    assert by_key[("U2C-INV-in_gbp", "2200", "", "20.00")]["Exchange Rate"] == "1"


def test_fbdi_layout_positions_and_values():
    assert len(fbdi.COLUMNS) == len(set(fbdi.COLUMNS)) == 149
    positions = {
        "STATUS": 1,
        "LEDGER_ID": 2,
        "ACCOUNTING_DATE": 3,
        "USER_JE_CATEGORY_NAME": 5,
        "DATE_CREATED": 7,
        "ACTUAL_FLAG": 8,
        "SEGMENT1": 9,
        "SEGMENT30": 38,
        "ENTERED_DR": 39,
        "ENTERED_CR": 40,
        "ACCOUNTED_DR": 41,
        "ACCOUNTED_CR": 42,
        "REFERENCE1": 43,
        "REFERENCE4": 46,
        "REFERENCE10": 52,
        "REFERENCE21": 53,
        "STAT_AMOUNT": 63,
        "USER_CURRENCY_CONVERSION_TYPE": 64,
        "CURRENCY_CONVERSION_RATE": 66,
        "GROUP_ID": 67,
        "LEDGER_NAME": 92,
        "PERIOD_NAME": 95,
        "GLOBAL_ATTRIBUTE_CATEGORY": 119,
        "GLOBAL_ATTRIBUTE_NUMBER5": 149,
    }
    assert {c: fbdi.COLUMNS.index(c) + 1 for c in positions} == positions
    assert "END" not in fbdi.COLUMNS

    lines = sample_lines()
    payload = fbdi.render(lines, CTX)
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        assert archive.namelist() == ["GlInterface.csv"]
        info = archive.getinfo("GlInterface.csv")
        assert info.date_time == (2026, 11, 2, 0, 0, 0)
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.external_attr >> 16 == 0o100644
    raw = fbdi_csv(payload)
    assert b"\r" not in raw
    cells = read_csv(raw)
    assert len(cells) == len(lines)  # no header row
    assert all(len(row) == 149 and row[0] == "NEW" for row in cells)

    rows = {(r["REFERENCE4"], r["SEGMENT2"], r["ENTERED_CR"]): r for r in fbdi.parse(payload)}
    usd = rows[("U2C-INV-in_usd", "4100", Decimal("60.00"))]
    assert usd["LEDGER_ID"] == "300000001234"
    assert usd["ACCOUNTING_DATE"] == date(2026, 10, 5)
    assert usd["DATE_CREATED"] == date(2026, 11, 2)
    assert usd["USER_JE_SOURCE_NAME"] == "usage-to-cash"
    assert usd["USER_JE_CATEGORY_NAME"] == "Sales Invoices"
    assert usd["ACTUAL_FLAG"] == "A"
    assert usd["CURRENCY_CODE"] == "USD"
    assert [usd[f"SEGMENT{i}"] for i in range(1, 7)] == ["UK01", "4100", "SALES", None, "LON", None]
    assert (usd["ENTERED_DR"], usd["ACCOUNTED_DR"], usd["ACCOUNTED_CR"]) == (
        None,
        None,
        Decimal("47.40"),
    )
    assert usd["USER_CURRENCY_CONVERSION_TYPE"] == "User"
    assert usd["CURRENCY_CONVERSION_DATE"] == date(2026, 10, 5)
    assert usd["CURRENCY_CONVERSION_RATE"] == Decimal("0.79")
    assert usd["REFERENCE1"] == "jb-3f2a9c1d0e4b5a67"
    assert usd["REFERENCE10"] == "Usage: 1,200 API calls"
    assert usd["GROUP_ID"] == 0x3F2A9C1D == fbdi.group_id(CTX.export_batch_id)
    assert usd["LEDGER_NAME"] == "UK01 Primary"
    assert usd["PERIOD_NAME"] == "Oct 2026"
    assert usd["REFERENCE7"] is None  # explicit reversal journals, no auto-reversal

    gbp = rows[("U2C-INV-in_gbp", "4100", Decimal("100.00"))]
    assert gbp["USER_CURRENCY_CONVERSION_TYPE"] is None
    assert gbp["CURRENCY_CONVERSION_RATE"] is None
    assert gbp["ACCOUNTED_CR"] == Decimal("100.00")
    reversal = rows[("U2C-REV-U2C-INV-in_usd", "1200", Decimal("100.00"))]
    assert reversal["USER_JE_CATEGORY_NAME"] == "Sales Invoices"
    assert reversal["ACCOUNTING_DATE"] == date(2026, 10, 20)
    assert rows[("U2C-CN-cn_evil", "1200", Decimal("1.00"))]["USER_JE_CATEGORY_NAME"] == (
        "Credit Memos"
    )
    assert rows[("U2C-PAY-ch_jpy", "1200", Decimal("15000"))]["USER_JE_CATEGORY_NAME"] == "Receipts"


def test_fbdi_category_for_every_source_type():
    from exports.formats.lines import SOURCE_TYPES

    assert set(fbdi.CATEGORIES) == set(SOURCE_TYPES)
    assert all(len(name) <= 25 for name in fbdi.CATEGORIES.values())


def test_group_id_needs_hex_batch_id():
    assert fbdi.group_id("jb-00000001ffffffff") == 1
    for bad in ("jb-nothex00", "jb-00000000abcdef12", "jb-3f2a"):
        with pytest.raises(ValueError, match="GROUP_ID"):
            fbdi.group_id(bad)


def _text_cells():
    lines = sample_lines()
    yield "canonical", read_csv(canonical.render_csv(lines))[1:], canonical.COLUMNS
    yield "netsuite", read_csv(netsuite.render(lines, CTX))[1:], netsuite.COLUMNS
    yield "fbdi", read_csv(fbdi_csv(fbdi.render(lines, CTX))), fbdi.COLUMNS


NUMERIC = {
    "canonical": {
        "line_number",
        "minor_units",
        "exchange_rate",
        "debit",
        "credit",
        "functional_minor_units",
        "functional_debit",
        "functional_credit",
    },
    "netsuite": {"Exchange Rate", "Debit", "Credit"},
    "fbdi": {
        "ENTERED_DR",
        "ENTERED_CR",
        "ACCOUNTED_DR",
        "ACCOUNTED_CR",
        "CURRENCY_CONVERSION_RATE",
        "GROUP_ID",
    },
}


@pytest.mark.parametrize("fmt", ["canonical", "netsuite", "fbdi"])
def test_formula_text_is_inert_and_numbers_stay_numbers(fmt):
    name, rows, columns = next(x for x in _text_cells() if x[0] == fmt)
    numbers_seen = 0
    for row in rows:
        for column, cell in zip(columns, row, strict=True):
            assert not cell.startswith(FORMULA_TRIGGERS), (name, column, cell)
            if column in NUMERIC[name] and cell:
                assert NUMBER.match(cell), (name, column, cell)
                numbers_seen += 1
    assert numbers_seen >= len(rows) * 2


def test_formula_text_reads_back_as_the_erp_will_see_it():
    lines = sample_lines()
    memos = [x["memo"] for x in lines if x["external_id"] == "U2C-CN-cn_evil"]
    ns = [
        r
        for r in netsuite.parse(netsuite.render(lines, CTX))
        if r["External ID"] == "U2C-CN-cn_evil"
    ]
    assert [r["Memo"] for r in ns] == ["'" + m for m in memos]
    assert {r["Name"] for r in ns} == {"'=cmd|' /C calc'!A0"}
    assert {r["Department"] for r in ns} == {"'-dep"}
    fb = [r for r in fbdi.parse(fbdi.render(lines, CTX)) if r["REFERENCE4"] == "U2C-CN-cn_evil"]
    assert [r["REFERENCE10"] for r in fb] == [
        "'" + m.replace("\r", " ").replace("\n", " ") for m in memos
    ]
    assert fb[-1]["REFERENCE10"] == "' x second line"
    assert {r["SEGMENT3"] for r in fb} == {"'-dep"}
    # canonical CSV gives the original text back; Parquet stores it as it is
    assert [x["memo"] for x in canonical.parse_csv(canonical.render_csv(lines))][:6] == memos
    assert [x["memo"] for x in canonical.parse_parquet(canonical.render_parquet(lines))][
        :6
    ] == memos


def test_rendering_twice_is_byte_identical():
    renders = {
        "canonical_csv": lambda lines: canonical.render_csv(lines),
        "canonical_parquet": lambda lines: canonical.render_parquet(lines),
        "netsuite": lambda lines: netsuite.render(lines, CTX),
        "fbdi": lambda lines: fbdi.render(lines, CTX),
    }
    for name, render in renders.items():
        first, second = render(sample_lines()), render(sample_lines())
        assert first == second, name
        assert len(first) > 0, name


def test_minor_units_jpy_none_usd_two():
    lines = sample_lines()
    ns = netsuite.parse(netsuite.render(lines, CTX))
    raw_ns = {(r[0], r[6]): r for r in read_csv(netsuite.render(lines, CTX))[1:]}
    assert raw_ns[("U2C-PAY-ch_jpy", "1100")][7] == "15000"
    assert raw_ns[("U2C-PAY-ch_jpy", "1200")][8] == "15000"
    assert raw_ns[("U2C-INV-in_usd", "1200")][7] == "100.00"
    assert raw_ns[("U2C-INV-in_usd", "4100")][8] in {"60.00", "40.00"}
    assert all(r["Debit"] is None or r["Credit"] is None for r in ns)

    raw_fb = {(r[45], r[9]): r for r in read_csv(fbdi_csv(fbdi.render(lines, CTX)))}
    jpy = raw_fb[("U2C-PAY-ch_jpy", "1100")]
    assert (jpy[38], jpy[39], jpy[40], jpy[41]) == ("15000", "", "78.00", "")
    usd = raw_fb[("U2C-INV-in_usd", "1200")]
    assert (usd[38], usd[39], usd[40], usd[41]) == ("100.00", "", "79.00", "")

    raw_canonical = read_csv(canonical.render_csv(lines))
    header = raw_canonical[0]
    jpy_row = next(r for r in raw_canonical[1:] if r[0] == "U2C-PAY-ch_jpy")
    assert jpy_row[header.index("debit")] == "15000"
    assert jpy_row[header.index("credit")] == "0"
    assert jpy_row[header.index("functional_debit")] == "78.00"


def test_netsuite_rejects_three_decimal_currency():
    lines = sample_lines() + kwd_journal()
    with pytest.raises(UnsupportedCurrency, match="KWD") as caught:
        netsuite.render(lines, CTX)
    assert caught.value.currency == "KWD"
    assert caught.value.currencies == ("KWD",)
    # the other formats carry 3 decimals
    raw_fb = read_csv(fbdi_csv(fbdi.render(lines, CTX)))
    assert [r[38] for r in raw_fb if r[5] == "KWD"] == ["1.250", ""]
    assert canonical.parse_csv(canonical.render_csv(lines))[-1]["credit"] == Decimal("1.250")


def test_rounding_line_netsuite_raises_fbdi_writes_entered_zero():
    lines = sample_lines() + rounding_journal()
    with pytest.raises(UnrepresentableLine, match=r"U2C-INV-in_eur#5") as caught:
        netsuite.render(lines, CTX)
    assert (caught.value.external_id, caught.value.line_number) == ("U2C-INV-in_eur", 5)
    netsuite.render(sample_lines(), CTX)  # the same file without that journal renders

    rows = [r for r in fbdi.parse(fbdi.render(lines, CTX)) if r["REFERENCE4"] == "U2C-INV-in_eur"]
    rounding = rows[-1]
    assert rounding["SEGMENT2"] == "7990"
    assert (rounding["ENTERED_DR"], rounding["ACCOUNTED_DR"]) == (Decimal("0.00"), Decimal("0.02"))
    assert (rounding["ENTERED_CR"], rounding["ACCOUNTED_CR"]) == (None, None)
    assert rounding["CURRENCY_CONVERSION_RATE"] == Decimal("1.5")
    raw = read_csv(fbdi_csv(fbdi.render(lines, CTX)))[-1]
    assert (raw[38], raw[40]) == ("0.00", "0.02")


def test_contract_violations_are_refused():
    good = sample_lines()
    unbalanced = [dict(x) for x in good]
    unbalanced[0]["debit"] = unbalanced[0]["functional_debit"] = Decimal("2.00")
    scattered = good[6:7] + good[:6] + good[7:]  # U2C-INV-in_gbp split around cn_evil
    floats = [dict(x) for x in good]
    floats[0]["debit"] = 1.0
    too_precise = [dict(x) for x in good]
    too_precise[6]["debit"] = too_precise[6]["functional_debit"] = Decimal("120.001")
    two_entities = [dict(x, legal_entity="US01") if x["currency"] == "JPY" else x for x in good]
    both_sides = [dict(x) for x in good]
    both_sides[0]["credit"] = Decimal("1.00")
    for bad in (unbalanced, scattered, floats, too_precise, two_entities, both_sides):
        for render in (
            canonical.render_csv,
            canonical.render_parquet,
            lambda lines: netsuite.render(lines, CTX),
            lambda lines: fbdi.render(lines, CTX),
        ):
            with pytest.raises(InvalidExportLines):
                render(bad)
    other_entity = [dict(x, legal_entity="US01") for x in good]
    for render in (netsuite.render, fbdi.render):
        with pytest.raises(InvalidExportLines, match="the file for UK01 2026-10"):
            render(other_entity, CTX)


def test_file_context_is_frozen_and_checked():
    with pytest.raises(AttributeError):
        CTX.legal_entity = "US01"  # type: ignore[misc]
    with pytest.raises(ValueError, match="YYYY-MM"):
        FileContext("jb-3f2a9c1d", "UK01", "s", "1", "L", "2026-13", "x", date(2026, 1, 1))
    assert Counter(x["currency"] for x in sample_lines()) == {"GBP": 9, "USD": 6, "JPY": 2}


def test_empty_input_renders_empty_files():
    assert read_csv(netsuite.render([], CTX)) == [netsuite.COLUMNS]
    assert fbdi.parse(fbdi.render([], CTX)) == []
    assert canonical.parse_csv(canonical.render_csv([])) == []
    assert canonical.parse_parquet(canonical.render_parquet([])) == []
