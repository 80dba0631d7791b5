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
| enddate | date32 | yes | the date as written, inclusive (`enddate_time` beside it) |
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

from sources.contract import rule_error
from sources.csv_fields import (
    FLAG,
    ID,
    NS_DATE,
    TEXT,
    Field,
    columns,
    required,
)
from sources.erp import _sync
from sources.erp._common import SYSTEM

__all__ = ["COLUMNS", "KEY", "REQUIRED", "SCHEMA", "SYSTEM", "TABLE", "validate"]

TABLE = "accountingperiod"
KEY = ("id",)

FIELDS = [
    Field("id", ID, required=True),
    Field("periodname", TEXT, required=True),
    Field("startdate", NS_DATE, required=True),
    Field("enddate", NS_DATE, required=True),
    Field("closed", FLAG, required=True),
    Field("alllocked", FLAG),
    Field("arlocked", FLAG),
    Field("isposting", FLAG, required=True),
    Field("isquarter", FLAG, required=True),
    Field("isyear", FLAG, required=True),
    Field("isadjust", FLAG),
]
COLUMNS = columns(FIELDS)
REQUIRED = required(FIELDS)
SCHEMA = _sync.lake_schema(FIELDS, KEY)


def validate(record: dict[str, str | None]) -> dict:
    """One CSV record -> a row of SCHEMA, or raise Rejection."""
    row = _sync.parse(record, FIELDS, KEY)
    if row[_sync.IS_DELETED]:
        return row
    if row["startdate"] > row["enddate"]:
        raise rule_error(
            "startdate_after_enddate",
            f"'startdate' {row['startdate']} is after 'enddate' {row['enddate']}",
        )
    return row
