"""Contract for NetSuite2 `transactionline` (`erp/transactionline`): the lines of each
transaction, with their subsidiary, entity, segments and foreign-currency amounts.

File: `inbox/erp/transactionline.csv` (or `transactionline_….csv`, `transactionline-….csv`,
`.csv.gz`), UTF-8, a header row with NetSuite2's lower-case column names (order free, extra
columns ignored). An empty cell is null. Key: (`transaction`, `id`).

| column | landed type | required | rule |
|---|---|---|---|
| id | int64 | yes | line number within the transaction, >= 0 (NetSuite's main line is 0) |
| transaction | int64 | yes | positive transaction id |
| subsidiary | int64 | yes | positive subsidiary id |
| entity | int64 | no | positive customer id |
| department | int64 | no | positive id |
| class | int64 | no | positive id |
| location | int64 | no | positive id |
| item | int64 | no | positive id |
| memo | string | no | free text |
| mainline | bool | yes | `T` / `F` |
| netamount | decimal128(38,9) | no | signed, as NetSuite gives it; at most 4 decimals |
| foreignamount | decimal128(38,9) | no | signed, transaction currency; at most 4 decimals |
| quantity | decimal128(38,9) | no | signed, at most 9 decimals |
| rate | decimal128(38,9) | no | item rate, at most 9 decimals |
| taxline | bool | yes | `T` / `F` |
| transactionlinetype | string | no | NetSuite's line type, as delivered |

Sync columns (`_fivetran_synced`, `_fivetran_deleted`, deletion extracts): see
`sources/erp/_sync.py`; every row also lands `is_deleted` (bool), and only the key is non-null.

Reasons: missing_field, wrong_type, non_positive_id, negative_id, out_of_range, bad_flag,
too_many_decimals (schema).

Example:

    id,transaction,subsidiary,entity,department,class,location,item,memo,mainline,netamount,foreignamount,quantity,rate,taxline,transactionlinetype
    1,5001,1,101,,,,,AR,F,1250.00,1250.00,,,F,
"""

from __future__ import annotations

from sources import table_spec
from sources.erp import _sync

SPEC = table_spec.load("erp", "transactionline")
validate = _sync.validator(SPEC)
