"""Contract for NetSuite2 `account` (`erp/account`): the chart of accounts.

File: `inbox/erp/account.csv` (or `account_….csv`, `account-….csv`, `.csv.gz`; `accountingperiod…`
is another table), UTF-8, a header row with NetSuite2's lower-case column names (order free,
extra columns ignored). An empty cell is null. Key: `id`.

| column | landed type | required | rule |
|---|---|---|---|
| id | int64 | yes | positive integer |
| acctnumber | string | yes | account number as text (`1200`) |
| accttype | string | yes | one of ACCOUNT_TYPES (below) |
| fullname | string | yes | |
| currency | int64 | no | positive currency id |
| subsidiary | int64 | no | positive subsidiary id |
| isinactive | bool | yes | `T` / `F` |
| issummary | bool | yes | `T` / `F` |
| parent | int64 | no | positive account id |

ACCOUNT_TYPES: `Bank`, `AcctRec`, `OthCurrAsset`, `DeferRevenue`, `OthCurrLiab`, `Income`,
`Expense`, `OthExpense`, `OthIncome`.

Reasons: missing_field, wrong_type, non_positive_id, out_of_range, unknown_enum, bad_flag (schema).

Example:

    id,acctnumber,accttype,fullname,currency,subsidiary,isinactive,issummary,parent
    12,1200,AcctRec,Accounts receivable,,1,F,F,
"""

from __future__ import annotations

from sources.csv_fields import (
    FLAG,
    ID,
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

TABLE = "account"
KEY = ("id",)

# The account types the spec agrees on; a real NetSuite has more (FixedAsset, AcctPay, Equity,
# COGS, ...): add them here when such an extract must land.
ACCOUNT_TYPES = (
    "Bank",
    "AcctRec",
    "OthCurrAsset",
    "DeferRevenue",
    "OthCurrLiab",
    "Income",
    "Expense",
    "OthExpense",
    "OthIncome",
)

FIELDS = [
    Field("id", ID, required=True),
    Field("acctnumber", TEXT, required=True),
    Field("accttype", enum(*ACCOUNT_TYPES), required=True),
    Field("fullname", TEXT, required=True),
    Field("currency", ID),
    Field("subsidiary", ID),
    Field("isinactive", FLAG, required=True),
    Field("issummary", FLAG, required=True),
    Field("parent", ID),
]
COLUMNS = columns(FIELDS)
REQUIRED = required(FIELDS)
SCHEMA = schema(FIELDS)


def validate(record: dict[str, str | None]) -> dict:
    """One CSV record -> a row of SCHEMA, or raise Rejection."""
    return parse_row(record, FIELDS)
