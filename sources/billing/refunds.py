"""Contract for Stripe refunds (`inbox/billing/refunds*.jsonl[.gz]`, prefix `refunds`).

One Stripe `refund` object per line. Key: `id`. Landed table `billing/refunds`:

| column | landed type | required | from | rule |
|---|---|---|---|---|
| id | string | yes | | `re_…` (`pyr_…` for non-card payments also passes) |
| livemode | bool | no | | Stripe's refund object has none; true or false when present |
| created | timestamp(us) | yes | | Unix seconds -> naive UTC, 2000..2100 |
| amount | int64 | yes | | minor units, >= 0 (`negative_amount`, business_rule) |
| currency | string | yes | | lower-case known ISO 4217, landed as sent |
| charge | string | yes | | `ch_…` (`py_…` also passes) |
| balance_transaction | string | no | | `txn_…` |
| status | string | yes | | succeeded, pending, failed, canceled, requires_action |
| reason | string | no | | as sent |
| metadata | string | no | | the object as sorted compact JSON; null when absent |

`object` must be "refund" (checked, not landed).

Example line:

    {"id": "re_0001", "object": "refund", "created": 1790000000, "amount": 1200,
     "currency": "usd", "charge": "ch_0001", "balance_transaction": "txn_0002",
     "status": "succeeded", "reason": "requested_by_customer", "metadata": {}}
"""

from __future__ import annotations

from sources import table_spec
from sources.billing import _fields

SPEC = table_spec.load("billing", "refunds")
TABLE = SPEC.table
SCHEMA = table_spec.schema(SPEC)
validate = _fields.validator(SPEC, "refund")
