"""Contract for NetSuite2 `customer` (`erp/customer`): customers, linked to CRM accounts.

File: `inbox/erp/customer.csv` (or `customer_….csv`, `customer-….csv`, `.csv.gz`), UTF-8, a
header row with NetSuite2's lower-case column names (order free, extra columns ignored). An
empty cell is null. Key: `id`.

| column | landed type | required | rule |
|---|---|---|---|
| id | int64 | yes | positive integer |
| entityid | string | yes | NetSuite's customer name/number |
| companyname | string | no | the customer's company name |
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

from sources import table_spec
from sources.erp import _sync

SPEC = table_spec.load("erp", "customer")
validate = _sync.validator(SPEC)
