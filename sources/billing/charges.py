"""Contract for Stripe charges (`inbox/billing/charges*.jsonl[.gz]`, prefix `charges`).

One Stripe `charge` object per line. Key: `id`. Landed table `billing/charges`:

| column | landed type | required | from | rule |
|---|---|---|---|---|
| id | string | yes | | `ch_…` (`py_…` for non-card payments also passes) |
| livemode | bool | no | | must be a boolean when present |
| created | timestamp(us) | yes | | Unix seconds -> naive UTC, 2000..2100 |
| amount | int64 | yes | | minor units, >= 0 |
| amount_captured | int64 | yes | | minor units, >= 0 |
| amount_refunded | int64 | yes | | minor units, >= 0 |
| currency | string | yes | | lower-case known ISO 4217, landed as sent |
| customer | string | no | | `cus_…` |
| invoice | string | no | | `in_…` |
| payment_intent | string | no | | `pi_…` |
| balance_transaction | string | no | | `txn_…` |
| status | string | yes | | succeeded, pending, failed |
| paid | bool | yes | | true or false |
| refunded | bool | yes | | true or false |
| disputed | bool | yes | | true or false |
| metadata | string | no | | the object as sorted compact JSON; null when absent |

Rules: `object` = "charge" (checked, not landed); amounts >= 0 (`negative_amount`,
business_rule). Accounting controls: amount_captured <= amount (`captured_exceeds_amount`),
amount_refunded <= amount_captured (`refunded_exceeds_captured`).

Example line:

    {"id": "ch_0001", "object": "charge", "created": 1788231600, "livemode": false,
     "amount": 50000, "amount_captured": 50000, "amount_refunded": 0, "currency": "usd",
     "customer": "cus_0001", "invoice": "in_0001", "payment_intent": "pi_0001",
     "balance_transaction": "txn_0001", "status": "succeeded", "paid": true,
     "refunded": false, "disputed": false, "metadata": {}}
"""

from __future__ import annotations

from sources import table_spec
from sources.billing import _fields
from sources.billing._common import accounting_error

SPEC = table_spec.load("billing", "charges")
TABLE = SPEC.table
SCHEMA = table_spec.schema(SPEC)


def check(row: dict) -> None:
    """Accounting controls: captured <= amount, refunded <= captured."""
    amount, captured, refunded = row["amount"], row["amount_captured"], row["amount_refunded"]
    if captured > amount:
        raise accounting_error(
            "captured_exceeds_amount",
            f"'amount_captured' {captured} is more than 'amount' {amount}",
        )
    if refunded > captured:
        raise accounting_error(
            "refunded_exceeds_captured",
            f"'amount_refunded' {refunded} is more than 'amount_captured' {captured}",
        )


validate = _fields.validator(SPEC, "charge", check)
