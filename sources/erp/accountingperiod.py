"""Contract for NetSuite2 `accountingperiod` (`erp/accountingperiod`): fiscal periods and
their close state.

File: `inbox/erp/accountingperiod.csv` (or `accountingperiod_….csv`, `-….csv`, `.csv.gz`),
UTF-8, a header row with NetSuite2's lower-case column names (order free, extra columns
ignored). An empty cell is null. Key: `id`.

| column | landed type | required | rule |
|---|---|---|---|
| id | int64 | yes | positive integer |
| periodname | string | yes | e.g. `Sep 2026` |
| startdate | date32 | yes | the date as written, <= enddate (`startdate_time` beside it) |
| startdate_time | string | no | time and offset as written, unless midnight UTC |
| enddate | date32 | yes | the date as written, inclusive (`enddate_time` beside it) |
| enddate_time | string | no | time and offset as written, unless midnight UTC |
| closed | bool | yes | `T` / `F` |
| alllocked | bool | no | `T` / `F` |
| arlocked | bool | no | `T` / `F` |
| isposting | bool | yes | `T` / `F` (F for quarters and years) |
| isquarter | bool | yes | `T` / `F` |
| isyear | bool | yes | `T` / `F` |
| isadjust | bool | no | `T` / `F` |

Sync columns (`_fivetran_synced`, `_fivetran_deleted`, deletion extracts): see
`sources/erp/_sync.py`; every row also lands `is_deleted` (bool), and only the key is non-null.

Dates: `YYYY-MM-DD`, `YYYY-MM-DD H:MM:SS` (Fivetran writes `2002-03-01 00:00:00`) or ISO 8601
with `T` and an offset; the calendar date as written lands, a time other than midnight or an
offset is kept as written in `<column>_time` (`csv_fields.NS_DATE`).

Reasons: missing_field, wrong_type, non_positive_id, out_of_range, bad_date, bad_flag (schema);
startdate_after_enddate (business_rule).

Example:

    id,periodname,startdate,enddate,closed,alllocked,arlocked,isposting,isquarter,isyear,isadjust
    9,Sep 2026,2026-09-01,2026-09-30,F,F,F,T,F,F,F
"""

from __future__ import annotations

from sources import table_spec
from sources.contract import rule_error
from sources.erp import _sync

SPEC = table_spec.load("erp", "accountingperiod")


def check(row: dict) -> None:
    """A period starts no later than it ends."""
    if row["startdate"] > row["enddate"]:
        raise rule_error(
            "startdate_after_enddate",
            f"'startdate' {row['startdate']} is after 'enddate' {row['enddate']}",
        )


validate = _sync.validator(SPEC, check)
