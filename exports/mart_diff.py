"""Compare the marts of two warehouses row for row: what a replay proves about a rebuild."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class MartDiff:
    table: str
    rows: int  # in the reference warehouse
    only_in_reference: int  # rows (with multiplicity) the rebuild lacks
    only_in_rebuild: int  # rows the rebuild has that the reference lacks

    @property
    def identical(self) -> bool:
        return self.only_in_reference == 0 and self.only_in_rebuild == 0


def _tables(
    con: duckdb.DuckDBPyConnection, catalog: str, schema: str
) -> dict[str, list[tuple[str, str]]]:
    """Each table of the schema: its (column, type) pairs in column order."""
    rows = con.execute(
        "select table_name, list((column_name, data_type) order by column_index) "
        "from duckdb_columns() "
        "where database_name = ? and schema_name = ? "
        "and table_name in (select table_name from duckdb_tables() "
        "where database_name = ? and schema_name = ?) group by table_name",
        [catalog, schema, catalog, schema],
    ).fetchall()
    return {table: [tuple(c) for c in columns] for table, columns in rows}


def only_in(a: str, b: str, columns: list[str]) -> str:
    """The rows of relation `a` that `b` lacks, with multiplicity (`except all`), on `columns`
    by name: a column in another position is not a difference."""
    selected = ", ".join(f'"{c}"' for c in columns) or "1"  # no columns: the row counts
    return f"select {selected} from {a} except all select {selected} from {b}"


def diff_marts(
    reference: Path, rebuild: Path, schema: str = "marts", exempt: Collection[str] = ()
) -> list[MartDiff]:
    """Every table of `schema` in either warehouse, compared as multisets of rows (`except all`
    both ways) on its columns bar `exempt` (values that differ per run by nature, such as a
    landing clock). A table one side lacks, or whose columns differ in name or type, counts all
    its rows as differing."""
    with duckdb.connect() as con:
        for alias, path in (("reference", reference), ("rebuild", rebuild)):
            quoted = str(path).replace("'", "''")  # ATTACH takes no parameters
            con.execute(f"attach '{quoted}' as {alias} (read_only)")
        left = _tables(con, "reference", schema)
        right = _tables(con, "rebuild", schema)
        diffs = []
        for table in sorted(left.keys() | right.keys()):
            ref = f'reference."{schema}"."{table}"'
            new = f'rebuild."{schema}"."{table}"'
            if table not in right:  # the rebuild lacks the table: every row differs
                n = con.execute(f"select count(*) from {ref}").fetchone()[0]
                diffs.append(MartDiff(table, n, n, 0))
                continue
            if table not in left:
                n = con.execute(f"select count(*) from {new}").fetchone()[0]
                diffs.append(MartDiff(table, 0, 0, n))
                continue
            if set(left[table]) != set(right[table]):  # another shape: nothing compares
                n, m = (con.execute(f"select count(*) from {t}").fetchone()[0] for t in (ref, new))
                diffs.append(MartDiff(table, n, n, m))
                continue
            # columns by name, in the reference's order: a reordered column is not a difference
            names = [c for c, _ in left[table] if c not in exempt]
            missing, extra = (
                con.execute(f"select count(*) from ({only_in(a, b, names)})").fetchone()[0]
                for a, b in ((ref, new), (new, ref))
            )
            rows = con.execute(f"select count(*) from {ref}").fetchone()[0]
            diffs.append(MartDiff(table, rows, missing, extra))
    return diffs
