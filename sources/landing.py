"""Land inbox files into the immutable lake, accounting for every row.

For each file: batch id from its content (so a re-delivered file lands nothing), rows validated
by the table's contract, good rows to `lake/raw/<system>/<table>/load_date=<d>/<batch>.parquet`,
rejects to `lake/quarantine/...`, and one ledger row under `lake/_ledger/landing_batches/`.
Every file is written to a temp name and renamed, the ledger last, so a killed landing leaves
nothing visible and the next run lands the file again from scratch.

`land_inbox` lands several files at once: reading and checking a file into its temp files
(`_stage`) runs in worker threads, each with its own single-threaded DuckDB connection, while
the conflict check and the renames (`_commit`) run one file at a time in delivery order, so
every file is compared with all the batches before it, exactly as when landing one by one.

Delivery order: a run takes its files by delivery time (the file's modification time, recorded
as `file_delivered_at`), then by name, so within a run the first delivery of an event is also
the first landed (landed_at follows delivery), whatever the file names. A re-delivery named
`events_2026-08-redelivery.jsonl` lands after the `events_2026-08.jsonl` it repeats when it was
delivered after it.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from exports.export_ledger import LEDGER_SCHEMA as EXPORT_LEDGER_SCHEMA
from exports.export_ledger import SCHEMA_FILE
from sources.atomic import atomic_path, naming, sha256_file, temp_sibling
from sources.contract import (
    TIMESTAMP,
    FastPathDeclined,
    ReasonClass,
    Rejection,
    rule_error,
    schema_error,
)
from sources.faults import fault_point
from sources.inbox_digests import InboxDigests
from sources.lake_recovery import lake_writer
from sources.readers import Reader, json_line_payloads, read_i_json_lines, read_json_lines

CHUNK_ROWS = 100_000
# Files landed at the same time by `land_inbox` (reading and checking; commits are serial).
WORKERS = min(4, os.cpu_count() or 1)
# Per DuckDB connection (one per worker, one for the commits); beyond it DuckDB spills to disk.
MEMORY_LIMIT = "512MB"
# Keys of a new batch checked for conflicts at a time (bounds the memory of the check).
CONFLICT_BUCKET_ROWS = 500_000

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
    # Optional columnar reader, called with the path and a single-threaded DuckDB connection:
    # yields typed tables (schema + line_number) for a file whose every row it can vouch for,
    # else raises FastPathDeclined (even after yielding) and the rows go one by one.
    fast_reader: Callable[[Path, duckdb.DuckDBPyConnection], Iterator[pa.Table]] | None = None
    # A row whose key was delivered before with another `conflict_hash` is a conflict.
    conflict_key: tuple[str, ...] = ()
    conflict_hash: str | None = None
    # Only rows whose `conflict_time` lies within this many days of the new batch's are compared,
    # so the check costs the window, not all history (Parquet statistics skip the rest).
    conflict_time: str | None = None
    conflict_window_days: int = 35
    # When set, every landed row keeps its record as delivered (the JSON line) in this column,
    # so fields the contract does not type are kept in raw, never lost and never a rejection.
    payload_column: str | None = None

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


def batch_id_for(contract: TableContract, file_sha256: str) -> str:
    return f"{contract.system}-{contract.table}-{file_sha256[:20]}"


def ledger_path(lake: Path, batch_id: str) -> Path:
    return lake / "_ledger" / "landing_batches" / f"{batch_id}.parquet"


class _ChunkedParquet:
    """Stream rows into a temp Parquet file in bounded chunks; visible only after `publish`."""

    def __init__(self, target: Path, schema: pa.Schema) -> None:
        self.target, self.schema = target, schema
        self.tmp = temp_sibling(target)
        with naming(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            # page CRCs: a deep lake check (sources/lake_check.py) finds a flipped bit too
            self._writer: pq.ParquetWriter | None = pq.ParquetWriter(
                self.tmp, schema, compression="zstd", write_page_checksum=True
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
            with naming(self.target):
                self._writer.write_table(pa.Table.from_pylist(self._rows, schema=self.schema))
            self._rows = []

    def add_table(self, table: pa.Table) -> None:
        self._flush()
        if self._writer is not None:
            with naming(self.target):
                self._writer.write_table(table.select(self.schema.names).cast(self.schema))
            self.count += table.num_rows

    def close(self) -> None:
        self._flush()
        if self._writer is not None:
            with naming(self.target):
                self._writer.close()
            self._writer = None

    def drop_lines(self, line_numbers: set[int]) -> None:
        """Rewrite the closed temp file without the given lines (rare: conflicts only), one
        row group at a time, so memory stays bounded however big the file."""
        drop = pa.array(sorted(line_numbers), pa.int64())
        rewritten = self.tmp.with_name(f"{self.tmp.name}.rewrite")
        count = 0
        try:
            source = pq.ParquetFile(self.tmp)
            with pq.ParquetWriter(
                rewritten, self.schema, compression="zstd", write_page_checksum=True
            ) as writer:
                for index in range(source.num_row_groups):
                    part = source.read_row_group(index)
                    part = part.filter(pc.invert(pc.is_in(part["line_number"], value_set=drop)))
                    writer.write_table(part.cast(self.schema))
                    count += part.num_rows
            source.close()
            os.replace(rewritten, self.tmp)
        finally:
            rewritten.unlink(missing_ok=True)
        self.count = count

    def publish(self) -> None:
        """Rename into place if anything was written; otherwise leave nothing behind."""
        self.close()
        if self.count:
            with naming(self.target):
                with open(self.tmp, "rb") as fh:
                    os.fsync(fh.fileno())
                fault_point("lake.rename")
                os.replace(self.tmp, self.target)
        else:
            self.tmp.unlink(missing_ok=True)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.close()
        self.tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def _connections(threads: int = 1) -> Iterator[Callable[[], duckdb.DuckDBPyConnection]]:
    """Yield `connect()`: the calling thread's DuckDB connection, made on first use; all are
    closed at the end, and what they spilled to disk is removed."""
    local, made, lock = threading.local(), [], threading.Lock()
    with tempfile.TemporaryDirectory(prefix="u2c-landing-") as spill:

        def connect() -> duckdb.DuckDBPyConnection:
            con = getattr(local, "con", None)
            if con is None:
                config = {
                    "threads": threads,
                    "memory_limit": MEMORY_LIMIT,
                    "preserve_insertion_order": True,
                    "temp_directory": spill,
                }
                con = local.con = duckdb.connect(config=config)
                with lock:
                    made.append(con)
            return con

        try:
            yield connect
        finally:
            for con in made:
                con.close()


@dataclass
class _Staged:
    """A file read and checked into temp files, not yet visible: `_commit` finishes it."""

    path: Path
    contract: TableContract
    lake: Path
    file_sha: str
    batch_id: str
    lineage: dict
    delivered_at: datetime
    good: _ChunkedParquet
    bad: _ChunkedParquet
    children: dict[str, _ChunkedParquet]
    rows_read: int

    @property
    def writers(self) -> list[_ChunkedParquet]:
        return [self.good, self.bad, *self.children.values()]

    def abort(self) -> None:
        for writer in self.writers:
            writer.abort()


def _skipped(contract: TableContract, path: Path, batch_id: str) -> BatchResult:
    return BatchResult(contract.system, contract.table, path.name, batch_id, 0, 0, 0, True)


def land_file(
    path: Path,
    contract: TableContract,
    lake: Path,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC).replace(tzinfo=None),
) -> BatchResult:
    """Land one file; return its counts. Re-landing identical content is a no-op."""
    with _connections() as connect:
        staged = _stage(path, contract, lake, now(), connect)
        if isinstance(staged, BatchResult):
            return staged
        return _commit(staged, connect())


def _stage(
    path: Path,
    contract: TableContract,
    lake: Path,
    landed_at: datetime,
    connect: Callable[[], object],
    digest: Callable[[Path], str] = sha256_file,
) -> _Staged | BatchResult:
    """Read and check a file into temp files beside their targets; nothing is visible yet.

    Stages of different files may run at the same time: each reads only its own file."""
    file_sha = digest(path)
    batch_id = batch_id_for(contract, file_sha)
    if ledger_path(lake, batch_id).exists():
        return _skipped(contract, path, batch_id)

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
                for table in contract.fast_reader(path, connect()):
                    rows_read += table.num_rows
                    good.add_table(_with_lineage(table, lineage))
                # a file the fast path yields nothing for goes the row path, which tells an
                # empty file from an unreadable one
                landed_fast = rows_read > 0
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
            if contract.payload_column:
                row[contract.payload_column] = _payload_text(payload)
            row.update(lineage, line_number=line_number)
            good.add(row)
        # A file with no rows (an extract of a period with nothing in it) is an empty batch:
        # rows_read = 0 and a ledger row, so it is recorded and never re-landed. Only a file
        # the reader cannot read comes out as a rejected row (unreadable_file).
        good.close()
    except BaseException:
        for writer in writers:
            writer.abort()
        raise
    return _Staged(
        path,
        contract,
        lake,
        file_sha,
        batch_id,
        lineage,
        delivered_at,
        good,
        bad,
        children,
        rows_read,
    )


def _commit(staged: _Staged, con, earlier: set[str] | None = None) -> BatchResult:
    """Look for conflicts with what landed before, then make the batch visible, ledger last.

    Commits run one at a time in delivery order, so each sees every batch before it."""
    contract, lake, path = staged.contract, staged.lake, staged.path
    good, bad, lineage = staged.good, staged.bad, staged.lineage
    if ledger_path(lake, staged.batch_id).exists():  # the same content under an earlier name
        staged.abort()
        return _skipped(contract, path, staged.batch_id)
    try:
        if contract.conflict_key and good.count:
            table_dir = lake / "raw" / contract.system / contract.table
            conflicts = find_conflicts(good.tmp, table_dir, contract, con, earlier)
            if conflicts:
                good.drop_lines(set(conflicts))
                for line_number, payload in _payloads(contract, path, set(conflicts)):
                    rejection = conflicts[line_number]
                    bad.add(_quarantine_row(contract, lineage, line_number, rejection, payload))
    except BaseException:
        staged.abort()
        raise
    # Data first, the ledger last: the ledger row is what marks the batch as landed.
    for writer in staged.writers:
        writer.publish()
    fault_point("landing.data_published")
    ledger_row = {
        "system": contract.system,
        "source_table": contract.table,
        "file_name": path.name,
        "file_sha256": staged.file_sha,
        "batch_id": staged.batch_id,
        "rows_read": staged.rows_read,
        "rows_landed": good.count,
        "rows_quarantined": bad.count,
        "file_delivered_at": staged.delivered_at,
        "landed_at": lineage["landed_at"],
    }
    with atomic_path(ledger_path(lake, staged.batch_id)) as tmp:
        pq.write_table(pa.Table.from_pylist([ledger_row], schema=LEDGER_SCHEMA), tmp)
    fault_point("landing.committed")
    return BatchResult(
        contract.system,
        contract.table,
        path.name,
        staged.batch_id,
        staged.rows_read,
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
    new_rows: Path,
    table_dir: Path,
    contract: TableContract,
    con: duckdb.DuckDBPyConnection | None = None,
    earlier: set[str] | None = None,
) -> dict[int, Rejection]:
    """Lines of a new batch whose key was delivered before (in the lake, or earlier in this
    batch) with a different payload. The first delivery of a key is the reference.

    Memory stays bounded however big the batch: the old rows that share a key hash with the
    batch are gathered once (a semi join on 64-bit hashes, usually a handful of re-deliveries),
    then the batch is checked in buckets of keys, CONFLICT_BUCKET_ROWS rows at a time; a key's
    rows all fall in one bucket, so each bucket is exact on its own."""
    if con is None:
        with duckdb.connect() as own:
            return find_conflicts(new_rows, table_dir, contract, own, earlier)
    key, hash_column = contract.conflict_key, contract.conflict_hash
    if hash_column is None:
        raise ValueError("a conflict key needs a conflict hash column")
    keys = ", ".join(key)
    old_files = [str(p) for p in table_dir.rglob("*.parquet") if not p.name.startswith(("_", "."))]
    if earlier is not None:  # re-landing a batch: only the batches landed before it count
        old_files = [f for f in old_files if Path(f).stem in earlier]
    bounds = ", ".join(f"min({k}), max({k})" for k in key)
    t, days = contract.conflict_time, contract.conflict_window_days
    window = f", min({t}) - interval {days} day, max({t}) + interval {days} day" if t else ""
    rows, *stats = con.execute(
        f"select count(*), {bounds}{window} from read_parquet(?)", [str(new_rows)]
    ).fetchone()
    if not rows:
        return {}
    # Old rows can only matter within the batch's range of every key (and the time window):
    # bounds DuckDB checks against Parquet statistics, so most row groups are never read.
    params: dict = {"new": str(new_rows), "old": old_files}
    where = []
    for i, k in enumerate(key):
        params[f"low_{i}"], params[f"high_{i}"] = stats[2 * i], stats[2 * i + 1]
        where.append(f"o.{k} between $low_{i} and $high_{i}")
    if t:
        # literal bounds, so DuckDB can skip row groups by their statistics
        low, high = stats[-2:]
        where.append(f"o.{t} between timestamp '{low}' and timestamp '{high}'")
    old_keys = ", ".join(f"o.{k}" for k in key)
    try:
        if old_files:
            con.execute(
                f"""
                create or replace temp table _old_matches as
                select {old_keys}, o.{hash_column} as h
                from read_parquet($old) o
                where {" and ".join(where)}
                  and hash({old_keys}) in (select hash({keys}) from read_parquet($new))
                """,
                params,
            )
        else:
            con.execute(
                f"create or replace temp table _old_matches as select {keys}, "
                f"{hash_column} as h from read_parquet($new) where false",
                {"new": str(new_rows)},
            )
        buckets = -(-rows // CONFLICT_BUCKET_ROWS)
        new_source = f"select {keys}, {hash_column} as h, line_number from read_parquet($new)"
        if buckets > 1:  # spread once into a temp table (spilled to disk beyond the memory limit)
            con.execute(
                f"""
                create or replace temp table _new_rows as
                select hash({keys}) % $n as bucket, {keys}, {hash_column} as h, line_number
                from read_parquet($new)
                """,
                {"new": str(new_rows), "n": buckets},
            )
            new_source = f"select {keys}, h, line_number from _new_rows where bucket = $b"
        found = []
        for bucket in range(buckets):
            params = {"b": bucket} if buckets > 1 else {"new": str(new_rows)}
            found += con.execute(_conflicts_sql(key, new_source), params).fetchall()
    finally:
        con.execute("drop table if exists _old_matches")
        con.execute("drop table if exists _new_rows")
    where_seen = {True: "landed before", False: "earlier in this file"}
    return {
        line: rule_error(
            "conflicting_duplicate",
            f"same ({keys}) as an event {where_seen[seen]}, but a different payload",
        )
        for line, seen in sorted(found)
    }


def _conflicts_sql(key: tuple[str, ...], new_source: str) -> str:
    keys = ", ".join(key)
    on = " and ".join(f"r.{k} = n.{k}" for k in key)
    semi = " and ".join(f"o.{k} = f.{k}" for k in key)
    old_keys = ", ".join(f"o.{k}" for k in key)
    # A key delivered once in the batch and never before has nothing to conflict with: only
    # repeated or previously seen keys get a reference to compare with.
    return f"""
        with new_rows as ({new_source}),
        first_new as (
            select {keys}, arg_min(h, line_number) as ref_hash, count(*) > 1 as repeated
            from new_rows group by {keys}
        ),
        old_rows as (
            select {old_keys}, any_value(o.h) as ref_hash
            from _old_matches o semi join first_new f on {semi}
            group by {old_keys}
        ),
        reference as (
            select f.{", f.".join(key)}, coalesce(o.ref_hash, f.ref_hash) as reference_hash,
                   o.ref_hash is not null as seen_before
            from first_new f left join old_rows o using ({keys})
            where f.repeated or o.ref_hash is not null
        )
        select n.line_number, r.seen_before
        from new_rows n join reference r on {on}
        where n.h <> r.reference_hash
    """


def _payloads(contract: TableContract, path: Path, lines: set[int]):
    if contract.reader in (read_json_lines, read_i_json_lines):  # the text alone, no parsing
        yield from json_line_payloads(path, lines)
        return
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
        "payload": _payload_text(payload),
        "landed_at": lineage["landed_at"],
    }


def _payload_text(payload: str) -> str:
    # Undecodable bytes (kept by the readers as surrogates) are shown as \xNN escapes.
    return payload.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


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
    # what the ERP exports sent (exports/export_ledger.py): readable before the first export
    targets.append((EXPORT_LEDGER_SCHEMA, lake / "_ledger" / "export_ledger" / SCHEMA_FILE))
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


def land_inbox(
    inbox: Path,
    lake: Path,
    contracts: list[TableContract],
    *,
    workers: int = WORKERS,
    on_landed: Callable[[BatchResult, int, int], None] | None = None,
) -> list[BatchResult]:
    """Land every file under inbox/<system>/, in delivery order (modification time, then name);
    a file no contract claims is quarantined as `unknown_file_kind`, never skipped. Up to
    `workers` files are read at once; the outcome is the same as landing them one by one in
    delivery order. `on_landed(result, done, total)` hears of each file as it is committed
    (progress)."""
    ensure_schema_files(lake, contracts)
    if not inbox.is_dir():
        return []
    # a file dropped in the inbox root belongs to no system: quarantined, never skipped
    files = [
        (path, unknown_kind("inbox"))
        for path in inbox.iterdir()
        if path.is_file() and not path.name.startswith(".")
    ]
    for folder in sorted(p for p in inbox.iterdir() if p.is_dir() and not p.name.startswith(".")):
        claims = [c for c in contracts if c.system == folder.name]
        for path in folder.iterdir():
            if not path.is_file() or path.name.startswith("."):
                continue
            contract = next((c for c in claims if c.matches(path)), None) or unknown_kind(
                folder.name
            )
            files.append((path, contract))
    files.sort(key=lambda job: delivery_order(job[0], inbox))
    digests = InboxDigests(lake)
    with lake_writer(lake):  # one lander at a time, after clearing what a killed one left
        results = _land_all(files, lake, max(1, workers), digests.sha256, on_landed)
    digests.save()
    return results


def delivery_order(path: Path, inbox: Path) -> tuple[int, str, str]:
    """When the file was delivered (its modification time, what the ledger records as
    file_delivered_at), then its name, then its folder: the order a run lands its files in."""
    return (path.stat().st_mtime_ns, path.name, str(path.relative_to(inbox)))


def _land_all(
    files: list[tuple[Path, TableContract]],
    lake: Path,
    workers: int,
    digest: Callable[[Path], str] = sha256_file,
    on_landed: Callable[[BatchResult, int, int], None] | None = None,
) -> list[BatchResult]:
    """Stage files in worker threads, a few ahead of the commits, and commit them in order."""
    now = lambda: datetime.now(UTC).replace(tzinfo=None)  # noqa: E731
    results: list[BatchResult] = []
    todo = iter(files)
    staging: deque[Future] = deque()
    with (
        _connections(threads=1) as worker_connection,
        _connections(threads=os.cpu_count() or 1) as commit_connection,
        ThreadPoolExecutor(workers, thread_name_prefix="landing") as pool,
    ):
        stamps: list[datetime] = []

        def stage_next() -> None:
            # landing times are taken here, in delivery order and strictly increasing, not in
            # the worker: dedup breaks ties of delivery time by landed_at, so threads must not
            # reorder it
            if (job := next(todo, None)) is not None:
                stamp = now()
                if stamps and stamp <= stamps[-1]:
                    stamp = stamps[-1] + timedelta(microseconds=1)
                stamps.append(stamp)
                staging.append(pool.submit(_stage, *job, lake, stamp, worker_connection, digest))

        try:
            for _ in range(workers + 1):  # staged files wait as temp files, never in memory
                stage_next()
            while staging:
                staged = staging.popleft().result()
                stage_next()
                fault_point("landing.staged")
                if isinstance(staged, BatchResult):
                    results.append(staged)
                else:
                    results.append(_commit(staged, commit_connection()))
                if on_landed is not None:
                    on_landed(results[-1], len(results), len(files))
        except BaseException:
            # nothing of a file is visible before its commit: drop what was staged ahead
            for future in staging:
                future.cancel()
            for future in staging:
                with contextlib.suppress(BaseException):
                    if isinstance(staged := future.result(), _Staged):
                        staged.abort()
            raise
    return results
