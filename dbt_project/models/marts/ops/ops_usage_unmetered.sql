{#- The usage events no meter counted, per landing batch x event type x metric x reason x UTC
    day: events of a type no meter reads (no_meter), that every meter's filters exclude
    (filtered_out), or that a meter claims but cannot count (value_missing, value_not_a_number,
    value_not_representable, data_base64_not_json, no_subject, ambiguous_subject; see
    int_usage_events_metered). Such events are landed and kept, never quarantined: a product's
    other events are expected here, and a new meter can count them on a rebuild. Incremental
    (append) over landing batches. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}

select
    cast(batch_id as string) as batch_id,
    cast(event_type as string) as event_type,
    cast(metric as string) as metric,
    cast(meter_status as string) as reason,
    cast(cast(occurred_at as date) as date) as usage_date,
    cast(count(*) as bigint) as event_count,
    cast(min(subject_key) as string) as example_subject,
    cast(max(landed_at) as timestamp) as landed_at
from {{ ref('int_usage_events_metered') }}
where
    landed_at > {{ incremental_watermark('landed_at') }}
    and meter_status <> 'metered'
group by batch_id, event_type, metric, meter_status, cast(occurred_at as date)
