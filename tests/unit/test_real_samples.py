"""Conformance corpus: small samples of each system's real shapes (tests/fixtures/real/, sources
in its README) land as an inbox; every row is landed or quarantined with its exact reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sources.landing import land_inbox
from sources.registry import CONTRACTS

REAL = Path(__file__).parent.parent / "fixtures" / "real"

LANDED, DELETED = "landed", "landed as deleted"

# file -> {line number: outcome}; a CSV's line 1 is its header. Every line of every file is here.
EXPECTED: dict[str, dict[int, str]] = {
    "billing/balance_transactions.jsonl": {1: LANDED, 2: LANDED, 3: LANDED},
    "billing/balance_transactions_payouts.jsonl": {1: LANDED, 2: LANDED, 3: LANDED},
    "billing/charges.jsonl": {1: LANDED, 2: LANDED},
    "billing/credit_notes.jsonl": {1: LANDED, 2: LANDED},
    "billing/credit_notes_earlier_invoice.jsonl": {1: LANDED},
    "billing/credit_notes_two_refunds.jsonl": {1: LANDED},
    "billing/customers.jsonl": {1: LANDED, 2: LANDED},
    "billing/invoice_payments.jsonl": {1: LANDED, 2: LANDED, 3: LANDED},
    "billing/invoices_2025-03-31.jsonl": {1: LANDED, 2: LANDED},
    "billing/invoices_customer_balance.jsonl": {1: LANDED},
    "billing/invoices_pre_2025.jsonl": {1: LANDED},
    "billing/prices.jsonl": {1: LANDED, 2: LANDED},
    "billing/prices_unexpanded.jsonl": {1: LANDED},
    "billing/refunds.jsonl": {1: LANDED, 2: LANDED},
    "billing/subscriptions.jsonl": {1: LANDED},
    # line 9: account.subsidiary as a multi-select ("1, 2"): lands as a list
    "erp/account.csv": dict.fromkeys(range(2, 10), LANDED),
    "erp/accountingperiod.csv": {2: LANDED, 3: LANDED, 4: LANDED, 5: LANDED, 6: DELETED},
    "erp/consolidatedexchangerate.csv": {2: LANDED, 3: LANDED},
    "erp/currency.csv": {2: LANDED, 3: LANDED, 4: LANDED},
    "erp/customer.csv": {2: LANDED, 3: LANDED, 4: LANDED},
    # cp1252: a byte in `comments` (not read) lands, one in `companyname` names the column
    "erp/customer_cp1252.csv": {2: LANDED, 3: "invalid_utf8"},
    "erp/customersubsidiaryrelationship.csv": {**dict.fromkeys(range(2, 6), LANDED), 6: DELETED},
    "erp/subsidiary.csv": {2: LANDED, 3: LANDED},
    "erp/subsidiary_history.csv": dict.fromkeys(range(2, 6), LANDED),
    "erp/transaction.csv": {**dict.fromkeys(range(2, 11), LANDED), 9: DELETED},
    "erp/transaction_deleted.csv": {2: DELETED},
    "erp/transactionaccountingline.csv": {**dict.fromkeys(range(2, 7), LANDED), 7: DELETED},
    "erp/transactionline.csv": {**dict.fromkeys(range(2, 7), LANDED), 7: DELETED},
}


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    root = tmp_path_factory.mktemp("real")
    for system in ("billing", "erp"):
        shutil.copytree(REAL / system, root / "inbox" / system)
    results = land_inbox(root / "inbox", root / "lake", CONTRACTS)
    return root / "lake", results


def _rows(lake: Path, area: str) -> list[dict]:
    files = [p for p in (lake / area).rglob("*.parquet") if not p.name.startswith("_")]
    return [row for p in files for row in pq.read_table(p).to_pylist()]


def test_every_sample_file_is_in_the_corpus_and_cited():
    files = {f"{p.parent.name}/{p.name}" for p in REAL.glob("*/*") if p.is_file()}
    assert files == set(EXPECTED)
    readme = (REAL / "README.md").read_text()
    for name in files:
        assert f"`{name}`" in readme, f"{name} has no source in README.md"


def test_each_row_lands_or_has_its_exact_reason(landed):
    lake, results = landed
    outcome: dict[str, dict[int, str]] = {name: {} for name in EXPECTED}
    by_file = {f"{r.system}/{r.file_name}": r for r in results}
    for row in _rows(lake, "quarantine"):
        outcome[f"{row['system']}/{row['file_name']}"][row["line_number"]] = row["reason_code"]
    for row in _rows(lake, "raw"):
        if "line_index" in row:  # child rows (invoice lines, ...) follow their parent's line
            continue
        name = next(n for n in EXPECTED if n.split("/")[1] == row["file_name"])
        outcome[name][row["line_number"]] = DELETED if row.get("is_deleted") else LANDED
    assert outcome == EXPECTED
    for name, lines in EXPECTED.items():
        result = by_file[name]
        bad = sum(1 for o in lines.values() if o not in (LANDED, DELETED))
        assert (result.rows_read, result.rows_quarantined) == (len(lines), bad), name


def test_expanded_references_and_deprecated_nulls_land_as_ids(landed):
    lake, _ = landed
    invoices = {r["id"]: r for r in _rows(lake, "raw/billing/invoices")}
    assert {i: (r["layout"], r["customer"]) for i, r in invoices.items()} == {
        "in_1RxA01ExmpL3000001": ("2025_03_31", "cus_RxA01ExmpL3Acme"),
        "in_1RxA01ExmpL3000002": ("2025_03_31", "cus_RxA01ExmpL3Beta"),
        "in_1RxA01ExmpL3000003": ("2025_03_31", "cus_RxA01ExmpL3Acme"),
        "in_1QxB01ExmpL3000001": ("pre_2025", "cus_RxA01ExmpL3Acme"),
    }
    refunds = {r["id"]: r["charge"] for r in _rows(lake, "raw/billing/refunds")}
    assert refunds["re_1RxA01ExmpL3000002"] == "ch_3RxA01ExmpL3000002"
    sources = {r["id"]: r["source"] for r in _rows(lake, "raw/billing/balance_transactions")}
    assert sources["txn_3RxA01ExmpL3000002"] == "ch_3RxA01ExmpL3000002"


def test_netsuite2_dates_flags_and_types_land_as_written(landed):
    lake, _ = landed
    periods = {r["id"]: r for r in _rows(lake, "raw/erp/accountingperiod")}
    assert (str(periods[280]["startdate"]), str(periods[280]["enddate"])) == (
        "2026-03-01",
        "2026-03-31",
    )
    assert periods[280]["startdate_time"] is None and periods[280]["closed"] is True
    transactions = {r["id"]: r for r in _rows(lake, "raw/erp/transaction") if not r["is_deleted"]}
    assert sorted({r["type"] for r in transactions.values()}) == [
        "CustCred", "CustInvc", "CustPymt", "Deposit", "Journal", "SalesOrd", "VendBill",
    ]  # fmt: skip
    # a date-only column with a time keeps the time beside the date, not guessed away
    assert (str(transactions[6008]["trandate"]), transactions[6008]["trandate_time"]) == (
        "2026-04-12",
        "17:45:00",
    )
    assert str(transactions[5914]["createddate"]) == "2026-03-07 10:34:43"
    accounts = {r["id"]: r for r in _rows(lake, "raw/erp/account")}
    assert (accounts[112]["acctnumber"], accounts[112]["fullname"]) == (None, "Utilities : Power")
    customers = {r["id"]: r["subsidiary"] for r in _rows(lake, "raw/erp/customer")}
    assert customers == {1409: None, 1440: None, 1388: None, 1501: None}


def test_api_2025_links_balances_and_refunds_land_from_the_real_shapes(landed):
    lake, _ = landed
    payments = {r["id"]: r for r in _rows(lake, "raw/billing/invoice_payments")}
    assert {i: (r["invoice"], r["payment_intent"], r["status"]) for i, r in payments.items()} == {
        "inpay_1RxA01ExmpL3000001": ("in_1RxA01ExmpL3000001", "pi_3RxA01ExmpL3000001", "paid"),
        "inpay_1RxA01ExmpL3000002": ("in_1RxA01ExmpL3000002", "pi_3RxA01ExmpL3000002", "paid"),
        "inpay_1RxA01ExmpL3000003": ("in_1RxA01ExmpL3000003", "pi_3RxA01ExmpL3000003", "open"),
    }
    refunds = sorted(
        (r["credit_note"], r["refund"], r["amount_refunded"])
        for r in _rows(lake, "raw/billing/credit_note_refunds")
    )
    assert refunds == [
        ("cn_1RxA01ExmpL3000001", "re_1RxA01ExmpL3000001", 12500),
        ("cn_1RxA01ExmpL3000003", "re_1RxA01ExmpL3000004", 7500),
        ("cn_1RxA01ExmpL3000003", "re_1RxA01ExmpL3000005", 5000),
    ]
    invoices = {r["id"]: r for r in _rows(lake, "raw/billing/invoices")}
    balance = invoices["in_1RxA01ExmpL3000003"]
    assert (balance["total"], balance["amount_due"], balance["starting_balance"]) == (
        50000,
        7500,
        -30000,
    )
    sources = {
        r["id"]: (r["type"], r["source"]) for r in _rows(lake, "raw/billing/balance_transactions")
    }
    assert sources["txn_1RxA01ExmpL3PO0001"] == ("payout", "po_1RxA01ExmpL3000001")
    assert sources["txn_1RxA01ExmpL3DP0001"] == ("adjustment", "dp_1RxA01ExmpL3000001")
    assert sources["txn_1RxA01ExmpL3SF0001"] == ("stripe_fee", None)
    prices = [(r["id"], r["tiers_included"]) for r in _rows(lake, "raw/billing/prices")]
    assert ("price_1RxA01ExmpL3ApiTier", False) in prices


def test_netsuite2_multi_select_and_history_versions_land_with_their_markers(landed):
    lake, _ = landed
    accounts = {r["id"]: r for r in _rows(lake, "raw/erp/account")}
    assert (accounts[116]["subsidiary"], accounts[116]["subsidiary_ids"]) == (None, [1, 2])
    assert (accounts[110]["subsidiary"], accounts[110]["subsidiary_ids"]) == (1, [1])
    history = sorted(
        (r["line_number"], r["id"], r["name"], r["is_active_version"], str(r["version_start"]))
        for r in _rows(lake, "raw/erp/subsidiary")
        if r["file_name"] == "subsidiary_history.csv"
    )
    assert history == [
        (2, 2, "Example UK", True, "2026-04-20 09:12:40"),
        (3, 2, "Example Britain", False, "2025-06-13 05:39:53"),
        (4, 3, "Example DE", False, "2026-02-01 00:00:00"),
        (5, 3, "Example Germany", False, "2025-06-13 05:39:53"),
    ]
    customers = {r["id"]: r["companyname"] for r in _rows(lake, "raw/erp/customer")}
    assert customers[1501] == "Acme Corp"
