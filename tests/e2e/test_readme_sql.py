"""The README's analyst queries run as written on a built world's `published/marts.duckdb`, and
answer: each returns rows on the default world (it has something open in every hop)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_sql_example_in_the_readme_runs_on_the_published_marts(world: Path):
    queries = re.findall(r"```sql\n(.*?)```", README.read_text(), flags=re.S)
    assert len(queries) >= 5
    with duckdb.connect(str(world / "published" / "marts.duckdb"), read_only=True) as con:
        for sql in queries:
            rows = con.execute(sql).fetchall()
            assert rows, sql
