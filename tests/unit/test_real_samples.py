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
    "billing/charges.jsonl": {1: LANDED, 2: LANDED},
    "billing/credit_notes.jsonl": {1: LANDED, 2: LANDED},
    "billing/customers.jsonl": {1: LANDED, 2: LANDED},
    "billing/invoices_2025-03-31.jsonl": {1: LANDED, 2: LANDED},
    "billing/invoices_pre_2025.jsonl": {1: LANDED},
    "billing/prices.jsonl": {1: LANDED, 2: LANDED},
    "billing/refunds.jsonl": {1: LANDED, 2: LANDED},
    "billing/subscriptions.jsonl": {1: LANDED},
    # line 9: account.subsidiary as a multi-select ("1, 2"), issue 24
    "erp/account.csv": {**dict.fromkeys(range(2, 9), LANDED), 9: "wrong_type"},
    "erp/accountingperiod.csv": {2: LANDED, 3: LANDED, 4: LANDED, 5: LANDED, 6: DELETED},
    "erp/consolidatedexchangerate.csv": {2: LANDED, 3: LANDED},
    "erp/currency.csv": {2: LANDED, 3: LANDED, 4: LANDED},
    "erp/customer.csv": {2: LANDED, 3: LANDED, 4: LANDED},
    "erp/customersubsidiaryrelationship.csv": {**dict.fromkeys(range(2, 6), LANDED), 6: DELETED},
    "erp/subsidiary.csv": {2: LANDED, 3: LANDED},
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
    assert customers == {1409: None, 1440: None, 1388: None}
