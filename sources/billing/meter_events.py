"""Contract for Stripe Billing meter events (`inbox/billing/meter_events*.jsonl[.gz]`).

One Stripe `billing.meter_event` object per line: the usage a company reported to a Stripe meter
(`POST /v1/billing/meter_events`), as the API returns it. Key: `identifier` (Stripe keeps it
unique over a rolling 24 hours) with `event_name`. Landed table `billing/meter_events`:

| column | landed type | required | from | rule |
|---|---|---|---|---|
| identifier | string | yes | | non-empty; unique per meter over 24 hours |
| event_name | string | yes | | the Stripe meter's `event_name` |
| livemode | bool | no | | true or false when present |
| created | timestamp(us) | no | | Unix seconds -> naive UTC, 2000..2100 |
| timestamp | timestamp(us) | yes | | usage time: Unix seconds -> naive UTC, 2000..2100 |
| stripe_customer_id | string | yes | `payload.stripe_customer_id` | `cus_…` |
| value | decimal128(38,9) | yes | `payload.value` | a numeric string or a number; >= 0 |

A negative value is `negative_value` (business_rule). Like every billing object, the line as
delivered is kept in the `payload` column (the meter event's own `payload` object included).

`object` must be "billing.meter_event" (checked, not landed). The payload keys are Stripe's
defaults (`customer_mapping.event_payload_key` and `value_settings.event_payload_key`); a meter
configured with other keys sends events this contract quarantines as `missing_field`.

Example line (the Stripe API reference's):

    {"object": "billing.meter_event", "created": 1704824589, "event_name": "ai_search_api",
     "identifier": "identifier_123", "livemode": true,
     "payload": {"value": "25", "stripe_customer_id": "cus_NciAYcXfLnqBoz"},
     "timestamp": 1680210639}
"""

from __future__ import annotations

from sources import table_spec
from sources.billing import _fields

SPEC = table_spec.load("billing", "meter_events")
TABLE = SPEC.table
SCHEMA = table_spec.schema(SPEC)
validate = _fields.validator(SPEC, "billing.meter_event")
