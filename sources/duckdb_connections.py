"""DuckDB connections for landing: one per thread, bounded in memory, spilling to a temp dir."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from sources.atomic import process_alive

# Per DuckDB connection (one per worker, one for the commits); beyond it DuckDB spills to disk.
MEMORY_LIMIT = "512MB"
# The spill dirs: <temp dir>/u2c-landing-<pid>-<random>
SPILL_PREFIX = "u2c-landing-"


def clear_dead_spills(temp_dir: Path | None = None) -> list[Path]:
    """Remove the spill dirs of landing processes that are gone (a killed landing cannot remove
    its own, and a big file's spill is gigabytes); return them. A dir whose process still runs,
    or whose name holds no pid, is left."""
    cleared = []
    for spill in Path(temp_dir or tempfile.gettempdir()).glob(f"{SPILL_PREFIX}*"):
        pid = spill.name.removeprefix(SPILL_PREFIX).partition("-")[0]
        if not pid.isdigit() or process_alive(int(pid)):
            continue
        shutil.rmtree(spill, ignore_errors=True)
        cleared.append(spill)
    return cleared


@contextlib.contextmanager
def connections(threads: int = 1) -> Iterator[Callable[[], duckdb.DuckDBPyConnection]]:
    """Yield `connect()`: the calling thread's DuckDB connection, made on first use; all are
    closed at the end, and what they spilled to disk is removed."""
    local, made, lock = threading.local(), [], threading.Lock()
    clear_dead_spills()
    with tempfile.TemporaryDirectory(prefix=f"{SPILL_PREFIX}{os.getpid()}-") as spill:

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
