"""Shadow rating and revenue schedules on generated worlds, asserted against the billing platform.

Each world (the --clean one and the default one with injected discrepancies) is generated,
landed and built once per session (tests/integration/conftest.py). On the clean world every
expected invoice line equals the billed line to the minor unit and every billed line is
expected; on the default world the only differing lines are the answer key's billing
discrepancies; on both, every revenue schedule sums exactly to its line and the deferred
revenue waterfall closes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

BILLING_DISCREPANCIES = ("unbilled_usage", "overbilled", "price_mismatch", "missing_invoice")
DIFFERING = (
    "quantity_differs",
    "amount_differs",
    "currency_differs",
    "not_billed",
    "invoice_missing",
)


def query(world: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(world / "warehouse.duckdb"), read_only=True) as con:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def billed_lines(world: Path) -> list[dict]:
    return query(
        world,
        "select l.invoice_line_id, l.amount from marts.invoice_lines as l "
        "inner join marts.invoices as i using (invoice_id) "
        "where i.finalized_at is not null and i.invoice_status <> 'void'",
    )


def test_clean_world_every_expected_line_is_billed_to_the_minor_unit(clean_world: Path):
    expected = query(
        clean_world,
        "select * from marts.expected_invoice_lines where is_invoiced_cycle",
    )
    assert expected
    kinds = {row["line_kind"] for row in expected}
    assert {"platform_fee", "proration", "usage"} <= kinds
    for row in expected:
        assert row["invoice_line_id"] is not None, row
        assert row["billed_amount"] == row["expected_amount"], row
        assert row["billed_quantity"] == row["quantity"], row
        assert row["amount_difference"] == 0 and row["is_match"], row


def test_clean_world_every_billed_line_is_expected(clean_world: Path):
    comparison = query(clean_world, "select * from marts.invoice_line_comparison")
    assert not [
        r for r in comparison if r["comparison_status"] not in ("matched", "not_yet_invoiced")
    ]
    matched = {r["invoice_line_id"] for r in comparison if r["is_match"]}
    billed = billed_lines(clean_world)
    assert billed and {r["invoice_line_id"] for r in billed} == matched


def test_default_world_differs_only_on_the_answer_keys_billing_discrepancies(default_world: Path):
    key = json.loads((default_world / "answer_key.json").read_text())
    discrepancies = [
        e for e in key if e["status"] in BILLING_DISCREPANCIES and e["mart"] == "rec_usage_billing"
    ]
    assert {e["status"] for e in discrepancies} == set(BILLING_DISCREPANCIES)
    by_line = {
        (e["key"]["subscription_id"], e["key"]["metric"], e["key"]["billing_period"]): e["status"]
        for e in discrepancies
    }
    missing = {(s, p) for (s, _, p), status in by_line.items() if status == "missing_invoice"}

    comparison = query(default_world, "select * from marts.invoice_line_comparison")
    differing = [
        r for r in comparison if r["comparison_status"] not in ("matched", "not_yet_invoiced")
    ]
    for row in differing:
        line = (row["subscription_id"], row["metric"], row["billing_period"])
        period = (row["subscription_id"], row["billing_period"])
        assert line in by_line or period in missing, row

    # ...and every discrepancy shows, as what it is
    status_of = {(r["subscription_id"], r["metric"], r["billing_period"]): r for r in differing}
    for line, status in by_line.items():
        row = status_of.get(line)
        assert row is not None, (line, status)
        if status == "missing_invoice":
            assert row["comparison_status"] == "invoice_missing", row
        elif status == "price_mismatch":
            assert row["comparison_status"] == "amount_differs", row
            assert row["billed_quantity"] == row["expected_quantity"], row
        elif status == "unbilled_usage":
            assert row["comparison_status"] == "quantity_differs", row
            assert row["billed_quantity"] < row["expected_quantity"], row
        else:  # overbilled
            assert row["comparison_status"] == "quantity_differs", row
            assert row["billed_quantity"] > row["expected_quantity"], row
    # a missing invoice misses its platform fee line too, nothing else differs
    assert all(r["comparison_status"] in DIFFERING for r in differing)
    assert not [r for r in comparison if r["comparison_status"] == "not_expected"]


def test_late_usage_is_rated_as_billed_on_time(default_world: Path):
    key = json.loads((default_world / "answer_key.json").read_text())
    late = {
        (e["key"]["subscription_id"], e["key"]["metric"], e["key"]["billing_period"])
        for e in key
        if e["status"] == "late_usage"
    }
    assert late
    rated = {
        (r["subscription_id"], r["metric"], r["billing_period"]): r
        for r in query(default_world, "select * from marts.rated_usage")
    }
    lines = {
        (r["subscription_id"], r["metric"], r["billing_period"]): r
        for r in query(default_world, "select * from marts.expected_invoice_lines")
    }
    for line in late:
        assert rated[line]["quantity_basis"] == "on_time_usage"
        assert rated[line]["rated_quantity"] < rated[line]["commercial_quantity"]
        assert lines[line]["is_match"], lines[line]


@pytest.mark.parametrize("world_name", ["clean_world", "default_world"])
def test_every_revenue_schedule_sums_exactly_to_its_line(world_name: str, request):
    world: Path = request.getfixturevalue(world_name)
    schedule: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in query(
        world,
        "select source_type, source_line_id, amount from marts.revenue_schedule",
    ):
        schedule[(row["source_type"], row["source_line_id"])] += row["amount"]
    billed = billed_lines(world)
    assert billed
    for line in billed:
        assert schedule.pop(("invoice_line", line["invoice_line_id"])) == line["amount"], line
    credits = query(
        world,
        "select l.credit_note_line_id, l.amount_minor, c.stripe_minor_units "
        "from staging.stg_billing__credit_note_lines as l "
        "inner join marts.credit_notes as n using (credit_note_id) "
        "inner join main.currencies as c on n.currency = c.currency "
        "where n.credit_note_status = 'issued'",
    )
    for credit in credits:
        amount = -Decimal(credit["amount_minor"]).scaleb(-credit["stripe_minor_units"])
        assert schedule.pop(("credit_note_line", credit["credit_note_line_id"])) == amount, credit
    # a fee accrued at a period end and not invoiced yet is scheduled from its accrual line
    accrued = query(
        world,
        "select accrual_line_id, amount from intermediate.int_revenue_accruals "
        "where invoice_id is null and line_kind in ('platform_fee', 'proration')",
    )
    for line in accrued:
        assert schedule.pop(("accrued_line", line["accrual_line_id"])) == line["amount"], line
    assert not schedule  # no schedule without a line


@pytest.mark.parametrize("world_name", ["clean_world", "default_world"])
def test_deferred_revenue_waterfall_closes(world_name: str, request):
    world: Path = request.getfixturevalue(world_name)
    rows = query(
        world,
        "select * from marts.deferred_revenue order by legal_entity, currency, fiscal_period",
    )
    assert rows
    previous: dict[tuple, Decimal] = {}
    for row in rows:
        pair = (row["legal_entity"], row["currency"])
        assert row["opening_balance"] == previous.get(pair, Decimal(0)), row
        assert row["closing_balance"] == (
            row["opening_balance"]
            + row["billed"]
            + row["accrued"]
            - row["accrual_reversed"]
            - row["recognized"]
        )
        previous[pair] = row["closing_balance"]
    billed = sum(r["billed"] + r["accrued"] - r["accrual_reversed"] for r in rows)
    recognized = sum(r["recognized"] for r in rows)
    deferred = query(
        world,
        "select coalesce(sum(amount), 0) as total from marts.revenue_schedule where is_deferred",
    )[0]["total"]
    assert recognized == deferred
    assert sum(previous.values()) == billed - recognized
    # every service period that ended is recognized in full by its period's end: deferred revenue
    # closes at 0 in every period (monthly fees billed in arrears, accrued until invoiced)
    assert all(r["closing_balance"] == 0 for r in rows), [r for r in rows if r["closing_balance"]]
