{#- Source health per system and source table: the last batch landed, rows landed and
    quarantined, quarantine counts by class and reason, and for usage the arrival lag of the
    counted events (p50/p95 in whole minutes from occurrence to arrival, nearest rank; arrival is
    the earlier of the file's delivery and its landing), from the per-batch lag counts of
    int_usage_arrival_lags rather than every event. -#}
with

batches as (
    select
        system,
        source_table,
        batch_id,
        file_name,
        rows_read,
        rows_landed,
        rows_quarantined,
        file_delivered_at,
        landed_at
    from {{ ref('stg_landing__batches') }}
),

per_table as (
    select
        system,
        source_table,
        count(*) as batch_count,
        {{ max_by('batch_id', ['landed_at', 'batch_id']) }} as last_batch_id,
        {{ max_by('file_name', ['landed_at', 'batch_id']) }} as last_file_name,
        {{ max_by('file_delivered_at', ['landed_at', 'batch_id']) }} as last_file_delivered_at,
        max(landed_at) as last_landed_at,
        sum(rows_read) as rows_read,
        sum(rows_landed) as rows_landed,
        sum(rows_quarantined) as rows_quarantined
    from batches
    group by system, source_table
),

reasons as (
    select
        system,
        source_table,
        reason_class,
        reason_code,
        count(*) as row_count
    from {{ ref('stg_landing__quarantine_rows') }}
    group by system, source_table, reason_class, reason_code
),

failures as (
    select
        system,
        source_table,
        sum(row_count) filter (where reason_class = 'schema') as failed_schema,
        sum(row_count) filter (where reason_class = 'business_rule') as failed_business_rule,
        sum(row_count) filter (
            where reason_class = 'accounting_control'
        ) as failed_accounting_control,
        {{ ordered_string_agg(
            "reason_class || '/' || reason_code || ': ' || row_count", "', '",
            'reason_class, reason_code'
        ) }} as failure_reasons
    from reasons
    group by system, source_table
),

-- nearest-rank quantiles over the per-minute lag counts (whole minutes)
lag_counts as (
    select
        b.system,
        b.source_table,
        l.lag_minute,
        sum(l.event_count) as event_count
    from {{ ref('int_usage_arrival_lags') }} as l
    inner join batches as b on l.batch_id = b.batch_id
    group by b.system, b.source_table, l.lag_minute
),

lag_cumulative as (
    select
        system,
        source_table,
        lag_minute,
        sum(event_count) over (
            partition by system, source_table order by lag_minute
            rows between unbounded preceding and current row
        ) as events_up_to,
        sum(event_count) over (partition by system, source_table) as events_total
    from lag_counts
),

usage_lag as (
    select
        system,
        source_table,
        max(events_total) as lag_event_count,
        min(lag_minute) filter (where events_up_to >= 0.5 * events_total) as lag_minutes_p50,
        min(lag_minute) filter (where events_up_to >= 0.95 * events_total) as lag_minutes_p95
    from lag_cumulative
    group by system, source_table
)

select
    cast(t.system as string) as system,
    cast(t.source_table as string) as source_table,
    cast(t.batch_count as bigint) as batch_count,
    cast(t.last_batch_id as string) as last_batch_id,
    cast(t.last_file_name as string) as last_file_name,
    cast(t.last_file_delivered_at as timestamp) as last_file_delivered_at,
    cast(t.last_landed_at as timestamp) as last_landed_at,
    cast(t.rows_read as bigint) as rows_read,
    cast(t.rows_landed as bigint) as rows_landed,
    cast(t.rows_quarantined as bigint) as rows_quarantined,
    cast(coalesce(f.failed_schema, 0) as bigint) as rows_failed_schema,
    cast(coalesce(f.failed_business_rule, 0) as bigint) as rows_failed_business_rule,
    cast(
        coalesce(f.failed_accounting_control, 0) as bigint
    ) as rows_failed_accounting_control,
    cast(f.failure_reasons as string) as failure_reasons,
    cast(l.lag_event_count as bigint) as lag_event_count,
    cast(l.lag_minutes_p50 as double) as lag_minutes_p50,
    cast(l.lag_minutes_p95 as double) as lag_minutes_p95
from per_table as t
left join failures as f
    on t.system = f.system and t.source_table = f.source_table
left join usage_lag as l
    on t.system = l.system and t.source_table = l.source_table
