"""Contract for Stripe customers (`inbox/billing/customers*.jsonl[.gz]`, prefix `customers`).

One Stripe `customer` object per line. Key: `id`. Landed table `billing/customers`:

| column | type | from / rule |
|---|---|---|
| id | string | required, `cus_…` |
| livemode | bool | nullable; must be a boolean when present |
| created | timestamp(us) | required Unix seconds -> naive UTC, 2000..2100 |
| name | string | nullable |
| email | string | nullable |
| currency | string | nullable; lower-case known ISO 4217, landed as sent |
| address_country | string | `address.country`, nullable (address may be null) |
| metadata_crm_account_id | string | `metadata.crm_account_id`, nullable |
| metadata_netsuite_customer_id | string | `metadata.netsuite_customer_id`, nullable |
| metadata | string | the whole metadata object as sorted compact JSON; null when absent |

`object` must be "customer" (checked, not landed).

Example line:

    {"id": "cus_0001", "object": "customer", "created": 1785542400, "livemode": false,
     "name": "Acme GmbH", "email": "ap@acme.example", "currency": "eur",
     "address": {"country": "NL"}, "metadata": {"crm_account_id": "ACC-0001",
     "netsuite_customer_id": "101"}}
"""

from __future__ import annotations

import pyarrow as pa

from sources.billing._common import (
    metadata,
    opt_bool,
    opt_currency,
    opt_obj,
    opt_str,
    req_id,
    req_ts,
    stripe_object,
)
from sources.contract import TIMESTAMP

TABLE = "customers"
METADATA_KEYS = ("crm_account_id", "netsuite_customer_id")

SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("livemode", pa.bool_()),
        pa.field("created", TIMESTAMP, nullable=False),
        pa.field("name", pa.string()),
        pa.field("email", pa.string()),
        pa.field("currency", pa.string()),
        pa.field("address_country", pa.string()),
        pa.field("metadata_crm_account_id", pa.string()),
        pa.field("metadata_netsuite_customer_id", pa.string()),
        pa.field("metadata", pa.string()),
    ]
)


def validate(record: object) -> dict:
    """One parsed JSON value -> a row of SCHEMA, or raise Rejection."""
    rec = stripe_object(record, "customer")
    address = opt_obj(rec, "address")
    return {
        "id": req_id(rec, "id", "cus_"),
        "livemode": opt_bool(rec, "livemode"),
        "created": req_ts(rec, "created"),
        "name": opt_str(rec, "name"),
        "email": opt_str(rec, "email"),
        "currency": opt_currency(rec),
        "address_country": None
        if address is None
        else opt_str(address, "country", where="address."),
        **metadata(rec, METADATA_KEYS),
    }
