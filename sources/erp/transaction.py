"""Contract for NetSuite2 `transaction` (`erp/transaction`): transaction headers (journals,
invoices, payments, credits, refunds).

File: `inbox/erp/transaction.csv` (or `transaction_….csv`, `transaction-….csv`, `.csv.gz`;
`transactionline…` and `transactionaccountingline…` are other tables), UTF-8, a header row with
NetSuite2's lower-case column names (order free, extra columns ignored). An empty cell is null.
Key: `id`.

| column | landed type | required | rule |
|---|---|---|---|
| id | int64 | yes | positive integer |
| transactionnumber | string | no | NetSuite's document number (`INV-1001`) |
| type | string | yes | any NetSuite transaction type id (`Journal`, `CustInvc`, `VendBill`, …) |
| memo | string | no | free text |
| trandate | date32 | yes | the date as written (see dates below); `trandate_time` beside it |
| trandate_time | string | no | time and offset as written, unless midnight UTC |
| status | string | no | NetSuite status code |
| createddate | timestamp(us) | yes | see dates below; landed naive UTC, 2000..2100 |
| duedate | date32 | no | the date as written; `duedate_time` beside it |
| duedate_time | string | no | time and offset as written, unless midnight UTC |
| currency | int64 | yes | positive currency id |
| entity | int64 | no | positive customer id |
| postingperiod | int64 | no | positive accountingperiod id; required when posting = T |
| posting | bool | yes | `T` / `F` |
| isreversal | bool | yes | `T` / `F` |
| reversal | int64 | no | positive transaction id |
| reversaldate | date32 | no | the date as written; `reversaldate_time` beside it |
| reversaldate_time | string | no | time and offset as written, unless midnight UTC |
| externalid | string | no | e.g. `U2C-INV-in_…` for journals usage-to-cash exported |

Every transaction type of the company lands (a real extract holds them all: vendor bills,
deposits, item receipts, …). The warehouse selects the types each reconciliation reads (the
seed `erp_transaction_types`), so landing them changes no reconciliation.

Dates (`csv_fields.NS_DATE`, `NS_TIMESTAMP`): `YYYY-MM-DD`, `YYYY-MM-DD H:MM:SS` / `HH:MM:SS`,
ISO 8601 with `T` and `Z` or an offset. A date-only column lands the calendar date as written
(never shifted by a zone) and, in `<column>_time`, a time other than midnight or an offset as
written (null otherwise). A timestamp without an offset is UTC; with one it is converted.

Sync columns (`_fivetran_synced`, `_fivetran_deleted`, deletion extracts): see
`sources/erp/_sync.py`; every row also lands `is_deleted` (bool), and only the key is non-null.

Reasons: missing_field, wrong_type, non_positive_id, out_of_range, bad_date,
bad_timestamp, bad_flag (schema); timestamp_out_of_range, posting_without_period (business_rule).

Example:

    id,transactionnumber,type,memo,trandate,status,createddate,duedate,currency,entity,postingperiod,posting,isreversal,reversal,reversaldate,externalid
    5001,JE-5001,Journal,in_0001,2026-09-01,B,2026-09-01 02:05:00,,1,101,9,T,F,,,U2C-INV-in_0001
"""

from __future__ import annotations

from sources import table_spec
from sources.contract import rule_error
from sources.erp import _sync

SPEC = table_spec.load("erp", "transaction")


def check(row: dict) -> None:
    """A posting transaction names its posting period."""
    if row["posting"] and row["postingperiod"] is None:
        raise rule_error(
            "posting_without_period",
            f"transaction {row['id']} posts (posting = T) but has no 'postingperiod'",
        )


validate = _sync.validator(SPEC, check)
