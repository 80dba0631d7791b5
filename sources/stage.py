"""Staging a file: read it, check every row against its contract and write the good rows, the
rejects and the child rows to temp Parquet files beside their targets. Nothing is visible yet:
`sources/commit.py` finishes the batch. Stages of different files may run at the same time.

A contract with a `fast_reader` (usage events: `sources/usage/fast.py`) lands a clean file as
whole typed tables; a file it cannot vouch for goes row by row through `validate`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from sources.atomic import sha256_file
from sources.chunked_parquet import ChunkedParquet
from sources.contract import TIMESTAMP, FastPathDeclined, ReasonClass, Rejection
from sources.lake_files import QUARANTINE_SCHEMA, batch_id_for
from sources.landing_site import LandingSite
from sources.table_contract import CHILDREN, LINEAGE_FIELDS, BatchResult, TableContract


@dataclass
class Staged:
    """A file read and checked into temp files, not yet visible: `commit_staged` finishes it."""

    path: Path
    contract: TableContract
    site: LandingSite
    file_sha: str
    batch_id: str
    lineage: dict
    delivered_at: datetime
    good: ChunkedParquet
    bad: ChunkedParquet
    children: dict[str, ChunkedParquet]
    rows_read: int

    @property
    def writers(self) -> list[ChunkedParquet]:
        return [self.good, self.bad, *self.children.values()]

    def abort(self) -> None:
        for writer in self.writers:
            writer.abort()


def skipped(contract: TableContract, path: Path, batch_id: str) -> BatchResult:
    return BatchResult(contract.system, contract.table, path.name, batch_id, 0, 0, 0, True)


def stage_file(
    path: Path,
    contract: TableContract,
    lake: Path | LandingSite,
    landed_at: datetime,
    connect: Callable[[], object],
    digest: Callable[[Path], str] = sha256_file,
) -> Staged | BatchResult:
    """Read and check a file into temp files beside their targets (an s3:// lake: under its
    local staging directory); nothing is visible yet.

    Stages of different files may run at the same time: each reads only its own file."""
    site = LandingSite.of(lake)
    file_sha = digest(path)
    batch_id = batch_id_for(contract, file_sha)
    if site.is_landed(batch_id):
        return skipped(contract, path, batch_id)

    delivered_at = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
    partition = f"load_date={landed_at.date().isoformat()}"

    def target(area: str, table: str) -> Path:
        return site.local / area / contract.system / table / partition / f"{batch_id}.parquet"

    # a local lake renames into place (put None), an s3:// one uploads
    put = site.publish if site.remote is not None else None
    lineage = {"batch_id": batch_id, "file_name": path.name, "landed_at": landed_at}
    # every lake table's line_number is unique
    unique = (*contract.unique_columns, "line_number")
    good = ChunkedParquet(target("raw", contract.table), contract.lake_schema, put, unique)
    children = {
        name: ChunkedParquet(target("raw", name), pa.schema(list(schema) + LINEAGE_FIELDS), put)
        for name, schema in contract.children.items()
    }
    bad = ChunkedParquet(target("quarantine", contract.table), QUARANTINE_SCHEMA, put)
    writers = [good, bad, *children.values()]
    rows_read = 0
    try:
        landed_fast = False
        if contract.fast_reader is not None:
            try:
                for table in contract.fast_reader(path, connect()):
                    rows_read += table.num_rows
                    good.add_table(with_lineage(table, lineage))
                # a file the fast path yields nothing for goes the row path, which tells an
                # empty file from an unreadable one
                landed_fast = rows_read > 0
            except FastPathDeclined:
                pass
            if not landed_fast:
                good.abort()
                good = writers[0] = ChunkedParquet(
                    target("raw", contract.table), contract.lake_schema, put, unique
                )
                rows_read = 0
        for line_number, parsed, payload in () if landed_fast else contract.reader(path):
            rows_read += 1
            try:
                if isinstance(parsed, Rejection):
                    raise parsed
                row = contract.validate(parsed)
            except Rejection as rejection:
                bad.add(quarantine_row(contract, lineage, line_number, rejection, payload))
                continue
            for name, child_rows in row.pop(CHILDREN, {}).items():
                for child in child_rows:
                    child.update(lineage, line_number=line_number)
                    children[name].add(child)
            if contract.payload_column:
                row[contract.payload_column] = payload_text(payload)
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
    return Staged(
        path,
        contract,
        site,
        file_sha,
        batch_id,
        lineage,
        delivered_at,
        good,
        bad,
        children,
        rows_read,
    )


def with_lineage(table: pa.Table, lineage: dict) -> pa.Table:
    n = table.num_rows
    return (
        table.append_column("batch_id", pa.repeat(lineage["batch_id"], n))
        .append_column("file_name", pa.repeat(lineage["file_name"], n))
        .append_column("landed_at", pa.repeat(pa.scalar(lineage["landed_at"], TIMESTAMP), n))
    )


def quarantine_row(
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
        "payload": payload_text(payload),
        "landed_at": lineage["landed_at"],
    }


def payload_text(payload: str) -> str:
    # Undecodable bytes (kept by the readers as surrogates) are shown as \xNN escapes.
    return payload.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
