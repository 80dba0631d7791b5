"""Land inbox files into the immutable lake, accounting for every row.

For each file: batch id from its content (so a re-delivered file lands nothing), rows validated
by the table's contract, good rows to `lake/raw/<system>/<table>/load_date=<d>/<batch>.parquet`,
rejects to `lake/quarantine/...`, and one ledger row under `lake/_ledger/landing_batches/`.
Every file is written to a temp name and renamed, the ledger last, so a killed landing leaves
nothing visible and the next run lands the file again from scratch. The lake may be an s3://
URI: files are then staged in a local directory and uploaded, the ledger row last
(`sources/landing_site.py`).

`land_inbox` lands several files at once: reading and checking a file into its temp files
(`sources/stage.py`) runs in worker threads, each with its own single-threaded DuckDB
connection, while the conflict check (`sources/conflicts.py`) and the renames
(`sources/commit.py`) run one file at a time in delivery order (`sources/inbox_files.py`), so
every file is compared with all the batches before it, exactly as when landing one by one.

The names other packages import from here (`TableContract`, `CHILDREN`, `land_file`, ...) are
re-exported from the modules that define them.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sources.atomic import sha256_file
from sources.commit import commit_staged
from sources.conflicts import find_conflicts
from sources.duckdb_connections import connections
from sources.faults import fault_point
from sources.inbox_digests import InboxDigests
from sources.inbox_files import delivery_order, inbox_files, unknown_kind
from sources.lake_files import (
    LEDGER_SCHEMA,
    QUARANTINE_SCHEMA,
    batch_id_for,
    ensure_schema_files,
    ledger_path,
)
from sources.lake_recovery import lake_writer
from sources.landing_site import LandingSite
from sources.stage import Staged, stage_file
from sources.table_contract import CHILDREN, LINEAGE_FIELDS, BatchResult, TableContract

__all__ = [
    "CHILDREN",
    "LEDGER_SCHEMA",
    "LINEAGE_FIELDS",
    "QUARANTINE_SCHEMA",
    "BatchResult",
    "TableContract",
    "batch_id_for",
    "delivery_order",
    "ensure_schema_files",
    "find_conflicts",
    "land_file",
    "land_inbox",
    "ledger_path",
    "unknown_kind",
]

# Files landed at the same time by `land_inbox` (reading and checking; commits are serial).
WORKERS = min(4, os.cpu_count() or 1)


def land_file(
    path: Path,
    contract: TableContract,
    lake: Path | LandingSite,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC).replace(tzinfo=None),
) -> BatchResult:
    """Land one file; return its counts. Re-landing identical content is a no-op."""
    with connections() as connect:
        staged = stage_file(path, contract, lake, now(), connect)
        if isinstance(staged, BatchResult):
            return staged
        return commit_staged(staged, connect())


def land_inbox(
    inbox: Path,
    lake: Path | str,
    contracts: list[TableContract],
    *,
    workers: int = WORKERS,
    on_landed: Callable[[BatchResult, int, int], None] | None = None,
    staging: Path | None = None,
) -> list[BatchResult]:
    """Land every file under inbox/<system>/, in delivery order (modification time, then name);
    a file no contract claims is quarantined as `unknown_file_kind`, never skipped. Up to
    `workers` files are read at once; the outcome is the same as landing them one by one in
    delivery order. `on_landed(result, done, total)` hears of each file as it is committed
    (progress). `lake` is a local directory or an s3:// URI, whose files are staged under the
    local directory `staging` (a data dir's, never under the lake) and uploaded."""
    site = LandingSite.of(lake, staging)
    ensure_schema_files(site, contracts)
    if not inbox.is_dir():
        return []
    # an empty inbox still takes the lock: it clears what a killed landing left
    files = inbox_files(inbox, contracts)
    digests = InboxDigests(site)
    with lake_writer(site):  # one lander at a time, after clearing what a killed one left
        results = _land_all(files, site, max(1, workers), digests.sha256, on_landed)
    digests.save()
    return results


def _land_all(
    files: list[tuple[Path, TableContract]],
    lake: LandingSite,
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
        connections(threads=1) as worker_connection,
        connections(threads=os.cpu_count() or 1) as commit_connection,
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
                job = (*job, lake, stamp, worker_connection, digest)
                staging.append(pool.submit(stage_file, *job))

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
                    results.append(commit_staged(staged, commit_connection()))
                if on_landed is not None:
                    on_landed(results[-1], len(results), len(files))
        except BaseException:
            # nothing of a file is visible before its commit: drop what was staged ahead
            for future in staging:
                future.cancel()
            for future in staging:
                with contextlib.suppress(BaseException):
                    if isinstance(staged := future.result(), Staged):
                        staged.abort()
            raise
    return results
