"""Land inbox files into the immutable lake, accounting for every row.

For each file: batch id from its content (so a re-delivered file lands nothing), rows validated
by the table's contract, good rows to `lake/raw/<system>/<table>/load_date=<d>/<batch>.parquet`,
rejects to `lake/quarantine/...`, and one ledger row under `lake/_ledger/landing_batches/`.
Every file is written to a temp name and renamed, the ledger last, so a killed landing leaves
nothing visible and the next run lands the file again from scratch.
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sources.atomic import atomic_path, sha256_file
from sources.contract import (
    TIMESTAMP,
    FastPathDeclined,
    ReasonClass,
    Rejection,
    rule_error,
    schema_error,
)
from sources.readers import Reader, read_json_lines

CHUNK_ROWS = 100_000

LINEAGE_FIELDS = [
    pa.field("batch_id", pa.string(), nullable=False),
    pa.field("file_name", pa.string(), nullable=False),
    pa.field("line_number", pa.int64(), nullable=False),
    pa.field("landed_at", TIMESTAMP, nullable=False),
]

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("system", pa.string(), nullable=False),
        pa.field("source_table", pa.string(), nullable=False),
        pa.field("file_name", pa.string(), nullable=False),
        pa.field("line_number", pa.int64(), nullable=False),
        pa.field("batch_id", pa.string(), nullable=False),
        pa.field("reason_code", pa.string(), nullable=False),
        pa.field("reason_class", pa.string(), nullable=False),
        pa.field("reason_detail", pa.string(), nullable=False),
        pa.field("payload", pa.string(), nullable=False),
        pa.field("landed_at", TIMESTAMP, nullable=False),
    ]
)

LEDGER_SCHEMA = pa.schema(
    [
        pa.field("system", pa.string(), nullable=False),
        pa.field("source_table", pa.string(), nullable=False),
        pa.field("file_name", pa.string(), nullable=False),
        pa.field("file_sha256", pa.string(), nullable=False),
        pa.field("batch_id", pa.string(), nullable=False),
        pa.field("rows_read", pa.int64(), nullable=False),
        pa.field("rows_landed", pa.int64(), nullable=False),
        pa.field("rows_quarantined", pa.int64(), nullable=False),
        # The file's modification time in the inbox: when the extract was delivered.
        pa.field("file_delivered_at", TIMESTAMP, nullable=False),
        pa.field("landed_at", TIMESTAMP, nullable=False),
    ]
)

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
    # Optional columnar reader: yields typed tables (schema + line_number) for a file whose
    # every row it can vouch for, else raises FastPathDeclined and the rows go one by one.
    fast_reader: Callable[[Path], Iterator[pa.Table]] | None = None
    # A row whose key was delivered before with another `conflict_hash` is a conflict.
    conflict_key: tuple[str, ...] = ()
    conflict_hash: str | None = None
    # Only rows whose `conflict_time` lies within this many days of the new batch's are compared,
    # so the check costs the window, not all history (Parquet statistics skip the rest).
    conflict_time: str | None = None
    conflict_window_days: int = 35

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
        return pa.schema(list(self.schema) + LINEAGE_FIELDS)


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


def batch_id_for(contract: TableContract, file_sha256: str) -> str:
    return f"{contract.system}-{contract.table}-{file_sha256[:20]}"


def ledger_path(lake: Path, batch_id: str) -> Path:
    return lake / "_ledger" / "landing_batches" / f"{batch_id}.parquet"


class _ChunkedParquet:
    """Stream rows into a temp Parquet file in bounded chunks; visible only after `publish`."""

    def __init__(self, target: Path, schema: pa.Schema) -> None:
        self.target, self.schema = target, schema
        target.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        self._writer: pq.ParquetWriter | None = pq.ParquetWriter(
            self.tmp, schema, compression="zstd"
        )
        self._rows: list[dict] = []
        self.count = 0

    def add(self, row: dict) -> None:
        self._rows.append(row)
        self.count += 1
        if len(self._rows) >= CHUNK_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._rows and self._writer is not None:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=self.schema))
            self._rows = []

    def add_table(self, table: pa.Table) -> None:
        self._flush()
        if self._writer is not None:
            self._writer.write_table(table.select(self.schema.names).cast(self.schema))
            self.count += table.num_rows

    def close(self) -> None:
        self._flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def drop_lines(self, line_numbers: set[int]) -> None:
        """Rewrite the closed temp file without the given lines (rare: conflicts only)."""
        kept = pq.read_table(self.tmp)
        drop = pa.array(sorted(line_numbers), pa.int64())
        kept = kept.filter(pc.invert(pc.is_in(kept["line_number"], value_set=drop)))
        pq.write_table(kept.cast(self.schema), self.tmp, compression="zstd")
        self.count = kept.num_rows

    def publish(self) -> None:
        """Rename into place if anything was written; otherwise leave nothing behind."""
        self.close()
        if self.count:
            with open(self.tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(self.tmp, self.target)
        else:
            self.tmp.unlink(missing_ok=True)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.close()
        self.tmp.unlink(missing_ok=True)


def land_file(
    path: Path,
    contract: TableContract,
    lake: Path,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC).replace(tzinfo=None),
) -> BatchResult:
    """Land one file; return its counts. Re-landing identical content is a no-op."""
    file_sha = sha256_file(path)
    batch_id = batch_id_for(contract, file_sha)
    if ledger_path(lake, batch_id).exists():
        return BatchResult(contract.system, contract.table, path.name, batch_id, 0, 0, 0, True)

    landed_at = now()
    delivered_at = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
    partition = f"load_date={landed_at.date().isoformat()}"

    def target(area: str, table: str) -> Path:
        return lake / area / contract.system / table / partition / f"{batch_id}.parquet"

    lineage = {"batch_id": batch_id, "file_name": path.name, "landed_at": landed_at}
    good = _ChunkedParquet(target("raw", contract.table), contract.lake_schema)
    children = {
        name: _ChunkedParquet(target("raw", name), pa.schema(list(schema) + LINEAGE_FIELDS))
        for name, schema in contract.children.items()
    }
    bad = _ChunkedParquet(target("quarantine", contract.table), QUARANTINE_SCHEMA)
    writers = [good, bad, *children.values()]
    rows_read = 0
    try:
        landed_fast = False
        if contract.fast_reader is not None:
            try:
                for table in contract.fast_reader(path):
                    rows_read += table.num_rows
                    good.add_table(_with_lineage(table, lineage))
                landed_fast = rows_read > 0  # an empty file goes the row path, which records it
            except FastPathDeclined:
                pass
            if not landed_fast:
                good.abort()
                good = writers[0] = _ChunkedParquet(
                    target("raw", contract.table), contract.lake_schema
                )
                rows_read = 0
        for line_number, parsed, payload in () if landed_fast else contract.reader(path):
            rows_read += 1
            try:
                if isinstance(parsed, Rejection):
                    raise parsed
                row = contract.validate(parsed)
            except Rejection as rejection:
                bad.add(_quarantine_row(contract, lineage, line_number, rejection, payload))
                continue
            for name, child_rows in row.pop(CHILDREN, {}).items():
                for child in child_rows:
                    child.update(lineage, line_number=line_number)
                    children[name].add(child)
            row.update(lineage, line_number=line_number)
            good.add(row)
        if rows_read == 0:
            rows_read = 1  # an empty file is one rejected unit, so it is visible in quarantine
            empty = schema_error("empty_file", "the file has no rows")
            bad.add(_quarantine_row(contract, lineage, 0, empty, ""))
        good.close()
        if contract.conflict_key and good.count:
            table_dir = lake / "raw" / contract.system / contract.table
            conflicts = find_conflicts(good.tmp, table_dir, contract)
            if conflicts:
                good.drop_lines(set(conflicts))
                for line_number, payload in _payloads(contract, path, set(conflicts)):
                    rejection = conflicts[line_number]
                    bad.add(_quarantine_row(contract, lineage, line_number, rejection, payload))
    except BaseException:
        for writer in writers:
            writer.abort()
        raise
    # Data first, the ledger last: the ledger row is what marks the batch as landed.
    for writer in writers:
        writer.publish()
    ledger_row = {
        "system": contract.system,
        "source_table": contract.table,
        "file_name": path.name,
        "file_sha256": file_sha,
        "batch_id": batch_id,
        "rows_read": rows_read,
        "rows_landed": good.count,
        "rows_quarantined": bad.count,
        "file_delivered_at": delivered_at,
        "landed_at": landed_at,
    }
    with atomic_path(ledger_path(lake, batch_id)) as tmp:
        pq.write_table(pa.Table.from_pylist([ledger_row], schema=LEDGER_SCHEMA), tmp)
    return BatchResult(
        contract.system,
        contract.table,
        path.name,
        batch_id,
        rows_read,
        good.count,
        bad.count,
        False,
    )


def _with_lineage(table: pa.Table, lineage: dict) -> pa.Table:
    n = table.num_rows
    return (
        table.append_column("batch_id", pa.repeat(lineage["batch_id"], n))
        .append_column("file_name", pa.repeat(lineage["file_name"], n))
        .append_column("landed_at", pa.repeat(pa.scalar(lineage["landed_at"], TIMESTAMP), n))
    )


def find_conflicts(
    new_rows: Path, table_dir: Path, contract: TableContract
) -> dict[int, Rejection]:
    """Lines of a new batch whose key was delivered before (in the lake, or earlier in this
    batch) with a different payload. The first delivery of a key is the reference."""
    import duckdb

    key, hash_column = contract.conflict_key, contract.conflict_hash
    if hash_column is None:
        raise ValueError("a conflict key needs a conflict hash column")
    keys = ", ".join(key)
    on = " and ".join(f"r.{k} = n.{k}" for k in key)
    old_files = [str(p) for p in table_dir.rglob("*.parquet") if not p.name.startswith(("_", "."))]
    window = ""
    if contract.conflict_time and old_files:
        # literal bounds, so DuckDB can skip row groups by their statistics
        t, days = contract.conflict_time, contract.conflict_window_days
        with duckdb.connect() as con:
            low, high = con.execute(
                f"select min({t}) - interval {days} day, max({t}) + interval {days} day "
                "from read_parquet(?)",
                [str(new_rows)],
            ).fetchone()
        window = f"where {t} between timestamp '{low}' and timestamp '{high}'"
    old = (
        f"select {keys}, any_value({hash_column}) as ref_hash from read_parquet($old) {window} "
        f"group by {keys}"
        if old_files
        else f"select {keys}, null::varchar as ref_hash from new_rows where false"
    )
    sql = f"""
        with new_rows as (
            select {keys}, {hash_column} as h, line_number from read_parquet($new)
        ),
        first_new as (
            select {keys}, arg_min(h, line_number) as ref_hash from new_rows group by {keys}
        ),
        old_rows as ({old}),
        reference as (
            select f.*, coalesce(o.ref_hash, f.ref_hash) as reference_hash,
                   o.ref_hash is not null as seen_before
            from first_new f left join old_rows o using ({keys})
        )
        select n.line_number, r.seen_before
        from new_rows n join reference r on {on}
        where n.h <> r.reference_hash
        order by n.line_number
    """
    params: dict = {"new": str(new_rows)}
    if old_files:
        params["old"] = old_files
    with duckdb.connect() as con:
        found = con.execute(sql, params).fetchall()
    where = {True: "landed before", False: "earlier in this file"}
    return {
        line: rule_error(
            "conflicting_duplicate",
            f"same ({keys}) as an event {where[seen]}, but a different payload",
        )
        for line, seen in found
    }


def _payloads(contract: TableContract, path: Path, lines: set[int]):
    for line_number, _parsed, payload in contract.reader(path):
        if line_number in lines:
            yield line_number, payload


def _quarantine_row(
    contract: TableContract, lineage: dict, line_number: int, rejection: Rejection, payload: str
) -> dict:
    return {
        "system": contract.system,
        "source_table": contract.table,
        "file_name": lineage["file_name"],
        "line_number": line_number,
        "batch_id": lineage["batch_id"],
        "reason_code": rejection.reason_code,
        "reason_class": str(ReasonClass(rejection.reason_class)),
        "reason_detail": rejection.detail,
        # Undecodable bytes (kept by the readers as surrogates) are shown as \xNN escapes.
        "payload": payload.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"),
        "landed_at": lineage["landed_at"],
    }


def ensure_schema_files(lake: Path, contracts: list[TableContract]) -> None:
    """Keep one empty Parquet per table, so the warehouse can read a table with no batch yet."""
    targets = []
    for c in contracts:
        targets.append((c.lake_schema, lake / "raw" / c.system / c.table / "_schema.parquet"))
        for name, schema in c.children.items():
            child_schema = pa.schema(list(schema) + LINEAGE_FIELDS)
            targets.append((child_schema, lake / "raw" / c.system / name / "_schema.parquet"))
    targets.append((QUARANTINE_SCHEMA, lake / "quarantine" / "_schema.parquet"))
    targets.append((LEDGER_SCHEMA, lake / "_ledger" / "landing_batches" / "_schema.parquet"))
    for schema, target in targets:
        existing = pq.read_schema(target) if target.exists() else None
        if existing is None or not existing.equals(schema):
            with atomic_path(target) as tmp:
                pq.write_table(schema.empty_table(), tmp)


def unknown_kind(system: str) -> TableContract:
    """A stand-in contract for a file no contract claims: the whole file is one rejected unit."""

    def reader(path: Path):
        with open(path, "rb") as fh:
            head = fh.read(2000).decode("utf-8", "backslashreplace")
        yield (
            0,
            schema_error("unknown_file_kind", f"no contract of {system!r} claims {path.name!r}"),
            head,
        )

    return TableContract(
        system, "unknown", pa.schema([]), validate=lambda r: {}, reader=reader, suffixes=("",)
    )


def land_inbox(inbox: Path, lake: Path, contracts: list[TableContract]) -> list[BatchResult]:
    """Land every file under inbox/<system>/, in name order; a file no contract claims is
    quarantined as `unknown_file_kind`, never skipped."""
    ensure_schema_files(lake, contracts)
    results = []
    if not inbox.is_dir():
        return results
    # a file dropped in the inbox root belongs to no system: quarantined, never skipped
    for path in sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")):
        results.append(land_file(path, unknown_kind("inbox"), lake))
    for folder in sorted(p for p in inbox.iterdir() if p.is_dir() and not p.name.startswith(".")):
        claims = [c for c in contracts if c.system == folder.name]
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            contract = next((c for c in claims if c.matches(path)), None) or unknown_kind(
                folder.name
            )
            results.append(land_file(path, contract, lake))
    return results
