"""The columns of every landed table as the dbt sources declare them, derived from the Arrow
schemas landing writes (`lake_tables`), so the two cannot drift apart: a test compares each
`dbt_project/models/staging/<system>/_<system>__sources.yml` table with its schema, and
`python -m sources.source_columns` rewrites the `columns:` lists when a schema changes.
"""

from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path

import pyarrow as pa

from sources.lake_files import LEDGER_SCHEMA, QUARANTINE_SCHEMA
from sources.table_contract import LINEAGE_FIELDS, TableContract

STAGING = Path(__file__).resolve().parents[1] / "dbt_project" / "models" / "staging"

_DUCKDB_TYPES = {
    pa.string(): "varchar",
    pa.int64(): "bigint",
    pa.bool_(): "boolean",
    pa.date32(): "date",
    pa.timestamp("us"): "timestamp",
    pa.list_(pa.int64()): "bigint[]",
}


def duckdb_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_decimal(arrow_type):
        return f"decimal({arrow_type.precision},{arrow_type.scale})"
    return _DUCKDB_TYPES[arrow_type]


def lake_tables(contracts: list[TableContract]) -> dict[tuple[str, str], pa.Schema]:
    """(dbt source name, table) -> the schema of what landing writes there."""
    tables: dict[tuple[str, str], pa.Schema] = {}
    for c in contracts:
        tables[(c.system, c.table)] = c.lake_schema
        for name, schema in c.children.items():
            tables[(c.system, name)] = pa.schema(list(schema) + LINEAGE_FIELDS)
    tables[("landing", "batches")] = LEDGER_SCHEMA
    tables[("landing", "quarantine")] = QUARANTINE_SCHEMA
    return tables


def columns_block(schema: pa.Schema, indent: str = "        ") -> str:
    lines = [f"{indent}columns:"]
    for f in schema:
        lines += [f"{indent}  - name: {f.name}", f"{indent}    data_type: {duckdb_type(f.type)}"]
    return "\n".join(lines) + "\n"


_TABLE = re.compile(r"^      - name: (\w+)\n", re.MULTILINE)
_COLUMNS = re.compile(r"^        columns:\n(?:^          .*\n)*", re.MULTILINE)


def rewrite(text: str, source: str, tables: dict[tuple[str, str], pa.Schema]) -> str:
    """The sources yml `text` with each known table's `columns:` list (re)written at the end of
    the table's entry."""
    text = _COLUMNS.sub("", text)
    starts = [m.start() for m in _TABLE.finditer(text)] + [len(text)]
    out = [text[: starts[0]]]
    for start, end in itertools.pairwise(starts):
        entry = text[start:end]
        name = _TABLE.match(entry).group(1)
        schema = tables.get((source, name))
        if schema is not None:
            entry = entry.rstrip("\n") + "\n" + columns_block(schema)
        out.append(entry)
    return "".join(out)


def source_files() -> dict[str, Path]:
    return {p.stem.split("__")[0].lstrip("_"): p for p in STAGING.glob("*/_*__sources.yml")}


def main() -> None:
    from sources.registry import CONTRACTS

    tables = lake_tables(CONTRACTS)
    for source, path in source_files().items():
        path.write_text(rewrite(path.read_text(), source, tables))
        print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
