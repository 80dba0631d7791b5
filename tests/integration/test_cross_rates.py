"""Cross-rate conversion end to end on the default world: an invoice in a currency the ERP has
no rate for into its legal entity's functional currency (EUR billed by the UK entity, GBP by the
Dutch one in the bigger demo) is converted through USD, each leg at the posting period's
consolidated rate, rounded once at the end. The pipeline's journal carries, account by account,
the functional amounts the answer key computed on its own (demo_world: `Rates.convert`), and
no journal line of the world has a null functional amount."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import duckdb


def test_a_document_without_a_direct_rate_is_converted_through_usd(default_world: Path):
    answers = json.loads((default_world / "answer_key.json").read_text())
    entries = [e for e in answers if e["anomaly"] == "cross_rate_conversion"]
    assert entries, "the default world has no cross-rate document"
    with duckdb.connect(str(default_world / "warehouse.duckdb"), read_only=True) as con:
        for entry in entries:
            expected = entry["expected"]
            rows = con.execute(
                "select account, debit - credit, functional_debit - functional_credit, currency,"
                " functional_currency, conversion_path, status, posting_period, exchange_rate"
                " from marts.journal_lines where journal_id = ?",
                [expected["journal_id"]],
            ).fetchall()
            legs = con.execute(
                "select first_rate, second_rate, via_currency from"
                " intermediate.int_exchange_rates_by_period"
                " where fiscal_period = ? and from_currency = ? and to_currency = ?",
                [expected["posting_period"], expected["currency"], expected["functional_currency"]],
            ).fetchone()
            assert legs is not None and legs[1] is not None and legs[2] == "USD"
            ours: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
            for account, amount, functional, *_ in rows:
                ours[account][0] += amount
                ours[account][1] += functional
            theirs: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
            unit = Decimal("0.01")
            for line in expected["lines"]:
                theirs[line["account"]][0] += Decimal(line["amount"])
                theirs[line["account"]][1] += Decimal(line["functional_amount"])
                if line["account"] != "7990":  # the rounding line is functional only
                    once = Decimal(line["amount"]) * legs[0] * legs[1]
                    assert Decimal(line["functional_amount"]) == once.quantize(
                        unit, ROUND_HALF_EVEN
                    )
            assert dict(ours) == dict(theirs)
            for _, _, _, currency, functional, path, status, period, rate in rows:
                assert (currency, functional) == (
                    expected["currency"],
                    expected["functional_currency"],
                )
                assert (path, status, period) == (
                    "triangulated",
                    "ready",
                    expected["posting_period"],
                )
                assert rate == (legs[0] * legs[1]).quantize(Decimal("1e-12"))


def test_journal_lines_never_carry_a_null_functional_amount(default_world: Path):
    with duckdb.connect(str(default_world / "warehouse.duckdb"), read_only=True) as con:
        nulls, paths = con.execute(
            "select count(*) filter (where functional_debit is null or functional_credit is null),"
            " list(distinct conversion_path order by conversion_path)"
            " from marts.journal_lines"
        ).fetchone()
    assert nulls == 0
    assert paths == ["direct", "identity", "triangulated"]
