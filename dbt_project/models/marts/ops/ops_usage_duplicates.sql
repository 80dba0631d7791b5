{#- Every usage delivery that was not counted because its (event_source, event_id) had been
    delivered before: exact re-deliveries, removed by deduplication. Conflicting copies (same key,
    other payload) never get here: landing quarantines them. -#}
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **replace_by_key(['batch_id', 'line_number'], ['batch_id'])
    )
}}

with

deliveries {{ cte_not_materialized() }} (
    select
        event_source,
        event_id,
        batch_id,
        file_name,
        line_number,
        landed_at,
        occurred_at,
        {{ key_hash('event_source, event_id') }} as key_hash
    from {{ ref('stg_usage__events') }}
    where landed_at > {{ incremental_watermark('landed_at') }}
),

{% if is_incremental() %}
    {#- An exact re-delivery repeats the event time (a conflicting one is quarantined at landing,
        within the same window), so a new delivery's kept event lies in the new deliveries' range
        of event times: read before the run as literals, so DuckDB skips the other row groups of
        the kept events instead of scanning the whole dedup window. -#}
    {%- set bounds = query_column(
        value_bounds_query(
            'occurred_at', ref('stg_usage__events'), "landed_at > " ~ incremental_watermark('landed_at')
        )
    ) %}
{% endif %}

-- the kept events a delivery can repeat: in an incremental run, those of the new deliveries'
-- event times (above); in a first build every kept event is one of the deliveries
kept {{ cte_not_materialized() }} (
    select
        event_source,
        event_id,
        batch_id as kept_batch_id,
        file_name as kept_file_name,
        line_number as kept_line_number
    from {{ ref('int_usage_events_deduplicated') }}
    {% if is_incremental() %}
        {% if bounds and bounds[0] is not none %}
            where occurred_at between timestamp '{{ bounds[0] }}' and timestamp '{{ bounds[1] }}'
        {% else %}
            where false
        {% endif %}
    {% endif %}
),

{% if is_incremental() %}
    -- a run's new deliveries, few: all of them are candidates; the kept events are narrowed to
    -- their key hashes first, so the key join never builds on the whole window
    candidates as (
        select * from deliveries
    ),

    kept_candidates as (
        select k.*
        from kept as k
        semi join deliveries as d on {{ key_hash('k.event_source, k.event_id') }} = d.key_hash
    )
{% else %}
    -- A first build sees every delivery, and every kept event is one of them: only a key whose
    -- hash repeats among them can have a duplicate. A hash aggregate (spills) narrows both sides
    -- of the key join to those rows instead of joining all history to itself (at 100M events
    -- that join spilled more than 12 GB).
    repeated_hashes as (
        select key_hash
        from deliveries
        group by key_hash
        having count(*) > 1
    ),

    candidates as (
        select d.*
        from deliveries as d
        semi join repeated_hashes as r on d.key_hash = r.key_hash
    ),

    kept_candidates as (
        select k.*
        from kept as k
        semi join candidates as c on {{ key_hash('k.event_source, k.event_id') }} = c.key_hash
    )
{% endif %}

select
    cast(d.event_source as string) as event_source,
    cast(d.event_id as string) as event_id,
    cast(d.batch_id as string) as batch_id,
    cast(d.file_name as string) as file_name,
    cast(d.line_number as bigint) as line_number,
    cast(d.landed_at as timestamp) as landed_at,
    cast(k.kept_batch_id as string) as kept_batch_id,
    cast(k.kept_file_name as string) as kept_file_name,
    cast(k.kept_line_number as bigint) as kept_line_number,
    cast('duplicate_removed' as string) as status
from candidates as d
inner join kept_candidates as k
    on d.event_source = k.event_source and d.event_id = k.event_id
where not (d.batch_id = k.kept_batch_id and d.line_number = k.kept_line_number)
