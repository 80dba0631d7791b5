{#- Usage per subscription (or customer, when the platform sent no subscription) x metric x UTC day,
    each event counted once. Incremental: only the days that received newly landed events are
    recomputed (delete+insert by usage_date), so a nightly run costs one day, not all history. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='usage_date',
        on_schema_change='fail',
    )
}}

with

events as (
    select
        subscription_id,
        customer_id,
        metric,
        quantity,
        occurred_at,
        landed_at,
        cast(occurred_at as date) as usage_date
    from {{ ref('int_usage_events_deduplicated') }}
),

{% if is_incremental() %}
    touched_days as (
        select distinct usage_date
        from events
        where landed_at > {{ incremental_watermark('last_landed_at') }}
    ),
{% endif %}

daily as (
    select
        subscription_id,
        customer_id,
        metric,
        usage_date,
        sum(quantity) as quantity,
        count(*) as event_count,
        min(occurred_at) as first_occurred_at,
        max(occurred_at) as last_occurred_at,
        max(landed_at) as last_landed_at
    from events
    {% if is_incremental() %}
        where usage_date in (select t.usage_date from touched_days as t)
    {% endif %}
    group by subscription_id, customer_id, metric, usage_date
)

select
    cast(subscription_id as varchar) as subscription_id,
    cast(customer_id as varchar) as customer_id,
    cast(metric as varchar) as metric,
    cast(usage_date as date) as usage_date,
    cast({{ period_key('usage_date') }} as varchar) as billing_period,
    cast(quantity as decimal(38, 9)) as quantity,
    cast(event_count as bigint) as event_count,
    cast(first_occurred_at as timestamp) as first_occurred_at,
    cast(last_occurred_at as timestamp) as last_occurred_at,
    cast(last_landed_at as timestamp) as last_landed_at
from daily
