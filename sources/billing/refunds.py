"""Contract for Stripe refunds (`inbox/billing/refunds*.jsonl[.gz]`, prefix `refunds`).

One Stripe `refund` object per line. Key: `id`. Landed table `billing/refunds`:

| column | type | from / rule |
|---|---|---|
| id | string | required, `re_…` (`pyr_…` for non-card payments also passes) |
| livemode | bool | nullable (Stripe's refund object has none; checked when present) |
| created | timestamp(us) | required Unix seconds -> naive UTC, 2000..2100 |
| amount | int64 | required, minor units, >= 0 (`negative_amount`, business_rule) |
| currency | string | required, lower-case known ISO 4217, landed as sent |
| charge | string | required, `ch_…` (`py_…` also passes) |
| balance_transaction | string | nullable, `txn_…` |
| status | string | required: succeeded, pending, failed, canceled (Stripe's requires_action too) |
| reason | string | nullable, as sent |
| metadata | string | the whole metadata object as sorted compact JSON; null when absent |

`object` must be "refund" (checked, not landed).

Example line:

    {"id": "re_0001", "object": "refund", "created": 1790000000, "amount": 1200,
     "currency": "usd", "charge": "ch_0001", "balance_transaction": "txn_0002",
     "status": "succeeded", "reason": "requested_by_customer", "metadata": {}}
"""

from __future__ import annotations

import pyarrow as pa

from sources.billing._common import (
    metadata,
    non_negative,
    opt_bool,
    opt_ref,
    opt_str,
    req_amount,
    req_currency,
    req_enum,
    req_id,
    req_ref,
    req_ts,
    stripe_object,
)
from sources.contract import TIMESTAMP

TABLE = "refunds"
STATUSES = frozenset({"succeeded", "pending", "failed", "canceled", "requires_action"})

SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("livemode", pa.bool_()),
        pa.field("created", TIMESTAMP, nullable=False),
        pa.field("amount", pa.int64(), nullable=False),
        pa.field("currency", pa.string(), nullable=False),
        pa.field("charge", pa.string(), nullable=False),
        pa.field("balance_transaction", pa.string()),
        pa.field("status", pa.string(), nullable=False),
        pa.field("reason", pa.string()),
        pa.field("metadata", pa.string()),
    ]
)


def validate(record: object) -> dict:
    """One parsed JSON value -> a row of SCHEMA, or raise Rejection."""
    rec = stripe_object(record, "refund")
    amount = req_amount(rec, "amount")
    row = {
        "id": req_id(rec, "id", ("re_", "pyr_")),
        "livemode": opt_bool(rec, "livemode"),
        "created": req_ts(rec, "created"),
        "amount": amount,
        "currency": req_currency(rec),
        "charge": req_ref(rec, "charge", ("ch_", "py_")),
        "balance_transaction": opt_ref(rec, "balance_transaction", "txn_"),
        "status": req_enum(rec, "status", STATUSES),
        "reason": opt_str(rec, "reason"),
        **metadata(rec),
    }
    non_negative(amount, "amount")
    return row
