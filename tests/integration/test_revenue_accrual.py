"""Revenue accrual by service period on generated worlds. The demo world bills monthly in
arrears: September's fee and usage are invoiced on 1 October, so without an accrual September's
revenue would land in October's P&L. August is closed, so its service is caught up in September
with its invoice (nothing to accrue); September is open: its revenue is accrued at its end and
reversed when the invoices post in October."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

INCOME = ("4000", "4100", "4990")


def rows(world: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(world / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def totals(world: Path, sql: str) -> defaultdict[tuple, Decimal]:
    """{(entity, currency, period): amount} of a query returning those four columns."""
    out: defaultdict[tuple, Decimal] = defaultdict(Decimal)
    for entity, currency, period, amount in rows(world, sql):
        out[(entity, currency, period)] += amount
    return out


def test_the_answer_keys_accrual_and_reversal_are_derived_line_for_line(default_world: Path):
    answers = json.loads((default_world / "answer_key.json").read_text())
    entries = {
        e["anomaly"]: e
        for e in answers
        if e["anomaly"] in ("revenue_accrual", "revenue_accrual_reversal")
    }
    assert set(entries) == {"revenue_accrual", "revenue_accrual_reversal"}
    for anomaly, entry in entries.items():
        expected = entry["expected"]
        found = rows(
            default_world,
            "select account, debit - credit, functional_debit - functional_credit, source_type,"
            " source_id, legal_entity, posting_period, posting_date, status"
            " from marts.journal_lines where journal_id = ? order by line_number",
            [expected["journal_id"]],
        )
        assert [(r[0], r[1], r[2]) for r in found] == [
            (x["account"], Decimal(x["amount"]), Decimal(x["functional_amount"]))
            for x in expected["lines"]
        ]
        for r in found:
            assert r[3:] == (
                anomaly,
                entry["key"]["source_id"],
                expected["legal_entity"],
                expected["posting_period"],
                date.fromisoformat(expected["posting_date"]),
                "ready",
            )


def test_an_accrual_holds_the_expected_lines_of_the_ended_uninvoiced_periods(clean_world: Path):
    """Per entity and currency, the accrual debits unbilled receivable (1250) with the expected
    invoice lines of every subscription period that ended in it and whose invoice posts later,
    and credits deferred revenue (2100) with their fees and usage revenue (4100) with the rest;
    the reversal in the invoices' period swaps every line; nothing is accrued for August (closed:
    its invoice posts in the first open period, September, where the accrual would go)."""
    expected = rows(
        clean_world,
        """
        select e.legal_entity, e.currency,
            sum(e.expected_amount),
            sum(e.expected_amount) filter (where e.line_kind in ('platform_fee', 'proration')),
            sum(e.expected_amount) filter (where e.line_kind in ('usage', 'minimum_commitment'))
        from marts.expected_invoice_lines as e
        inner join marts.invoices as i
            on e.subscription_id = i.subscription_id and e.billing_period = i.billing_period
        where e.billing_period = '2026-09' and i.posting_fiscal_period = '2026-10'
        group by all order by all
        """,
    )
    assert expected
    for entity, currency, total, fees, usage in expected:
        accrual = dict(
            rows(
                clean_world,
                "select account, sum(debit - credit) from marts.journal_lines"
                " where journal_id = ? and account <> '7990' group by account",
                [f"U2C-ACCR-{entity}-2026-09-{currency}"],
            )
        )
        assert accrual == {
            k: v
            for k, v in {"1250": total, "2100": -(fees or 0), "4100": -(usage or 0)}.items()
            if v
        }
        reversal = dict(
            rows(
                clean_world,
                "select account, sum(debit - credit) from marts.journal_lines"
                " where journal_id = ? and account <> '7990' group by account",
                [f"U2C-ACCR-REV-{entity}-2026-10-{currency}"],
            )
        )
        assert reversal == {k: -v for k, v in accrual.items()}
    assert not rows(
        clean_world,
        "select journal_id from marts.journal_lines where journal_id like 'U2C-ACCR-%-2026-08-%'",
    )


def test_revenue_lands_in_the_month_the_service_was_used(clean_world: Path):
    """The issue's audit: September's subscription fee and usage revenue are in September's P&L
    (income accounts, transaction currency), not October's. In October, September's invoice
    journals credit exactly what the reversal debits (the clean world bills what it expects), so
    October's income from September's service nets to zero; September's income equals every
    September line billed (the fee per service day, usage) less credit notes posted in it,
    plus what August's invoices catch up (August closed)."""
    income = totals(
        clean_world,
        "select legal_entity, currency, posting_period, sum(credit - debit)"
        " from marts.journal_lines where account in ('4000', '4100', '4990')"
        " and source_type in ('invoice', 'revenue_recognition', 'revenue_accrual',"
        " 'revenue_accrual_reversal') group by all",
    )
    billed = totals(
        clean_world,
        "select l.legal_entity, l.currency, i.billing_period, sum(l.amount)"
        " from marts.invoice_lines as l inner join marts.invoices as i using (invoice_id)"
        " where i.finalized_at is not null and i.invoice_status not in ('draft', 'void')"
        " group by all",
    )
    # the deferred credit notes move the income of the period they are recognized in
    credited = totals(
        clean_world,
        "select legal_entity, currency, recognition_fiscal_period, sum(amount)"
        " from marts.revenue_schedule where source_type = 'credit_note_line' and is_deferred"
        " group by all",
    )
    pairs = {(e, c) for e, c, _ in billed}
    assert pairs
    for entity, currency in pairs:
        september = billed[(entity, currency, "2026-09")] + billed[(entity, currency, "2026-08")]
        assert (
            income[(entity, currency, "2026-09")]
            == september + credited[(entity, currency, "2026-09")]
        ), (entity, currency)
        assert income[(entity, currency, "2026-10")] == credited[(entity, currency, "2026-10")], (
            entity,
            currency,
        )
