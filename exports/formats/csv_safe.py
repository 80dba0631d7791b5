"""CSV writing that finance can open in Excel safely and parse back exactly.

Text cells that a spreadsheet would run as a formula (OWASP "CSV Injection": a leading `=`,
`+`, `-`, `@`, tab or CR) get a leading single quote; numbers stay numbers; decimals are
written in plain notation at their full scale.

`restore` undoes `neutralize` for a reader that wants the original text back. It is exact
except for a text that already began with a quote followed by a trigger (`'=x`), which
`neutralize` leaves as it is and `restore` reads as `=x`.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def restore(text: str) -> str:
    """The text `neutralize` was given (see the module note on `'=`)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS) else text


def format_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralize(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat(sep="T")
    if isinstance(value, date | int):
        return str(value) if not isinstance(value, bool) else str(value).lower()
    raise TypeError(f"no CSV format for {type(value).__name__}: floats never reach an export")


def render_csv(
    header: list[str] | None, rows: list[tuple], *, lineterminator: str = "\r\n"
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=lineterminator)
    if header is not None:
        writer.writerow(header)
    for row in rows:
        writer.writerow([format_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def read_csv(payload: bytes) -> list[list[str]]:
    """Every row of a UTF-8 CSV payload as its cells, verbatim (no type conversion)."""
    return list(csv.reader(io.StringIO(payload.decode("utf-8"), newline="")))
