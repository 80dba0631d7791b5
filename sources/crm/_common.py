"""What every CRM table's validator does: its spec's cells typed, then the table's own check."""

from __future__ import annotations

from collections.abc import Callable

from sources.csv_fields import parse_row
from sources.table_spec import TableSpec


def validator(spec: TableSpec, check: Callable[[dict], None] | None = None) -> Callable:
    """One CSV record -> a row of the spec's schema, or raise Rejection."""
    fields = spec.fields

    def validate(record: dict[str, str | None]) -> dict:
        row = parse_row(record, fields)
        if check is not None:
            check(row)
        return row

    return validate
