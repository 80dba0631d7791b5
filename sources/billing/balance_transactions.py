"""Contract for Stripe balance transactions (`inbox/billing/balance_transactions*.jsonl[.gz]`,
prefix `balance_transactions`).

One Stripe `balance_transaction` object per line. Key: `id`.
Landed table `billing/balance_transactions`:

| column | landed type | required | from | rule |
|---|---|---|---|---|
| id | string | yes | | `txn_…` |
| livemode | bool | no | | Stripe's object has none; true or false when present |
| created | timestamp(us) | yes | | Unix seconds -> naive UTC, 2000..2100 |
| amount | int64 | yes | | minor units of the settlement currency (may be negative) |
| fee | int64 | yes | | minor units of the settlement currency (may be negative) |
| net | int64 | yes | | minor units of the settlement currency (may be negative) |
| currency | string | yes | | settlement currency, lower-case known ISO 4217, as sent |
| exchange_rate | decimal128(38,12) | no | | > 0; beyond 12 decimals rounded half-even |
| available_on | timestamp(us) | yes | | Unix seconds -> naive UTC, 2000..2100 |
| reporting_category | string | yes | | as sent (`charge`, `refund`, `fee`, …) |
| source | string | no | | an object's id (prefixes below); null for Stripe's fees |
| status | string | yes | | available, pending |
| type | string | yes | | every type Stripe documents (below) |
| metadata | string | no | | the object as sorted compact JSON; null when absent |

Types: Stripe's balance transaction types (API reference `balance_transaction.type`, and
https://docs.stripe.com/reports/balance-transaction-types): charges and payments (`charge`,
`payment`, `payment_failure_refund`, `payment_refund`, `payment_reversal`,
`payment_unreconciled`, `refund`, `refund_failure`, disputes as `adjustment`), balance moves
(`payout`, `payout_cancel`, `payout_failure`, `payout_minimum_balance_hold` / `_release`,
`topup`, `topup_reversal`, `stripe_fee`, `stripe_fx_fee`, `tax_fee`, `reserve_*`, …), Connect
(`application_fee`, `transfer`, …) and Issuing (`issuing_*`). Source prefixes: the objects a
balance transaction's `source` names: charge `ch_`, payment `py_`, refund `re_` / `pyr_`,
dispute `dp_` / `du_`, payout `po_`, transfer `tr_`, transfer reversal `trr_`, application fee
`fee_`, application fee refund `fr_`, top-up `tu_`, issuing authorization `iauth_`, issuing
transaction `ipi_`, issuing dispute `idp_`, reserve transaction `rtx_`, customer cash balance
transaction `ccsbtxn_`, tax deducted at source `itd_`, connect collection transfer `connct_`.

Rules: `object` = "balance_transaction" (checked, not landed); exchange_rate > 0
(`non_positive_exchange_rate`, business_rule). Accounting control: net = amount - fee
(`net_mismatch`).

Example line:

    {"id": "txn_0001", "object": "balance_transaction", "created": 1788231600,
     "amount": 50000, "fee": 1480, "net": 48520, "currency": "usd", "exchange_rate": null,
     "available_on": 1788393600, "reporting_category": "charge", "source": "ch_0001",
     "status": "available", "type": "charge"}
"""

from __future__ import annotations

from sources import table_spec
from sources.billing import _fields
from sources.billing._common import accounting_error
from sources.contract import rule_error

SPEC = table_spec.load("billing", "balance_transactions")
TABLE = SPEC.table
SCHEMA = table_spec.schema(SPEC)


def check(row: dict) -> None:
    """A rate above 0; an accounting control: net = amount - fee."""
    exchange_rate, amount, fee, net = (row[c] for c in ("exchange_rate", "amount", "fee", "net"))
    if exchange_rate is not None and exchange_rate <= 0:
        raise rule_error(
            "non_positive_exchange_rate", f"'exchange_rate' must be above 0, got {exchange_rate}"
        )
    if net != amount - fee:
        raise accounting_error(
            "net_mismatch",
            f"'net' {net} differs from 'amount' {amount} - 'fee' {fee} = {amount - fee}",
        )


validate = _fields.validator(SPEC, "balance_transaction", check)
