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
| subsidiary | int64 | no | positive subsidiary id; a NetSuite2 extract may not have the column |
| externalid | string | no | the CRM account_id (`ACC-0001`) |

A NetSuite2 `customer` table has no subsidiary column in every account (OneWorld keeps it in
`customersubsidiaryrelationship`): then the customer's subsidiary is its primary relationship's
(dbt `int_erp_customers_resolved`).

Sync columns (`_fivetran_synced`, `_fivetran_deleted`, deletion extracts): see
`sources/erp/_sync.py`; every row also lands `is_deleted` (bool), and only the key is non-null.

Reasons: missing_field, wrong_type, non_positive_id, out_of_range (schema).

Example:

    id,entityid,companyname,currency,subsidiary,externalid
    101,CUST-101 Acme Corp,Acme Corp,1,1,ACC-0001
"""

from __future__ import annotations

from sources.csv_fields import ID, TEXT, Field, columns, required
from sources.erp import _sync
from sources.erp._common import SYSTEM

__all__ = ["COLUMNS", "KEY", "REQUIRED", "SCHEMA", "SYSTEM", "TABLE", "validate"]

TABLE = "customer"
KEY = ("id",)

FIELDS = [
    Field("id", ID, required=True),
    Field("entityid", TEXT, required=True),
    Field("companyname", TEXT),
    Field("currency", ID, required=True),
    Field("subsidiary", ID),
    Field("externalid", TEXT),
]
COLUMNS = columns(FIELDS)
REQUIRED = required(FIELDS)
SCHEMA = _sync.lake_schema(FIELDS, KEY)


def validate(record: dict[str, str | None]) -> dict:
    """One CSV record -> a row of SCHEMA, or raise Rejection."""
    return _sync.parse(record, FIELDS, KEY)
