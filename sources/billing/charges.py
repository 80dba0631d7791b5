"""Contract for Stripe charges (`inbox/billing/charges*.jsonl[.gz]`, prefix `charges`).

One Stripe `charge` object per line. Key: `id`. Landed table `billing/charges`:

| column | type | from / rule |
|---|---|---|
| id | string | required, `ch_…` (`py_…` for non-card payments also passes) |
| livemode | bool | nullable; must be a boolean when present |
| created | timestamp(us) | required Unix seconds -> naive UTC, 2000..2100 |
| amount, amount_captured, amount_refunded | int64 | required, minor units, >= 0 |
| currency | string | required, lower-case known ISO 4217, landed as sent |
| customer | string | nullable, `cus_…` |
| invoice | string | nullable, `in_…` |
| payment_intent | string | nullable, `pi_…` |
| balance_transaction | string | nullable, `txn_…` |
| status | string | required: succeeded, pending, failed |
| paid, refunded, disputed | bool | required |
| metadata | string | the whole metadata object as sorted compact JSON; null when absent |

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

import pyarrow as pa

from sources.billing._common import (
    accounting_error,
    metadata,
    non_negative,
    opt_bool,
    opt_ref,
    req_amount,
    req_bool,
    req_currency,
    req_enum,
    req_id,
    req_ts,
    stripe_object,
)
from sources.contract import TIMESTAMP

TABLE = "charges"
STATUSES = frozenset({"succeeded", "pending", "failed"})

SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("livemode", pa.bool_()),
        pa.field("created", TIMESTAMP, nullable=False),
        pa.field("amount", pa.int64(), nullable=False),
        pa.field("amount_captured", pa.int64(), nullable=False),
        pa.field("amount_refunded", pa.int64(), nullable=False),
        pa.field("currency", pa.string(), nullable=False),
        pa.field("customer", pa.string()),
        pa.field("invoice", pa.string()),
        pa.field("payment_intent", pa.string()),
        pa.field("balance_transaction", pa.string()),
        pa.field("status", pa.string(), nullable=False),
        pa.field("paid", pa.bool_(), nullable=False),
        pa.field("refunded", pa.bool_(), nullable=False),
        pa.field("disputed", pa.bool_(), nullable=False),
        pa.field("metadata", pa.string()),
    ]
)


def validate(record: object) -> dict:
    """One parsed JSON value -> a row of SCHEMA, or raise Rejection."""
    rec = stripe_object(record, "charge")
    amount = req_amount(rec, "amount")
    captured = req_amount(rec, "amount_captured")
    refunded = req_amount(rec, "amount_refunded")
    row = {
        "id": req_id(rec, "id", ("ch_", "py_")),
        "livemode": opt_bool(rec, "livemode"),
        "created": req_ts(rec, "created"),
        "amount": amount,
        "amount_captured": captured,
        "amount_refunded": refunded,
        "currency": req_currency(rec),
        "customer": opt_ref(rec, "customer", "cus_"),
        "invoice": opt_ref(rec, "invoice", "in_"),
        "payment_intent": opt_ref(rec, "payment_intent", "pi_"),
        "balance_transaction": opt_ref(rec, "balance_transaction", "txn_"),
        "status": req_enum(rec, "status", STATUSES),
        "paid": req_bool(rec, "paid"),
        "refunded": req_bool(rec, "refunded"),
        "disputed": req_bool(rec, "disputed"),
        **metadata(rec),
    }
    non_negative(amount, "amount")
    non_negative(captured, "amount_captured")
    non_negative(refunded, "amount_refunded")
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
    return row
