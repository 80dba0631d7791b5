"""Contract for Stripe subscriptions (`inbox/billing/subscriptions*.jsonl[.gz]`,
prefix `subscriptions`).

One Stripe `subscription` object per line, either API layout. Key: `id`.
Landed table `billing/subscriptions`:

| column | type | from / rule |
|---|---|---|
| id | string | required, `sub_…` |
| livemode | bool | nullable; must be a boolean when present |
| created | timestamp(us) | required Unix seconds -> naive UTC, 2000..2100 |
| customer | string | required, `cus_…` |
| status | string | required, `STATUSES`: active, past_due, canceled, incomplete, trialing, … |
| currency | string | required, lower-case known ISO 4217, landed as sent |
| start_date | timestamp(us) | required |
| billing_cycle_anchor | timestamp(us) | required |
| cancel_at | timestamp(us) | nullable |
| canceled_at | timestamp(us) | nullable |
| current_period_start | timestamp(us) | nullable: pre-2025 layout only (2025: on the items) |
| current_period_end | timestamp(us) | nullable: pre-2025 layout only; not before the start |
| metadata_crm_contract_id | string | `metadata.crm_contract_id`, nullable |
| metadata_contract_version | string | `metadata.contract_version`, as sent (a string), nullable |
| metadata | string | the whole metadata object as sorted compact JSON; null when absent |

Child table `billing/subscription_items` (one row per `items.data[]`, in order):
subscription string (parent id), line_index int64 (0-based), id string (`si_…`),
price_id string (`price_…`), price_product string (`prod_…`), price_currency string,
price_unit_amount int64, price_unit_amount_decimal decimal128(38,12), price_billing_scheme
string, price_tiers_mode string, price_recurring_interval string, price_recurring_usage_type
string, quantity int64 (nullable, >= 0), current_period_start timestamp(us),
current_period_end timestamp(us) (nullable; 2025-03-31 layout).

`STATUSES` = the spec's seven plus Stripe's `incomplete_expired`.

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

import pyarrow as pa

from sources.billing._common import (
    DECIMAL_12,
    list_data,
    metadata,
    non_negative,
    opt_bool,
    opt_currency,
    opt_enum,
    opt_int,
    opt_obj,
    opt_ts,
    period_order,
    req_currency,
    req_enum,
    req_id,
    req_obj,
    req_ref,
    req_ts,
    stripe_object,
)
from sources.billing.prices import (
    BILLING_SCHEMES,
    INTERVALS,
    TIERS_MODES,
    USAGE_TYPES,
    unit_amounts,
)
from sources.contract import TIMESTAMP, rule_error, schema_error
from sources.landing import CHILDREN

TABLE = "subscriptions"
ITEMS_TABLE = "subscription_items"
METADATA_KEYS = ("crm_contract_id", "contract_version")
STATUSES = frozenset(
    {
        "active",
        "past_due",
        "canceled",
        "incomplete",
        "incomplete_expired",
        "trialing",
        "unpaid",
        "paused",
    }
)

SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("livemode", pa.bool_()),
        pa.field("created", TIMESTAMP, nullable=False),
        pa.field("customer", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("currency", pa.string(), nullable=False),
        pa.field("start_date", TIMESTAMP, nullable=False),
        pa.field("billing_cycle_anchor", TIMESTAMP, nullable=False),
        pa.field("cancel_at", TIMESTAMP),
        pa.field("canceled_at", TIMESTAMP),
        pa.field("current_period_start", TIMESTAMP),
        pa.field("current_period_end", TIMESTAMP),
        pa.field("metadata_crm_contract_id", pa.string()),
        pa.field("metadata_contract_version", pa.string()),
        pa.field("metadata", pa.string()),
    ]
)

ITEMS_SCHEMA = pa.schema(
    [
        pa.field("subscription", pa.string(), nullable=False),
        pa.field("line_index", pa.int64(), nullable=False),
        pa.field("id", pa.string(), nullable=False),
        pa.field("price_id", pa.string(), nullable=False),
        pa.field("price_product", pa.string(), nullable=False),
        pa.field("price_currency", pa.string()),
        pa.field("price_unit_amount", pa.int64()),
        pa.field("price_unit_amount_decimal", DECIMAL_12),
        pa.field("price_billing_scheme", pa.string()),
        pa.field("price_tiers_mode", pa.string()),
        pa.field("price_recurring_interval", pa.string()),
        pa.field("price_recurring_usage_type", pa.string()),
        pa.field("quantity", pa.int64()),
        pa.field("current_period_start", TIMESTAMP),
        pa.field("current_period_end", TIMESTAMP),
    ]
)


def _item(item: object, i: int, subscription_id: str, currency: str) -> dict:
    where = f"items.data[{i}]."
    if not isinstance(item, dict):
        raise schema_error("not_an_object", f"'items.data[{i}]' must be a JSON object")
    stripe_object(item, "subscription_item", where=where)
    price = req_obj(item, "price", where=where)
    pw = where + "price."
    price_currency = opt_currency(price, where=pw)
    if price_currency is not None and price_currency != currency:
        raise rule_error(
            "item_currency_mismatch",
            f"'{pw}currency' {price_currency!r} differs from the subscription's {currency!r}",
        )
    unit_amount, unit_decimal = unit_amounts(price, where=pw)
    recurring = opt_obj(price, "recurring", where=pw)
    rw = pw + "recurring."
    quantity = opt_int(item, "quantity", where=where)
    non_negative(quantity, where + "quantity", "negative_quantity")
    start = opt_ts(item, "current_period_start", where=where)
    end = opt_ts(item, "current_period_end", where=where)
    period_order(start, end, where + "current_period")
    return {
        "subscription": subscription_id,
        "line_index": i,
        "id": req_id(item, "id", "si_", where=where),
        "price_id": req_id(price, "id", "price_", where=pw),
        "price_product": req_ref(price, "product", "prod_", where=pw),
        "price_currency": price_currency,
        "price_unit_amount": unit_amount,
        "price_unit_amount_decimal": unit_decimal,
        "price_billing_scheme": opt_enum(
            price, "billing_scheme", BILLING_SCHEMES, where=pw, code="unknown_billing_scheme"
        ),
        "price_tiers_mode": opt_enum(
            price, "tiers_mode", TIERS_MODES, where=pw, code="unknown_tiers_mode"
        ),
        "price_recurring_interval": None
        if recurring is None
        else opt_enum(
            recurring, "interval", INTERVALS, where=rw, code="unknown_recurring_interval"
        ),
        "price_recurring_usage_type": None
        if recurring is None
        else opt_enum(
            recurring, "usage_type", USAGE_TYPES, where=rw, code="unknown_recurring_usage_type"
        ),
        "quantity": quantity,
        "current_period_start": start,
        "current_period_end": end,
    }


def validate(record: object) -> dict:
    """One parsed JSON value -> a row of SCHEMA (items under CHILDREN), or raise Rejection."""
    rec = stripe_object(record, "subscription")
    subscription_id = req_id(rec, "id", "sub_")
    currency = req_currency(rec)
    start = opt_ts(rec, "current_period_start")
    end = opt_ts(rec, "current_period_end")
    period_order(start, end, "current_period")
    row = {
        "id": subscription_id,
        "livemode": opt_bool(rec, "livemode"),
        "created": req_ts(rec, "created"),
        "customer": req_ref(rec, "customer", "cus_"),
        "status": req_enum(rec, "status", STATUSES),
        "currency": currency,
        "start_date": req_ts(rec, "start_date"),
        "billing_cycle_anchor": req_ts(rec, "billing_cycle_anchor"),
        "cancel_at": opt_ts(rec, "cancel_at"),
        "canceled_at": opt_ts(rec, "canceled_at"),
        "current_period_start": start,
        "current_period_end": end,
        **metadata(rec, METADATA_KEYS),
    }
    items = list_data(rec, "items")
    row[CHILDREN] = {
        ITEMS_TABLE: [_item(item, i, subscription_id, currency) for i, item in enumerate(items)]
    }
    return row
