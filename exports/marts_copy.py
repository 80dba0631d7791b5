"""The analysts' copy: every mart table into `published/marts.duckdb`, swapped in atomically.

The copy is built under a temp name and renamed over the old file, so an analyst holding the
old file open keeps reading it undisturbed, and nobody ever opens a half-written one.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts",)


def publish_marts(warehouse: Path, target: Path) -> dict[str, int]:
    """Copy the mart tables into a fresh DuckDB file at `target`; return rows per table."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    counts: dict[str, int] = {}
    try:
        with duckdb.connect(str(tmp)) as con:
            quoted = str(warehouse).replace("'", "''")
            con.execute(f"attach '{quoted}' as warehouse (read_only)")
            tables = con.execute(
                "select schema_name, table_name from duckdb_tables() "
                "where database_name = 'warehouse' and list_contains(?, schema_name) "
                "order by table_name",
                [list(PUBLISHED_SCHEMAS)],
            ).fetchall()
            for schema, table in tables:
                con.execute(
                    f'create table main."{table}" as select * from warehouse."{schema}"."{table}"'
                )
                counts[table] = con.execute(f'select count(*) from main."{table}"').fetchone()[0]
            con.execute("detach warehouse")
            con.execute("checkpoint")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
    return counts
