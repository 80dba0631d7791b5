"""Contract for Stripe Billing meter events (`inbox/billing/meter_events*.jsonl[.gz]`).

One Stripe `billing.meter_event` object per line: the usage a company reported to a Stripe meter
(`POST /v1/billing/meter_events`), as the API returns it. Key: `identifier` (Stripe keeps it
unique over a rolling 24 hours) with `event_name`. Landed table `billing/meter_events`:

| column | type | from / rule |
|---|---|---|
| identifier | string | required, non-empty |
| event_name | string | required: the Stripe meter's `event_name` |
| livemode | bool | nullable |
| created | timestamp(us) | nullable Unix seconds -> naive UTC, 2000..2100 |
| timestamp | timestamp(us) | required Unix seconds -> naive UTC, 2000..2100: usage time |
| stripe_customer_id | string | required, `payload.stripe_customer_id`, `cus_…` |
| value | decimal(38, 9) | required, `payload.value`: a numeric string or a number; >= 0 |

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

import pyarrow as pa

from sources.billing._common import (
    non_negative,
    opt_bool,
    opt_ts,
    req_id,
    req_obj,
    req_str,
    req_ts,
    stripe_object,
)
from sources.contract import QUANTITY, TIMESTAMP, parse_decimal, schema_error

TABLE = "meter_events"

SCHEMA = pa.schema(
    [
        pa.field("identifier", pa.string(), nullable=False),
        pa.field("event_name", pa.string(), nullable=False),
        pa.field("livemode", pa.bool_()),
        pa.field("created", TIMESTAMP),
        pa.field("timestamp", TIMESTAMP, nullable=False),
        pa.field("stripe_customer_id", pa.string(), nullable=False),
        pa.field("value", QUANTITY, nullable=False),
    ]
)


def validate(record: object) -> dict:
    """One parsed JSON value -> a row of SCHEMA, or raise Rejection."""
    rec = stripe_object(record, "billing.meter_event")
    payload = req_obj(rec, "payload")
    if "value" not in payload or payload["value"] in (None, ""):
        raise schema_error("missing_field", "required field 'payload.value' is missing or empty")
    value = parse_decimal(payload["value"], "payload.value")
    non_negative(value, "payload.value", "negative_value")
    return {
        "identifier": req_str(rec, "identifier"),
        "event_name": req_str(rec, "event_name"),
        "livemode": opt_bool(rec, "livemode"),
        "created": opt_ts(rec, "created"),
        "timestamp": req_ts(rec, "timestamp"),
        "stripe_customer_id": req_id(payload, "stripe_customer_id", "cus_", where="payload."),
        "value": value,
    }
