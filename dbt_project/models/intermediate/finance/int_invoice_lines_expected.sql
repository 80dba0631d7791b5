{#- Every line an invoice should carry, per subscription and billing period: the platform fee and
    proration lines (int_platform_fee_lines_expected), one usage line per metric and rating segment
    with rated usage (int_usage_tiers_rated: quantity in commercial units, late usage left out once
    invoiced; two lines when the period is split at a contract change), and
    the minimum commitment true-up: when the minimum commitment of the version in effect at the
    period end exceeds the sum of the fee, proration and usage lines (each already rounded), one
    line for the difference. -#}
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

fee_lines as (
    select
        subscription_id,
        billing_period,
        line_kind,
        cast(null as string) as metric,
        proration_side,
        change_at,
        occurrence,
        contract_id,
        contract_version,
        amendment_id,
        business_transaction_id,
        plan_code,
        currency,
        minor_units,
        legal_entity,
        service_period_start,
        service_period_end,
        is_invoiced_cycle,
        quantity,
        amount_minor,
        match_key
    from {{ ref('int_platform_fee_lines_expected') }}
),

-- a period split at a contract change has one usage line per segment with usage, in time order
rated_usage_lines as (
    select
        *,
        row_number() over (
            partition by subscription_id, billing_period, metric order by segment_number
        ) as occurrence
    from {{ ref('int_usage_tiers_rated') }}
    where is_line_row and rating_status = 'rated' and rated_technical_quantity > 0
),

usage_lines as (
    select
        u.subscription_id,
        u.billing_period,
        'usage' as line_kind,
        u.metric,
        cast(null as string) as proration_side,
        cast(null as timestamp) as change_at,
        u.occurrence,
        u.contract_id,
        u.contract_version,
        u.amendment_id,
        cast(null as string) as business_transaction_id,
        u.plan_code,
        u.currency,
        u.minor_units,
        u.legal_entity,
        u.segment_start as service_period_start,
        u.segment_end as service_period_end,
        coalesce(p.is_invoiced_cycle, false) as is_invoiced_cycle,
        u.rated_quantity as quantity,
        u.line_amount_minor as amount_minor,
        {{ invoice_line_match_key(
            'u.subscription_id', 'u.billing_period', "'usage'", 'u.metric',
            'cast(null as timestamp)', 'cast(null as string)', 'u.occurrence'
        ) }} as match_key
    from rated_usage_lines as u
    left join periods as p on u.billing_period = p.billing_period
),

subscription_periods as (
    select
        subscription_id,
        billing_period,
        sum(amount_minor) as lines_minor
    from (
        select
            subscription_id,
            billing_period,
            amount_minor
        from fee_lines
        union all
        select
            subscription_id,
            billing_period,
            amount_minor
        from usage_lines
    ) as billed_lines
    group by subscription_id, billing_period
),

-- the version in effect at the last instant of the period carries the minimum commitment
closing as (
    select *
    from (
        select
            s.subscription_id,
            s.billing_period,
            s.lines_minor,
            p.period_start,
            p.period_end,
            p.is_invoiced_cycle,
            v.contract_id,
            v.contract_version,
            v.amendment_id,
            v.business_transaction_id,
            v.plan_code,
            v.minimum_commitment,
            v.currency,
            v.legal_entity,
            row_number() over (
                partition by s.subscription_id, s.billing_period order by v.contract_version desc
            ) as closing_rank
        from subscription_periods as s
        inner join periods as p on s.billing_period = p.billing_period
        inner join {{ ref('subscriptions') }} as v
            on
                s.subscription_id = v.subscription_id
                and cast(v.effective_from as timestamp) < p.period_end
                and (v.effective_to is null or cast(v.effective_to as timestamp) >= p.period_end)
    ) as ranked
    where closing_rank = 1
),

commitments as (
    select
        k.*,
        c.minor_units,
        {{ div_half_even(scaled_int('k.minimum_commitment') ~ ' * ' ~ pow10_int('c.minor_units'), '1000000000') }}
            as commitment_minor
    from closing as k
    left join currencies as c on k.currency = c.currency
    where k.minimum_commitment > 0
),

true_up_lines as (
    select
        subscription_id,
        billing_period,
        'minimum_commitment' as line_kind,
        cast(null as string) as metric,
        cast(null as string) as proration_side,
        cast(null as timestamp) as change_at,
        1 as occurrence,
        contract_id,
        contract_version,
        amendment_id,
        business_transaction_id,
        plan_code,
        currency,
        minor_units,
        legal_entity,
        period_start as service_period_start,
        period_end as service_period_end,
        is_invoiced_cycle,
        cast(1 as decimal(38, 9)) as quantity,
        cast(commitment_minor - lines_minor as bigint) as amount_minor,
        {{ invoice_line_match_key(
            'subscription_id', 'billing_period', "'minimum_commitment'", 'cast(null as string)',
            'cast(null as timestamp)', 'cast(null as string)', '1'
        ) }} as match_key
    from commitments
    where commitment_minor > lines_minor
),

lines as (
    select * from fee_lines
    union all
    select * from usage_lines
    union all
    select * from true_up_lines
)

select
    match_key,
    subscription_id,
    billing_period,
    line_kind,
    metric,
    proration_side,
    change_at,
    occurrence,
    contract_id,
    contract_version,
    amendment_id,
    business_transaction_id,
    plan_code,
    currency,
    minor_units,
    legal_entity,
    service_period_start,
    service_period_end,
    is_invoiced_cycle,
    quantity,
    amount_minor,
    {{ minor_to_major('amount_minor', 'minor_units') }} as amount
from lines
