"""The canonical journal-line export: every export-line key, as CSV and as Parquet.

Columns, in this order (`COLUMNS`, the order of `lines.LINE_KEYS`): external_id, journal_id,
line_number, journal_kind, reverses_external_id, source_type, legal_entity, posting_period,
posting_date, original_date, account, department, class, location, memo, name, currency,
minor_units, exchange_rate, debit, credit, functional_currency, functional_minor_units,
functional_debit, functional_credit, source_system, source_id, source_line_id,
business_transaction_id, batch_id.

CSV (UTF-8, header row, CRLF): debit/credit at the currency's minor units and the functional
amounts at the functional currency's (`1500` JPY, `12.50` USD, `1.250` KWD; a zero side is
written `0.00`, not left empty), the exchange rate in plain notation without trailing zeros,
dates ISO `YYYY-MM-DD`, an empty cell for null. Every text cell goes through
`csv_safe.neutralize` (a leading `=`, `+`, `-`, `@`, tab or CR gets a `'`); `parse_csv` takes
that quote off again (`csv_safe.restore`), so it returns the lines as rendered (empty text
reads back as None).

Parquet: text as string, line_number and minor units as int32, dates as date32, money as
decimal128(38, 9), the exchange rate as decimal128(38, 12) (the journal_lines mart's scales);
text is stored as it is (Parquet is not opened as a spreadsheet). Written with fixed options
and no timestamps, so the same lines give the same bytes; the footer's `created_by` names the
pyarrow version, pinned by the lock file.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq

from exports.formats.csv_safe import read_csv, restore
from exports.formats.csv_safe import render_csv as _render_rows
from exports.formats.lines import (
    AMOUNT_KEYS,
    DATE_KEYS,
    FUNCTIONAL_AMOUNT_KEYS,
    INT_KEYS,
    LINE_KEYS,
    MONEY_KEYS,
    RATE_KEYS,
    InvalidExportLines,
    journals,
    minor,
    plain_rate,
)

COLUMNS: list[str] = list(LINE_KEYS)
MONEY_TYPE = pa.decimal128(38, 9)
RATE_TYPE = pa.decimal128(38, 12)


def _arrow_type(key: str) -> pa.DataType:
    if key in MONEY_KEYS:
        return MONEY_TYPE
    if key in RATE_KEYS:
        return RATE_TYPE
    if key in DATE_KEYS:
        return pa.date32()
    if key in INT_KEYS:
        return pa.int32()
    return pa.string()


SCHEMA = pa.schema([pa.field(key, _arrow_type(key)) for key in COLUMNS])


def _cell(line: Mapping[str, object], key: str) -> object:
    if key in AMOUNT_KEYS:
        return minor(line[key], line["minor_units"])
    if key in FUNCTIONAL_AMOUNT_KEYS:
        return minor(line[key], line["functional_minor_units"])
    if key in RATE_KEYS:
        return plain_rate(line[key])
    return line[key]


def render_csv(lines: Sequence[Mapping[str, object]]) -> bytes:
    journals(lines)
    return _render_rows(COLUMNS, [tuple(_cell(line, key) for key in COLUMNS) for line in lines])


def render_parquet(lines: Sequence[Mapping[str, object]]) -> bytes:
    journals(lines)
    for line in lines:
        minor(line["exchange_rate"], RATE_TYPE.scale)  # exact at the stored scale
    table = pa.Table.from_arrays(
        [pa.array([line[key] for line in lines], type=SCHEMA.field(key).type) for key in COLUMNS],
        schema=SCHEMA,
    )
    sink = io.BytesIO()
    pq.write_table(
        table,
        sink,
        compression="zstd",
        compression_level=3,
        use_dictionary=False,
        write_statistics=True,
        write_page_index=False,
        store_schema=True,
    )
    return sink.getvalue()


def _typed(row: dict[str, object]) -> dict[str, object]:
    """Money at its currency's minor units, the rate in plain form: as `render_csv` writes them."""
    for key in AMOUNT_KEYS:
        row[key] = minor(row[key], row["minor_units"])
    for key in FUNCTIONAL_AMOUNT_KEYS:
        row[key] = minor(row[key], row["functional_minor_units"])
    row["exchange_rate"] = plain_rate(row["exchange_rate"])
    return row


def _from_text(key: str, cell: str) -> object:
    if cell == "":
        return None
    if key in MONEY_KEYS or key in RATE_KEYS:
        return Decimal(cell)
    if key in DATE_KEYS:
        return date.fromisoformat(cell)
    if key in INT_KEYS:
        return int(cell)
    return restore(cell)


def parse_csv(payload: bytes) -> list[dict[str, object]]:
    rows = read_csv(payload)
    if not rows or rows[0] != COLUMNS:
        raise InvalidExportLines("not a canonical journal-line CSV: header differs")
    parsed = []
    for cells in rows[1:]:
        if len(cells) != len(COLUMNS):
            raise InvalidExportLines(f"row with {len(cells)} cells, expected {len(COLUMNS)}")
        parsed.append(
            _typed({key: _from_text(key, cell) for key, cell in zip(COLUMNS, cells, strict=True)})
        )
    return parsed


def parse_parquet(payload: bytes) -> list[dict[str, object]]:
    table = pq.read_table(pa.BufferReader(payload))
    if table.column_names != COLUMNS:
        raise InvalidExportLines("not a canonical journal-line Parquet file: columns differ")
    return [_typed(row) for row in table.to_pylist()]
