{#- The platform fee lines an invoice should carry, per subscription and billing period, as the
    demo billing platform bills them (SOURCES_SPEC, billing policy):
    - one full-month fee line (quantity 1, not prorated) for the contract version in effect at
      the period start (a subscription starting inside the period: its first version);
    - for every version taking effect strictly inside the period (a mid-period upgrade or
      downgrade, at 00:00 UTC of its effective date), prorated by seconds over the rest of the
      period: a credit for the previous version's fee, -round_half_even(old fee x seconds from
      the change to the period end / seconds in the period), and a charge for the new version's
      fee, +round_half_even(new fee x the same seconds / seconds in the period), each rounded
      half-even to the currency's minor unit, computed on whole numbers (no decimal division).
      A change at the period start is no proration: that version is the one in effect at the
      start. Two changes on the same instant give two credit/charge pairs (a version in effect
      for no time is credited in full again), told apart by occurrence in the match key. -#}
with

periods as (
    select
        billing_period,
        period_start,
        period_end,
        seconds_in_period,
        is_invoiced_cycle
    from {{ ref('int_billing_periods') }}
),

currencies as (
    select
        currency,
        minor_units
    from {{ ref('currencies') }}
),

versions as (
    select
        subscription_id,
        contract_id,
        contract_version,
        amendment_id,
        business_transaction_id,
        plan_code,
        platform_fee,
        currency,
        legal_entity,
        cast(effective_from as timestamp) as starts_at,
        cast(effective_to as timestamp) as ends_at,
        lag(contract_version) over (partition by subscription_id order by contract_version)
            as previous_contract_version
    from {{ ref('subscriptions') }}
),

-- versions in effect for some time inside the period
overlapping as (
    select
        v.*,
        p.billing_period,
        p.period_start,
        p.period_end,
        p.seconds_in_period,
        p.is_invoiced_cycle
    from versions as v
    inner join periods as p
        on
            v.starts_at < p.period_end
            and (v.ends_at is null or (v.ends_at > p.period_start and v.ends_at > v.starts_at))
),

-- the version in effect at the period start, else the first one starting inside it
opening as (
    select *
    from (
        select
            o.*,
            row_number() over (
                partition by o.subscription_id, o.billing_period
                order by
                    case when o.starts_at <= o.period_start then 0 else 1 end asc,
                    case when o.starts_at <= o.period_start then o.contract_version end desc,
                    o.starts_at asc,
                    o.contract_version asc
            ) as opening_rank
        from overlapping as o
    ) as ranked
    where opening_rank = 1
),

changes as (
    select
        o.subscription_id,
        o.billing_period,
        o.period_end,
        o.seconds_in_period,
        o.is_invoiced_cycle,
        v.starts_at as change_at,
        v.contract_id,
        v.contract_version,
        v.amendment_id,
        v.business_transaction_id,
        v.plan_code,
        v.platform_fee,
        v.currency,
        v.legal_entity,
        prev.contract_version as previous_contract_version,
        prev.amendment_id as previous_amendment_id,
        prev.plan_code as previous_plan_code,
        prev.platform_fee as previous_platform_fee,
        {{ dbt.datediff('v.starts_at', 'o.period_end', 'second') }}
            as seconds_prorated
    from opening as o
    inner join versions as v
        on
            o.subscription_id = v.subscription_id
            and o.contract_version < v.contract_version
            and o.period_start < v.starts_at
            and o.period_end > v.starts_at
    inner join versions as prev
        on v.subscription_id = prev.subscription_id and v.previous_contract_version = prev.contract_version
),

fee_lines as (
    select
        subscription_id,
        billing_period,
        'platform_fee' as line_kind,
        cast(null as string) as proration_side,
        cast(null as timestamp) as change_at,
        contract_id,
        contract_version,
        amendment_id,
        business_transaction_id,
        plan_code,
        platform_fee,
        currency,
        legal_entity,
        period_start as service_period_start,
        period_end as service_period_end,
        seconds_in_period as seconds_prorated,
        seconds_in_period,
        is_invoiced_cycle
    from opening
),

proration_lines as (
    select
        subscription_id,
        billing_period,
        'proration' as line_kind,
        'credit' as proration_side,
        change_at,
        contract_id,
        previous_contract_version as contract_version,
        previous_amendment_id as amendment_id,
        business_transaction_id,
        previous_plan_code as plan_code,
        previous_platform_fee as platform_fee,
        currency,
        legal_entity,
        change_at as service_period_start,
        period_end as service_period_end,
        seconds_prorated,
        seconds_in_period,
        is_invoiced_cycle
    from changes
    union all
    select
        subscription_id,
        billing_period,
        'proration' as line_kind,
        'charge' as proration_side,
        change_at,
        contract_id,
        contract_version,
        amendment_id,
        business_transaction_id,
        plan_code,
        platform_fee,
        currency,
        legal_entity,
        change_at as service_period_start,
        period_end as service_period_end,
        seconds_prorated,
        seconds_in_period,
        is_invoiced_cycle
    from changes
),

lines as (
    select * from fee_lines
    union all
    select * from proration_lines
),

amounts as (
    select
        l.*,
        c.minor_units,
        row_number() over (
            partition by l.subscription_id, l.billing_period, l.line_kind, l.change_at, l.proration_side
            order by l.contract_version
        ) as occurrence,
        case when l.proration_side = 'credit' then -1 else 1 end
        * {{ div_half_even(
            scaled_int('l.platform_fee') ~ ' * ' ~ pow10_int('c.minor_units') ~ ' * l.seconds_prorated',
            'cast(1000000000 as ' ~ wide_integer_type() ~ ') * l.seconds_in_period'
        ) }} as amount_minor
    from lines as l
    left join currencies as c on l.currency = c.currency
)

select
    subscription_id,
    billing_period,
    line_kind,
    proration_side,
    change_at,
    occurrence,
    contract_id,
    contract_version,
    amendment_id,
    business_transaction_id,
    plan_code,
    platform_fee,
    currency,
    minor_units,
    legal_entity,
    service_period_start,
    service_period_end,
    seconds_prorated,
    seconds_in_period,
    is_invoiced_cycle,
    cast(1 as decimal(38, 9)) as quantity,
    cast(amount_minor as bigint) as amount_minor,
    {{ invoice_line_match_key(
        'subscription_id', 'billing_period', 'line_kind', 'cast(null as string)',
        'change_at', 'proration_side', 'occurrence'
    ) }} as match_key
from amounts
