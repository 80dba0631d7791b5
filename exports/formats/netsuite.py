"""NetSuite CSV Import (Import Assistant, Journal Entry, single file): one row per journal line.

Columns (`COLUMNS`, header row, UTF-8, CRLF): External ID, Subsidiary, Currency, Exchange Rate,
Date, Posting Period, Account, Debit, Credit, Memo, Name, Department, Class, Location. The
Import Assistant maps columns by name; rows sharing an External ID form one journal entry, and
the External ID stops a re-import from creating a duplicate. Memo is the line memo.

Values:
- External ID: the journal's external_id; Subsidiary: `ctx.subsidiary`; Posting Period:
  `ctx.period_name`; Currency: the transaction currency; Exchange Rate: the line's rate
  (transaction -> subsidiary base currency) in plain notation, `1` for base-currency journals.
- Date: the posting date as `M/D/YYYY` (month first, no leading zeros, four-digit year:
  `10/5/2026` is 5 October 2026). That is NetSuite's default Date Format preference, and the
  Import Assistant reads dates in the importing user's preference, so the user (or integration
  role) running the import must keep Date Format = M/D/YYYY; ISO `YYYY-MM-DD` is only read when
  the preference says so. One fixed format keeps the file byte-identical for every user.
- Account: the journal line's account as the chart names it (dbt vars gl_*, seed
  gl_mapping_rules): the account number where the account has one (the Import Assistant
  matches numbers with "Use Account Numbers" on), else the account's full name (`Parent :
  Child`), which is what the Import Assistant matches an account without a number by. The
  journal gate checks that every account is one of the ERP chart's, by number or by full name.
- Debit / Credit: positive, at the currency's minor units (`1500` JPY, `12.50` USD), the zero
  side left empty. NetSuite takes at most 2 decimals: a currency with more minor units (KWD,
  BHD, ... 3; CLF 4) raises `UnsupportedCurrency` naming it, before anything is written.
- Functional amounts are not in the file: NetSuite computes base amounts from Exchange Rate.
  So a line with no transaction amount (a currency-conversion rounding line: debit = credit =
  0, functional amount non-zero) cannot be expressed and raises `UnrepresentableLine`; the
  caller records it (or leaves such journals to another format). Nothing is dropped silently.
- Reversal journals are ordinary journals here (their lines already swap sides); NetSuite's
  Reversal Date (auto-reversal) is not used.
- Text cells (Account, Memo, Name, Department, Class, Location, ...) are neutralized against
  spreadsheet formulas (`csv_safe`): a leading `=`, `+`, `-`, `@`, tab or CR gets a `'`,
  which NetSuite then imports as part of the text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from exports.formats.csv_safe import read_csv, render_csv
from exports.formats.lines import (
    ExportFormatError,
    FileContext,
    UnrepresentableLine,
    UnsupportedCurrency,
    journals,
    minor,
    plain_rate,
    side,
)

FORMAT = "NetSuite CSV journal import"
COLUMNS: list[str] = [
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
MAX_DECIMALS = 2
DATE_FORMAT = "M/D/YYYY"

__all__ = [
    "COLUMNS",
    "DATE_FORMAT",
    "MAX_DECIMALS",
    "UnrepresentableLine",
    "UnsupportedCurrency",
    "format_date",
    "parse",
    "render",
]


def format_date(day: date) -> str:
    return f"{day.month}/{day.day}/{day.year:04d}"


def _parse_date(text: str) -> date:
    month, day, year = text.split("/")
    return date(int(year), int(month), int(day))


def render(lines: Sequence[Mapping[str, object]], ctx: FileContext) -> bytes:
    journals(lines, ctx, functional=False)  # NetSuite converts with the Exchange Rate itself
    too_precise = {
        str(line["currency"]): int(line["minor_units"])
        for line in lines
        if line["minor_units"] > MAX_DECIMALS
    }
    if too_precise:
        raise UnsupportedCurrency(FORMAT, too_precise, MAX_DECIMALS)
    rows = []
    for line in lines:
        line_side = side(line)
        if line["debit"] == 0 and line["credit"] == 0:
            raise UnrepresentableLine(
                FORMAT,
                str(line["external_id"]),
                int(line["line_number"]),
                "has no transaction amount (a rounding line carries only a functional "
                "amount; NetSuite derives base amounts from the exchange rate)",
            )
        amount = minor(line[line_side], line["minor_units"])
        rows.append(
            (
                line["external_id"],
                ctx.subsidiary,
                line["currency"],
                plain_rate(line["exchange_rate"]),
                format_date(line["posting_date"]),
                ctx.period_name,
                line["account"],
                amount if line_side == "debit" else None,
                amount if line_side == "credit" else None,
                line["memo"],
                line["name"],
                line["department"],
                line["class"],
                line["location"],
            )
        )
    return render_csv(COLUMNS, rows)


def parse(payload: bytes) -> list[dict[str, object]]:
    """Rows keyed by `COLUMNS`: Debit/Credit/Exchange Rate as Decimal, Date as date, empty
    cells as None, text verbatim as NetSuite will import it (neutralizing quote included)."""
    rows = read_csv(payload)
    if not rows or rows[0] != COLUMNS:
        raise ExportFormatError(f"not a {FORMAT} file: header differs from COLUMNS")
    parsed = []
    for cells in rows[1:]:
        if len(cells) != len(COLUMNS):
            raise ExportFormatError(f"row with {len(cells)} cells, expected {len(COLUMNS)}")
        row: dict[str, object] = {}
        for key, cell in zip(COLUMNS, cells, strict=True):
            if cell == "":
                row[key] = None
            elif key in ("Debit", "Credit", "Exchange Rate"):
                row[key] = Decimal(cell)
            elif key == "Date":
                row[key] = _parse_date(cell)
            else:
                row[key] = cell
        parsed.append(row)
    return parsed
