"""Land inbox files into the immutable lake, accounting for every row.

For each file: batch id from its content (so a re-delivered file lands nothing), rows validated
by the table's contract, good rows to `lake/raw/<system>/<table>/load_date=<d>/<batch>.parquet`,
rejects to `lake/quarantine/...`, and one ledger row under `lake/_ledger/landing_batches/`.
Every file is written to a temp name and renamed, the ledger last, so a killed landing leaves
nothing visible and the next run lands the file again from scratch.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sources.atomic import atomic_path, sha256_file
from sources.contract import TIMESTAMP, ReasonClass, Rejection, schema_error

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
        pa.field("landed_at", TIMESTAMP, nullable=False),
    ]
)


@dataclass(frozen=True)
class TableContract:
    """How one source table is read and checked."""

    system: str
    table: str
    schema: pa.Schema
    suffixes: tuple[str, ...]
    validate: Callable[[object], dict]

    def matches(self, path: Path) -> bool:
        return path.name.endswith(self.suffixes)

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


def iter_json_lines(path: Path) -> Iterator[tuple[int, object | Rejection, str]]:
    """Yield (line number, parsed value or Rejection, payload text) for each line of a file."""
    opener = gzip.open if path.name.endswith(".gz") else open
    line_number = 0
    try:
        with opener(path, "rb") as fh:
            for line_number, raw in enumerate(fh, start=1):
                yield (line_number, *_parse_json_line(raw))
    except (EOFError, gzip.BadGzipFile, OSError) as exc:
        yield (line_number + 1, schema_error("unreadable_file", f"{type(exc).__name__}: {exc}"), "")


def _parse_json_line(raw: bytes) -> tuple[object | Rejection, str]:
    raw = raw.rstrip(b"\r\n")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return schema_error("invalid_utf8", str(exc)), raw.decode("utf-8", "backslashreplace")
    if not text.strip():
        return schema_error("empty_line", "blank line where a JSON object was expected"), text
    try:
        return json.loads(text, parse_float=Decimal), text
    except json.JSONDecodeError as exc:
        return schema_error(
            "malformed_json", f"not valid JSON ({exc.msg} at column {exc.colno})"
        ), text


class _ChunkedParquet:
    """Stream rows into one Parquet file in bounded chunks; nothing is visible until commit."""

    def __init__(self, target: Path, schema: pa.Schema) -> None:
        self.target, self.schema = target, schema
        self._ctx = atomic_path(target)
        self._tmp = self._ctx.__enter__()
        self._writer = pq.ParquetWriter(self._tmp, schema, compression="zstd")
        self._rows: list[dict] = []
        self.count = 0

    def add(self, row: dict) -> None:
        self._rows.append(row)
        self.count += 1
        if len(self._rows) >= CHUNK_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=self.schema))
            self._rows = []

    def commit(self) -> None:
        self._flush()
        self._writer.close()
        self._ctx.__exit__(None, None, None)

    def abort(self) -> None:
        self._writer.close()
        self._ctx.__exit__(RuntimeError, RuntimeError("aborted"), None)


def land_file(
    path: Path,
    contract: TableContract,
    lake: Path,
    *,
    records: Callable[[Path], Iterator[tuple[int, object | Rejection, str]]] = iter_json_lines,
    now: Callable[[], datetime] = lambda: datetime.now(UTC).replace(tzinfo=None),
) -> BatchResult:
    """Land one file; return its counts. Re-landing identical content is a no-op."""
    file_sha = sha256_file(path)
    batch_id = batch_id_for(contract, file_sha)
    if ledger_path(lake, batch_id).exists():
        return BatchResult(contract.system, contract.table, path.name, batch_id, 0, 0, 0, True)

    landed_at = now()
    partition = f"load_date={landed_at.date().isoformat()}"
    raw_target = lake / "raw" / contract.system / contract.table / partition / f"{batch_id}.parquet"
    quarantine_target = (
        lake / "quarantine" / contract.system / contract.table / partition / f"{batch_id}.parquet"
    )
    lineage = {"batch_id": batch_id, "file_name": path.name, "landed_at": landed_at}
    good = _ChunkedParquet(raw_target, contract.lake_schema)
    bad = _ChunkedParquet(quarantine_target, QUARANTINE_SCHEMA)
    rows_read = 0
    try:
        for line_number, parsed, payload in records(path):
            rows_read += 1
            try:
                if isinstance(parsed, Rejection):
                    raise parsed
                row = contract.validate(parsed)
            except Rejection as rejection:
                bad.add(_quarantine_row(contract, lineage, line_number, rejection, payload))
                continue
            row.update(lineage, line_number=line_number)
            good.add(row)
        if rows_read == 0:
            rows_read = 1  # an empty file is one rejected unit, so it is visible in quarantine
            bad.add(
                _quarantine_row(
                    contract, lineage, 0, schema_error("empty_file", "the file has no rows"), ""
                )
            )
    except BaseException:
        good.abort()
        bad.abort()
        raise
    # Write data first and the ledger last: the ledger row is what marks the batch as landed.
    _commit_or_drop(good)
    _commit_or_drop(bad)
    result = BatchResult(
        contract.system,
        contract.table,
        path.name,
        batch_id,
        rows_read,
        good.count,
        bad.count,
        False,
    )
    ledger_row = {
        "system": contract.system,
        "source_table": contract.table,
        "file_name": path.name,
        "file_sha256": file_sha,
        "batch_id": batch_id,
        "rows_read": rows_read,
        "rows_landed": good.count,
        "rows_quarantined": bad.count,
        "landed_at": landed_at,
    }
    with atomic_path(ledger_path(lake, batch_id)) as tmp:
        pq.write_table(pa.Table.from_pylist([ledger_row], schema=LEDGER_SCHEMA), tmp)
    return result


def _commit_or_drop(writer: _ChunkedParquet) -> None:
    if writer.count:
        writer.commit()
    else:
        writer.abort()


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
        "payload": payload,
        "landed_at": lineage["landed_at"],
    }


def ensure_schema_files(lake: Path, contracts: list[TableContract]) -> None:
    """Keep one empty Parquet per table, so the warehouse can read a table that has no batch yet."""
    targets = [
        (c.lake_schema, lake / "raw" / c.system / c.table / "_schema.parquet") for c in contracts
    ]
    targets.append((QUARANTINE_SCHEMA, lake / "quarantine" / "_schema.parquet"))
    targets.append((LEDGER_SCHEMA, lake / "_ledger" / "landing_batches" / "_schema.parquet"))
    for schema, target in targets:
        if not target.exists():
            with atomic_path(target) as tmp:
                pq.write_table(schema.empty_table(), tmp)


def land_inbox(inbox: Path, lake: Path, contracts: list[TableContract]) -> list[BatchResult]:
    """Land every file under inbox/<system>/ that a contract claims, in name order."""
    ensure_schema_files(lake, contracts)
    results = []
    for contract in contracts:
        folder = inbox / contract.system
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.iterdir() if p.is_file() and contract.matches(p)):
            results.append(land_file(path, contract, lake))
    return results
