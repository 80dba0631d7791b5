{#- Usage of the billable meters per subscription x metric x billing period (calendar month,
    UTC), in technical and in commercial units (the meter's unit_divisor and rounding), split
    into on-time and late: an event is late when it arrived after the period's invoice had been
    finalized. The quantity is the meter's aggregation over the whole period (a MAX is the
    period's peak, not a sum of daily peaks), with the definition in force at the period end
    (meter_valid_from). Mapped to the contract version in effect at period end
    (the rating segments of a mid-cycle change: int_usage_segments_classified),
    with the entitlement check (usage above the plan limit where no overage is allowed). -#}
with

-- the meter's aggregation over the period's usage, over all of it and over what arrived on time
-- (late usage arrived after the period's invoice was finalized: int_usage_batches_classified)
by_period as (
    select
        subscription_id,
        metric,
        billing_period,
        aggregation,
        min(customer_id) as customer_id,
        min(period_meter_valid_from) as meter_valid_from,
        min(commercial_unit) as commercial_unit,
        min(unit_divisor) as unit_divisor,
        min(rounding) as rounding,
        {{ combine_usage('aggregation') }} as metered_quantity,
        {{ combine_usage('aggregation', 'not is_late') }} as on_time_quantity,
        sum(event_count) as event_count,
        sum(case when is_late then event_count else 0 end) as late_event_count,
        min(first_occurred_at) as first_occurred_at,
        max(last_occurred_at) as last_occurred_at,
        max(arrived_at) as last_arrived_at,
        min(invoice_id) as invoice_id,
        min(invoice_finalized_at) as finalized_at
    from {{ ref('int_usage_batches_classified') }}
    group by subscription_id, metric, billing_period, aggregation
),

versions as (
    select * from {{ ref('subscriptions') }}
),

in_effect as (
    select
        b.*,
        v.contract_id,
        v.account_id,
        v.contract_version,
        v.amendment_id,
        v.legal_entity,
        v.currency,
        v.functional_currency,
        v.region,
        exists(
            select 1 from versions as k
            where k.subscription_id = b.subscription_id
        ) as is_mapped
    from by_period as b
    left join versions as v
        on
            b.subscription_id = v.subscription_id
            and v.effective_from < {{ dbt.dateadd('month', 1, period_start('b.billing_period')) }}
            and (
                v.effective_to is null
                or v.effective_to >= {{ dbt.dateadd('month', 1, period_start('b.billing_period')) }}
            )
),

terms as (
    select
        amendment_id,
        metric,
        included_units,
        plan_limit,
        overage_allowed
    from {{ ref('stg_crm__contract_price_terms') }}
    where tier = 1
),

fiscal as (
    select
        fiscal_period,
        posting_fiscal_period
    from {{ ref('fiscal_periods') }}
)

select
    cast(e.subscription_id as string) as subscription_id,
    cast(e.metric as string) as metric,
    cast(e.billing_period as string) as billing_period,
    cast(e.customer_id as string) as customer_id,
    cast(e.account_id as string) as account_id,
    cast(e.contract_id as string) as contract_id,
    cast(e.contract_version as integer) as contract_version,
    cast(e.aggregation as string) as aggregation,
    cast(e.meter_valid_from as date) as meter_valid_from,
    cast(e.metered_quantity as decimal(38, 9)) as metered_quantity,
    cast(e.on_time_quantity as decimal(38, 9)) as on_time_quantity,
    cast(e.metered_quantity - e.on_time_quantity as decimal(38, 9)) as late_quantity,
    cast(e.event_count as bigint) as event_count,
    cast(e.late_event_count as bigint) as late_event_count,
    cast(e.commercial_unit as string) as commercial_unit,
    cast(e.unit_divisor as bigint) as unit_divisor,
    cast(e.rounding as string) as rounding,
    cast({{ divide_to_whole('e.metered_quantity', 'e.unit_divisor', 'e.rounding') }} as decimal(38, 9))
        as commercial_quantity,
    cast(
        {{ divide_to_whole('e.on_time_quantity', 'e.unit_divisor', 'e.rounding') }}
        as decimal(38, 9)
    ) as on_time_commercial_quantity,
    cast(t.included_units as decimal(38, 9)) as included_units,
    cast(t.plan_limit as decimal(38, 9)) as plan_limit,
    cast(t.overage_allowed as boolean) as overage_allowed,
    cast(
        coalesce(
            t.plan_limit is not null
            and not t.overage_allowed
            and {{ divide_to_whole('e.metered_quantity', 'e.unit_divisor', 'e.rounding') }}
            > t.plan_limit,
            false
        ) as boolean
    ) as is_over_entitlement,
    cast(e.is_mapped as boolean) as is_mapped,
    cast(e.invoice_id as string) as invoice_id,
    cast(e.finalized_at as timestamp) as invoice_finalized_at,
    cast(f.posting_fiscal_period as string) as posting_fiscal_period,
    cast(e.legal_entity as string) as legal_entity,
    cast(e.region as string) as region,
    cast(e.currency as string) as currency,
    cast(e.functional_currency as string) as functional_currency,
    cast(e.first_occurred_at as timestamp) as first_occurred_at,
    cast(e.last_occurred_at as timestamp) as last_occurred_at,
    cast(e.last_arrived_at as timestamp) as last_arrived_at
from in_effect as e
left join terms as t on e.amendment_id = t.amendment_id and e.metric = t.metric
left join fiscal as f on {{ period_key('e.finalized_at') }} = f.fiscal_period
