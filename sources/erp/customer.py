"""Contract for NetSuite2 `customer` (`erp/customer`): customers, linked to CRM accounts.

File: `inbox/erp/customer.csv` (or `customer_….csv`, `customer-….csv`, `.csv.gz`), UTF-8, a
header row with NetSuite2's lower-case column names (order free, extra columns ignored). An
empty cell is null. Key: `id`.

| column | landed type | required | rule |
|---|---|---|---|
| id | int64 | yes | positive integer |
| entityid | string | yes | NetSuite's customer name/number |
| companyname | string | no | |
| currency | int64 | yes | positive currency id |
| subsidiary | int64 | yes | positive subsidiary id |
| externalid | string | no | the CRM account_id (`ACC-0001`) |

Reasons: missing_field, wrong_type, non_positive_id, out_of_range (schema).

Example:

    id,entityid,companyname,currency,subsidiary,externalid
    101,CUST-101 Acme Corp,Acme Corp,1,1,ACC-0001
"""

from __future__ import annotations

from sources.csv_fields import ID, TEXT, Field, columns, parse_row, required, schema
from sources.erp._common import SYSTEM

__all__ = ["COLUMNS", "KEY", "REQUIRED", "SCHEMA", "SYSTEM", "TABLE", "validate"]

TABLE = "customer"
KEY = ("id",)

FIELDS = [
    Field("id", ID, required=True),
    Field("entityid", TEXT, required=True),
    Field("companyname", TEXT),
    Field("currency", ID, required=True),
    Field("subsidiary", ID, required=True),
    Field("externalid", TEXT),
]
COLUMNS = columns(FIELDS)
REQUIRED = required(FIELDS)
SCHEMA = schema(FIELDS)


def validate(record: dict[str, str | None]) -> dict:
    """One CSV record -> a row of SCHEMA, or raise Rejection."""
    return parse_row(record, FIELDS)
