"""Contract for NetSuite2 `currency` (`erp/currency`): currencies and their precision.

File: `inbox/erp/currency.csv` (or `currency_….csv`, `currency-….csv`, `.csv.gz`), UTF-8, a
header row with NetSuite2's lower-case column names (order free, extra columns ignored). An
empty cell is null. Key: `id`.

| column | landed type | required | rule |
|---|---|---|---|
| id | int64 | yes | positive integer |
| name | string | yes | the currency's name (`US Dollar`) |
| symbol | string | yes | upper-case ISO 4217 code known to sources/currencies.py |
| currencyprecision | int64 | yes | decimals, 0..4 |
| isbasecurrency | bool | yes | `T` / `F` |
| exchangerate | decimal128(38,12) | no | > 0, at most 12 decimals |

Sync columns (`_fivetran_synced`, `_fivetran_deleted`, deletion extracts): see
`sources/erp/_sync.py`; every row also lands `is_deleted` (bool), and only the key is non-null.

Reasons: missing_field, wrong_type, non_positive_id, out_of_range, bad_flag, too_many_decimals
(schema); unknown_currency, currencyprecision_out_of_range, non_positive_rate (business_rule).

Example:

    id,name,symbol,currencyprecision,isbasecurrency,exchangerate
    1,US Dollar,USD,2,T,1
"""

from __future__ import annotations

from sources import table_spec
from sources.erp import _sync

SPEC = table_spec.load("erp", "currency")
validate = _sync.validator(SPEC)
