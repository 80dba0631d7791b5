"""Contract for NetSuite2 `transactionaccountingline` (`erp/transactionaccountingline`): the
posted GL impact of each transaction line, per accounting book, in the subsidiary's
functional currency.

File: `inbox/erp/transactionaccountingline.csv` (or `transactionaccountingline_….csv`, `-….csv`,
`.csv.gz`), UTF-8, a header row with NetSuite2's lower-case column names (order free, extra
columns ignored). An empty cell is null. Key: (`transaction`, `transactionline`,
`accountingbook`).

| column | landed type | required | rule |
|---|---|---|---|
| accountingbook | int64 | yes | positive id (1 = primary book) |
| transaction | int64 | yes | positive transaction id |
| transactionline | int64 | yes | transactionline.id, >= 0 |
| account | int64 | no | positive account id; required when the line carries an amount |
| amount | decimal128(38,9) | no | signed, functional currency, at most 4 decimals |
| debit | decimal128(38,9) | no | >= 0, at most 4 decimals; not together with credit |
| credit | decimal128(38,9) | no | >= 0, at most 4 decimals; not together with debit |
| netamount | decimal128(38,9) | no | signed, at most 4 decimals |
| exchangerate | decimal128(38,12) | no | > 0, at most 12 decimals |
| posting | bool | yes | `T` / `F` |
| amountpaid | decimal128(38,9) | no | at most 4 decimals |
| amountunpaid | decimal128(38,9) | no | at most 4 decimals |

A line with no account and no amount (NetSuite's rows for lines without GL impact, as in
Fivetran's samples) lands; a line with an amount, debit or credit other than zero and no
account is `missing_account`.

Sync columns (`_fivetran_synced`, `_fivetran_deleted`, deletion extracts): see
`sources/erp/_sync.py`; every row also lands `is_deleted` (bool), and only the key is non-null.

Reasons: missing_field, wrong_type, non_positive_id, negative_id, out_of_range, bad_flag,
too_many_decimals (schema); non_positive_rate (business_rule); both_debit_and_credit,
negative_amount, missing_account (accounting_control).

Example:

    accountingbook,transaction,transactionline,account,amount,debit,credit,netamount,exchangerate,posting,amountpaid,amountunpaid
    1,5001,1,12,1250.00,1250.00,,1250.00,1,T,,
"""

from __future__ import annotations

from sources import table_spec
from sources.contract import ReasonClass, Rejection
from sources.erp import _sync

SPEC = table_spec.load("erp", "transactionaccountingline")


def check(row: dict) -> None:
    """Debit xor credit, never negative; an amount needs an account."""
    debit, credit = row["debit"], row["credit"]
    where = f"transaction {row['transaction']} line {row['transactionline']}"
    if debit is not None and credit is not None:
        raise Rejection(
            "both_debit_and_credit",
            ReasonClass.ACCOUNTING_CONTROL,
            f"{where} has both 'debit' {debit.normalize():f} and 'credit' {credit.normalize():f}",
        )
    if row["account"] is None and any(row[c] for c in ("amount", "debit", "credit")):
        raise Rejection(
            "missing_account",
            ReasonClass.ACCOUNTING_CONTROL,
            f"{where} carries an amount but names no 'account'",
        )
    for column, value in (("debit", debit), ("credit", credit)):
        if value is not None and value < 0:
            raise Rejection(
                "negative_amount",
                ReasonClass.ACCOUNTING_CONTROL,
                f"{where} has a negative '{column}' {value.normalize():f}",
            )


validate = _sync.validator(SPEC, check)
