"""Contract for usage events: CloudEvents 1.0, JSON format, one event per line.

File kinds: `inbox/usage/*.jsonl` and `*.jsonl.gz`, UTF-8, one JSON object per line.

| field | type | rule |
|---|---|---|
| specversion | string | required, "1.0" |
| id | string | required; with `source` the dedup key (a re-delivery repeats both) |
| source | string | required, URI-reference of the emitting service |
| type | string | required, e.g. `com.example.usage.recorded` |
| subject | string | optional, the usage key (subscription or customer) |
| time | string | required, RFC 3339 with an offset; stored as UTC |
| datacontenttype | string | optional |
| data.metric | string | required, the billable metric code (e.g. `api_calls`) |
| data.quantity | number | required, >= 0, at most 9 decimals; in the metric's technical unit |
| data.subscription | string | required unless data.customer is given |
| data.customer | string | required unless data.subscription is given |
| data.plan_tier | string | required |
| data.region | string | required |
| data.contract_version | integer | required, >= 1 |

Example line:

    {"specversion": "1.0", "id": "evt_01", "source": "//api.example.com/eu-west",
     "type": "com.example.usage.recorded", "subject": "sub_0001",
     "time": "2026-09-01T10:00:00Z", "data": {"metric": "api_calls", "quantity": 120,
     "subscription": "sub_0001", "customer": "cus_0001", "plan_tier": "growth",
     "region": "eu-west", "contract_version": 1}}
"""

from __future__ import annotations

import hashlib
import json
from decimal import Context, Decimal

import pyarrow as pa

from sources.contract import (
    QUANTITY,
    TIMESTAMP,
    optional_str,
    parse_decimal,
    parse_rfc3339,
    require_str,
    rule_error,
    schema_error,
)

SYSTEM = "usage"
TABLE = "events"
FILE_SUFFIXES = (".jsonl", ".jsonl.gz")

SCHEMA = pa.schema(
    [
        pa.field("specversion", pa.string(), nullable=False),
        pa.field("id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("type", pa.string(), nullable=False),
        pa.field("subject", pa.string()),
        pa.field("time", TIMESTAMP, nullable=False),
        pa.field("datacontenttype", pa.string()),
        pa.field("data_metric", pa.string(), nullable=False),
        pa.field("data_quantity", QUANTITY, nullable=False),
        pa.field("data_subscription", pa.string()),
        pa.field("data_customer", pa.string()),
        pa.field("data_plan_tier", pa.string(), nullable=False),
        pa.field("data_region", pa.string(), nullable=False),
        pa.field("data_contract_version", pa.int32(), nullable=False),
        # sha256 of the contract fields (`fingerprint`): equal for an exact re-delivery,
        # different for a conflicting one. Keys outside the contract do not count.
        pa.field("payload_sha256", pa.string(), nullable=False),
        pa.field("data", pa.string(), nullable=False),
    ]
)


def validate(event: object) -> dict:
    """One parsed JSON value -> a row of SCHEMA, or raise Rejection."""
    if not isinstance(event, dict):
        raise schema_error(
            "not_an_object", f"a CloudEvent must be a JSON object, got {type(event).__name__}"
        )
    specversion = require_str(event, "specversion")
    if specversion != "1.0":
        raise schema_error("unknown_specversion", f"specversion {specversion!r} is not '1.0'")
    event_id = require_str(event, "id")
    source = require_str(event, "source")
    event_type = require_str(event, "type")
    occurred = parse_rfc3339(require_str(event, "time"), "time")
    data = event.get("data")
    if not isinstance(data, dict):
        raise schema_error("missing_field", "required object 'data' is missing or not an object")
    if "quantity" not in data:
        raise schema_error("missing_field", "required field 'data.quantity' is missing")
    quantity = parse_decimal(data["quantity"], "data.quantity")
    if quantity < 0:
        raise rule_error("negative_quantity", f"data.quantity {quantity} is below zero")
    subscription = optional_str(data, "subscription", where="data.")
    customer = optional_str(data, "customer", where="data.")
    if not subscription and not customer:
        raise schema_error("missing_field", "data needs a 'subscription' or a 'customer' reference")
    version = data.get("contract_version")
    if version is None:
        raise schema_error("missing_field", "required field 'data.contract_version' is missing")
    if isinstance(version, bool) or not isinstance(version, int):
        raise schema_error(
            "wrong_type", f"'data.contract_version' must be an integer, got {version!r}"
        )
    if not 1 <= version < 2**31:
        raise rule_error("contract_version_out_of_range", f"data.contract_version {version} < 1")
    row = {
        "specversion": specversion,
        "id": event_id,
        "source": source,
        "type": event_type,
        "subject": optional_str(event, "subject"),
        "time": occurred,
        "datacontenttype": optional_str(event, "datacontenttype"),
        "data_metric": require_str(data, "metric", where="data."),
        "data_quantity": quantity,
        "data_subscription": subscription,
        "data_customer": customer,
        "data_plan_tier": require_str(data, "plan_tier", where="data."),
        "data_region": require_str(data, "region", where="data."),
        "data_contract_version": version,
        "data": json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str),
    }
    row["payload_sha256"] = fingerprint(row)
    return row


FINGERPRINT_FIELDS = (
    "specversion",
    "id",
    "source",
    "type",
    "subject",
    "time",
    "datacontenttype",
    "data_metric",
    "data_quantity",
    "data_subscription",
    "data_customer",
    "data_plan_tier",
    "data_region",
    "data_contract_version",
)
SEPARATOR = "\x1f"  # ASCII unit separator: cannot be confused with text inside a field
# Quantities go up to 29 integer digits (parse_decimal), beyond the default 28-digit context.
_QUANTITY_CONTEXT = Context(prec=38)


def fingerprint(row: dict) -> str:
    """sha256 over the contract fields in a fixed text form; sources/usage/fast.py computes the
    same string in DuckDB, so both landing paths agree on what a re-delivery is."""
    parts = []
    for name in FINGERPRINT_FIELDS:
        value = row[name]
        if value is None:
            parts.append("")
        elif name == "time":
            parts.append(value.strftime("%Y-%m-%dT%H:%M:%S.%f"))
        elif name == "data_quantity":
            parts.append(format(value.quantize(Decimal("1e-9"), context=_QUANTITY_CONTEXT), "f"))
        else:
            parts.append(str(value))
    return hashlib.sha256(SEPARATOR.join(parts).encode()).hexdigest()
