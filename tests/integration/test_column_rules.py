"""`column_rules`, the one dbt test per model for its columns' not-null, unique and accepted-values
rules (in place of dbt's tests per column and rule, a node each): on a copy of the default
world's warehouse it passes; with nulls, a repeated key and an unknown status put into invoices,
it fails with one row per broken rule, naming the column and how many."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.integration.conftest import dbt_test, warehouse_copy

TEST = "column_rules_invoices"


def run_test(data_dir: Path) -> dict:
    """invoices' column_rules test on `data_dir`: its run result."""
    [result] = dbt_test(data_dir, TEST)
    assert result["unique_id"].split(".")[2] == TEST
    return result


def test_each_broken_rule_fails_the_models_one_test_with_its_column(
    default_world: Path, tmp_path: Path
):
    data_dir = warehouse_copy(default_world, tmp_path / "world")
    intact = run_test(data_dir)
    assert (intact["status"], intact["failures"]) == ("pass", 0)

    warehouse = data_dir / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        first, second, third, fourth = (
            row[0]
            for row in con.execute(
                "select invoice_id from marts.invoices order by invoice_id limit 4"
            ).fetchall()
        )
        update = "update marts.invoices set {} where invoice_id = ?"
        con.execute(update.format("customer_id = null"), [first])
        con.execute(update.format("customer_id = null"), [second])
        con.execute(update.format("invoice_status = 'lost'"), [third])
        con.execute(update.format("invoice_id = ?"), [first, fourth])  # first's id twice
    tampered = run_test(data_dir)
    assert (tampered["status"], tampered["failures"]) == ("fail", 3)  # a row per broken rule
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(tampered["compiled_code"]).fetchall()
    assert sorted(rows) == [
        ("accepted_values", "invoice_status", 1),
        ("not_null", "customer_id", 2),
        ("unique", "invoice_id", 1),
    ]
