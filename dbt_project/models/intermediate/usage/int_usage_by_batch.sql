{#- Metered usage of billable meters per subscription x metric x billing period x UTC day x
    landing batch (x distinct value, for UNIQUE_COUNT meters), as partial aggregates every
    aggregation can be combined from exactly (macro combine_usage): the sum of values, the event
    count, the minimum and maximum, the latest value with its time, and the distinct values
    themselves. The day lets a period be split where its contract changed (versions change at UTC
    midnight, int_usage_segments_classified); the batch decides whether usage arrived late.
    Incremental (append): all events of a batch are metered in one run (a batch lands atomically,
    with one landed_at), so a run appends the batches metered since the last one. The period
    models read this, not every event: their cost grows with batches, not with events. -#}
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
    unique_value,
    max(landed_at) as landed_at,
    min(stripe_customer_id) as customer_id,
    min(account_id) as account_id,
    bool_or(is_resolved) as is_resolved,
    max(meter_valid_from) as meter_valid_from,
    sum(value) as quantity,
    count(*) as event_count,
    min(value) as min_value,
    max(value) as max_value,
    {{ max_by('value', ['occurred_at', 'event_source || chr(31) || event_id']) }} as latest_value,
    max(occurred_at) as latest_occurred_at,
    {{ max_by('event_source || chr(31) || event_id', ['occurred_at', 'event_source || chr(31) || event_id']) }}
        as latest_event,
    min(occurred_at) as first_occurred_at,
    max(occurred_at) as last_occurred_at
from {{ ref('int_usage_events_metered') }}
where
    landed_at > {{ incremental_watermark('landed_at') }}
    and meter_status = 'metered'
    and billable
group by
    subscription_id, metric, {{ period_key('occurred_at') }}, cast(occurred_at as date), batch_id, unique_value
