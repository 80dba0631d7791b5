"""Contract for NetSuite2 `customersubsidiaryrelationship` (`erp/customersubsidiaryrelationship`):
which subsidiaries each customer belongs to (NetSuite OneWorld: a customer can be shared by
several subsidiaries, one of them its primary).

File: `inbox/erp/customersubsidiaryrelationship.csv` (or `customersubsidiaryrelationship_….csv`,
`-….csv`, `.csv.gz`), UTF-8, a header row with NetSuite2's lower-case column names (order free,
extra columns ignored). An empty cell is null. Key: `id`.

| column | landed type | required | rule |
|---|---|---|---|
| id | int64 | yes | positive integer |
| entity | int64 | yes | positive customer id |
| subsidiary | int64 | yes | positive subsidiary id |
| isprimarysub | bool | yes | `T` / `F` or `true` / `false` (Fivetran writes TRUE / FALSE) |

When the `customer` extract has no `subsidiary` column, a customer's subsidiary is the one of
its primary relationship (dbt `int_erp_customers_resolved`).

Sync columns (`_fivetran_synced`, `_fivetran_deleted`, deletion extracts): see
`sources/erp/_sync.py`; every row also lands `is_deleted` (bool), and only the key is non-null.

Reasons: missing_field, wrong_type, non_positive_id, out_of_range, bad_flag (schema).

Example:

    id,entity,subsidiary,isprimarysub
    1,101,1,TRUE
"""

from __future__ import annotations

from sources import table_spec
from sources.erp import _sync

SPEC = table_spec.load("erp", "customersubsidiaryrelationship")
validate = _sync.validator(SPEC)
