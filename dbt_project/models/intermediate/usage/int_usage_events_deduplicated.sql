{#- One row per usage event (event_source, event_id): its first delivery.
    First = earliest delivery time of its file (file_delivered_at, the file's modification time in
    the inbox), then landing order (landed_at, batch_id, line_number): a re-delivery whose file name
    sorts first, or that landed first, never replaces the on-time original. Landing takes a run's
    files in the same order, so landed_at agrees with it within a run.
    Across runs a kept event is immutable (append-only): a copy landed in a later run is a
    duplicate (ops_usage_duplicates) even if its file claims an earlier delivery time, since what
    was kept may already be counted in exported usage and billed periods.
    Incremental: a run reads only batches landed after the last one processed, and checks their
    keys against the events already kept inside the dedup window (var usage_dedup_window_days),
    not against all history - as OpenMeter's windowed deduplication does.
    Memory: a row_number() window over every new delivery does not spill far enough (it ran
    out of memory under a 3 GB limit at 20M events), so repeats are found first with a hash
    aggregate on a 64-bit key hash (spills); only deliveries whose hash repeats - re-deliveries
    and the rare hash collision - are ranked exactly. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}

with

new_deliveries {{ cte_not_materialized() }} (
    select
        {{ usage_event_columns() }},
        file_name,
        line_number,
        {{ key_hash('event_source, event_id') }} as key_hash
    from {{ ref('stg_usage__events') }}
    where landed_at > {{ incremental_watermark('landed_at') }}
),

repeated_hashes as (
    select key_hash
    from new_deliveries
    group by key_hash
    having count(*) > 1
),

-- a key hash seen once among the new deliveries: that row is its key's only delivery
single_deliveries as (
    select n.*
    from new_deliveries as n
    anti join repeated_hashes as r on n.key_hash = r.key_hash
),

-- only repeated keys need the delivery time to rank their copies (the ledger: one row a batch)
first_repeated_deliveries as (
    select n.*
    from new_deliveries as n
    semi join repeated_hashes as r on n.key_hash = r.key_hash
    inner join {{ ref('stg_landing__batches') }} as b on n.batch_id = b.batch_id
    qualify row_number() over (
        partition by n.event_source, n.event_id
        order by b.file_delivered_at, n.landed_at, n.batch_id, n.line_number
    ) = 1
),

first_deliveries as (
    select * from single_deliveries
    union all
    select * from first_repeated_deliveries
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
    f.event_type,
    f.subject,
    f.data_content_type,
    f.data,
    f.data_base64,
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
