{#- The tier breakdown of rated_usage: one row per price tier a line touches (none when nothing is
    billable). Each tier amount is rounded half-even to the minor unit and the leftover of the
    line's single rounding goes to the tier with the largest exact amount (is_remainder_tier), so
    the tiers of a line sum exactly to its expected_amount. -#}
with

tiers as (
    select *
    from {{ ref('int_usage_tiers_rated') }}
    where is_touched
)

select
    cast(subscription_id as string) as subscription_id,
    cast(metric as string) as metric,
    cast(billing_period as string) as billing_period,
    cast(segment_number as integer) as segment_number,
    cast(tier as integer) as tier,
    cast(pricing_model as string) as pricing_model,
    cast(amendment_id as string) as amendment_id,
    cast(currency as string) as currency,
    cast(tier_lower_bound as decimal(38, 9)) as tier_lower_bound,
    cast(tier_upper_bound as decimal(38, 9)) as tier_upper_bound,
    cast(units_in_tier as decimal(38, 9)) as units_in_tier,
    cast(unit_price as decimal(38, 9)) as unit_price,
    cast(flat_fee_charged as decimal(38, 9)) as flat_fee_charged,
    cast(tier_amount_exact as decimal(38, 18)) as tier_amount_exact,
    cast({{ minor_to_major('tier_amount_minor', 'minor_units') }} as decimal(38, 9)) as tier_amount,
    cast(is_remainder_tier as boolean) as is_remainder_tier
from tiers
