"""Contract for NetSuite2 `consolidatedexchangerate` (`erp/consolidatedexchangerate`): the
period rates used to consolidate one subsidiary's currency into another's.

File: `inbox/erp/consolidatedexchangerate.csv` (or `consolidatedexchangerate_….csv`, `-….csv`,
`.csv.gz`), UTF-8, a header row with NetSuite2's lower-case column names (order free, extra
columns ignored). An empty cell is null. Key: `id`; (postingperiod, fromsubsidiary,
tosubsidiary, accountingbook) is unique too (checked downstream).

| column | landed type | required | rule |
|---|---|---|---|
| id | int64 | yes | positive integer |
| postingperiod | int64 | yes | positive accountingperiod id |
| fromcurrency | int64 | yes | positive currency id |
| tocurrency | int64 | yes | positive currency id |
| fromsubsidiary | int64 | yes | positive subsidiary id |
| tosubsidiary | int64 | yes | positive subsidiary id |
| averagerate | decimal128(38,12) | yes | > 0, at most 12 decimals |
| currentrate | decimal128(38,12) | yes | > 0, at most 12 decimals |
| historicalrate | decimal128(38,12) | yes | > 0, at most 12 decimals |
| accountingbook | int64 | yes | positive id (1 = primary book) |

Sync columns (`_fivetran_synced`, `_fivetran_deleted`, deletion extracts): see
`sources/erp/_sync.py`; every row also lands `is_deleted` (bool), and only the key is non-null.

Reasons: missing_field, wrong_type, non_positive_id, out_of_range, too_many_decimals (schema);
non_positive_rate (business_rule).

Example:

    id,postingperiod,fromcurrency,tocurrency,fromsubsidiary,tosubsidiary,averagerate,currentrate,historicalrate,accountingbook
    1,9,2,1,2,1,1.2710,1.2695,1.2650,1
"""

from __future__ import annotations

from sources import table_spec
from sources.erp import _sync

SPEC = table_spec.load("erp", "consolidatedexchangerate")
validate = _sync.validator(SPEC)
