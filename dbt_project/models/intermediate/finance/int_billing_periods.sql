{#- The monthly billing periods (calendar months, UTC) from the first contract start to the
    latest period with usage or an invoice, with their length in seconds (the proration
    denominator) and whether the billing platform has run the cycle: a period is invoiced once
    any finalized invoice bills it; later periods are still running. -#}
with

bounds as (
    select min(effective_from) as first_effective_from
    from {{ ref('subscriptions') }}
),

observed as (
    select billing_period from {{ ref('usage_by_period') }}
    union all
    select billing_period from {{ ref('invoices') }}
    where finalized_at is not null
),

last_period as (
    select max(billing_period) as last_billing_period
    from observed
),

invoiced as (
    select max(billing_period) as last_invoiced_period
    from {{ ref('invoices') }}
    where finalized_at is not null and invoice_status <> 'void'
),

months as (
    {{ dbt.generate_series(var('billing_period_spine_months', 600)) }}
),

first_month as (
    select cast({{ dbt.date_trunc('month', 'first_effective_from') }} as date) as first_period_start
    from bounds
),

spine as (
    select
        cast({{ dbt.dateadd('month', 'm.generated_number - 1', 'f.first_period_start') }} as date)
            as period_start_date
    from months as m
    cross join first_month as f
),

periods as (
    select
        {{ period_key('period_start_date') }} as billing_period,
        cast(period_start_date as timestamp) as period_start,
        cast({{ dbt.dateadd('month', 1, 'period_start_date') }} as timestamp) as period_end
    from spine
)

select
    cast(p.billing_period as string) as billing_period,
    cast(p.period_start as timestamp) as period_start,
    cast(p.period_end as timestamp) as period_end,
    cast(
        {{ dbt.datediff('p.period_start', 'p.period_end', 'second') }}
        as bigint
    ) as seconds_in_period,
    cast(coalesce(p.billing_period <= i.last_invoiced_period, false) as boolean) as is_invoiced_cycle
from periods as p
cross join last_period as l
cross join invoiced as i
where p.billing_period <= l.last_billing_period
