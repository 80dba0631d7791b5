"""The journal gate: balanced, one side per line, chart accounts, open periods.

The gate reads dbt views (int_journal_line_sides, int_journal_balances, int_gl_accounts_postable,
int_fiscal_periods_open); the tests create them from the models' SQL as dbt compiles it, over
journal lines, accounts and periods of the test's choosing.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import duckdb
import pytest

from expectations.journal_gate import (
    BALANCES_MODEL,
    LINES_MODEL,
    PARAMETER_MODELS,
    run_journal_gate,
)
from tests.reliability.dbt_sql import compile_models

GOOD = [
    # journal, line, entity, currency, account, period, debit, credit, f_debit, f_credit
    ("U2C-INV-in_1", 1, "US01", "USD", "1200", "2026-09", "110.00", "0", "110.00", "0"),
    ("U2C-INV-in_1", 2, "US01", "USD", "4100", "2026-09", "0", "100.00", "0", "100.00"),
    ("U2C-INV-in_1", 3, "US01", "USD", "2200", "2026-09", "0", "10.00", "0", "10.00"),
]


GATE_MODELS = (LINES_MODEL, BALANCES_MODEL, *PARAMETER_MODELS.values())


@functools.cache
def gate_views() -> dict[str, str]:
    """The compiled SQL of the models the gate reads (dbt compile, once per test session)."""
    with tempfile.TemporaryDirectory(prefix="u2c-gate-views-") as data_dir:
        return compile_models(list(GATE_MODELS), Path(data_dir))


def warehouse(tmp_path: Path, lines: list[tuple]) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema staging")
        con.execute(
            "create table marts.journal_lines (journal_id varchar, line_number integer, "
            "legal_entity varchar, currency varchar, account varchar, posting_period varchar, "
            "debit decimal(38, 9), credit decimal(38, 9), functional_debit decimal(38, 9), "
            "functional_credit decimal(38, 9), exchange_rate decimal(38, 12) default 1)"
        )
        con.executemany(
            "insert into marts.journal_lines (journal_id, line_number, legal_entity, currency, "
            "account, posting_period, debit, credit, functional_debit, functional_credit) "
            "values (?,?,?,?,?,?,?,?,?,?)",
            lines,
        )
        con.execute(
            "create table staging.stg_erp__accounts as select * from (values "
            "('1200', 'AR', false), ('4100', 'Usage', false), ('2200', 'Tax', false), "
            "('7990', 'Rounding', false), (null, 'Revenue : Services', false), "
            "(null, 'Old revenue', true)) as t(account_number, account_name, is_inactive)"
        )
        con.execute(
            "create table marts.fiscal_periods as select * from (values "
            "('2026-08', true), ('2026-09', false)) as t(fiscal_period, is_closed)"
        )
        con.execute("create schema intermediate")
        for model in GATE_MODELS:  # each read its inputs as "warehouse"."<schema>"."<table>"
            con.execute(f"create view intermediate.{model} as {gate_views()[model]}")
    return path


def failures(result) -> set[str]:
    return {f.expectation + ":" + (f.column or "") for r in result.results for f in r.failed}


def test_balanced_journal_passes(tmp_path: Path):
    result = run_journal_gate(warehouse(tmp_path, GOOD))
    assert result.success, result.describe()


def test_unbalanced_journal_fails_and_names_it(tmp_path: Path):
    lines = [
        *GOOD[:2],
        ("U2C-INV-in_1", 3, "US01", "USD", "2200", "2026-09", "0", "9.99", "0", "10.00"),
    ]
    result = run_journal_gate(warehouse(tmp_path, lines))
    assert not result.success
    assert failures(result) == {"expect_column_pair_values_to_be_equal:debit_total,credit_total"}
    # the run's failure says which suite and expectation failed, and on which journal
    described = result.describe()
    assert "journal_balances: 1 of 2 expectations failed" in described
    assert (
        "expect_column_pair_values_to_be_equal on columns debit_total,credit_total: "
        "1 unexpected rows: [journal_id=U2C-INV-in_1, legal_entity=US01, currency=USD, "
        "imbalance=0.01, functional_imbalance=0]"
    ) in described
    [failed] = [f for r in result.results for f in r.failed]
    assert failed.rows == [
        {
            "journal_id": "U2C-INV-in_1",
            "legal_entity": "US01",
            "currency": "USD",
            "imbalance": "0.01",
            "functional_imbalance": "0",
        }
    ]


def test_functional_imbalance_names_the_journal(tmp_path: Path):
    lines = [
        *GOOD[:2],
        ("U2C-INV-in_1", 3, "US01", "USD", "2200", "2026-09", "0", "10.00", "0", "10.05"),
        *[("U2C-INV-in_2", n, *rest) for _, n, *rest in GOOD],
    ]
    result = run_journal_gate(warehouse(tmp_path, lines))
    [failed] = [f for r in result.results for f in r.failed]
    assert failed.column == "functional_debit_total,functional_credit_total"
    assert [r["journal_id"] for r in failed.rows] == ["U2C-INV-in_1"]
    assert failed.rows[0]["functional_imbalance"] == "-0.05"
    assert "U2C-INV-in_2" not in result.describe()


def test_many_unbalanced_journals_are_named_up_to_a_limit(tmp_path: Path):
    lines = [
        (f"U2C-J{n:02d}", 1, "US01", "USD", "1200", "2026-09", "1.00", "0", "1.00", "0")
        for n in range(8)
    ]
    described = run_journal_gate(warehouse(tmp_path, lines)).describe()
    named = [f"U2C-J{n:02d}" for n in range(8) if f"journal_id=U2C-J{n:02d}," in described]
    assert len(named) == 5
    assert "and 3 more" in described


@pytest.mark.parametrize(
    ("line", "failed"),
    [
        (
            ("U2C-X", 1, "US01", "USD", "9999", "2026-09", "5", "0", "5", "0"),
            "expect_column_values_to_be_in_set:account",
        ),
        (
            ("U2C-X", 1, "US01", "USD", "1200", "2026-08", "5", "0", "5", "0"),
            "expect_column_values_to_be_in_set:posting_period",
        ),
        (
            ("U2C-X", 1, "US01", "USD", "1200", "2026-09", "5", "5", "5", "5"),
            "expect_column_values_to_be_in_set:sides_used",
        ),
        (
            ("U2C-X", 1, "US01", "USD", "1200", "2026-09", "-5", "0", "0", "0"),
            "expect_column_values_to_be_between:debit",
        ),
    ],
    ids=["account_not_in_chart", "closed_period", "both_sides", "negative_debit"],
)
def test_line_rules_fail_by_name(tmp_path: Path, line: tuple, failed: str):
    # the offending line is paired with its balancing counterpart, so only the line rule fails
    journal, number, entity, currency, _, _, debit, credit, fdebit, fcredit = line
    counter = (
        journal,
        number + 1,
        entity,
        currency,
        "7990",
        "2026-09",
        credit,
        debit,
        fcredit,
        fdebit,
    )
    result = run_journal_gate(warehouse(tmp_path, [*GOOD, line, counter]))
    assert not result.success
    assert failed in failures(result)
    # the offending line by journal id and line number (its counterpart may break a rule too)
    expectation, column = failed.split(":")
    [rule] = [
        f
        for r in result.results
        for f in r.failed
        if f.expectation == expectation and f.column == column
    ]
    assert ("U2C-X", 1) in [(r["journal_id"], r["line_number"]) for r in rule.rows]
    assert "U2C-INV-in_1" not in [r["journal_id"] for r in rule.rows]
    assert f"[journal_id=U2C-X, line_number=1, {column}=" in result.describe()


def test_an_account_without_a_number_is_in_the_chart_by_its_full_name(tmp_path: Path):
    """Accounts are identified by internal id, the number is optional: the chart vars and the
    NetSuite import name such an account by its full name; a number it does not have, or an
    inactive account's name, is still outside the chart."""
    named = [*GOOD[:1], ("U2C-INV-in_1", 2, "US01", "USD", "Revenue : Services", "2026-09",
                         "0", "100.00", "0", "100.00"), GOOD[2]]  # fmt: skip
    assert run_journal_gate(warehouse(tmp_path / "ok", named)).success
    for account in ("Old revenue", "4000"):
        line = (*named[1][:4], account, *named[1][5:])
        lines = [named[0], line, named[2]]
        result = run_journal_gate(warehouse(tmp_path / account.replace(" ", "_"), lines))
        assert failures(result) == {"expect_column_values_to_be_in_set:account"}, account


def test_a_journal_without_a_rate_path_is_blocked_and_named(tmp_path: Path):
    """A journal the ERP has no rate path for is held before journal_lines; one that reached it
    anyway (no exchange rate, functional amounts 0: balanced) fails the gate on each line."""
    lines = [
        *GOOD,
        ("U2C-INV-in_jpy", 1, "NL01", "JPY", "1200", "2026-09", "5000", "0", "0", "0"),
        ("U2C-INV-in_jpy", 2, "NL01", "JPY", "4100", "2026-09", "0", "5000", "0", "0"),
    ]
    path = warehouse(tmp_path, lines)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "update marts.journal_lines set exchange_rate = null "
            "where journal_id = 'U2C-INV-in_jpy'"
        )
    result = run_journal_gate(path)
    assert not result.success
    assert failures(result) == {"expect_column_values_to_not_be_null:exchange_rate"}
    [failed] = [f for r in result.results for f in r.failed]
    assert failed.rows == [
        {"journal_id": "U2C-INV-in_jpy", "line_number": 1, "exchange_rate": None},
        {"journal_id": "U2C-INV-in_jpy", "line_number": 2, "exchange_rate": None},
    ]
