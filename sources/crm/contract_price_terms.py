"""Contract for CRM contract price terms (`crm/contract_price_terms`): the usage price of one
metric under one contract amendment, one row per tier.

File: `inbox/crm/contract_price_terms.csv` (or `contract_price_terms_….csv`, `-….csv`,
`.csv.gz`), UTF-8, a header row with these column names (order free, extra columns ignored).
An empty cell is null. Key: (`amendment_id`, `metric`, `tier`).

| column | landed type | required | rule |
|---|---|---|---|
| amendment_id | string | yes | `AMD-…` (crm contract_amendments) |
| metric | string | yes | a metric code (`api_calls`): a-z, 0-9, `_`; seed meters has it |
| pricing_model | string | yes | `per_unit`, `graduated`, `volume` |
| tier | int64 | yes | integer >= 1 |
| up_to | decimal128(38,9) | no | commercial units, > 0; empty = no upper bound |
| unit_price | decimal128(38,9) | yes | major units per commercial unit, >= 0 |
| flat_fee | decimal128(38,9) | no | major units, >= 0; empty = 0 (landed null) |
| included_units | decimal128(38,9) | no | commercial units free per period, >= 0, tier 1 only |
| unit_divisor | int64 | yes | technical units per commercial unit, >= 1 (1000 calls) |
| rounding | string | yes | `up`, `down` (the divided quantity to a whole commercial unit) |
| overage_allowed | bool | yes | `true` / `false` (any case) |
| plan_limit | decimal128(38,9) | no | commercial units per period, >= 0; empty = none |

Decimals: plain `123.45`, at most 9 decimals.

Reasons: missing_field, bad_identifier, unknown_enum, wrong_type, too_many_decimals, out_of_range,
bad_flag (schema); tier_out_of_range, unit_divisor_out_of_range, up_to_not_positive,
negative_value, included_units_not_on_tier_1 (business_rule).

Example:

    amendment_id,metric,pricing_model,tier,up_to,unit_price,flat_fee,included_units,unit_divisor,rounding,overage_allowed,plan_limit
    AMD-0001,api_calls,graduated,1,1000,0.50,0,100,1000,up,true,
"""

from __future__ import annotations

from sources import table_spec
from sources.contract import rule_error
from sources.crm import _common

SPEC = table_spec.load("crm", "contract_price_terms")


def check(row: dict) -> None:
    """Free units belong on tier 1."""
    if row["tier"] > 1 and row["included_units"]:
        raise rule_error(
            "included_units_not_on_tier_1",
            f"'included_units' {row['included_units'].normalize():f} is set on tier "
            f"{row['tier']}; free units belong on tier 1",
        )


validate = _common.validator(SPEC, check)
