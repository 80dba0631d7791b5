"""DuckDB connections for landing: one per thread, bounded in memory, spilling to a temp dir."""

from __future__ import annotations

import contextlib
import tempfile
import threading
from collections.abc import Callable, Iterator

import duckdb

# Per DuckDB connection (one per worker, one for the commits); beyond it DuckDB spills to disk.
MEMORY_LIMIT = "512MB"


@contextlib.contextmanager
def connections(threads: int = 1) -> Iterator[Callable[[], duckdb.DuckDBPyConnection]]:
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
