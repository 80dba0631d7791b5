{#- Product usage <-> Stripe meters: one row per Stripe customer x metric x billing period with
    metered usage of a metric the company also reports to a Stripe Billing meter (seed meters:
    stripe_event_name), or with Stripe meter events. The product side is the meter's aggregation
    over the period's usage (usage_by_period's quantity, per customer); the Stripe side is the
    meter events' values under the Stripe meter's formula (stripe_aggregation: sum, count, or the
    last value by time). Quantities are compared exactly, in the meter's technical unit;
    quantity_variance is product minus Stripe (positive: measured, never metered by Stripe).
    Usage whose key resolves to no customer is left to rec_usage_billing (status unmapped there).
    Status, first that applies:
      unmapped           the meter event names no meter, or a Stripe customer no CRM account knows
      missing_in_stripe  usage measured, no meter event in Stripe for the period
      unknown_in_usage   meter events in Stripe, no usage measured
      unbilled_usage     Stripe's quantity below the product's
      overbilled         Stripe's quantity above the product's
      matched            otherwise -#}
with

meters as (
    select
        metric,
        stripe_event_name,
        stripe_aggregation,
        valid_from,
        valid_to
    from {{ ref('int_meters') }}
    where stripe_event_name is not null
),

reported_metrics as (
    select
        metric,
        min(stripe_event_name) as stripe_event_name
    from meters
    group by metric
),

usage as (
    select
        b.customer_id,
        b.metric,
        r.stripe_event_name as event_name,
        b.billing_period,
        b.aggregation,
        {{ combine_usage('b.aggregation') }} as metered_quantity,
        sum(b.event_count) as event_count
    from {{ ref('int_usage_batches_classified') }} as b
    inner join reported_metrics as r on b.metric = r.metric
    where b.customer_id is not null
    group by b.customer_id, b.metric, r.stripe_event_name, b.billing_period, b.aggregation
),

meter_events as (
    select
        e.meter_event_id,
        e.event_name,
        e.customer_id,
        e.occurred_at,
        e.value,
        {{ period_key('e.occurred_at') }} as billing_period,
        m.metric,
        m.stripe_aggregation
    from {{ ref('stg_billing__meter_events') }} as e
    left join meters as m
        on
            e.event_name = m.stripe_event_name
            and cast(e.occurred_at as date) >= m.valid_from
            and (m.valid_to is null or cast(e.occurred_at as date) < m.valid_to)
),

stripe as (
    select
        customer_id,
        event_name,
        min(metric) as metric,
        billing_period,
        min(stripe_aggregation) as stripe_aggregation,
        case min(stripe_aggregation)
            when 'count' then count(*)
            when 'last' then {{ max_by('value', ['occurred_at', 'meter_event_id']) }}
            else sum(value)
        end as stripe_quantity,
        count(*) as meter_event_count
    from meter_events
    group by customer_id, event_name, billing_period
),

customers as (
    select
        stripe_customer_id,
        account_id,
        legal_entity,
        currency,
        functional_currency
    from {{ ref('customers') }}
),

fiscal as (
    select
        fiscal_period,
        posting_fiscal_period
    from {{ ref('fiscal_periods') }}
),

paired as (
    select
        coalesce(u.customer_id, s.customer_id) as customer_id,
        coalesce(u.metric, s.metric) as metric,
        coalesce(u.billing_period, s.billing_period) as billing_period,
        coalesce(u.event_name, s.event_name) as event_name,
        u.aggregation,
        s.stripe_aggregation,
        coalesce(u.metered_quantity, 0) as metered_quantity,
        coalesce(s.stripe_quantity, 0) as stripe_quantity,
        coalesce(u.event_count, 0) as event_count,
        coalesce(s.meter_event_count, 0) as meter_event_count,
        u.customer_id is not null as has_usage,
        s.customer_id is not null as has_meter_events
    from usage as u
    full outer join stripe as s
        on
            u.customer_id = s.customer_id
            and u.event_name = s.event_name
            and u.billing_period = s.billing_period
),

classified as (
    select
        p.*,
        c.account_id,
        c.legal_entity,
        c.currency,
        c.functional_currency,
        f.posting_fiscal_period as fiscal_period,
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, period_start('p.billing_period'))) }}
            as date
        ) as period_end_date,
        case
            when p.metric is null or c.account_id is null then 'unmapped'
            when not p.has_meter_events then 'missing_in_stripe'
            when not p.has_usage then 'unknown_in_usage'
            when p.stripe_quantity < p.metered_quantity then 'unbilled_usage'
            when p.stripe_quantity > p.metered_quantity then 'overbilled'
            else 'matched'
        end as status
    from paired as p
    left join customers as c on p.customer_id = c.stripe_customer_id
    -- the usage's own month: what Stripe metered and what the product measured in it
    left join fiscal as f on p.billing_period = f.fiscal_period
)

select
    cast(customer_id as string) as customer_id,
    cast(metric as string) as metric,
    cast(billing_period as string) as billing_period,
    cast(status as string) as status,
    cast(event_name as string) as stripe_event_name,
    cast(account_id as string) as account_id,
    cast(legal_entity as string) as legal_entity,
    cast(fiscal_period as string) as fiscal_period,
    cast(period_end_date as date) as period_end_date,
    cast(currency as string) as currency,
    cast(functional_currency as string) as functional_currency,
    cast(aggregation as string) as aggregation,
    cast(stripe_aggregation as string) as stripe_aggregation,
    cast(metered_quantity as decimal(38, 9)) as metered_quantity,
    cast(stripe_quantity as decimal(38, 9)) as stripe_quantity,
    cast(metered_quantity - stripe_quantity as decimal(38, 9)) as quantity_variance,
    -- no money is compared here: the variance columns every reconciliation has stay zero
    cast(0 as decimal(38, 9)) as variance,
    cast(0 as decimal(38, 9)) as variance_functional,
    cast(event_count as bigint) as event_count,
    cast(meter_event_count as bigint) as meter_event_count
from classified
