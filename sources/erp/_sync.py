"""What sync tools add to NetSuite2 extracts, handled in one place for every ERP table.

A NetSuite2 extract usually arrives through a sync tool (Fivetran's NetSuite2 connector lands
`_fivetran_synced`, `_fivetran_deleted`, `_fivetran_active`, …). Every ERP contract reads its
file through `reader` and its rows through `parse`, so these rules hold for every table:

- Sync bookkeeping (`_fivetran_synced`, `date_deleted`, any column the contract does not name)
  is not read: it is never a reason to reject.
- `_fivetran_deleted` = true (`T`/`F`, `true`/`false` in any case) marks the row deleted. So does
  every row of a deletion extract: a file named `<table>_deleted…`, `<table>-deleted…` or
  `<table>.deleted…` (`transaction_deleted_2026-09.csv`). A deleted row needs only its key
  columns; what else it carries is typed when present and its table's rules are not applied.
- Every row lands with `is_deleted` (bool, never null). The warehouse keeps each key's latest
  delivery and drops the key when that delivery is a deletion (dbt macro `latest_delivery`),
  so a deleted record never counts as live downstream, and a later re-delivery revives it.
- History mode (Fivetran keeps every version of a record: `_fivetran_active`, `_fivetran_start`,
  `_fivetran_end`; https://fivetran.com/docs/core-concepts/sync-modes/history-mode) repeats a key
  once per version, in any line order. Those markers and `_fivetran_synced` land as
  `is_active_version` (bool), `version_start`, `version_end` and `synced_at` (UTC timestamps;
  an open version's end, `9999-12-31 23:59:59.999`, lands as written), all null when the extract
  has no such column. Within a delivery the warehouse keeps the version that started last (then
  the active one, then the last synced, then the last line), and drops the key when that
  version is inactive: what Fivetran's history mode says of a record deleted in the source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pyarrow as pa

from sources import table_spec
from sources.csv_fields import FLAG, SYNC_TIMESTAMP, Field, columns, parse_row, schema
from sources.readers import Reader, Record, csv_reader
from sources.table_spec import TableSpec

DELETED = "_fivetran_deleted"
IS_DELETED = "is_deleted"
# The sync's own markers of which version of a record is current, landed beside the record.
MARKERS = [
    Field("_fivetran_active", FLAG),
    Field("_fivetran_start", SYNC_TIMESTAMP),
    Field("_fivetran_end", SYNC_TIMESTAMP),
    Field("_fivetran_synced", SYNC_TIMESTAMP),
]
MARKER_COLUMNS = {
    "_fivetran_active": "is_active_version",
    "_fivetran_start": "version_start",
    "_fivetran_end": "version_end",
    "_fivetran_synced": "synced_at",
}


def deletion_extract(path: Path, table: str) -> bool:
    """A file whose every row is the deletion of its key (`<table>_deleted….csv`)."""
    return re.match(rf"{re.escape(table)}[._-]deleted(?:[._-]|$)", path.name) is not None


def reader(spec: TableSpec) -> Reader:
    """The CSV reader of an ERP table: full extracts need the required columns, deletion
    extracts only the key; both also read the deletion flag."""
    table = spec.table
    names = [*spec.column_names, DELETED, *columns(MARKERS)]
    full = csv_reader(names, spec.required)
    deletions = csv_reader(names, set(spec.key))

    def read(path: Path) -> Iterator[Record]:
        if not deletion_extract(path, table):
            yield from full(path)
            return
        for line_number, record, payload in deletions(path):
            if isinstance(record, dict):
                record = {**record, DELETED: "true"}
            yield line_number, record, payload

    return read


def parse(record: dict[str, str | None], fields: Sequence[Field], key: Sequence[str]) -> dict:
    """The typed row with `is_deleted` and the version markers; a deleted row needs its key
    columns only."""
    flag = record.get(DELETED)
    deleted = flag is not None and flag.strip() != "" and FLAG.parse(flag, DELETED) is True
    row = parse_row(record, fields, only=key if deleted else None)
    row[IS_DELETED] = deleted
    markers = parse_row(record, MARKERS)
    row.update({MARKER_COLUMNS[name]: value for name, value in markers.items()})
    return row


def validator(spec: TableSpec, check: Callable[[dict], None] | None = None) -> Callable:
    """One CSV record -> a row of `lake_schema(spec)`, or raise Rejection; `check` (the
    table's rules across columns) is applied to rows that are not deletions."""
    fields, key = spec.fields, spec.key

    def validate(record: dict[str, str | None]) -> dict:
        row = parse(record, fields, key)
        if check is not None and not row[IS_DELETED]:
            check(row)
        return row

    return validate


def lake_schema(spec: TableSpec) -> pa.Schema:
    """The landed schema: only the key is non-null (a deletion may carry nothing else)."""
    landed = table_spec.schema(spec, non_null=set(spec.key)).append(
        pa.field(IS_DELETED, pa.bool_(), nullable=False)
    )
    for marker in schema(MARKERS):
        landed = landed.append(marker.with_name(MARKER_COLUMNS[marker.name]))
    return landed
