"""Contract for NetSuite2 `accountingperiod` (`erp/accountingperiod`): fiscal periods and
their close state.

File: `inbox/erp/accountingperiod.csv` (or `accountingperiod_….csv`, `-….csv`, `.csv.gz`),
UTF-8, a header row with NetSuite2's lower-case column names (order free, extra columns
ignored). An empty cell is null. Key: `id`.

| column | landed type | required | rule |
|---|---|---|---|
| id | int64 | yes | positive integer |
| periodname | string | yes | e.g. `Sep 2026` |
| startdate | date32 | yes | `YYYY-MM-DD`, <= enddate |
| enddate | date32 | yes | `YYYY-MM-DD`, inclusive |
| closed | bool | yes | `T` / `F` |
| alllocked | bool | no | `T` / `F` |
| arlocked | bool | no | `T` / `F` |
| isposting | bool | yes | `T` / `F` (F for quarters and years) |
| isquarter | bool | yes | `T` / `F` |
| isyear | bool | yes | `T` / `F` |
| isadjust | bool | no | `T` / `F` |

Reasons: missing_field, wrong_type, non_positive_id, out_of_range, bad_date, bad_flag (schema);
startdate_after_enddate (business_rule).

Example:

    id,periodname,startdate,enddate,closed,alllocked,arlocked,isposting,isquarter,isyear,isadjust
    9,Sep 2026,2026-09-01,2026-09-30,F,F,F,T,F,F,F
"""

from __future__ import annotations

from sources.contract import rule_error
from sources.csv_fields import (
    DATE,
    FLAG,
    ID,
    TEXT,
    Field,
    columns,
    parse_row,
    required,
    schema,
)
from sources.erp._common import SYSTEM

__all__ = ["COLUMNS", "KEY", "REQUIRED", "SCHEMA", "SYSTEM", "TABLE", "validate"]

TABLE = "accountingperiod"
KEY = ("id",)

FIELDS = [
    Field("id", ID, required=True),
    Field("periodname", TEXT, required=True),
    Field("startdate", DATE, required=True),
    Field("enddate", DATE, required=True),
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
SCHEMA = schema(FIELDS)


def validate(record: dict[str, str | None]) -> dict:
    """One CSV record -> a row of SCHEMA, or raise Rejection."""
    row = parse_row(record, FIELDS)
    if row["startdate"] > row["enddate"]:
        raise rule_error(
            "startdate_after_enddate",
            f"'startdate' {row['startdate']} is after 'enddate' {row['enddate']}",
        )
    return row
