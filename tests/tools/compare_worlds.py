"""Compare two demo worlds built by different code: every mart row and every export file.

    python -m tests.tools.compare_worlds BEFORE_DATA_DIR AFTER_DATA_DIR

A refactor that claims "behaviour unchanged" proves it here: each table of the published marts
(`published/marts.duckdb`) is compared as a multiset of rows (`except all` both ways) with its
column names and types, and each file under `exports/` byte for byte. Only what legitimately
differs per run is exempt: the run's clock and ids (VOLATILE_COLUMNS in the marts, VOLATILE_KEYS
in the JSON manifests and close reports) and the data dir inside a path (PATH_COLUMNS).
Exit status 0 when the worlds are identical, 1 otherwise (each difference printed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

# JSON keys whose values are the run's clock or identity, never its content.
VOLATILE_KEYS = frozenset(
    {
        "generated_at",
        "published_at",
        "created_at",
        "exported_at",
        "run_id",
        "dagster_run_id",
        "started_at",
        "finished_at",
        "last_landed_at",  # the watermark: when landing ran
    }
)


# Mart columns that hold the run's clock or identity (when landing or the run happened, how
# long a step took), and columns that hold a path inside the world's data dir.
# `dbt_rows` (ops_runs) counts the rows of every table and seed dbt built, intermediate ones
# included: the run's work, which a refactor that adds a seed or a table changes.
VOLATILE_COLUMNS = frozenset(
    {"landed_at", "last_landed_at", "run_id", "started_at", "finished_at", "dbt_rows"}
)
VOLATILE_COLUMN_SUFFIXES = ("_seconds",)
PATH_COLUMNS = frozenset({"path"})

# the published copy of the marts keeps them in its main schema
SCHEMA = "main"


def _column_types(warehouse: Path, schema: str = SCHEMA) -> dict[str, list[tuple[str, str]]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select table_name, list((column_name, data_type) order by column_index) "
            "from duckdb_columns() where schema_name = ? and not internal "
            "and database_name = current_database() group by table_name",
            [schema],
        ).fetchall()
    return {table: sorted(tuple(c) for c in columns) for table, columns in rows}


def _scrub(value: object) -> object:
    if isinstance(value, dict):
        return {k: ("<volatile>" if k in VOLATILE_KEYS else _scrub(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _files(root: Path) -> dict[str, Path]:
    return {str(p.relative_to(root)): p for p in sorted(root.rglob("*")) if p.is_file()}


def _mart_rows_differ(con: duckdb.DuckDBPyConnection, table: str, roots: tuple[str, str]) -> str:
    """`except all` both ways on the table's columns bar the volatile ones; a path column is
    compared relative to its world's data dir."""
    columns = [
        c
        for (c,) in con.execute(
            "select column_name from duckdb_columns() where database_name = 'before' "
            "and schema_name = ? and table_name = ? order by column_index",
            [SCHEMA, table],
        ).fetchall()
        if c not in VOLATILE_COLUMNS and not c.endswith(VOLATILE_COLUMN_SUFFIXES)
    ]

    def select(side: str, root: str) -> str:
        root = root.replace("'", "''")
        items = (
            ", ".join(
                f"replace(\"{c}\", '{root}', '<data>')" if c in PATH_COLUMNS else f'"{c}"'
                for c in columns
            )
            or "1"
        )  # every column volatile: compare the row counts
        return f'select {items} from {side}."{SCHEMA}"."{table}"'

    before, after = select("before", roots[0]), select("after", roots[1])
    missing, extra = (
        con.execute(f"select count(*) from ({a} except all {b})").fetchone()[0]
        for a, b in ((before, after), (after, before))
    )
    rows = con.execute(f'select count(*) from before."{SCHEMA}"."{table}"').fetchone()[0]
    if missing or extra:
        return f"mart {table}: {rows} rows, {missing} only before, {extra} only after"
    return ""


def compare_marts(before: Path, after: Path) -> list[str]:
    problems = []
    warehouses = [d / "published" / "marts.duckdb" for d in (before, after)]
    types_before, types_after = (_column_types(w) for w in warehouses)
    for table in sorted(types_before.keys() ^ types_after.keys()):
        side = "before" if table in types_before else "after"
        problems.append(f"mart {table}: only {side}")
    with duckdb.connect() as con:
        for alias, path in zip(("before", "after"), warehouses, strict=True):
            quoted = str(path).replace("'", "''")  # ATTACH takes no parameters
            con.execute(f"attach '{quoted}' as {alias} (read_only)")
        for table in sorted(types_before.keys() & types_after.keys()):
            if types_before[table] != types_after[table]:
                changed = set(types_before[table]) ^ set(types_after[table])
                problems.append(f"mart {table}: column names or types differ: {sorted(changed)}")
                continue
            differ = _mart_rows_differ(con, table, (str(before.resolve()), str(after.resolve())))
            if differ:
                problems.append(differ)
    return problems


def compare_exports(before: Path, after: Path) -> list[str]:
    problems = []
    left, right = (_files(d / "exports") for d in (before, after))
    for name in sorted(left.keys() - right.keys()):
        problems.append(f"export {name}: only before")
    for name in sorted(right.keys() - left.keys()):
        problems.append(f"export {name}: only after")
    for name in sorted(left.keys() & right.keys()):
        a, b = left[name].read_bytes(), right[name].read_bytes()
        if a == b:
            continue
        if name.endswith(".json") and _scrub(json.loads(a)) == _scrub(json.loads(b)):
            continue  # differs only in the run's clock or ids
        problems.append(f"export {name}: bytes differ")
    return problems


def compare_worlds(before: Path, after: Path) -> list[str]:
    return compare_marts(before, after) + compare_exports(before, after)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    before, after = (Path(a) for a in argv)
    problems = compare_worlds(before, after)
    marts = len(_column_types(before / "published" / "marts.duckdb"))
    files = len(_files(before / "exports"))
    for line in problems:
        print(line)
    verdict = "identical" if not problems else f"{len(problems)} differences"
    print(f"{marts} marts and {files} export files compared: {verdict}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
