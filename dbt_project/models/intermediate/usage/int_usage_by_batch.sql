{#- Deduplicated usage summed per subscription x metric x billing period x UTC day x landing batch
    (the day, so a period's usage can be split where its contract changed: versions change at UTC
    midnight, int_usage_segments_classified).
    Incremental (append): all events of a batch are deduplicated in one run (a batch lands
    atomically, with one landed_at), so a run appends the batches kept since the last one. The
    period models read this, not every event: their cost grows with batches, not with events. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}

select
    subscription_id,
    metric,
    {{ period_key('occurred_at') }} as billing_period,
    cast(occurred_at as date) as usage_date,
    batch_id,
    max(landed_at) as landed_at,
    min(customer_id) as customer_id,
    sum(quantity) as quantity,
    count(*) as event_count,
    min(occurred_at) as first_occurred_at,
    max(occurred_at) as last_occurred_at
from {{ ref('int_usage_events_deduplicated') }}
where landed_at > {{ incremental_watermark('landed_at') }}
group by subscription_id, metric, {{ period_key('occurred_at') }}, cast(occurred_at as date), batch_id
