"""The export plan: originals once, corrections as reversal + corrected journal, summaries."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from exports.journal_plan import (
    Period,
    batch_id,
    fingerprint,
    ledger_state,
    plan_batch,
    posting_for,
    summarize,
)

D = Decimal
# as the warehouse resolves them (int_posting_periods): August is closed, its postings go to
# September, dated its first day
SEP_1 = date(2026, 9, 1)
PERIODS = [
    Period("2026-08", date(2026, 8, 1), date(2026, 8, 31), "2026-09", True, SEP_1, "Aug 2026"),
    Period("2026-09", date(2026, 9, 1), date(2026, 9, 30), "2026-09", False, None, "Sep 2026"),
    Period("2026-10", date(2026, 10, 1), date(2026, 10, 31), "2026-10", False, None, "Oct 2026"),
]


def line(journal_id, number, account, debit="0", credit="0", **over):
    base = {
        "journal_id": journal_id,
        "external_id": journal_id,
        "line_number": number,
        "journal_kind": "original",
        "reverses_external_id": None,
        "source_type": "invoice",
        "legal_entity": "UK01",
        "posting_period": "2026-09",
        "posting_date": date(2026, 9, 15),
        "original_date": date(2026, 9, 15),
        "account": account,
        "department": None,
        "class": None,
        "location": None,
        "memo": f"line {number}",
        "name": "Acme Labs",
        "currency": "GBP",
        "minor_units": 2,
        "exchange_rate": D("1"),
        "debit": D(debit),
        "credit": D(credit),
        "functional_currency": "GBP",
        "functional_minor_units": 2,
        "functional_debit": D(debit),
        "functional_credit": D(credit),
        "source_system": "billing",
        "source_id": journal_id,
        "source_line_id": None,
        "business_transaction_id": None,
        "batch_id": "b1",
    }
    return {**base, **over}


def invoice(journal_id="U2C-INV-1", amount="120.00", **over):
    revenue = D(amount) - D(amount) / 6
    tax = D(amount) - revenue
    return [
        line(journal_id, 1, "1200", debit=amount, **over),
        line(journal_id, 2, "4100", credit=str(revenue), **over),
        line(journal_id, 3, "2200", credit=str(tax), **over),
    ]


def sent_ledger(batches: list[list[dict]]) -> list[dict]:
    return [{**row, "export_sequence": n} for n, rows in enumerate(batches, 1) for row in rows]


def journals_of(lines):
    grouped = defaultdict(list)
    for row in lines:
        grouped[row["external_id"]].append(row)
    return grouped


def test_new_journals_go_out_once_under_their_own_id():
    first = plan_batch(invoice(), {}, PERIODS)
    assert {row["external_id"] for row in first} == {"U2C-INV-1"}
    assert {row["journal_kind"] for row in first} == {"original"}
    state = ledger_state(sent_ledger([first]))
    assert plan_batch(invoice(), state, PERIODS) == []


def test_a_changed_journal_is_reversed_and_corrected_never_rewritten():
    first = plan_batch(invoice(), {}, PERIODS)
    second = plan_batch(invoice(amount="240.00"), ledger_state(sent_ledger([first])), PERIODS)
    journals = journals_of(second)
    assert set(journals) == {"U2C-INV-1-REV", "U2C-INV-1-V2"}
    reversal = journals["U2C-INV-1-REV"]
    assert {row["reverses_external_id"] for row in reversal} == {"U2C-INV-1"}
    assert {row["journal_kind"] for row in reversal} == {"reversal"}
    # exactly what was sent, sides swapped: the ERP nets the original to zero
    assert [(r["account"], r["debit"], r["credit"]) for r in reversal] == [
        (r["account"], r["credit"], r["debit"]) for r in first
    ]
    assert sum(r["debit"] for r in reversal) == sum(r["credit"] for r in reversal) == D("120.00")
    corrected = journals["U2C-INV-1-V2"]
    assert corrected[0]["debit"] == D("240.00")
    assert {row["journal_kind"] for row in corrected} == {"correction"}
    # a second change reverses the second version, not the first
    third = plan_batch(invoice(amount="60.00"), ledger_state(sent_ledger([first, second])), PERIODS)
    assert set(journals_of(third)) == {"U2C-INV-1-V2-REV", "U2C-INV-1-V3"}


def test_cosmetic_changes_and_a_period_close_are_not_corrections():
    first = plan_batch(invoice(), {}, PERIODS)
    state = ledger_state(sent_ledger([first]))
    renamed = [
        {**r, "memo": "new memo", "name": "Acme Labs Ltd", "batch_id": "b9"} for r in invoice()
    ]
    assert plan_batch(renamed, state, PERIODS) == []
    moved = [
        {
            **r,
            "posting_period": "2026-10",
            "posting_date": date(2026, 10, 1),
            "exchange_rate": D("1.1"),
            "functional_debit": r["functional_debit"] * D("1.1"),
            "functional_credit": r["functional_credit"] * D("1.1"),
        }
        for r in invoice()
    ]
    assert plan_batch(moved, state, PERIODS) == []


def test_a_vanished_journal_is_reversed_and_may_come_back_as_a_new_version():
    first = plan_batch(invoice(), {}, PERIODS)
    second = plan_batch([], ledger_state(sent_ledger([first])), PERIODS)
    assert set(journals_of(second)) == {"U2C-INV-1-REV"}
    state = ledger_state(sent_ledger([first, second]))
    assert plan_batch([], state, PERIODS) == []
    third = plan_batch(invoice(), state, PERIODS)
    assert set(journals_of(third)) == {"U2C-INV-1-V2"}
    assert {r["reverses_external_id"] for r in third} == {"U2C-INV-1"}


def test_a_reversal_of_a_closed_period_posts_in_the_first_open_one():
    august = invoice(posting_period="2026-08", posting_date=date(2026, 8, 20))
    first = plan_batch(august, {}, PERIODS)
    second = plan_batch([], ledger_state(sent_ledger([first])), PERIODS)
    assert {(r["posting_period"], r["posting_date"]) for r in second} == {
        ("2026-09", date(2026, 9, 1))
    }
    assert posting_for(date(2026, 10, 5), PERIODS) == ("2026-10", date(2026, 10, 5))
    with pytest.raises(ValueError, match="no fiscal period"):
        posting_for(date(2027, 1, 1), PERIODS)


def test_a_reversal_takes_the_posting_the_warehouse_resolved_not_its_own_rule():
    # The posting period rule lives in the warehouse (int_posting_periods); the plan reads where
    # and when a period's postings go. Here the warehouse moves July's postings to October on
    # the 3rd, not to the next open period's first day: the reversal follows the warehouse.
    july = Period(
        "2026-07", date(2026, 7, 1), date(2026, 7, 31), "2026-10", True, date(2026, 10, 3), "Jul"
    )
    periods = [july, *PERIODS]
    sent = plan_batch(invoice(posting_period="2026-07", posting_date=date(2026, 7, 20)), {}, [])
    reversal = plan_batch([], ledger_state(sent_ledger([sent])), periods)
    assert {(r["posting_period"], r["posting_date"]) for r in reversal} == {
        ("2026-10", date(2026, 10, 3))
    }
    # a closed period the warehouse found no open period after: a clear error, no guess
    stuck = Period("2026-12", date(2026, 12, 1), date(2026, 12, 31), None, True, None, "Dec")
    with pytest.raises(ValueError, match="no open fiscal period"):
        posting_for(date(2026, 12, 5), [stuck])


def test_fingerprint_ignores_line_order_but_not_accounts():
    lines = invoice()
    assert fingerprint(lines) == fingerprint(list(reversed(lines)))
    remapped = [{**r, "account": "4990"} if r["account"] == "4100" else r for r in lines]
    assert fingerprint(remapped) != fingerprint(lines)


def test_batch_id_is_a_content_address():
    lines = plan_batch(invoice() + invoice("U2C-INV-2", "60.00"), {}, PERIODS)
    fields = ["external_id", "line_number", "debit", "credit"]
    assert batch_id(lines, fields) == batch_id([dict(r) for r in lines], fields)
    changed = [{**lines[0], "debit": D("1")}, *lines[1:]]
    assert batch_id(changed, fields) != batch_id(lines, fields)
    assert batch_id(lines, fields).startswith("jb-")


def test_summary_balances_and_every_detail_line_drills_down_to_one_summary_line():
    detail = plan_batch(
        invoice()
        + invoice("U2C-INV-2", "60.00")
        + invoice("U2C-INV-3", "30.00", currency="USD", exchange_rate=D("0.8")),
        {},
        PERIODS,
    )
    summary, drilldown = summarize(detail, "jb-0123456789abcdef")
    journals = journals_of(summary)
    assert len(journals) == 2  # GBP and USD on the same day
    for rows in journals.values():
        assert sum(r["debit"] for r in rows) == sum(r["credit"] for r in rows)
        assert sum(r["functional_debit"] for r in rows) == sum(r["functional_credit"] for r in rows)
    gbp = journals["U2C-SUM-UK01-20260915-GBP-01234567"]
    assert [(r["account"], r["debit"], r["credit"]) for r in gbp] == [
        ("1200", D("180.00"), D(0)),
        ("2200", D(0), D("30.00")),
        ("4100", D(0), D("150.00")),
    ]
    assert len(drilldown) == len(detail)
    targets = {(d["erp_external_id"], d["erp_line_number"]) for d in drilldown}
    assert targets == {(r["external_id"], r["line_number"]) for r in summary}
