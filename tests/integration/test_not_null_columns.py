"""`not_null_columns`, the one dbt test per model for all its required columns (in place of dbt's
not_null per column, a node each): on a copy of the default world's warehouse it passes, and with
nulls put into two of journal_lines' columns it fails with one row per column that has them, and
how many."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.integration.conftest import dbt_test, warehouse_copy

TEST = "not_null_journal_lines"


def run_test(data_dir: Path) -> dict:
    """journal_lines' not_null_columns test on `data_dir`: its run result."""
    [result] = dbt_test(data_dir, TEST)
    assert result["unique_id"].split(".")[2] == TEST
    return result


def test_nulls_in_two_columns_fail_the_models_one_test_naming_both(
    default_world: Path, tmp_path: Path
):
    data_dir = warehouse_copy(default_world, tmp_path / "world")
    intact = run_test(data_dir)
    assert (intact["status"], intact["failures"]) == ("pass", 0)

    warehouse = data_dir / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        lines = con.execute(
            "select journal_id, line_number from marts.journal_lines order by all limit 3"
        ).fetchall()
        for (journal, line), column in zip(
            lines, ["account", "account", "exchange_rate"], strict=True
        ):
            con.execute(
                f"update marts.journal_lines set {column} = null "
                "where journal_id = ? and line_number = ?",
                [journal, line],
            )
    tampered = run_test(data_dir)
    assert (tampered["status"], tampered["failures"]) == ("fail", 2)  # a row per column
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(tampered["compiled_code"]).fetchall()
    assert sorted(rows) == [("account", 2), ("exchange_rate", 1)]
