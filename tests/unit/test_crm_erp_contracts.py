"""CRM and ERP (NetSuite2) CSV contracts: valid extracts land typed, files route to the right
table, and a corpus of bad input is quarantined with exact reasons, every row accounted for."""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sources import crm, erp
from sources.landing import (
    LINEAGE_FIELDS,
    BatchResult,
    TableContract,
    land_file,
    land_inbox,
    ledger_path,
)

CONTRACTS = {(c.system, c.table): c for c in [*crm.CONTRACTS, *erp.CONTRACTS]}
MODULES = {m.SPEC.table: m for m in [*crm.MODULES, *erp.MODULES]}
LINEAGE = {f.name for f in LINEAGE_FIELDS}


def contract(table: str) -> TableContract:
    return next(c for (_, t), c in CONTRACTS.items() if t == table)


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def read(lake: Path, area: str) -> list[dict]:
    files = sorted(p for p in (lake / area).rglob("*.parquet") if not p.name.startswith("_"))
    return [row for p in files for row in pq.read_table(p).to_pylist()]


def land(tmp_path: Path, table: str, data: bytes, name: str | None = None) -> BatchResult:
    path = tmp_path / (name or f"{table}.csv")
    path.write_bytes(data)
    result = land_file(path, contract(table), tmp_path / "lake")
    assert result.rows_read == result.rows_landed + result.rows_quarantined
    ledger = read(tmp_path / "lake", "_ledger")
    assert [(r["rows_read"], r["rows_landed"], r["rows_quarantined"]) for r in ledger] == [
        (result.rows_read, result.rows_landed, result.rows_quarantined)
    ]
    return result


# --- valid extracts: two rows per table, in the spec's shapes -------------------------------

SAMPLES: dict[str, list[list[str]]] = {
    "accounts": [
        ["ACC-0001", "Acme Corp", "", "US", "us-east", "US01", "USD", "cus_0001", "101",
         "2026-08-01T09:00:00Z"],
        ["ACC-0002", "Nippon, K.K.", "ACC-0001", "JP", "ap-northeast", "JP01", "JPY", "", "",
         "2026-08-02T18:30:00+09:00"],
    ],
    "contracts": [
        ["CTR-0001", "ACC-0001", "C-2026-001", "active", "2026-08-01", "", "USD", "US01",
         "sub_0001", "2026-07-28T15:30:00Z"],
        ["CTR-0002", "ACC-0002", "C-2026-002", "draft", "2026-10-01", "2027-09-30", "JPY", "JP01",
         "", ""],
    ],
    "contract_amendments": [
        ["AMD-0001", "CTR-0001", "BTX-0001", "1", "new", "2026-08-01", "2026-09-15", "growth",
         "1250.00", "0", "USD", "US01", "us-east", "2026-07-28T15:30:00Z"],
        ["AMD-0002", "CTR-0002", "BTX-0002", "2", "upgrade", "2026-09-15", "", "enterprise",
         "150000", "100000", "JPY", "JP01", "ap-northeast", ""],
    ],
    "contract_price_terms": [
        ["AMD-0001", "api_calls", "graduated", "1", "1000", "0.50", "0", "100", "1000", "up",
         "true", ""],
        ["AMD-0001", "api_calls", "graduated", "2", "", "0.25", "", "", "1000", "up", "FALSE",
         "500000"],
    ],
    "subsidiary": [
        ["1", "Example Inc.", "Example Inc.", "US01", "US", "1", "1", "F", ""],
        ["4", "Example K.K.", "株式会社Example", "JP01", "JP", "4", "1", "F", "1"],
    ],
    "currency": [
        ["1", "US Dollar", "USD", "2", "T", "1"],
        ["4", "Yen", "JPY", "0", "F", "0.006711409396"],
    ],
    "accountingperiod": [
        ["8", "Aug 2026", "2026-08-01", "2026-08-31", "T", "T", "T", "T", "F", "F", "F"],
        ["9", "Sep 2026", "2026-09-01", "2026-09-30", "F", "F", "F", "T", "F", "F", ""],
    ],
    "account": [
        ["12", "1200", "AcctRec", "Accounts receivable", "", "1", "F", "F", ""],
        ["21", "2100", "DeferRevenue", "Deferred revenue", "1", "", "F", "T", "20"],
    ],
    "customer": [
        ["101", "CUST-101 Acme Corp", "Acme Corp", "1", "1", "ACC-0001"],
        ["104", "CUST-104", "", "4", "4", ""],
    ],
    "customersubsidiaryrelationship": [
        ["1", "101", "1", "TRUE"],
        ["2", "101", "4", "F"],
    ],
    "consolidatedexchangerate": [
        ["1", "9", "2", "1", "2", "1", "1.2710", "1.2695", "1.2650", "1"],
        ["2", "9", "4", "1", "4", "1", "0.006711409396", "0.0067", "0.0068", "1"],
    ],
    "transaction": [
        ["5001", "JE-5001", "Journal", "Invoice in_0001", "2026-09-01", "B",
         "2026-09-01 02:05:00", "", "1", "101", "9", "T", "F", "", "", "U2C-INV-in_0001"],
        ["5002", "JE-5002", "Journal", "", "2026-09-02", "B", "2026-09-02 10:00:00",
         "2026-10-02", "1", "101", "9", "T", "T", "5001", "2026-09-02", ""],
    ],
    "transactionline": [
        ["0", "5001", "1", "101", "", "", "", "", "AR", "T", "1250.00", "1250.00", "", "", "F",
         ""],
        ["1", "5001", "1", "101", "3", "4", "5", "77", "usage", "F", "-1250.00", "-1250.00",
         "1250000", "0.001", "F", "Item"],
    ],
    "transactionaccountingline": [
        ["1", "5001", "0", "12", "1250.00", "1250.00", "", "1250.00", "1", "T", "", "1250.00"],
        ["1", "5001", "1", "41", "-1250.00", "", "1250.00", "-1250.00", "1.000000000001", "T",
         "0", ""],
    ],
}  # fmt: skip

EXPECTED: dict[str, list[dict]] = {
    "accounts": [
        {"account_id": "ACC-0001", "parent_account_id": None, "netsuite_customer_id": 101,
         "created_at": datetime(2026, 8, 1, 9, 0)},
        {"account_name": "Nippon, K.K.", "parent_account_id": "ACC-0001",
         "stripe_customer_id": None, "netsuite_customer_id": None,
         "created_at": datetime(2026, 8, 2, 9, 30)},
    ],
    "contracts": [
        {"status": "active", "start_date": date(2026, 8, 1), "end_date": None,
         "billing_subscription_id": "sub_0001", "signed_at": datetime(2026, 7, 28, 15, 30)},
        {"status": "draft", "end_date": date(2027, 9, 30), "billing_subscription_id": None,
         "signed_at": None, "currency": "JPY"},
    ],
    "contract_amendments": [
        {"contract_version": 1, "effective_to": date(2026, 9, 15),
         "platform_fee": Decimal("1250.00"), "minimum_commitment": Decimal(0)},
        {"contract_version": 2, "effective_from": date(2026, 9, 15), "effective_to": None,
         "platform_fee": Decimal(150000), "signed_at": None},
    ],
    "contract_price_terms": [
        {"tier": 1, "up_to": Decimal(1000), "unit_price": Decimal("0.5"),
         "included_units": Decimal(100), "unit_divisor": 1000, "overage_allowed": True,
         "plan_limit": None},
        {"tier": 2, "up_to": None, "flat_fee": None, "included_units": None,
         "overage_allowed": False, "plan_limit": Decimal(500000)},
    ],
    "subsidiary": [
        {"id": 1, "tranprefix": "US01", "currency": 1, "iselimination": False, "parent": None},
        {"id": 4, "legalname": "株式会社Example", "currency": 4, "parent": 1},
    ],
    "currency": [
        {"symbol": "USD", "currencyprecision": 2, "isbasecurrency": True,
         "exchangerate": Decimal(1)},
        {"symbol": "JPY", "currencyprecision": 0, "isbasecurrency": False,
         "exchangerate": Decimal("0.006711409396")},
    ],
    "accountingperiod": [
        {"periodname": "Aug 2026", "startdate": date(2026, 8, 1), "enddate": date(2026, 8, 31),
         "closed": True, "isposting": True, "isadjust": False},
        {"id": 9, "closed": False, "alllocked": False, "isadjust": None},
    ],
    "account": [
        {"id": 12, "acctnumber": "1200", "accttype": "AcctRec", "currency": None,
         "subsidiary": 1, "issummary": False},
        {"acctnumber": "2100", "currency": 1, "subsidiary": None, "issummary": True, "parent": 20},
    ],
    "customer": [
        {"id": 101, "entityid": "CUST-101 Acme Corp", "externalid": "ACC-0001"},
        {"id": 104, "companyname": None, "currency": 4, "subsidiary": 4, "externalid": None},
    ],
    "customersubsidiaryrelationship": [
        {"id": 1, "entity": 101, "subsidiary": 1, "isprimarysub": True, "is_deleted": False},
        {"id": 2, "entity": 101, "subsidiary": 4, "isprimarysub": False},
    ],
    "consolidatedexchangerate": [
        {"fromcurrency": 2, "tocurrency": 1, "averagerate": Decimal("1.271"),
         "historicalrate": Decimal("1.265"), "accountingbook": 1},
        {"fromsubsidiary": 4, "averagerate": Decimal("0.006711409396")},
    ],
    "transaction": [
        {"id": 5001, "type": "Journal", "trandate": date(2026, 9, 1),
         "createddate": datetime(2026, 9, 1, 2, 5), "duedate": None, "entity": 101,
         "posting": True, "isreversal": False, "reversal": None,
         "externalid": "U2C-INV-in_0001"},
        {"memo": None, "duedate": date(2026, 10, 2), "isreversal": True, "reversal": 5001,
         "reversaldate": date(2026, 9, 2), "externalid": None},
    ],
    "transactionline": [
        {"id": 0, "transaction": 5001, "mainline": True, "netamount": Decimal("1250.00"),
         "department": None, "quantity": None},
        {"id": 1, "class": 4, "item": 77, "mainline": False, "netamount": Decimal("-1250"),
         "quantity": Decimal(1250000), "rate": Decimal("0.001"), "transactionlinetype": "Item"},
    ],
    "transactionaccountingline": [
        {"transactionline": 0, "account": 12, "debit": Decimal("1250.00"), "credit": None,
         "exchangerate": Decimal(1), "posting": True, "amountpaid": None},
        {"transactionline": 1, "debit": None, "credit": Decimal("1250.00"),
         "amount": Decimal("-1250.00"), "exchangerate": Decimal("1.000000000001"),
         "amountpaid": Decimal(0), "amountunpaid": None},
    ],
}  # fmt: skip


def sample_csv(table: str, rows: list[list[str]] | None = None) -> bytes:
    columns = list(MODULES[table].SPEC.column_names)
    return csv_text(columns, SAMPLES[table] if rows is None else rows).encode()


def test_every_table_has_a_sample():
    assert set(SAMPLES) == set(EXPECTED) == {t for _, t in CONTRACTS}
    assert len(crm.CONTRACTS) == 4 and len(erp.CONTRACTS) == 10
    for c in CONTRACTS.values():
        assert not LINEAGE & set(c.schema.names)
        assert c.suffixes == (".csv", ".csv.gz") and c.prefix == c.table


@pytest.mark.parametrize("table", list(SAMPLES))
def test_valid_extract_lands_typed(tmp_path: Path, table: str):
    result = land(tmp_path, table, sample_csv(table))

    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (2, 2, 0)
    files = [p for p in (tmp_path / "lake" / "raw").rglob("*.parquet")]
    assert len(files) == 1
    assert pq.read_schema(files[0]).remove_metadata().equals(contract(table).lake_schema)
    landed = sorted(read(tmp_path / "lake", "raw"), key=lambda r: r["line_number"])
    assert [r["line_number"] for r in landed] == [2, 3]
    for row, expected in zip(landed, EXPECTED[table], strict=True):
        assert {k: row[k] for k in expected} == expected


def test_real_extract_layout_lands(tmp_path: Path):
    """Column order free, extra columns ignored, BOM, CRLF line ends, gzip."""
    header = ["lastmodifieddate", "posting", "transaction", "credit", "debit", "account"]
    header += ["transactionline", "accountingbook", "amount"]
    rows = [
        ["2026-09-01 02:05:00", "T", "5001", "", "10.50", "12", "1", "1", "10.50"],
        ["2026-09-01 02:05:00", "T", "5001", "10.50", "", "41", "2", "1", "-10.50"],
    ]
    text = "\ufeff" + csv_text(header, rows).replace("\n", "\r\n")
    path = tmp_path / "transactionaccountingline_2026-09.csv.gz"
    path.write_bytes(gzip.compress(text.encode()))

    result = land_file(path, contract("transactionaccountingline"), tmp_path / "lake")

    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (2, 2, 0)
    landed = sorted(read(tmp_path / "lake", "raw"), key=lambda r: r["line_number"])
    assert [
        (r["accountingbook"], r["transactionline"], r["debit"], r["credit"]) for r in landed
    ] == [
        (1, 1, Decimal("10.5"), None),
        (1, 2, None, Decimal("10.5")),
    ]
    assert landed[0]["netamount"] is None and "lastmodifieddate" not in landed[0]


# --- which contract claims which file ---------------------------------------------------------

ROUTES = [
    ("erp", "transaction.csv", "transaction"),
    ("erp", "transaction_2026-09.csv.gz", "transaction"),
    ("erp", "transaction-full.csv", "transaction"),
    ("erp", "transactionline.csv", "transactionline"),
    ("erp", "transactionline_2026-09.csv", "transactionline"),
    ("erp", "transactionaccountingline.csv", "transactionaccountingline"),
    ("erp", "transactionaccountingline.2026-09.csv.gz", "transactionaccountingline"),
    ("erp", "transactions.csv", None),
    ("erp", "transaction.jsonl", None),
    ("erp", "transaction.csv.zip", None),
    ("erp", "account.csv", "account"),
    ("erp", "accountingperiod.csv", "accountingperiod"),
    ("erp", "account_2026.csv", "account"),
    ("erp", "currency.csv", "currency"),
    ("erp", "consolidatedexchangerate.csv", "consolidatedexchangerate"),
    ("erp", "subsidiary.csv", "subsidiary"),
    ("erp", "customer.csv.gz", "customer"),
    ("crm", "accounts.csv", "accounts"),
    ("crm", "contracts.csv", "contracts"),
    ("crm", "contracts_2026-10-15.csv.gz", "contracts"),
    ("crm", "contract_amendments.csv", "contract_amendments"),
    ("crm", "contract_amendments-2026-10.csv", "contract_amendments"),
    ("crm", "contract_price_terms.csv", "contract_price_terms"),
    ("crm", "contract_price_terms_2026-10.csv.gz", "contract_price_terms"),
    ("crm", "contract.csv", None),
    ("crm", "contract_terms.csv", None),
    ("crm", "account.csv", None),
]


@pytest.mark.parametrize(("system", "name", "table"), ROUTES, ids=[r[1] for r in ROUTES])
def test_exactly_the_right_contract_claims_a_file(system: str, name: str, table: str | None):
    claims = [c.table for (s, _), c in CONTRACTS.items() if s == system and c.matches(Path(name))]
    assert claims == ([] if table is None else [table])


@pytest.mark.parametrize(
    "content",
    [b"", b"id,name,symbol,currencyprecision,isbasecurrency,exchangerate\n"],
    ids=["no_bytes", "header_only"],
)
def test_an_empty_extract_is_an_empty_batch(tmp_path: Path, content: bytes):
    """An extract with no rows (a period with nothing in it) lands as a batch of zero rows: no
    quarantine row, a ledger row (rows_read 0 = 0 + 0), and the next run does not land it again."""
    inbox = tmp_path / "inbox" / "erp"
    inbox.mkdir(parents=True)
    (inbox / "currency.csv").write_bytes(content)
    lake = tmp_path / "lake"
    [result] = land_inbox(tmp_path / "inbox", lake, erp.CONTRACTS)
    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (0, 0, 0)
    assert not result.skipped
    assert not [p for p in (lake / "quarantine").rglob("*.parquet") if p.name != "_schema.parquet"]
    [ledger] = pq.read_table(ledger_path(lake, result.batch_id)).to_pylist()
    assert (ledger["rows_read"], ledger["rows_landed"], ledger["rows_quarantined"]) == (0, 0, 0)
    [again] = land_inbox(tmp_path / "inbox", lake, erp.CONTRACTS)
    assert again.skipped


def test_inbox_routes_transaction_tables_apart(tmp_path: Path):
    inbox = tmp_path / "inbox" / "erp"
    inbox.mkdir(parents=True)
    for table in ("transaction", "transactionline", "transactionaccountingline"):
        (inbox / f"{table}.csv").write_bytes(sample_csv(table))
    results = land_inbox(tmp_path / "inbox", tmp_path / "lake", [*crm.CONTRACTS, *erp.CONTRACTS])
    assert sorted((r.table, r.rows_landed, r.rows_quarantined) for r in results) == [
        ("transaction", 2, 0),
        ("transactionaccountingline", 2, 0),
        ("transactionline", 2, 0),
    ]


# --- bad-input corpus ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    table: str
    data: bytes
    reason_code: str
    reason_class: str
    counts: tuple[int, int, int] = (2, 1, 1)  # rows read, landed, quarantined
    bad_lines: tuple[int, ...] = (3,)


def bad_row(table: str, **changes: str) -> bytes:
    """Header, the first sample row (good), then that row with `changes` (bad)."""
    columns = list(MODULES[table].SPEC.column_names)
    good = SAMPLES[table][0]
    changed = [changes.pop(c, v) for c, v in zip(columns, good, strict=True)]
    assert not changes, f"unknown columns {changes}"
    return csv_text(columns, [good, changed]).encode()


def row(table: str, code: str, cls: str = "schema", **changes: str) -> Bad:
    return Bad(table, bad_row(table, **changes), code, cls)


TAL_HEADER = ",".join(MODULES["transactionaccountingline"].SPEC.column_names)
CUSTOMER_HEADER = "id,entityid,companyname,currency,subsidiary,externalid\n"
TERMS_HEADER = ",".join(MODULES["contract_price_terms"].SPEC.column_names) + "\n"

CORPUS: dict[str, Bad] = {
    # File-level: what the CSV reader itself rejects.
    "no_header_row": Bad(
        "accounts",
        b"ACC-0001,Acme,,US,us-east,US01,USD,,,2026-08-01T09:00:00Z\n"
        b"ACC-0002,Beta,,US,us-east,US01,USD,,,2026-08-01T09:00:00Z\n",
        "bad_csv_header", "schema", (2, 0, 2), (1, 2),
    ),
    "header_lacks_required_column": Bad(
        "transactionaccountingline",
        (TAL_HEADER.replace("transactionline", "line") + "\n1,5001,0,12,1,1,,1,1,T,,\n").encode(),
        "bad_csv_header", "schema", (2, 0, 2), (1, 2),
    ),
    "header_repeats_a_column": Bad(
        "customer",
        b"id,entityid,id,currency,subsidiary\n101,C,102,1,1\n",
        "bad_csv_header", "schema", (2, 0, 2), (1, 2),
    ),
    "row_with_extra_cell": Bad(
        "contracts",
        sample_csv("contracts", SAMPLES["contracts"][:1]) + b"CTR-0002,ACC-0001,C,active,"
        b"2026-08-01,,USD,US01,sub_0002,2026-07-28T15:30:00Z,surplus\n",
        "extra_columns", "schema",
    ),
    "row_with_missing_cells": Bad(
        "customer",
        (CUSTOMER_HEADER + "101,C,Acme,1,1,ACC-0001\n102,C2,Beta,1\n").encode(),
        "missing_columns", "schema",
    ),
    "invalid_utf8": Bad(
        "customer",
        (CUSTOMER_HEADER + "101,C,Acme,1,1,\n").encode() + b"102,C2,Caf\xe9,1,1,\n",
        "invalid_utf8", "schema",
    ),
    "blank_line": Bad(
        "customer", (CUSTOMER_HEADER + "101,C,Acme,1,1,\n\n").encode(), "empty_line", "schema"
    ),
    "unterminated_quote": Bad(
        "contract_price_terms",
        (TERMS_HEADER + "AMD-0001,seats,per_unit,1,,5,0,0,1,up,true,\n"
         'AMD-0001,"api_calls,per_unit,1,,5,0,0,1,up,true,\n').encode(),
        "malformed_csv", "schema",
    ),
    "stray_quote_then_good_rows": Bad(
        "contract_price_terms",
        (TERMS_HEADER + 'AMD-0001,"seats"x,per_unit,1,,5,0,0,1,up,true,\n'
         "AMD-0001,seats,per_unit,1,,5,0,0,1,up,true,\n").encode(),
        "malformed_csv", "schema", (2, 1, 1), (2,),
    ),
    # Row-level: types.
    "required_cell_empty": row("transaction", "missing_field", trandate=""),
    "required_cell_blank": row("accounts", "missing_field", account_name="   "),
    "non_integer_id": row("transaction", "wrong_type", id="5001.0"),
    "id_with_spaces": row("customer", "wrong_type", currency=" 1"),
    "zero_id": row("transaction", "non_positive_id", id="0"),
    "negative_line_id": row("transactionline", "negative_id", id="-1"),
    "id_beyond_int64": row("account", "out_of_range", id="99999999999999999999"),
    "bad_tf_flag": row("account", "bad_flag", isinactive="Y"),
    "bad_primary_flag": row("customersubsidiaryrelationship", "bad_flag", isprimarysub="yes"),
    "lower_case_tf_flag": row("transactionaccountingline", "bad_flag", posting="t"),
    "bad_true_false": row("contract_price_terms", "bad_flag", overage_allowed="yes"),
    "impossible_date": row("accountingperiod", "bad_date", startdate="2026-02-30"),
    "us_style_date": row("contracts", "bad_date", start_date="08/01/2026"),
    "netsuite_timestamp_without_seconds": row(
        "transaction", "bad_timestamp", createddate="2026-09-01T02:05Z"
    ),
    "netsuite_date_with_garbage_time": row(
        "transaction", "bad_date", trandate="2026-09-01 25:00:00"
    ),
    "rfc3339_without_offset": row(
        "accounts", "timestamp_without_offset", created_at="2026-08-01T09:00:00"
    ),
    "rfc3339_garbage": row("contract_amendments", "bad_timestamp", signed_at="yesterday"),
    "decimal_with_comma": row("contract_amendments", "wrong_type", platform_fee="1,250.00"),
    "decimal_exponent": row("transactionline", "wrong_type", quantity="1e6"),
    "too_many_decimals_netsuite": row(
        "transactionaccountingline", "too_many_decimals", debit="10.12345"
    ),
    "too_many_decimals_rate": row(
        "consolidatedexchangerate", "too_many_decimals", averagerate="1.1234567890123"
    ),
    "too_many_decimals_for_usd": row(
        "contract_amendments", "too_many_decimals", platform_fee="1250.005"
    ),
    "decimals_on_jpy": row(
        "contract_amendments", "too_many_decimals", platform_fee="1500.5", currency="JPY"
    ),
    "decimal_too_large": row(
        "transactionline", "out_of_range", netamount="123456789012345678901234567890"
    ),
    "unknown_accttype": row("account", "unknown_enum", accttype="Asset"),
    "unknown_contract_status": row("contracts", "unknown_enum", status="Active"),
    "unknown_region": row("accounts", "unknown_enum", region="eu-central"),
    "bad_metric": row("contract_price_terms", "bad_metric", metric="GPU hours"),
    "bad_plan_code": row("contract_amendments", "bad_plan_code", plan_code="Growth Plan"),
    "bad_account_id": row("accounts", "bad_identifier", account_id="ACC 0001"),
    "bad_subscription_id": row("contracts", "bad_identifier", billing_subscription_id="si_1"),
    "bad_legal_entity": row("accounts", "bad_legal_entity", legal_entity="US"),
    "bad_country": row("subsidiary", "bad_country", country="USA"),
    # Row-level: business rules.
    "unknown_currency": row("currency", "unknown_currency", "business_rule", symbol="XYZ"),
    "lower_case_currency": row("accounts", "unknown_currency", "business_rule", currency="usd"),
    "currencyprecision_5": row(
        "currency", "currencyprecision_out_of_range", "business_rule", currencyprecision="5"
    ),
    "contract_version_0": row(
        "contract_amendments", "contract_version_out_of_range", "business_rule",
        contract_version="0",
    ),
    "tier_0": row("contract_price_terms", "tier_out_of_range", "business_rule", tier="0"),
    "unit_divisor_0": row(
        "contract_price_terms", "unit_divisor_out_of_range", "business_rule", unit_divisor="0"
    ),
    "up_to_0": row("contract_price_terms", "up_to_not_positive", "business_rule", up_to="0"),
    "negative_unit_price": row(
        "contract_price_terms", "negative_value", "business_rule", unit_price="-0.50"
    ),
    "included_units_on_tier_2": row(
        "contract_price_terms", "included_units_not_on_tier_1", "business_rule", tier="2"
    ),
    "negative_minimum_commitment": row(
        "contract_amendments", "negative_value", "business_rule", minimum_commitment="-1"
    ),
    "effective_to_equals_from": row(
        "contract_amendments", "effective_to_not_after_from", "business_rule",
        effective_to="2026-08-01",
    ),
    "contract_ends_before_start": row(
        "contracts", "end_before_start", "business_rule", end_date="2026-07-31"
    ),
    "startdate_after_enddate": row(
        "accountingperiod", "startdate_after_enddate", "business_rule", startdate="2026-09-01"
    ),
    "timestamp_before_2000": row(
        "transaction", "timestamp_out_of_range", "business_rule",
        createddate="1970-01-01 00:00:00",
    ),
    "rfc3339_after_2100": row(
        "contracts", "timestamp_out_of_range", "business_rule", signed_at="2126-07-28T15:30:00Z"
    ),
    "posting_without_period": row(
        "transaction", "posting_without_period", "business_rule", postingperiod=""
    ),
    "zero_exchange_rate": row(
        "consolidatedexchangerate", "non_positive_rate", "business_rule", currentrate="0"
    ),
    # Row-level: accounting controls.
    "both_debit_and_credit": row(
        "transactionaccountingline", "both_debit_and_credit", "accounting_control", credit="5.00"
    ),
    "negative_credit": row(
        "transactionaccountingline", "negative_amount", "accounting_control",
        debit="", credit="-1250.00",
    ),
    "negative_debit": row(
        "transactionaccountingline", "negative_amount", "accounting_control", debit="-0.01"
    ),
    "amount_without_account": row(
        "transactionaccountingline", "missing_account", "accounting_control", account=""
    ),

}  # fmt: skip


@pytest.mark.parametrize("case", list(CORPUS.values()), ids=list(CORPUS))
def test_bad_input_is_quarantined_with_its_reason(tmp_path: Path, case: Bad):
    result = land(tmp_path, case.table, case.data)

    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == case.counts
    quarantined = read(tmp_path / "lake", "quarantine")
    assert sorted(r["line_number"] for r in quarantined) == list(case.bad_lines)
    assert {(r["reason_code"], r["reason_class"]) for r in quarantined} == {
        (case.reason_code, case.reason_class)
    }
    for r in quarantined:
        assert r["reason_detail"]
        assert (r["system"], r["source_table"]) == (contract(case.table).system, case.table)
    assert len(read(tmp_path / "lake", "raw")) == result.rows_landed


def test_quarantine_keeps_the_row_and_names_column_and_value(tmp_path: Path):
    data = bad_row("transactionaccountingline", credit="-3.50", debit="")
    land(tmp_path, "transactionaccountingline", data)
    (rejected,) = read(tmp_path / "lake", "quarantine")
    assert rejected["payload"] == data.decode().splitlines()[2]
    assert "'credit'" in rejected["reason_detail"] and "-3.5" in rejected["reason_detail"]


def test_corpus_is_broad():
    codes = {(c.reason_code, c.reason_class) for c in CORPUS.values()}
    assert len(CORPUS) >= 24 and len(codes) >= 24
    assert {c.table for c in CORPUS.values()} == {t for _, t in CONTRACTS}


@pytest.mark.parametrize("module", [*crm.MODULES, *erp.MODULES], ids=lambda m: m.SPEC.table)
def test_docstring_example_validates(module):
    example = module.__doc__.split("Example:\n\n", 1)[1].strip().splitlines()
    header, cells = (next(csv.reader([line.strip()])) for line in example)
    assert header == module.SPEC.column_names
    module.validate({k: v or None for k, v in zip(header, cells, strict=True)})


# --- NetSuite2 as sync tools deliver it: dates, flags, deletions, every type -----------------

from sources.csv_fields import FLAG, NS_DATE, NS_TIMESTAMP  # noqa: E402
from sources.erp import _sync  # noqa: E402

DATES = [
    ("2026-09-01", date(2026, 9, 1), None),
    ("2002-03-01 00:00:00", date(2002, 3, 1), None),  # Fivetran
    ("2002-03-31 0:00:00", date(2002, 3, 31), None),  # Fivetran, hour without a leading zero
    ("2017-05-07 10:34:43", date(2017, 5, 7), "10:34:43"),  # a time is kept, not dropped
    ("2026-09-01T00:00:00Z", date(2026, 9, 1), None),
    ("2026-09-01T00:00:00+02:00", date(2026, 9, 1), "00:00:00+02:00"),  # not shifted to Aug 31
    ("2026-09-01T23:30:00.5-05:00", date(2026, 9, 1), "23:30:00.500000-05:00"),
]


@pytest.mark.parametrize(("cell", "day", "clock"), DATES, ids=[d[0] for d in DATES])
def test_netsuite_date_is_the_date_as_written_and_keeps_its_time(cell, day, clock):
    assert NS_DATE.parse(cell, "trandate") == (day, clock)


TIMESTAMPS = [
    ("2026-09-01 02:05:00", datetime(2026, 9, 1, 2, 5)),
    ("2017-05-27 8:56:10", datetime(2017, 5, 27, 8, 56, 10)),
    ("2026-09-01T02:05:00Z", datetime(2026, 9, 1, 2, 5)),
    ("2026-09-01T02:05:00+02:00", datetime(2026, 9, 1, 0, 5)),
    ("2026-09-01", datetime(2026, 9, 1)),
]


@pytest.mark.parametrize(("cell", "utc"), TIMESTAMPS, ids=[t[0] for t in TIMESTAMPS])
def test_netsuite_timestamp_lands_in_utc(cell, utc):
    assert NS_TIMESTAMP.parse(cell, "createddate") == utc


@pytest.mark.parametrize(
    ("cell", "value"),
    [("T", True), ("F", False), ("TRUE", True), ("false", False), ("True", True)],
)
def test_netsuite_flags_accept_t_f_and_true_false(cell, value):
    assert FLAG.parse(cell, "isprimarysub") is value


def test_fivetran_sync_columns_are_ignored_and_deleted_rows_marked(tmp_path: Path):
    header = [
        "_fivetran_synced",
        "_fivetran_deleted",
        *MODULES["accountingperiod"].SPEC.column_names,
    ]
    rows = [
        ["2022-07-10 23:00:33", "FALSE", "8", "Aug 2026", "2026-08-01 00:00:00",
         "2026-08-31 0:00:00", "T", "T", "T", "T", "F", "F", "F"],
        # deleted: the period's own rules (start <= end) no longer apply
        ["2022-07-10 23:00:33", "TRUE", "9", "Sep 2026", "2026-09-30", "2026-09-01", "F", "F",
         "F", "T", "F", "F", ""],
        ["2022-07-10 23:00:33", "maybe", "10", "Oct 2026", "2026-10-01", "2026-10-31", "F", "F",
         "F", "T", "F", "F", ""],
    ]  # fmt: skip
    result = land(tmp_path, "accountingperiod", csv_text(header, rows).encode())

    assert (result.rows_landed, result.rows_quarantined) == (2, 1)
    landed = {r["id"]: r for r in read(tmp_path / "lake", "raw")}
    assert (landed[8]["is_deleted"], landed[9]["is_deleted"]) == (False, True)
    assert "_fivetran_synced" not in landed[8]
    (bad,) = read(tmp_path / "lake", "quarantine")
    assert (bad["reason_code"], bad["line_number"]) == ("bad_flag", 4)


def test_a_deletion_extract_needs_only_the_key(tmp_path: Path):
    data = b"id,date_deleted\n5001,2026-10-02 9:15:00\n,2026-10-02 9:16:00\n"
    result = land(tmp_path, "transaction", data, name="transaction_deleted_2026-10.csv")
    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (2, 1, 1)
    (row,) = read(tmp_path / "lake", "raw")
    assert (row["id"], row["is_deleted"], row["type"], row["trandate"]) == (5001, True, None, None)
    (bad,) = read(tmp_path / "lake", "quarantine")
    assert bad["reason_code"] == "missing_field"
    assert _sync.deletion_extract(Path("transaction-deleted.csv"), "transaction")
    assert not _sync.deletion_extract(Path("transaction_2026-10.csv"), "transaction")


def test_every_transaction_type_lands(tmp_path: Path):
    types = ["VendBill", "VendPymt", "CashSale", "Deposit", "ItemRcpt", "SalesOrd", "CustInvc"]
    rows = [[str(5001 + i), *SAMPLES["transaction"][0][1:]] for i in range(len(types))]
    for row, kind in zip(rows, types, strict=True):
        row[2] = kind
    result = land(tmp_path, "transaction", sample_csv("transaction", rows))
    assert (result.rows_landed, result.rows_quarantined) == (len(types), 0)
    assert sorted(r["type"] for r in read(tmp_path / "lake", "raw")) == sorted(types)


def test_account_without_number_and_customer_without_subsidiary_land(tmp_path: Path):
    accounts = csv_text(
        ["id", "acctnumber", "accttype", "fullname", "isinactive", "issummary"],
        [["112", "", "Expense", "Utilities : Power", "F", "F"],
         ["113", "", "NonPosting", "Purchase Orders", "F", "F"]],
    )  # fmt: skip
    (tmp_path / "a").mkdir(), (tmp_path / "c").mkdir()
    assert land(tmp_path / "a", "account", accounts.encode()).rows_landed == 2
    customers = csv_text(["id", "entityid", "currency"], [["1409", "CUST-1409", "1"]])
    assert land(tmp_path / "c", "customer", customers.encode()).rows_landed == 1
    (customer,) = read(tmp_path / "c" / "lake", "raw")
    assert customer["subsidiary"] is None


def test_accounting_line_without_account_lands_only_without_amount(tmp_path: Path):
    header = ["accountingbook", "transaction", "transactionline", "account", "amount", "posting"]
    rows = [["1", "4458", "0", "", "", "T"], ["1", "4458", "1", "", "0", "F"]]
    rows += [["1", "4458", "2", "", "10.00", "T"]]
    result = land(tmp_path, "transactionaccountingline", csv_text(header, rows).encode())
    assert (result.rows_landed, result.rows_quarantined) == (2, 1)
    (bad,) = read(tmp_path / "lake", "quarantine")
    assert (bad["reason_code"], bad["reason_class"]) == ("missing_account", "accounting_control")


# --- real extracts beyond the first delivery (issue 24) -----------------------------------------


def test_cp1252_bytes_in_a_column_the_contract_ignores_do_not_reject_the_row(tmp_path: Path):
    """A NetSuite customer export saved as cp1252: `comments` (not in the contract) carries
    `é` as the byte 0xE9; the row lands, with every column the contract reads."""
    data = b"id,entityid,companyname,currency,comments\n1409,CUST-1409,Acme,1,Caf\xe9 au lait\n"
    result = land(tmp_path, "customer", data)
    assert (result.rows_landed, result.rows_quarantined) == (1, 0)
    (row,) = read(tmp_path / "lake", "raw")
    assert (row["id"], row["companyname"]) == (1409, "Acme")


def test_an_encoding_reason_names_the_column(tmp_path: Path):
    data = b"id,entityid,companyname,currency,comments\n1409,CUST-1409,Caf\xe9,1,ok\n"
    result = land(tmp_path, "customer", data)
    assert (result.rows_landed, result.rows_quarantined) == (0, 1)
    (bad,) = read(tmp_path / "lake", "quarantine")
    assert bad["reason_code"] == "invalid_utf8"
    assert "companyname" in bad["reason_detail"] and "comments" not in bad["reason_detail"]
    assert "Caf\\xe9" in bad["payload"]  # the raw line kept, its byte readable


def test_a_multi_select_subsidiary_lands_as_a_list(tmp_path: Path):
    """NetSuite2 `account.subsidiary` is a multi-select: SuiteAnalytics and Fivetran write the
    selected ids joined by ", " (fivetran/dbt_netsuite's netsuite2_account_data.csv)."""
    accounts = csv_text(
        ["id", "acctnumber", "accttype", "fullname", "subsidiary", "isinactive", "issummary"],
        [["110", "1200", "AcctRec", "Receivables", "1, 3, 4, 6", "F", "F"],
         ["111", "4000", "Income", "Revenue", "2", "F", "F"],
         ["112", "", "Expense", "Power", "", "F", "F"],
         ["113", "", "Expense", "Water", "1,,3", "F", "F"]],
    )  # fmt: skip
    result = land(tmp_path, "account", accounts.encode())
    assert (result.rows_landed, result.rows_quarantined) == (3, 1)
    rows = {r["id"]: (r["subsidiary"], r["subsidiary_ids"]) for r in read(tmp_path / "lake", "raw")}
    assert rows == {110: (None, [1, 3, 4, 6]), 111: (2, [2]), 112: (None, None)}
    (bad,) = read(tmp_path / "lake", "quarantine")
    assert (bad["reason_code"], bad["line_number"]) == ("wrong_type", 5)
    assert "subsidiary" in bad["reason_detail"] and "'1,,3'" in bad["reason_detail"]


def test_history_mode_rows_land_with_the_sync_markers(tmp_path: Path):
    """Fivetran history mode: one row per version of a key, in any order; the markers land so
    the warehouse resolves the current version by them (dbt macro latest_delivery)."""
    header = [
        "id",
        "name",
        "currency",
        "iselimination",
        "tranprefix",
        "_fivetran_start",
        "_fivetran_end",
        "_fivetran_active",
        "_fivetran_synced",
    ]
    rows = [
        ["1", "Example Inc.", "1", "F", "US01", "2026-03-01 10:00:00.000",
         "9999-12-31 23:59:59.999", "TRUE", "2026-03-01 10:05:11"],
        ["1", "Example Corp. (old name)", "1", "F", "US01", "2026-01-01 09:00:00.000",
         "2026-03-01 09:59:59.999", "FALSE", "2026-03-01 10:05:11"],
        ["2", "Example Ltd", "2", "F", "UK01", "2026-13-01 00:00:00", "", "TRUE", ""],
    ]  # fmt: skip
    result = land(tmp_path, "subsidiary", csv_text(header, rows).encode())
    assert (result.rows_landed, result.rows_quarantined) == (2, 1)
    landed = sorted(read(tmp_path / "lake", "raw"), key=lambda r: r["line_number"])
    assert [
        (r["name"], r["is_active_version"], r["version_start"], r["version_end"]) for r in landed
    ] == [
        ("Example Inc.", True, datetime(2026, 3, 1, 10),
         datetime(9999, 12, 31, 23, 59, 59, 999000)),
        ("Example Corp. (old name)", False, datetime(2026, 1, 1, 9),
         datetime(2026, 3, 1, 9, 59, 59, 999000)),
    ]  # fmt: skip
    assert landed[0]["synced_at"] == datetime(2026, 3, 1, 10, 5, 11)
    (bad,) = read(tmp_path / "lake", "quarantine")
    assert bad["reason_code"] == "bad_timestamp"
    assert "_fivetran_start" in bad["reason_detail"]
