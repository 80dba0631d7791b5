"""Contract for Stripe prices (`inbox/billing/prices*.jsonl[.gz]`, prefix `prices`).

One Stripe `price` object per line. Key: `id`. Landed table `billing/prices`:

| column | landed type | required | from | rule |
|---|---|---|---|---|
| id | string | yes | | `price_…` |
| livemode | bool | no | | true or false when present |
| created | timestamp(us) | yes | | Unix seconds -> naive UTC, 2000..2100 |
| product | string | yes | | `prod_…` (id or expanded) |
| currency | string | yes | | lower-case known ISO 4217, landed as sent |
| active | bool | yes | | true or false |
| billing_scheme | string | yes | | `per_unit` or `tiered` |
| tiers_mode | string | no | | `graduated`, `volume`; required when tiered |
| unit_amount | int64 | no | | minor units, >= 0 |
| unit_amount_decimal | decimal128(38,12) | no | | from the string, >= 0, at most 12 decimals |
| recurring_interval | string | no | | day, week, month, year; null: one-off |
| recurring_interval_count | int64 | no | | >= 1 |
| recurring_usage_type | string | no | | licensed, metered |
| transform_quantity_divide_by | int64 | no | | >= 1 |
| transform_quantity_round | string | no | | up, down |
| tiers_included | bool | yes | `tiers` | the object carries `tiers` (false: no `expand[]=tiers`) |
| metadata | string | no | | the object as sorted compact JSON; null when absent |

Child table `billing/price_tiers` (one row per element of `tiers`, in order):

| column | landed type | required | from | rule |
|---|---|---|---|---|
| price | string | yes | | the price's `id` |
| line_index | int64 | yes | | 0-based position in `tiers` |
| up_to | int64 | no | | null = infinity; ascending, only the last null |
| unit_amount | int64 | no | | minor units, >= 0 |
| unit_amount_decimal | decimal128(38,12) | no | | >= 0; = unit_amount when both |
| flat_amount | int64 | no | | minor units, >= 0 |

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

from sources import table_spec
from sources.billing import _fields
from sources.billing._common import opt_array, stripe_object
from sources.contract import rule_error, schema_error
from sources.landing import CHILDREN

SPEC = table_spec.load("billing", "prices")
TIERS_SPEC = table_spec.load("billing", "price_tiers")
CHILD_SPECS = (TIERS_SPEC,)
TABLE = SPEC.table
TIERS_TABLE = TIERS_SPEC.table
SCHEMA = table_spec.schema(SPEC)
TIERS_SCHEMA = table_spec.schema(TIERS_SPEC)

_read = _fields.reader(SPEC)
_read_tier = _fields.reader(TIERS_SPEC)


def check_unit_amounts(row: dict, amount: str, decimal: str, where: str = "") -> None:
    """`unit_amount` and `unit_amount_decimal` are equal when both are given."""
    unit_amount, unit_decimal = row[amount], row[decimal]
    if unit_amount is not None and unit_decimal is not None and unit_decimal != unit_amount:
        raise rule_error(
            "unit_amount_mismatch",
            f"'{where}unit_amount' {unit_amount} differs from "
            f"'{where}unit_amount_decimal' {unit_decimal}",
        )


def _tiers(tiers: list, price_id: str) -> list[dict]:
    """Tier rows: bounds strictly ascending, only the last one unbounded."""
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
        row = _read_tier(tier, where)
        up_to = row["up_to"]
        if up_to is not None and up_to <= previous:
            raise rule_error(
                "tiers_not_ascending",
                f"'{where}up_to' {up_to} is not above the previous bound {previous}",
            )
        check_unit_amounts(row, "unit_amount", "unit_amount_decimal", where)
        rows.append({**row, "price": price_id, "line_index": i})
        previous = up_to
    if previous is not None:
        raise rule_error(
            "last_tier_bounded", f"'tiers[{len(tiers) - 1}].up_to' must be null (infinity)"
        )
    return rows


def validate(record: object) -> dict:
    """One parsed JSON value -> a row of SCHEMA (tiers under CHILDREN), or raise Rejection."""
    rec = stripe_object(record, "price")
    row = _read(rec)
    tiers = opt_array(rec, "tiers")
    row["tiers_included"] = bool(tiers)
    check_unit_amounts(row, "unit_amount", "unit_amount_decimal")
    if row["billing_scheme"] == "per_unit":
        if row["unit_amount"] is None and row["unit_amount_decimal"] is None:
            raise rule_error(
                "missing_unit_amount",
                "a per_unit price needs 'unit_amount' or 'unit_amount_decimal'",
            )
    elif row["tiers_mode"] is None:
        raise rule_error("missing_tiers_mode", "a tiered price needs 'tiers_mode'")
    row[CHILDREN] = {TIERS_TABLE: _tiers(tiers, row["id"]) if tiers else []}
    return row
