"""Contract for NetSuite2 `transaction` (`erp/transaction`): transaction headers (journals,
invoices, payments, credits, refunds).

File: `inbox/erp/transaction.csv` (or `transaction_….csv`, `transaction-….csv`, `.csv.gz`;
`transactionline…` and `transactionaccountingline…` are other tables), UTF-8, a header row with
NetSuite2's lower-case column names (order free, extra columns ignored). An empty cell is null.
Key: `id`.

| column | landed type | required | rule |
|---|---|---|---|
| id | int64 | yes | positive integer |
| transactionnumber | string | no | |
| type | string | yes | `Journal`, `CustInvc`, `CustPymt`, `CustCred`, `CustRfnd` |
| memo | string | no | |
| trandate | date32 | yes | `YYYY-MM-DD` |
| status | string | no | NetSuite status code |
| createddate | timestamp(us) | yes | `YYYY-MM-DD HH:MM:SS` UTC, landed naive UTC, 2000..2100 |
| duedate | date32 | no | `YYYY-MM-DD` |
| currency | int64 | yes | positive currency id |
| entity | int64 | no | positive customer id |
| postingperiod | int64 | no | positive accountingperiod id; required when posting = T |
| posting | bool | yes | `T` / `F` |
| isreversal | bool | yes | `T` / `F` |
| reversal | int64 | no | positive transaction id |
| reversaldate | date32 | no | `YYYY-MM-DD` |
| externalid | string | no | e.g. `U2C-INV-in_…` for journals usage-to-cash exported |

Reasons: missing_field, wrong_type, non_positive_id, out_of_range, unknown_enum, bad_date,
bad_timestamp, bad_flag (schema); timestamp_out_of_range, posting_without_period (business_rule).

Example:

    id,transactionnumber,type,memo,trandate,status,createddate,duedate,currency,entity,postingperiod,posting,isreversal,reversal,reversaldate,externalid
    5001,JE-5001,Journal,in_0001,2026-09-01,B,2026-09-01 02:05:00,,1,101,9,T,F,,,U2C-INV-in_0001
"""

from __future__ import annotations

from sources.contract import rule_error
from sources.csv_fields import (
    DATE,
    FLAG,
    ID,
    NS_TIMESTAMP,
    TEXT,
    Field,
    columns,
    enum,
    parse_row,
    required,
    schema,
)
from sources.erp._common import SYSTEM

__all__ = ["COLUMNS", "KEY", "REQUIRED", "SCHEMA", "SYSTEM", "TABLE", "validate"]

TABLE = "transaction"
KEY = ("id",)

# The transaction types the spec agrees on; a real NetSuite has many more (VendBill, CashSale,
# Deposit, ...): add them here when such an extract must land.
TRANSACTION_TYPES = ("Journal", "CustInvc", "CustPymt", "CustCred", "CustRfnd")

FIELDS = [
    Field("id", ID, required=True),
    Field("transactionnumber", TEXT),
    Field("type", enum(*TRANSACTION_TYPES), required=True),
    Field("memo", TEXT),
    Field("trandate", DATE, required=True),
    Field("status", TEXT),
    Field("createddate", NS_TIMESTAMP, required=True),
    Field("duedate", DATE),
    Field("currency", ID, required=True),
    Field("entity", ID),
    Field("postingperiod", ID),
    Field("posting", FLAG, required=True),
    Field("isreversal", FLAG, required=True),
    Field("reversal", ID),
    Field("reversaldate", DATE),
    Field("externalid", TEXT),
]
COLUMNS = columns(FIELDS)
REQUIRED = required(FIELDS)
SCHEMA = schema(FIELDS)


def validate(record: dict[str, str | None]) -> dict:
    """One CSV record -> a row of SCHEMA, or raise Rejection."""
    row = parse_row(record, FIELDS)
    if row["posting"] and row["postingperiod"] is None:
        raise rule_error(
            "posting_without_period",
            f"transaction {row['id']} posts (posting = T) but has no 'postingperiod'",
        )
    return row
