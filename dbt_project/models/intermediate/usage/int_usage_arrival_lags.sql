{#- Deduplicated usage events per landing batch x whole minute of arrival lag (arrival - event
    time, arrival being the earlier of the file's delivery and its landing, both fixed when the
    batch lands). Incremental (append) like int_usage_by_batch: ops_source_health takes its lag
    quantiles from these counts, at a cost that grows with batches, not with events. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}

with

new_events as (
    select
        batch_id,
        occurred_at,
        landed_at
    from {{ ref('int_usage_events_deduplicated') }}
    where landed_at > {{ incremental_watermark('landed_at') }}
),

arrivals as (
    select
        batch_id,
        least(file_delivered_at, landed_at) as arrived_at
    from {{ ref('stg_landing__batches') }}
)

select
    e.batch_id,
    {{ minutes_between('e.occurred_at', 'a.arrived_at') }} as lag_minute,
    max(e.landed_at) as landed_at,
    count(*) as event_count
from new_events as e
inner join arrivals as a on e.batch_id = a.batch_id
group by e.batch_id, {{ minutes_between('e.occurred_at', 'a.arrived_at') }}
