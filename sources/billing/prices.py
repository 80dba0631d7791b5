"""Contract for Stripe prices (`inbox/billing/prices*.jsonl[.gz]`, prefix `prices`).

One Stripe `price` object per line. Key: `id`. Landed table `billing/prices`:

| column | type | from / rule |
|---|---|---|
| id | string | required, `price_…` |
| livemode | bool | nullable; must be a boolean when present |
| created | timestamp(us) | required Unix seconds -> naive UTC, 2000..2100 |
| product | string | required, `prod_…` |
| currency | string | required, lower-case known ISO 4217, landed as sent |
| active | bool | required |
| billing_scheme | string | required, `per_unit` or `tiered` |
| tiers_mode | string | `graduated`, `volume` or null; required when tiered |
| unit_amount | int64 | minor units, >= 0, nullable |
| unit_amount_decimal | decimal128(38,12) | from the string, >= 0, at most 12 decimals, nullable |
| recurring_interval | string | `recurring.interval`: day, week, month, year; null: one-off |
| recurring_interval_count | int64 | `recurring.interval_count`, >= 1 |
| recurring_usage_type | string | `recurring.usage_type`: licensed, metered |
| transform_quantity_divide_by | int64 | `transform_quantity.divide_by`, >= 1, nullable |
| transform_quantity_round | string | `transform_quantity.round`: up, down |
| tiers_included | bool | required: the object carries `tiers` (false: no `expand[]=tiers`) |
| metadata | string | the whole metadata object as sorted compact JSON; null when absent |

Child table `billing/price_tiers` (one row per element of `tiers`, in order):
price string (parent id), line_index int64 (0-based), up_to int64 (null = infinity),
unit_amount int64, unit_amount_decimal decimal128(38,12), flat_amount int64 (all nullable, >= 0).

Stripe includes a price's `tiers` only when the request asks for them (`expand[]=tiers`); a
tiered price extracted without them lands with `tiers_included = false` and no tier rows: its
tiers are the ones another delivery of the same price carried (`stg_billing__price_tiers` keeps
each price's latest tiers), and a tiered price no delivery gave tiers is flagged in
`unmapped_records` (`tiered_price_without_tiers`), never quarantined.

Rules: `object` = "price" (checked, not landed). per_unit needs unit_amount or
unit_amount_decimal (`missing_unit_amount`); tiered needs tiers_mode (`missing_tiers_mode`);
up_to strictly ascending (`tiers_not_ascending`),
only the last tier unbounded (`unbounded_tier_not_last`) and the last tier unbounded
(`last_tier_bounded`); when both unit_amount and unit_amount_decimal are given they are equal
(`unit_amount_mismatch`); divide_by >= 1 and interval_count >= 1 (`not_positive`); amounts >= 0
(`negative_amount`). All business_rule.

Example line:

    {"id": "price_api_growth", "object": "price", "created": 1785542400, "livemode": false,
     "product": "prod_api_calls", "currency": "usd", "active": true,
     "billing_scheme": "tiered", "tiers_mode": "graduated", "unit_amount": null,
     "unit_amount_decimal": null, "tiers": [{"up_to": 1000, "unit_amount": 0,
     "unit_amount_decimal": "0", "flat_amount": null}, {"up_to": null, "unit_amount": null,
     "unit_amount_decimal": "0.5", "flat_amount": null}],
     "recurring": {"interval": "month", "interval_count": 1, "usage_type": "metered"},
     "transform_quantity": {"divide_by": 1000, "round": "up"}, "metadata": {}}
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa

from sources.billing._common import (
    DECIMAL_12,
    metadata,
    non_negative,
    opt_amount,
    opt_array,
    opt_bool,
    opt_decimal_str,
    opt_enum,
    opt_int,
    opt_obj,
    req_bool,
    req_currency,
    req_enum,
    req_id,
    req_int,
    req_ref,
    req_ts,
    stripe_object,
)
from sources.contract import TIMESTAMP, rule_error, schema_error
from sources.landing import CHILDREN

TABLE = "prices"
TIERS_TABLE = "price_tiers"

BILLING_SCHEMES = frozenset({"per_unit", "tiered"})
TIERS_MODES = frozenset({"graduated", "volume"})
INTERVALS = frozenset({"day", "week", "month", "year"})
USAGE_TYPES = frozenset({"licensed", "metered"})
ROUNDINGS = frozenset({"up", "down"})

SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("livemode", pa.bool_()),
        pa.field("created", TIMESTAMP, nullable=False),
        pa.field("product", pa.string(), nullable=False),
        pa.field("currency", pa.string(), nullable=False),
        pa.field("active", pa.bool_(), nullable=False),
        pa.field("billing_scheme", pa.string(), nullable=False),
        pa.field("tiers_mode", pa.string()),
        pa.field("unit_amount", pa.int64()),
        pa.field("unit_amount_decimal", DECIMAL_12),
        pa.field("recurring_interval", pa.string()),
        pa.field("recurring_interval_count", pa.int64()),
        pa.field("recurring_usage_type", pa.string()),
        pa.field("transform_quantity_divide_by", pa.int64()),
        pa.field("transform_quantity_round", pa.string()),
        pa.field("tiers_included", pa.bool_(), nullable=False),
        pa.field("metadata", pa.string()),
    ]
)

TIERS_SCHEMA = pa.schema(
    [
        pa.field("price", pa.string(), nullable=False),
        pa.field("line_index", pa.int64(), nullable=False),
        pa.field("up_to", pa.int64()),
        pa.field("unit_amount", pa.int64()),
        pa.field("unit_amount_decimal", DECIMAL_12),
        pa.field("flat_amount", pa.int64()),
    ]
)


def unit_amounts(rec: dict, *, where: str = "") -> tuple[int | None, Decimal | None]:
    """`unit_amount` and `unit_amount_decimal`, both >= 0 and equal when both are given."""
    unit_amount = opt_amount(rec, "unit_amount", where=where)
    unit_decimal = opt_decimal_str(rec, "unit_amount_decimal", where=where)
    non_negative(unit_amount, where + "unit_amount")
    non_negative(unit_decimal, where + "unit_amount_decimal")
    if unit_amount is not None and unit_decimal is not None and unit_decimal != unit_amount:
        raise rule_error(
            "unit_amount_mismatch",
            f"'{where}unit_amount' {unit_amount} differs from "
            f"'{where}unit_amount_decimal' {unit_decimal}",
        )
    return unit_amount, unit_decimal


def _positive(value: int | None, label: str) -> None:
    if value is not None and value < 1:
        raise rule_error("not_positive", f"'{label}' must be at least 1, got {value}")


def _tiers(tiers: list, price_id: str) -> list[dict]:
    rows = []
    previous: int | None = 0
    for i, tier in enumerate(tiers):
        where = f"tiers[{i}]."
        if not isinstance(tier, dict):
            raise schema_error("wrong_type", f"'tiers[{i}]' must be an object")
        if previous is None:
            raise rule_error(
                "unbounded_tier_not_last", f"'tiers[{i - 1}].up_to' is null but is not the last"
            )
        up_to = opt_int(tier, "up_to", where=where)
        if up_to is not None and up_to <= previous:
            raise rule_error(
                "tiers_not_ascending",
                f"'{where}up_to' {up_to} is not above the previous bound {previous}",
            )
        unit_amount, unit_decimal = unit_amounts(tier, where=where)
        flat_amount = opt_amount(tier, "flat_amount", where=where)
        non_negative(flat_amount, where + "flat_amount")
        rows.append(
            {
                "price": price_id,
                "line_index": i,
                "up_to": up_to,
                "unit_amount": unit_amount,
                "unit_amount_decimal": unit_decimal,
                "flat_amount": flat_amount,
            }
        )
        previous = up_to
    if previous is not None:
        raise rule_error(
            "last_tier_bounded", f"'tiers[{len(tiers) - 1}].up_to' must be null (infinity)"
        )
    return rows


def validate(record: object) -> dict:
    """One parsed JSON value -> a row of SCHEMA (tiers under CHILDREN), or raise Rejection."""
    rec = stripe_object(record, "price")
    price_id = req_id(rec, "id", "price_")
    billing_scheme = req_enum(rec, "billing_scheme", BILLING_SCHEMES)
    tiers_mode = opt_enum(rec, "tiers_mode", TIERS_MODES)
    unit_amount, unit_decimal = unit_amounts(rec)
    tiers = opt_array(rec, "tiers")
    recurring = opt_obj(rec, "recurring")
    transform = opt_obj(rec, "transform_quantity")
    row = {
        "id": price_id,
        "livemode": opt_bool(rec, "livemode"),
        "created": req_ts(rec, "created"),
        "product": req_ref(rec, "product", "prod_"),
        "currency": req_currency(rec),
        "active": req_bool(rec, "active"),
        "billing_scheme": billing_scheme,
        "tiers_mode": tiers_mode,
        "unit_amount": unit_amount,
        "unit_amount_decimal": unit_decimal,
        "recurring_interval": None,
        "recurring_interval_count": None,
        "recurring_usage_type": None,
        "transform_quantity_divide_by": None,
        "transform_quantity_round": None,
        "tiers_included": bool(tiers),
        **metadata(rec),
    }
    if recurring is not None:
        where = "recurring."
        row["recurring_interval"] = req_enum(
            recurring, "interval", INTERVALS, where=where, code="unknown_recurring_interval"
        )
        row["recurring_interval_count"] = count = req_int(recurring, "interval_count", where=where)
        _positive(count, where + "interval_count")
        row["recurring_usage_type"] = req_enum(
            recurring, "usage_type", USAGE_TYPES, where=where, code="unknown_recurring_usage_type"
        )
    if transform is not None:
        where = "transform_quantity."
        row["transform_quantity_divide_by"] = divide_by = req_int(
            transform, "divide_by", where=where
        )
        _positive(divide_by, where + "divide_by")
        row["transform_quantity_round"] = req_enum(
            transform, "round", ROUNDINGS, where=where, code="unknown_transform_quantity_round"
        )
    if billing_scheme == "per_unit":
        if unit_amount is None and unit_decimal is None:
            raise rule_error(
                "missing_unit_amount",
                "a per_unit price needs 'unit_amount' or 'unit_amount_decimal'",
            )
        tier_rows = _tiers(tiers, price_id) if tiers else []
    else:
        if tiers_mode is None:
            raise rule_error("missing_tiers_mode", "a tiered price needs 'tiers_mode'")
        tier_rows = _tiers(tiers, price_id) if tiers else []
    row[CHILDREN] = {TIERS_TABLE: tier_rows}
    return row
