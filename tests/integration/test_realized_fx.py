"""Realized FX end to end on the default world: the invoice billed in USD to a customer of the
Dutch entity (functional EUR), paid a month after it was finalized, at another month's rate. The
pipeline's journal_lines carry the answer key's `U2C-FX-<charge>` journal, line for line, and its
amount is the hand computation: the payment at the invoice period's average rate less at the
payment period's, each rounded half-even to the cent."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import duckdb


def test_a_foreign_currency_invoice_paid_a_month_later_realizes_fx(default_world: Path):
    answers = json.loads((default_world / "answer_key.json").read_text())
    [entry] = [e for e in answers if e["anomaly"] == "realized_fx"]
    expected = entry["expected"]
    cent = Decimal("0.01")
    amount = Decimal(expected["amount"])
    booked = (amount * Decimal(expected["invoice_rate"])).quantize(cent, ROUND_HALF_EVEN)
    relieved = (amount * Decimal(expected["payment_rate"])).quantize(cent, ROUND_HALF_EVEN)
    assert expected["invoice_period"] != expected["posting_period"]
    assert expected["amount_currency"] != expected["currency"]
    realized = booked - relieved
    assert realized != 0
    gain = realized < 0  # the receivable was booked below what the payment relieved
    expected_lines = {
        ("1200", abs(realized) if gain else 0, 0 if gain else abs(realized)),
        ("7900", 0 if gain else abs(realized), abs(realized) if gain else 0),
    }
    assert expected_lines == {
        (x["account"], Decimal(x["debit"]), Decimal(x["credit"])) for x in expected["lines"]
    }
    with duckdb.connect(str(default_world / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select account, functional_debit, functional_credit, debit, credit, currency,"
            " legal_entity, posting_period, status, source_type, source_id, functional_currency"
            " from marts.journal_lines where journal_id = ?",
            [expected["journal_id"]],
        ).fetchall()
        rate = con.execute(
            "select average_rate from intermediate.int_exchange_rates_by_period"
            " where fiscal_period = ? and from_currency = ? and to_currency = ?",
            [expected["invoice_period"], expected["amount_currency"], expected["currency"]],
        ).fetchone()[0]
    assert rate == Decimal(expected["invoice_rate"])  # the ERP's rate, the one the pipeline reads
    assert {(r[0], r[1], r[2]) for r in rows} == expected_lines
    assert {(r[0], r[3], r[4]) for r in rows} == expected_lines  # booked in functional currency
    for row in rows:
        assert row[5] == row[11] == expected["currency"]
        assert (row[6], row[7], row[8]) == (
            expected["legal_entity"],
            expected["posting_period"],
            "ready",
        )
        assert (row[9], row[10]) == ("realized_fx", entry["key"]["source_id"])
