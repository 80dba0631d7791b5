"""Contract for NetSuite2 `subsidiary` (`erp/subsidiary`): the legal entities.

File: `inbox/erp/subsidiary.csv` (or `subsidiary_….csv`, `subsidiary-….csv`, `.csv.gz`), a
SuiteAnalytics extract: UTF-8, a header row with NetSuite2's lower-case column names (order
free, extra columns ignored). An empty cell is null. Key: `id`.

| column | landed type | required | rule |
|---|---|---|---|
| id | int64 | yes | positive integer |
| name | string | yes | the subsidiary's name |
| legalname | string | no | the legal entity's registered name |
| tranprefix | string | no | the legal entity code CRM uses (`US01`) |
| country | string | no | ISO 3166 alpha-2, upper-case |
| currency | int64 | yes | functional currency: a positive currency id (erp currency.id) |
| fiscalcalendar | int64 | no | positive id |
| iselimination | bool | yes | `T` / `F` |
| parent | int64 | no | positive subsidiary id |

Sync columns (`_fivetran_synced`, `_fivetran_deleted`, deletion extracts): see
`sources/erp/_sync.py`; every row also lands `is_deleted` (bool), and only the key is non-null.

Reasons: missing_field, wrong_type, non_positive_id, out_of_range, bad_country, bad_flag (schema).

Example:

    id,name,legalname,tranprefix,country,currency,fiscalcalendar,iselimination,parent
    1,Example Inc.,Example Inc.,US01,US,1,1,F,
"""

from __future__ import annotations

from sources import table_spec
from sources.erp import _sync

SPEC = table_spec.load("erp", "subsidiary")
validate = _sync.validator(SPEC)
