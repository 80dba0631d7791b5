"""Oracle Fusion FBDI "Journal Import" (GL_INTERFACE): a ZIP holding one `GlInterface.csv`.

The CSV has no header row; columns are read by position in the order of `COLUMNS`, the
template's / control file's order (149 columns, STATUS at 1 ... GROUP_ID at 67 ...
GLOBAL_ATTRIBUTE_NUMBER5 at 149). Note ATTRIBUTE_CATEGORY3 at 89, between ATTRIBUTE20 and
AVERAGE_JOURNAL_FLAG: the GL_INTERFACE control file has it, so LEDGER_NAME is at 92 and
PERIOD_NAME at 95. Some generators add a literal `END` column after the last one; it is not
written here (check the control file of the target release before adding it). Rows end with
LF only, so no CR reaches the last column through SQL*Loader.

The ZIP is deterministic: one member `GlInterface.csv`, ZIP_DEFLATED level 9, dated
`ctx.created_date` 00:00:00, Unix permissions 0644.

Filled columns (all others empty):
- STATUS `NEW`; LEDGER_ID `ctx.ledger_id`; LEDGER_NAME `ctx.ledger_name`; PERIOD_NAME
  `ctx.period_name`; ACTUAL_FLAG `A`; USER_JE_SOURCE_NAME `ctx.journal_source`.
- ACCOUNTING_DATE: the posting date; DATE_CREATED: `ctx.created_date`; dates `YYYY/MM/DD`.
- USER_JE_CATEGORY_NAME from the journal's source type (`CATEGORIES`): invoice Sales Invoices,
  credit_note Credit Memos, payment and refund Receipts, processor_fee, revenue_recognition and
  realized_fx Adjustment, revenue_accrual and its reversal Accrual; a summary journal (several
  source types) Adjustment. A reversal or
  correction keeps its source type's category.
- CURRENCY_CODE: the transaction currency.
- Segments (`SEGMENTS`): SEGMENT1 legal entity, SEGMENT2 account, SEGMENT3 department,
  SEGMENT4 class, SEGMENT5 location; SEGMENT6-30 empty. The target chart of accounts must
  have these five segments in this order.
- ENTERED_DR/CR: the transaction amount at the currency's minor units; ACCOUNTED_DR/CR: the
  functional amount at the functional currency's. Unsigned, `.` decimal, no thousands
  separator. A line is on one side: the other side's two columns stay empty. A line's side
  carries both its entered and accounted amount even when one of them is zero: a
  currency-conversion rounding line (no transaction amount, a functional one) is written
  ENTERED `0` with its ACCOUNTED amount, and a tiny amount that converts to zero is written
  with ACCOUNTED `0`. A line with no amount at all raises `UnrepresentableLine`.
- REFERENCE1 (batch name) `ctx.export_batch_id`; REFERENCE4 (journal name) the external_id;
  REFERENCE10 (line description) the memo (flattened to one line, cut at 240 characters).
  Reversals are explicit journals, so REFERENCE7-9 (auto-reversal) stay empty.
- When the currency differs from the functional currency: USER_CURRENCY_CONVERSION_TYPE
  `User`, CURRENCY_CONVERSION_DATE the posting date (the rate is the posting period's),
  CURRENCY_CONVERSION_RATE the line's rate (entered x rate = accounted) in plain notation.
- GROUP_ID: `group_id(ctx.export_batch_id)`, the first 8 hex digits of the batch id read as a
  number (`jb-3f2a9c1d0e4b5a67` -> 0x3f2a9c1d = 1059757085), so "Import Journals" can run for
  exactly this file and the id leads back to the batch.

Text cells are neutralized against spreadsheet formulas (`csv_safe`: a leading `=`, `+`, `-`,
`@`, tab or CR gets a `'`) and CR/LF inside text become spaces (SQL*Loader reads one record
per line). Values longer than their GL_INTERFACE column (`MAX_LENGTHS`) raise, except the line
description, which is cut.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from exports.formats.csv_safe import neutralize, read_csv
from exports.formats.csv_safe import render_csv as write_csv
from exports.formats.lines import (
    ExportFormatError,
    FileContext,
    UnrepresentableLine,
    journals,
    minor,
    plain_rate,
    side,
)

FORMAT = "Oracle Fusion FBDI journal import"
FILE_NAME = "GlInterface.csv"
ZIP_NAME = "GlInterface.zip"

COLUMNS: list[str] = [
    "STATUS",
    "LEDGER_ID",
    "ACCOUNTING_DATE",
    "USER_JE_SOURCE_NAME",
    "USER_JE_CATEGORY_NAME",
    "CURRENCY_CODE",
    "DATE_CREATED",
    "ACTUAL_FLAG",
    *(f"SEGMENT{i}" for i in range(1, 31)),
    "ENTERED_DR",
    "ENTERED_CR",
    "ACCOUNTED_DR",
    "ACCOUNTED_CR",
    *(f"REFERENCE{i}" for i in range(1, 11)),
    *(f"REFERENCE{i}" for i in range(21, 31)),
    "STAT_AMOUNT",
    "USER_CURRENCY_CONVERSION_TYPE",
    "CURRENCY_CONVERSION_DATE",
    "CURRENCY_CONVERSION_RATE",
    "GROUP_ID",
    "ATTRIBUTE_CATEGORY",
    *(f"ATTRIBUTE{i}" for i in range(1, 21)),
    "ATTRIBUTE_CATEGORY3",
    "AVERAGE_JOURNAL_FLAG",
    "ORIGINATING_BAL_SEG_VALUE",
    "LEDGER_NAME",
    "ENCUMBRANCE_TYPE_ID",
    "JGZZ_RECON_REF",
    "PERIOD_NAME",
    "REFERENCE18",
    "REFERENCE19",
    "REFERENCE20",
    *(f"ATTRIBUTE_DATE{i}" for i in range(1, 11)),
    *(f"ATTRIBUTE_NUMBER{i}" for i in range(1, 11)),
    "GLOBAL_ATTRIBUTE_CATEGORY",
    *(f"GLOBAL_ATTRIBUTE{i}" for i in range(1, 21)),
    *(f"GLOBAL_ATTRIBUTE_DATE{i}" for i in range(1, 6)),
    *(f"GLOBAL_ATTRIBUTE_NUMBER{i}" for i in range(1, 6)),
]

CATEGORIES: dict[str, str] = {
    "invoice": "Sales Invoices",
    "credit_note": "Credit Memos",
    "payment": "Receipts",
    "refund": "Receipts",
    "processor_fee": "Adjustment",
    "revenue_recognition": "Adjustment",
    "realized_fx": "Adjustment",
    "revenue_accrual": "Accrual",
    "revenue_accrual_reversal": "Accrual",
    "summary": "Adjustment",  # a summary journal mixes source types
}
SEGMENTS: dict[str, str] = {
    "SEGMENT1": "legal_entity",
    "SEGMENT2": "account",
    "SEGMENT3": "department",
    "SEGMENT4": "class",
    "SEGMENT5": "location",
}
MAX_LENGTHS: dict[str, int] = {
    "USER_JE_SOURCE_NAME": 25,
    "USER_JE_CATEGORY_NAME": 25,
    **dict.fromkeys(SEGMENTS, 25),
    "REFERENCE1": 100,
    "REFERENCE4": 100,
    "LEDGER_NAME": 30,
    "PERIOD_NAME": 15,
}
DESCRIPTION_LENGTH = 240  # REFERENCE10
AMOUNT_COLUMNS = ("ENTERED_DR", "ENTERED_CR", "ACCOUNTED_DR", "ACCOUNTED_CR", "STAT_AMOUNT")
DATE_COLUMNS = ("ACCOUNTING_DATE", "DATE_CREATED", "CURRENCY_CONVERSION_DATE")

_HEX = re.compile(r"[0-9a-fA-F]{8}")


def group_id(export_batch_id: str) -> int:
    """The first 8 hex digits after the batch id's prefix (`jb-`), as a positive integer."""
    match = _HEX.match(export_batch_id.rpartition("-")[2])
    if match is None or int(match.group(), 16) == 0:
        raise ExportFormatError(
            f"export batch id {export_batch_id!r} does not start (after its prefix) with "
            "8 hex digits that give a positive GROUP_ID"
        )
    return int(match.group(), 16)


def format_date(day: date) -> str:
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"


def _text(value: object) -> str | None:
    """Neutralized, then on one line (a CR/LF after the guard quote cannot undo it)."""
    if value is None:
        return None
    return neutralize(str(value)).replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def _row(line: Mapping[str, object], ctx: FileContext, group: int) -> list[object]:
    line_side = side(line)
    if line_side is None:
        raise UnrepresentableLine(
            FORMAT, str(line["external_id"]), int(line["line_number"]), "has no amount"
        )
    suffix = "DR" if line_side == "debit" else "CR"
    functional_key = f"functional_{line_side}"
    row: dict[str, object] = dict.fromkeys(COLUMNS)
    row.update(
        {
            "STATUS": "NEW",
            "LEDGER_ID": ctx.ledger_id,
            "ACCOUNTING_DATE": format_date(line["posting_date"]),
            "USER_JE_SOURCE_NAME": ctx.journal_source,
            "USER_JE_CATEGORY_NAME": CATEGORIES[line["source_type"]],
            "CURRENCY_CODE": line["currency"],
            "DATE_CREATED": format_date(ctx.created_date),
            "ACTUAL_FLAG": "A",
            f"ENTERED_{suffix}": minor(line[line_side], line["minor_units"]),
            f"ACCOUNTED_{suffix}": minor(line[functional_key], line["functional_minor_units"]),
            "REFERENCE1": ctx.export_batch_id,
            "REFERENCE4": line["external_id"],
            "GROUP_ID": group,
            "LEDGER_NAME": ctx.ledger_name,
            "PERIOD_NAME": ctx.period_name,
        }
    )
    for column, key in SEGMENTS.items():
        row[column] = line[key]
    if line["currency"] != line["functional_currency"]:
        row["USER_CURRENCY_CONVERSION_TYPE"] = "User"
        row["CURRENCY_CONVERSION_DATE"] = format_date(line["posting_date"])
        row["CURRENCY_CONVERSION_RATE"] = plain_rate(line["exchange_rate"])
    for column, value in row.items():
        if isinstance(value, str):
            row[column] = _text(value)
    for column, limit in MAX_LENGTHS.items():
        if row[column] is not None and len(row[column]) > limit:
            raise ExportFormatError(
                f"{FORMAT}: {column} {row[column]!r} is longer than {limit} characters "
                f"(line {line['external_id']}#{line['line_number']})"
            )
    memo = _text(line["memo"])
    row["REFERENCE10"] = memo[:DESCRIPTION_LENGTH] if memo is not None else None
    return [row[column] for column in COLUMNS]


def render_csv(lines: Sequence[Mapping[str, object]], ctx: FileContext) -> bytes:
    """`GlInterface.csv` alone: no header, LF line ends."""
    journals(lines, ctx)
    group = group_id(ctx.export_batch_id)
    rows = [tuple(_row(line, ctx, group)) for line in lines]
    return write_csv(None, rows, lineterminator="\n")


def render(lines: Sequence[Mapping[str, object]], ctx: FileContext) -> bytes:
    """The FBDI ZIP (`GlInterface.csv` inside), byte-identical for the same lines and context."""
    payload = render_csv(lines, ctx)
    created = ctx.created_date
    info = zipfile.ZipInfo(FILE_NAME, date_time=(created.year, created.month, created.day, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever the host
    info.external_attr = 0o100644 << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, payload, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def parse(payload: bytes) -> list[dict[str, object]]:
    """Unzip and read `GlInterface.csv` back by position, keyed by `COLUMNS`: amounts and the
    rate as Decimal, dates as date, GROUP_ID as int, empty cells as None, text verbatim."""
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        if archive.namelist() != [FILE_NAME]:
            raise ExportFormatError(f"{FORMAT}: the ZIP must hold {FILE_NAME} only")
        data = archive.read(FILE_NAME)
    parsed = []
    for cells in read_csv(data):
        if len(cells) != len(COLUMNS):
            raise ExportFormatError(
                f"{FORMAT}: row with {len(cells)} cells, expected {len(COLUMNS)}"
            )
        row: dict[str, object] = {}
        for column, cell in zip(COLUMNS, cells, strict=True):
            if cell == "":
                row[column] = None
            elif column in AMOUNT_COLUMNS or column == "CURRENCY_CONVERSION_RATE":
                row[column] = Decimal(cell)
            elif column in DATE_COLUMNS:
                year, month, day = cell.split("/")
                row[column] = date(int(year), int(month), int(day))
            elif column == "GROUP_ID":
                row[column] = int(cell)
            else:
                row[column] = cell
        parsed.append(row)
    return parsed
