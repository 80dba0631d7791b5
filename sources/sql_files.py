"""SQL kept in `sources/sql/*.sql`, filled with column names checked against a contract.

Values always travel as DuckDB parameters. Only identifiers are put into the text, and only
names the table's schema declares and that are plain lower-case identifiers, double-quoted.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pyarrow as pa

SQL_DIR = Path(__file__).with_name("sql")
_PLAIN = re.compile(r"^[a-z_][a-z0-9_]*$")


@cache
def sql_text(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


def column(schema: pa.Schema, name: str) -> str:
    """`name` double-quoted, once it is known to be a plain column of `schema`."""
    if name not in schema.names or not _PLAIN.match(name):
        raise ValueError(f"{name!r} is not a plain column of the table")
    return f'"{name}"'


def render(name: str, **fragments: str) -> str:
    """The SQL file `name` with its `{placeholders}` replaced by fragments made of checked
    identifiers (see `column`)."""
    return sql_text(name).format(**fragments)
