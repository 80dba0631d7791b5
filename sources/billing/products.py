"""Contract for Stripe products (`inbox/billing/products*.jsonl[.gz]`, prefix `products`).

One Stripe `product` object per line. Key: `id`. Landed table `billing/products`:

| column | type | from / rule |
|---|---|---|
| id | string | required, `prod_…` |
| livemode | bool | nullable; must be a boolean when present |
| created | timestamp(us) | required Unix seconds -> naive UTC, 2000..2100 |
| name | string | required, non-empty |
| active | bool | required boolean |
| unit_label | string | nullable |
| metadata_sku | string | `metadata.sku`, nullable |
| metadata_metric | string | `metadata.metric`, as sent ("" for the platform fee), nullable |
| metadata_gl_revenue_account | string | `metadata.gl_revenue_account`, nullable |
| metadata | string | the whole metadata object as sorted compact JSON; null when absent |

`object` must be "product" (checked, not landed).

Example line:

    {"id": "prod_api_calls", "object": "product", "created": 1785542400, "livemode": false,
     "name": "API calls", "active": true, "unit_label": "1k calls",
     "metadata": {"sku": "SKU-API", "metric": "api_calls", "gl_revenue_account": "4100"}}
"""

from __future__ import annotations

import pyarrow as pa

from sources.billing._common import (
    metadata,
    opt_bool,
    opt_str,
    req_bool,
    req_id,
    req_str,
    req_ts,
    stripe_object,
)
from sources.contract import TIMESTAMP

TABLE = "products"
METADATA_KEYS = ("sku", "metric", "gl_revenue_account")

SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("livemode", pa.bool_()),
        pa.field("created", TIMESTAMP, nullable=False),
        pa.field("name", pa.string(), nullable=False),
        pa.field("active", pa.bool_(), nullable=False),
        pa.field("unit_label", pa.string()),
        pa.field("metadata_sku", pa.string()),
        pa.field("metadata_metric", pa.string()),
        pa.field("metadata_gl_revenue_account", pa.string()),
        pa.field("metadata", pa.string()),
    ]
)


def validate(record: object) -> dict:
    """One parsed JSON value -> a row of SCHEMA, or raise Rejection."""
    rec = stripe_object(record, "product")
    return {
        "id": req_id(rec, "id", "prod_"),
        "livemode": opt_bool(rec, "livemode"),
        "created": req_ts(rec, "created"),
        "name": req_str(rec, "name"),
        "active": req_bool(rec, "active"),
        "unit_label": opt_str(rec, "unit_label"),
        **metadata(rec, METADATA_KEYS),
    }
