"""Contract for Stripe products (`inbox/billing/products*.jsonl[.gz]`, prefix `products`).

One Stripe `product` object per line. Key: `id`. Landed table `billing/products`:

| column | landed type | required | from | rule |
|---|---|---|---|---|
| id | string | yes | | `prod_…` |
| livemode | bool | no | | must be a boolean when present |
| created | timestamp(us) | yes | | Unix seconds -> naive UTC, 2000..2100 |
| name | string | yes | | non-empty |
| active | bool | yes | | true or false |
| unit_label | string | no | | as sent |
| metadata_sku | string | no | | as sent |
| metadata_metric | string | no | | as sent ("" for the platform fee) |
| metadata_gl_revenue_account | string | no | | as sent |
| metadata | string | no | | the object as sorted compact JSON; null when absent |

`object` must be "product" (checked, not landed).

Example line:

    {"id": "prod_api_calls", "object": "product", "created": 1785542400, "livemode": false,
     "name": "API calls", "active": true, "unit_label": "1k calls",
     "metadata": {"sku": "SKU-API", "metric": "api_calls", "gl_revenue_account": "4100"}}
"""

from __future__ import annotations

from sources import table_spec
from sources.billing import _fields

SPEC = table_spec.load("billing", "products")
TABLE = SPEC.table
SCHEMA = table_spec.schema(SPEC)
validate = _fields.validator(SPEC, "product")
