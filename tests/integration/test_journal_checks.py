"""The journal rules as dbt tests, on the views the journal gate reads too (int_journal_balances,
int_journal_line_sides against int_gl_accounts_postable and int_fiscal_periods_open): on a copy of
the default world's warehouse, a journal made unbalanced, a line given both sides, a line on an
account outside the chart and one in a closed period each fail their dbt test, and nothing else
does; the untouched copy passes them all."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.integration.conftest import dbt_test, warehouse_copy

CHECKED = ("int_journal_balances", "int_journal_line_sides")


def statuses(data_dir: Path) -> dict[str, str]:
    """The journal views' dbt tests on `data_dir`: status per test name."""
    return {r["unique_id"].split(".")[2]: r["status"] for r in dbt_test(data_dir, *CHECKED)}


def first_line(con, where: str) -> tuple[str, int]:
    return con.execute(
        f"select journal_id, line_number from marts.journal_lines where {where} "
        "order by journal_id, line_number limit 1"
    ).fetchone()


def test_each_journal_rule_fails_its_dbt_test(default_world: Path, tmp_path: Path):
    intact = statuses(warehouse_copy(default_world, tmp_path / "intact"))
    assert intact and set(intact.values()) == {"pass"}, intact

    tampered = warehouse_copy(default_world, tmp_path / "tampered")
    with duckdb.connect(str(tampered / "warehouse.duckdb")) as con:
        [closed] = con.execute(
            "select max(fiscal_period) from marts.fiscal_periods where is_closed"
        ).fetchone()
        assert closed is not None  # the default world closes a period
        journals = [
            r[0]
            for r in con.execute(
                "select distinct journal_id from marts.journal_lines order by 1 limit 4"
            ).fetchall()
        ]

        def tamper(journal: str, change: str) -> None:
            line = first_line(con, f"journal_id = '{journal}' and debit > 0")
            con.execute(
                f"update marts.journal_lines set {change} where journal_id = ? and line_number = ?",
                line,
            )

        tamper(journals[0], "debit = debit + 0.01")  # unbalanced
        tamper(journals[1], "credit = debit, functional_credit = functional_debit")  # 2 sides
        con.execute(  # the whole journal on an account outside the chart: still balanced
            "update marts.journal_lines set account = '9999-not-in-chart' where journal_id = ?",
            [journals[2]],
        )
        con.execute(  # the whole journal in a closed period
            "update marts.journal_lines set posting_period = ? where journal_id = ?",
            [closed, journals[3]],
        )

    failed = {name for name, status in statuses(tampered).items() if status == "fail"}
    assert failed == {
        "expression_is_true_int_journal_balances_imbalance_0_and_functional_imbalance_0",
        "expression_is_true_int_journal_line_sides_sides_used_1",
        "relationships_int_journal_line_sides_account__account__ref_int_gl_accounts_postable_",
        "relationships_int_journal_line_sides_posting_period__fiscal_period__ref_int_fiscal_periods_open_",
    }, failed
