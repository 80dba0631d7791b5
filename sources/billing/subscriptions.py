"""Contract for Stripe subscriptions (`inbox/billing/subscriptions*.jsonl[.gz]`,
prefix `subscriptions`).

One Stripe `subscription` object per line, either API layout. Key: `id`.
Landed table `billing/subscriptions`:

| column | landed type | required | from | rule |
|---|---|---|---|---|
| id | string | yes | | `sub_…` |
| livemode | bool | no | | true or false when present |
| created | timestamp(us) | yes | | Unix seconds -> naive UTC, 2000..2100 |
| customer | string | yes | | `cus_…` (id or expanded) |
| status | string | yes | | active, past_due, canceled, incomplete, trialing, … |
| currency | string | yes | | lower-case known ISO 4217, landed as sent |
| start_date | timestamp(us) | yes | | Unix seconds -> naive UTC |
| billing_cycle_anchor | timestamp(us) | yes | | Unix seconds -> naive UTC |
| cancel_at | timestamp(us) | no | | Unix seconds -> naive UTC |
| canceled_at | timestamp(us) | no | | Unix seconds -> naive UTC |
| current_period_start | timestamp(us) | no | | pre-2025 layout only (2025: on the items) |
| current_period_end | timestamp(us) | no | | pre-2025 layout only; not before the start |
| metadata_crm_contract_id | string | no | | as sent |
| metadata_contract_version | string | no | | as sent (a string) |
| metadata | string | no | | the object as sorted compact JSON; null when absent |

Child table `billing/subscription_items` (one row per `items.data[]`, in order):

| column | landed type | required | from | rule |
|---|---|---|---|---|
| subscription | string | yes | | the subscription's `id` |
| line_index | int64 | yes | | 0-based position in `items.data` |
| id | string | yes | | `si_…` |
| price_id | string | yes | | `price_…` |
| price_product | string | yes | | `prod_…` (id or expanded) |
| price_currency | string | no | | the subscription's currency |
| price_unit_amount | int64 | no | | minor units, >= 0 |
| price_unit_amount_decimal | decimal128(38,12) | no | | >= 0 |
| price_billing_scheme | string | no | | per_unit, tiered |
| price_tiers_mode | string | no | | graduated, volume |
| price_recurring_interval | string | no | | day, week, month, year |
| price_recurring_usage_type | string | no | | licensed, metered |
| quantity | int64 | no | | >= 0 |
| current_period_start | timestamp(us) | no | | 2025-03-31 layout |
| current_period_end | timestamp(us) | no | | 2025-03-31 layout; not before the start |

Statuses: the spec's seven plus Stripe's `incomplete_expired`.

Rules: `object` = "subscription", items `object` = "list" / "subscription_item" (checked, not
landed); `items` must be complete (`truncated_list` when has_more); an item's price currency
equals the subscription currency (`item_currency_mismatch`, business_rule); quantity >= 0
(`negative_quantity`); periods do not end before they start (`period_end_before_start`).

Example line (2025-03-31 layout):

    {"id": "sub_0001", "object": "subscription", "created": 1785542400, "livemode": false,
     "customer": "cus_0001", "status": "active", "currency": "usd",
     "start_date": 1785542400, "billing_cycle_anchor": 1785542400, "cancel_at": null,
     "canceled_at": null, "items": {"object": "list", "has_more": false, "data": [
       {"id": "si_0001", "object": "subscription_item", "quantity": 1,
        "price": {"id": "price_fee_growth", "object": "price", "product": "prod_platform",
                  "currency": "usd", "unit_amount": 50000, "billing_scheme": "per_unit"},
        "current_period_start": 1788220800, "current_period_end": 1790812800}]},
     "metadata": {"crm_contract_id": "CTR-0001", "contract_version": "2"}}
"""

from __future__ import annotations

from sources import table_spec
from sources.billing import _fields
from sources.billing._common import list_data, period_order, stripe_object
from sources.billing.prices import check_unit_amounts
from sources.contract import rule_error, schema_error
from sources.landing import CHILDREN

SPEC = table_spec.load("billing", "subscriptions")
ITEMS_SPEC = table_spec.load("billing", "subscription_items")
CHILD_SPECS = (ITEMS_SPEC,)
TABLE = SPEC.table
ITEMS_TABLE = ITEMS_SPEC.table
SCHEMA = table_spec.schema(SPEC)
ITEMS_SCHEMA = table_spec.schema(ITEMS_SPEC)

_read = _fields.reader(SPEC)
_read_item = _fields.reader(ITEMS_SPEC)


def _item(item: object, i: int, subscription_id: str, currency: str) -> dict:
    where = f"items.data[{i}]."
    if not isinstance(item, dict):
        raise schema_error("not_an_object", f"'items.data[{i}]' must be a JSON object")
    stripe_object(item, "subscription_item", where=where)
    row = _read_item(item, where)
    pw = where + "price."
    if row["price_currency"] is not None and row["price_currency"] != currency:
        raise rule_error(
            "item_currency_mismatch",
            f"'{pw}currency' {row['price_currency']!r} differs from the subscription's "
            f"{currency!r}",
        )
    check_unit_amounts(row, "price_unit_amount", "price_unit_amount_decimal", pw)
    period_order(row["current_period_start"], row["current_period_end"], where + "current_period")
    return {**row, "subscription": subscription_id, "line_index": i}


def validate(record: object) -> dict:
    """One parsed JSON value -> a row of SCHEMA (items under CHILDREN), or raise Rejection."""
    rec = stripe_object(record, "subscription")
    row = _read(rec)
    period_order(row["current_period_start"], row["current_period_end"], "current_period")
    items = list_data(rec, "items")
    row[CHILDREN] = {
        ITEMS_TABLE: [_item(item, i, row["id"], row["currency"]) for i, item in enumerate(items)]
    }
    return row
