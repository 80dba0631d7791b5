{#- One row per usage event (event_source, event_id): its first delivery.
    Incremental: a run reads only batches landed after the last one processed, and checks their
    keys against the events already kept inside the dedup window (var usage_dedup_window_days),
    not against all history - as OpenMeter's windowed deduplication does. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}

with

new_deliveries as (
    select
        event_source,
        event_id,
        subscription_id,
        customer_id,
        metric,
        quantity,
        plan_tier,
        region,
        contract_version,
        occurred_at,
        landed_at,
        batch_id,
        file_name,
        line_number
    from {{ ref('stg_usage__events') }}
    where landed_at > {{ incremental_watermark('landed_at') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by event_source, event_id
            order by landed_at, batch_id, line_number
        ) as delivery_rank
    from new_deliveries
),

first_deliveries as (
    select * from ranked
    where delivery_rank = 1
)

{% if is_incremental() %}
    ,

    already_kept as (
        select
            event_source,
            event_id
        from {{ this }}
        where occurred_at >= {{ dbt.dateadd(
            'day',
            -var('usage_dedup_window_days'),
            '(select min(occurred_at) from new_deliveries)'
        ) }}
    )
{% endif %}

select
    f.event_source,
    f.event_id,
    f.subscription_id,
    f.customer_id,
    f.metric,
    f.quantity,
    f.plan_tier,
    f.region,
    f.contract_version,
    f.occurred_at,
    f.landed_at,
    f.batch_id,
    f.file_name,
    f.line_number
from first_deliveries as f
{% if is_incremental() %}
    where not exists (
        select 1
        from already_kept as k
        where k.event_source = f.event_source and k.event_id = f.event_id
    )
{% endif %}
