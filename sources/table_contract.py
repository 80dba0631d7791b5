"""What landing needs to know of a source table: how its files are found, read and checked
(`TableContract`), and what landing a file came to (`BatchResult`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from sources.contract import TIMESTAMP
from sources.readers import Reader, read_json_lines

LINEAGE_FIELDS = [
    pa.field("batch_id", pa.string(), nullable=False),
    pa.field("file_name", pa.string(), nullable=False),
    pa.field("line_number", pa.int64(), nullable=False),
    pa.field("landed_at", TIMESTAMP, nullable=False),
]

CHILDREN = "_children"


@dataclass(frozen=True)
class TableContract:
    """How one source table is found in the inbox, read and checked.

    A file belongs to the table when its name ends with one of `suffixes` and, if `prefix` is
    set, starts with it followed by `.`, `_` or `-` (`invoices.jsonl`, `invoices_2026-10.jsonl`).
    """

    system: str
    table: str
    schema: pa.Schema
    validate: Callable[[object], dict]
    reader: Reader = read_json_lines
    suffixes: tuple[str, ...] = (".jsonl", ".jsonl.gz")
    prefix: str | None = None
    # Nested lists landed as their own raw tables (e.g. invoice lines): name -> schema.
    # `validate` returns their rows under the CHILDREN key of the row it returns.
    children: dict[str, pa.Schema] = field(default_factory=dict)
    # Optional columnar reader, called with the path and a single-threaded DuckDB connection:
    # yields typed tables (schema + line_number) for a file whose every row it can vouch for,
    # else raises FastPathDeclined (even after yielding) and the rows go one by one.
    fast_reader: Callable[[Path, duckdb.DuckDBPyConnection], Iterator[pa.Table]] | None = None
    # A row whose key was delivered before with another `conflict_hash` is a conflict.
    conflict_key: tuple[str, ...] = ()
    conflict_hash: str | None = None
    # The fields `conflict_hash` covers: rows of one key with equal hashes are compared on them,
    # so a hash collision cannot make a different row pass for a re-delivery.
    conflict_fields: tuple[str, ...] = ()
    # Only rows whose `conflict_time` lies within this many days of the new batch's are compared,
    # so the check costs the window, not all history (Parquet statistics skip the rest).
    conflict_time: str | None = None
    conflict_window_days: int = 35
    # When set, every landed row keeps its record as delivered (the JSON line) in this column,
    # so fields the contract does not type are kept in raw, never lost and never a rejection.
    payload_column: str | None = None
    # Columns whose values (nearly) all differ row to row (ids, hashes, event times): the lake
    # writes them without a Parquet dictionary, which only costs there. Speed and size only.
    unique_columns: tuple[str, ...] = ()

    def matches(self, path: Path) -> bool:
        name = path.name
        if not name.endswith(self.suffixes):
            return False
        return (
            self.prefix is None
            or re.match(rf"{re.escape(self.prefix)}(?:[._-]|$)", name) is not None
        )

    @property
    def lake_schema(self) -> pa.Schema:
        payload = [pa.field(self.payload_column, pa.string())] if self.payload_column else []
        return pa.schema(list(self.schema) + payload + LINEAGE_FIELDS)


@dataclass(frozen=True)
class BatchResult:
    system: str
    table: str
    file_name: str
    batch_id: str
    rows_read: int
    rows_landed: int
    rows_quarantined: int
    skipped: bool  # True when this content had already landed

    def __post_init__(self) -> None:
        # Conservation is the contract of landing; a violation is a bug, not bad input.
        assert self.rows_read == self.rows_landed + self.rows_quarantined, self
