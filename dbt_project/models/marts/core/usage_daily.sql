{#- Usage per subscription (or customer, when the platform sent no subscription) x metric x UTC day.
    Each (event_source, event_id) counts once: the first delivery wins. -#}
with

events as (
    select
        event_id,
        event_source,
        subscription_id,
        customer_id,
        metric,
        quantity,
        occurred_at,
        landed_at,
        batch_id,
        line_number
    from {{ ref('stg_usage__events') }}
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by event_source, event_id
            order by landed_at, batch_id, line_number
        ) as delivery_rank
    from events
),

first_deliveries as (
    select * from deduplicated where delivery_rank = 1
),

daily as (
    select
        subscription_id,
        customer_id,
        metric,
        cast(occurred_at as date) as usage_date,
        sum(quantity) as quantity,
        count(*) as event_count,
        min(occurred_at) as first_occurred_at,
        max(occurred_at) as last_occurred_at,
        max(landed_at) as last_landed_at
    from first_deliveries
    group by subscription_id, customer_id, metric, cast(occurred_at as date)
)

select
    cast(subscription_id as varchar) as subscription_id,
    cast(customer_id as varchar) as customer_id,
    cast(metric as varchar) as metric,
    cast(usage_date as date) as usage_date,
    cast(quantity as decimal(38, 9)) as quantity,
    cast(event_count as bigint) as event_count,
    cast(first_occurred_at as timestamp) as first_occurred_at,
    cast(last_occurred_at as timestamp) as last_occurred_at,
    cast(last_landed_at as timestamp) as last_landed_at
from daily
