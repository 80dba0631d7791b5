{#- Shadow rating per subscription x metric x billing period x rating segment: the usage rated on
    the price terms of its contract version (var mid_cycle_usage_policy: the version at the period
    end, or one segment per version when usage is split at a mid-cycle change), as the billing
    platform rates it (late usage left out once the period is invoiced), with the expected line
    amount rounded half-even to the currency's minor unit once, and the value of the late usage
    (what the contract would have billed for it). Tier detail: rated_usage_tiers. -#}
with

rated as (
    select *
    from {{ ref('int_usage_tiers_rated') }}
    where is_line_row
)

select
    cast(subscription_id as string) as subscription_id,
    cast(metric as string) as metric,
    cast(billing_period as string) as billing_period,
    cast(segment_number as integer) as segment_number,
    cast(segment_count as integer) as segment_count,
    cast(segment_start as timestamp) as segment_start,
    cast(segment_end as timestamp) as segment_end,
    cast(contract_id as string) as contract_id,
    cast(contract_version as integer) as contract_version,
    cast(amendment_id as string) as amendment_id,
    cast(plan_code as string) as plan_code,
    cast(legal_entity as string) as legal_entity,
    cast(currency as string) as currency,
    cast(minor_units as integer) as minor_units,
    cast(invoice_id as string) as invoice_id,
    cast(is_invoiced as boolean) as is_invoiced,
    cast(case when is_invoiced then 'on_time_usage' else 'all_usage' end as string) as quantity_basis,
    cast(commercial_unit as string) as commercial_unit,
    cast(unit_divisor as bigint) as unit_divisor,
    cast(metered_quantity as decimal(38, 9)) as metered_quantity,
    cast(late_quantity as decimal(38, 9)) as late_quantity,
    cast(rated_technical_quantity as decimal(38, 9)) as rated_technical_quantity,
    cast(commercial_quantity as decimal(38, 9)) as commercial_quantity,
    cast(rated_quantity as decimal(38, 9)) as rated_quantity,
    cast(included_units as decimal(38, 9)) as included_units,
    cast(billable_quantity as decimal(38, 9)) as billable_quantity,
    cast(pricing_model as string) as pricing_model,
    cast(tier_count as integer) as tier_count,
    cast(tiers_touched as integer) as tiers_touched,
    cast(line_amount_exact as decimal(38, 18)) as expected_amount_exact,
    cast({{ minor_to_major('line_amount_minor', 'minor_units') }} as decimal(38, 9)) as expected_amount,
    cast({{ minor_to_major('late_usage_amount_minor', 'minor_units') }} as decimal(38, 9))
        as late_usage_amount,
    cast(rating_status as string) as rating_status
from rated
