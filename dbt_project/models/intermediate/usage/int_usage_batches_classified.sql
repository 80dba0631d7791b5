{#- The partial aggregates of metered usage (int_usage_by_batch) with what the period models
    decide per row: whether the batch arrived late (after the period's invoice was finalized; the
    earlier of its file's delivery and its landing is its arrival), the contract version in
    effect at the period end and on the usage day, and the aggregation of the meter in force at
    the period end (a metric's aggregation applies to a whole period). -#}
with

events as (
    select * from {{ ref('int_usage_by_batch') }}
),

arrivals as (
    select
        batch_id,
        -- a file cannot arrive after it landed; the earlier clock is the arrival
        least(file_delivered_at, landed_at) as arrived_at
    from {{ ref('stg_landing__batches') }}
),

period_invoices as (
    select
        subscription_id,
        {{ period_key('period_start') }} as billing_period,
        min(invoice_id) as invoice_id,
        min(finalized_at) as finalized_at
    from {{ ref('stg_billing__invoices') }}
    where finalized_at is not null and invoice_status <> 'void'
    group by subscription_id, {{ period_key('period_start') }}
),

versions as (
    select
        subscription_id,
        contract_version,
        cast(effective_from as date) as effective_from,
        cast(effective_to as date) as effective_to
    from {{ ref('subscriptions') }}
),

meters as (
    select
        metric,
        valid_from,
        valid_to,
        aggregation,
        unit_divisor,
        rounding,
        commercial_unit
    from {{ ref('int_meters') }}
),

classified as (
    select
        e.*,
        a.arrived_at,
        i.invoice_id,
        i.finalized_at as invoice_finalized_at,
        coalesce(i.finalized_at < a.arrived_at, false) as is_late,
        {{ period_start('e.billing_period') }} as period_start,
        cast({{ dbt.dateadd('month', 1, period_start('e.billing_period')) }} as date) as period_end,
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, period_start('e.billing_period'))) }}
            as date
        ) as period_last_date
    from events as e
    left join arrivals as a on e.batch_id = a.batch_id
    left join period_invoices as i
        on e.subscription_id = i.subscription_id and e.billing_period = i.billing_period
),

-- the days a version is looked up for: each period's last day and the usage days
version_days as (
    select distinct
        subscription_id,
        period_last_date as version_date
    from classified
    union
    select distinct
        subscription_id,
        usage_date as version_date
    from classified
),

day_versions as (
    select
        d.subscription_id,
        d.version_date,
        max(v.contract_version) as contract_version
    from version_days as d
    inner join versions as v
        on
            d.subscription_id = v.subscription_id
            and d.version_date >= v.effective_from
            and (v.effective_to is null or d.version_date < v.effective_to)
    group by d.subscription_id, d.version_date
)

select
    c.*,
    p.contract_version as period_end_version,
    d.contract_version as usage_day_version,
    m.aggregation,
    m.valid_from as period_meter_valid_from,
    m.unit_divisor,
    m.rounding,
    m.commercial_unit
from classified as c
left join day_versions as p
    on c.subscription_id = p.subscription_id and c.period_last_date = p.version_date
left join day_versions as d
    on c.subscription_id = d.subscription_id and c.usage_date = d.version_date
-- the version in force at the period end, else the last one before it (a retired metric)
left join meters as m
    on c.metric = m.metric and c.period_last_date >= m.valid_from
qualify row_number() over (
    partition by c.subscription_id, c.metric, c.billing_period, c.usage_date, c.batch_id, c.unique_value
    order by m.valid_from desc
) = 1
