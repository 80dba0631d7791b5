"""The gate on journal lines: two suites, line rules and journal balances, over frames read
from the warehouse. A journal the ERP has no rate path for is held (journals_held) before
journal_lines; should a line without an exchange rate or functional amount reach journal_lines
all the same, it fails the line rules, so no ERP file carries a journal that cannot be
converted. Sums are taken in DuckDB on exact decimals, then checked by Great Expectations; the
chart of accounts and the open periods come from the ERP extract.

A failure names its rows: a line rule the journal id and line number of each offending line, a
balance the journal id, legal entity and currency with the imbalance (debit - credit).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from expectations.validate import SuiteResult, validate_dataframe

LINES_SQL = """
    select
        journal_id, line_number, legal_entity, currency, account, posting_period,
        debit, credit, functional_debit, functional_credit, exchange_rate,
        -- how many sides the line uses: the ERP wants exactly one
        (case when coalesce(debit, 0) + coalesce(functional_debit, 0) <> 0 then 1 else 0 end)
        + (case when coalesce(credit, 0) + coalesce(functional_credit, 0) <> 0 then 1 else 0 end)
            as sides_used
    from {table}
"""

BALANCES_SQL = """
    select
        journal_id, legal_entity, currency,
        sum(coalesce(debit, 0)) as debit_total,
        sum(coalesce(credit, 0)) as credit_total,
        sum(coalesce(functional_debit, 0)) as functional_debit_total,
        sum(coalesce(functional_credit, 0)) as functional_credit_total
    from {table}
    group by journal_id, legal_entity, currency
"""

LINES_SUITE, BALANCES_SUITE = "journal_lines", "journal_balances"
SUITES = (LINES_SUITE, BALANCES_SUITE)
LINE_IDS = ("journal_id", "line_number")
BALANCE_IDS = ("journal_id", "legal_entity", "currency", "imbalance", "functional_imbalance")

PARAMETERS_SQL = {
    # an account is named by its number, or by its full name when it has none (NetSuite's
    # import matches the Account column by name then)
    "chart_of_accounts": "select distinct coalesce(account_number, account_name) "
    "from {staging}.stg_erp__accounts where not is_inactive",
    "open_periods": "select fiscal_period from {marts}.fiscal_periods where not is_closed",
}


@dataclass(frozen=True)
class GateResult:
    results: list[SuiteResult]

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)

    def describe(self) -> str:
        return "; ".join(r.describe() for r in self.results)


def run_journal_gate(
    warehouse: Path,
    table: str = "marts.journal_lines",
    staging: str = "staging",
    marts: str = "marts",
) -> GateResult:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        lines = con.sql(LINES_SQL.format(table=table)).fetch_arrow_table().to_pandas()
        balances = con.sql(BALANCES_SQL.format(table=table)).fetch_arrow_table().to_pandas()
        parameters = {
            name: [
                row[0] for row in con.execute(sql.format(staging=staging, marts=marts)).fetchall()
            ]
            for name, sql in PARAMETERS_SQL.items()
        }
    # the imbalance as exact text, only to name it in a failure; the check compares the totals
    balances["imbalance"] = [
        _text(d - c) for d, c in zip(balances["debit_total"], balances["credit_total"], strict=True)
    ]
    balances["functional_imbalance"] = [
        _text(d - c)
        for d, c in zip(
            balances["functional_debit_total"], balances["functional_credit_total"], strict=True
        )
    ]
    return GateResult(
        [
            validate_dataframe(LINES_SUITE, lines, parameters, row_ids=LINE_IDS),
            validate_dataframe(BALANCES_SUITE, balances, row_ids=BALANCE_IDS),
        ]
    )


def _text(amount) -> str:
    return f"{Decimal(str(amount)).normalize():f}"
