"""The dbt sources declare exactly the columns landing writes, with their types: a column added
to a contract's schema and not to its sources yml (or the other way round) fails here. Fix with
`python -m sources.source_columns`."""

from __future__ import annotations

import pyarrow as pa
import pytest
import yaml

from sources.registry import CONTRACTS
from sources.source_columns import duckdb_type, lake_tables, rewrite, source_files

TABLES = lake_tables(CONTRACTS)


def declared() -> dict[tuple[str, str], list[tuple[str, str]]]:
    found = {}
    for path in source_files().values():
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                columns = [(c["name"], c.get("data_type")) for c in table.get("columns", [])]
                found[(source["name"], table["name"])] = columns
    return found


@pytest.mark.parametrize("key", sorted(TABLES), ids="/".join)
def test_the_sources_yml_declares_what_landing_writes(key: tuple[str, str]):
    expected = [(f.name, duckdb_type(f.type)) for f in TABLES[key]]
    assert declared().get(key) == expected


def test_a_column_missing_on_either_side_is_found():
    path = source_files()["usage"]
    schema = TABLES[("usage", "events")]
    wider = {("usage", "events"): schema.append(pa.field("new_column", pa.string()))}
    text = rewrite(path.read_text(), "usage", wider)
    [table] = yaml.safe_load(text)["sources"][0]["tables"]
    names = [c["name"] for c in table["columns"]]
    assert names == [*schema.names, "new_column"]
    assert names != [n for n, _ in declared()[("usage", "events")]]


def test_every_landed_table_is_a_dbt_source():
    assert set(TABLES) <= set(declared())
