"""Contract for Stripe customers (`inbox/billing/customers*.jsonl[.gz]`, prefix `customers`).

One Stripe `customer` object per line. Key: `id`. Landed table `billing/customers`:

| column | landed type | required | from | rule |
|---|---|---|---|---|
| id | string | yes | | `cus_…` |
| livemode | bool | no | | must be a boolean when present |
| created | timestamp(us) | yes | | Unix seconds -> naive UTC, 2000..2100 |
| name | string | no | | as sent |
| email | string | no | | as sent |
| currency | string | no | | lower-case known ISO 4217, landed as sent |
| address_country | string | no | | null when `address` is |
| metadata_crm_account_id | string | no | | as sent |
| metadata_netsuite_customer_id | string | no | | as sent |
| metadata | string | no | | the object as sorted compact JSON; null when absent |

`object` must be "customer" (checked, not landed).

Example line:

    {"id": "cus_0001", "object": "customer", "created": 1785542400, "livemode": false,
     "name": "Acme GmbH", "email": "ap@acme.example", "currency": "eur",
     "address": {"country": "NL"}, "metadata": {"crm_account_id": "ACC-0001",
     "netsuite_customer_id": "101"}}
"""

from __future__ import annotations

from sources import table_spec
from sources.billing import _fields

SPEC = table_spec.load("billing", "customers")
TABLE = SPEC.table
SCHEMA = table_spec.schema(SPEC)
validate = _fields.validator(SPEC, "customer")
