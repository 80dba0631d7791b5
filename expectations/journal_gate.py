"""The gate on journal lines: two suites, line rules and journal balances, over frames read
from the warehouse. A journal the ERP has no rate path for is held (journals_held) before
journal_lines; should a line without an exchange rate or functional amount reach journal_lines
all the same, it fails the line rules, so no ERP file carries a journal that cannot be
converted. The rows checked are dbt views over journal_lines (the sides a line uses, the totals
per journal, in exact decimals) and the parameters dbt models too (the ERP chart of accounts, the
open periods): the dbt tests state the same rules on the same views, and nothing here re-derives
them.

A failure names its rows: a line rule the journal id and line number of each offending line, a
balance the journal id, legal entity and currency with the imbalance (debit - credit).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from expectations.validate import SuiteResult, validate_dataframe
from sources.lake_fs import connect_warehouse

LINES_SUITE, BALANCES_SUITE = "journal_lines", "journal_balances"
SUITES = (LINES_SUITE, BALANCES_SUITE)
LINE_IDS = ("journal_id", "line_number")
BALANCE_IDS = ("journal_id", "legal_entity", "currency", "imbalance", "functional_imbalance")

# What each suite reads: dbt models (dbt_project/models/marts/finance/quality and
# models/intermediate/quality) that also carry the dbt tests of the same rules, so a rule's
# definition (sides used, totals, chart, open periods) is written once, in dbt.
LINES_MODEL = "int_journal_line_sides"
BALANCES_MODEL = "int_journal_balances"
PARAMETER_MODELS = {
    "chart_of_accounts": "int_gl_accounts_postable",
    "open_periods": "int_fiscal_periods_open",
}


@dataclass(frozen=True)
class GateResult:
    results: list[SuiteResult]

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)

    def describe(self) -> str:
        return "; ".join(r.describe() for r in self.results)


def run_journal_gate(warehouse: Path, schema: str = "intermediate") -> GateResult:
    with connect_warehouse(warehouse) as con:
        lines, balances = (
            con.sql(f"select * from {schema}.{model}").fetch_arrow_table().to_pandas()
            for model in (LINES_MODEL, BALANCES_MODEL)
        )
        parameters = {
            name: [row[0] for row in con.sql(f"select * from {schema}.{model}").fetchall()]
            for name, model in PARAMETER_MODELS.items()
        }
    # the imbalances as exact text, only to name them in a failure; the check compares the totals
    for column in ("imbalance", "functional_imbalance"):
        balances[column] = [_text(amount) for amount in balances[column]]
    return GateResult(
        [
            validate_dataframe(LINES_SUITE, lines, parameters, row_ids=LINE_IDS),
            validate_dataframe(BALANCES_SUITE, balances, row_ids=BALANCE_IDS),
        ]
    )


def _text(amount) -> str:
    return f"{Decimal(str(amount)).normalize():f}"
