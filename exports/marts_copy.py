"""The analysts' copy: every mart table into `published/marts.duckdb`, swapped in atomically.

The copy is built under a temp name and renamed over the old file, so an analyst holding the
old file open keeps reading it undisturbed, and nobody ever opens a half-written one.

Beside the marts it holds `ops_runs`, one row per pipeline run, gathered from the immutable run
records under `lake/ops/runs/` (an empty table of the same shape when there are none).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

from exports.publish import FILE_MODE, ensure_dirs, fsync_dir
from sources.atomic import naming, sweep_stale_temps, temp_sibling
from sources.faults import fault_point

# marts, and the ERP export ledger and batches (exports.export_ledger, exports.export_batches)
PUBLISHED_SCHEMAS = ("marts", "exports")

STAGES = ("landing", "dbt", "checks", "exports", "publish")
OPS_RUNS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("job_name", pa.string()),
        ("partitions", pa.string()),  # the partition key, `start...end` for a range, or null
        ("is_replay", pa.bool_()),
        ("status", pa.string()),  # success, or failure once a step had failed
        ("started_at", pa.timestamp("us")),  # UTC
        ("finished_at", pa.timestamp("us")),  # UTC; when the run published
        *((f"{stage}_seconds", pa.float64()) for stage in STAGES),
        *((f"{stage}_rows", pa.int64()) for stage in STAGES),
    ]
)


def publish_marts(
    warehouse: Path,
    target: Path,
    runs_dir: Path | None = None,
    on_copied: Callable[[dict[str, int]], None] | None = None,
) -> dict[str, int]:
    """Copy the mart tables into a fresh DuckDB file at `target`; return rows per table.

    `on_copied(counts)` is called once the marts are copied and before `ops_runs` is gathered
    from `runs_dir`: the caller writes the current run's record there, timed to that point.
    """
    ensure_dirs(target.parent)
    sweep_stale_temps(target.parent)
    tmp = temp_sibling(target)
    counts: dict[str, int] = {}
    try:
        with _naming_target(target), duckdb.connect(str(tmp)) as con:
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
                fault_point("publish.table_copied")
            con.execute("detach warehouse")
            if on_copied is not None:
                on_copied(dict(counts))
            if runs_dir is not None and "ops_runs" not in counts:
                counts["ops_runs"] = create_ops_runs(con, runs_dir)
            con.execute("checkpoint")
        with naming(target):
            os.chmod(tmp, FILE_MODE)  # analysts read it; only the pipeline replaces it
            fault_point("publish.copied")
            os.replace(tmp, target)
            fsync_dir(target.parent)
        fault_point("publish.swapped")
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
    return counts


@contextlib.contextmanager
def _naming_target(target: Path) -> Iterator[None]:
    """DuckDB's write errors (disk full, no permission) as an OSError naming the copy."""
    try:
        yield
    except duckdb.IOException as error:
        raise OSError(f"cannot write the analysts' copy {target}: {error}") from error


def create_ops_runs(con: duckdb.DuckDBPyConnection, runs_dir: Path) -> int:
    """`main.ops_runs` from every run record under `runs_dir`, in the columns of
    OPS_RUNS_SCHEMA (a record written before a column existed has it null)."""
    columns = ", ".join(f'"{name}"' for name in OPS_RUNS_SCHEMA.names)
    files = sorted(str(p) for p in runs_dir.glob("*.parquet")) if runs_dir.is_dir() else []
    con.register("ops_runs_shape", OPS_RUNS_SCHEMA.empty_table())
    try:
        source = "select * from ops_runs_shape"
        if files:
            source += " union all by name select * from read_parquet($files, union_by_name = true)"
        con.execute(
            f"create table main.ops_runs as select {columns} from ({source}) "
            "order by started_at, run_id",
            {"files": files} if files else None,
        )
    finally:
        con.unregister("ops_runs_shape")
    return con.execute("select count(*) from main.ops_runs").fetchone()[0]
