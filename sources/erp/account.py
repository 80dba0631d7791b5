"""Contract for NetSuite2 `account` (`erp/account`): the chart of accounts.

File: `inbox/erp/account.csv` (or `account_….csv`, `account-….csv`, `.csv.gz`; `accountingperiod…`
is another table), UTF-8, a header row with NetSuite2's lower-case column names (order free,
extra columns ignored). An empty cell is null. Key: `id`.

| column | landed type | required | rule |
|---|---|---|---|
| id | int64 | yes | positive integer |
| acctnumber | string | no | account number as text (`1200`); optional: the account is its id |
| accttype | string | yes | a NetSuite account type (listed below) |
| fullname | string | yes | full name (`Parent : Child`); names an unnumbered account |
| currency | int64 | no | positive currency id |
| subsidiary | int64 | no | positive subsidiary id; a multi-select (`1, 3, 4, 6`): see below |
| subsidiary_ids | list<int64> | no | every selected subsidiary, in order (not a CSV column) |
| isinactive | bool | yes | `T` / `F` |
| issummary | bool | yes | `T` / `F` |
| parent | int64 | no | positive account id |

Account types: every NetSuite2 account type id (`AcctRec`, `DeferRevenue`, `Income`, …), as
the `accttype` rule of `sources/specs/erp/account.json` lists them.

`subsidiary` is a multi-select in NetSuite (an account can be shared by several subsidiaries);
SuiteAnalytics and Fivetran write the selection as ids joined by `, `. Every selected id lands
in `subsidiary_ids`; `subsidiary` keeps the id when exactly one is selected, and is null when
several are (the account then names no single legal entity).

An account is identified by its internal id; the number is optional (a company may not use
account numbers). Where usage-to-cash names an account (the gl_* and rec_* dbt vars, the seed
gl_mapping_rules, the journal gate's chart) it uses the number, or for an account without
one its `fullname`: what NetSuite's CSV import matches the Account column by when there is no
number (`gl_lines.account_reference`).

Sync columns (`_fivetran_synced`, `_fivetran_deleted`, deletion extracts): see
`sources/erp/_sync.py`; every row also lands `is_deleted` (bool), and only the key is non-null.

Reasons: missing_field, wrong_type, non_positive_id, out_of_range, unknown_enum, bad_flag (schema).

Example:

    id,acctnumber,accttype,fullname,currency,subsidiary,isinactive,issummary,parent
    12,1200,AcctRec,Accounts receivable,,1,F,F,
"""

from __future__ import annotations

from sources import table_spec
from sources.erp import _sync

SPEC = table_spec.load("erp", "account")
validate = _sync.validator(SPEC)
