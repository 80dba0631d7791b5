{#- Metering: each deduplicated event read by every meter (seed meters, int_meters) in force at
    its time for its type, one row per event x meter, plus one row for an event no meter claims.
    A meter claims an event when its filters pass; it then reads the value (value_path) from the
    payload (`data`, or `data_base64` decoded when its content type is JSON), the group-by
    dimensions, and the usage key (the subject, or subject_path), which the identity map
    (int_usage_subjects) resolves to the subscription of the contract in force at the event's time.

    meter_status, first that applies:
      no_meter               no meter in force reads the event's type
      filtered_out           meters read the type, but their filters exclude the event
      data_base64_not_json   the payload is data_base64 without a JSON content type, or not JSON
      no_subject             the usage key is missing or empty
      value_missing          the value is absent or null (every aggregation but COUNT)
      value_not_a_number     the value is no number (SUM, MIN, MAX, LATEST)
      value_not_representable  beyond decimal(38, 9): more than 9 decimals or too large
      ambiguous_subject      the key names several subscriptions at the event's time
      metered                counted (a key that resolves to nothing is metered on the key as
                             sent, and shows as unmapped usage, as billing would see it)
    Only metered rows feed usage; every other row is counted in ops_usage_unmetered.

    Incremental (append) over landing batches, like int_usage_by_batch: a run meters the events
    kept since the last one. A meter version applies to the events of its dates; the events
    already metered keep the definition they were metered with (meter_valid_from) until this
    model is rebuilt (a full refresh or `u2c replay`). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}

with

events {{ cte_not_materialized() }} (
    select {{ usage_event_columns() }}
    from {{ ref('int_usage_events_deduplicated') }}
    where landed_at > {{ incremental_watermark('landed_at') }}
),

-- every meter of an event type in one list: each event is tested against all of them on its
-- own row, so the events no meter claims are found in the same pass (a second pass, joining
-- every event against the claimed ones, took half the model's time)
meters_by_type as (
    select
        event_type,
        {{ list_agg_struct([
            'metric', 'valid_from', 'valid_to', 'aggregation', 'value_path', 'subject_path',
            'group_by_paths', 'billable', 'filter_conditions'
        ]) }} as meters
    from {{ ref('int_meters') }}
    group by event_type
),

read_events {{ cte_not_materialized() }} (
    select
        e.*,
        {{ meter_payload('e.data', 'e.data_base64', 'e.data_content_type') }} as payload,
        -- the meters in force on the event's day (none: null or empty)
        filter(
            t.meters,
            m -> cast(e.occurred_at as date) >= m.valid_from
            and (m.valid_to is null or cast(e.occurred_at as date) < m.valid_to)
        ) as meters_in_force
    from events as e
    left join meters_by_type as t on e.event_type = t.event_type
),

readable {{ cte_not_materialized() }} (
    select
        *,
        payload is null and data_base64 is not null as payload_unreadable
    from read_events
),

claims {{ cte_not_materialized() }} (
    select
        *,
        -- an unreadable payload is claimed by every meter in force: it is counted unmetered
        -- (data_base64_not_json) under each
        filter(
            meters_in_force,
            m -> payload_unreadable or {{ meter_filters_pass('m.filter_conditions', 'payload') }}
        ) as claimed_by
    from readable
),

-- one row per event and meter that claims it; an event no meter claims keeps one row with no
-- meter (m is null)
candidates {{ cte_not_materialized() }} (
    select
        c.*,
        {{ unnest_or_null('c.claimed_by') }} as m
    from claims as c
),

-- (c.m.<field> is a field of the struct m, which sqlfluff takes for a table)
-- noqa: disable=RF01
valued {{ cte_not_materialized() }} (
    select
        c.*,
        c.m.metric,
        c.m.valid_from as meter_valid_from,
        c.m.aggregation,
        c.m.billable,
        c.m.group_by_paths,
        {{ meter_value_text('c.payload', 'c.m.value_path') }} as value_text,
        {{ json_raw('c.payload', 'c.m.value_path') }} as value_json,
        coalesce(
            case
                when c.m.subject_path is null then c.subject
                else {{ json_text('c.payload', 'c.m.subject_path') }}
            end,
            ''
        ) as subject_key
    from candidates as c
),
-- noqa: enable=RF01

typed as (
    select
        *,
        {{ meter_value_decimal('value_text') }} as value,
        try_cast(value_text as double) as value_double
    from valued
),

checked as (
    select
        *,
        case
            -- no meter claims the event: of a type no meter reads, or every meter filters it out
            when metric is null and coalesce({{ list_size('meters_in_force') }}, 0) > 0
                then 'filtered_out'
            when metric is null then 'no_meter'
            when payload_unreadable then 'data_base64_not_json'
            when subject_key = '' then 'no_subject'
            when aggregation = 'COUNT' then 'metered'
            when coalesce(value_json, 'null') = 'null' then 'value_missing'
            when aggregation = 'UNIQUE_COUNT' then 'metered'
            when value_double is null then 'value_not_a_number'
            when value is null or cast(value as double) <> value_double
                then 'value_not_representable'
            else 'metered'
        end as checked_status
    from typed
),

-- The identity map cut into spans of time over which the same subscriptions answer a key
-- (bounded by every valid_from and valid_to of the key): an event falls in at most one span,
-- so it resolves by a plain join, without a window over the events (which holds every event's
-- row in memory at once).
subject_bounds as (
    select
        subject_key,
        valid_from as bound
    from {{ ref('int_usage_subjects') }}
    where valid_from is not null
    union
    select
        subject_key,
        valid_to as bound
    from {{ ref('int_usage_subjects') }}
    where valid_to is not null
),

subject_spans as (
    -- from each bound to the next, the last open-ended
    select
        subject_key,
        bound as span_from,
        lead(bound) over (partition by subject_key order by bound) as span_to
    from subject_bounds
    union all
    -- before the first bound (all time for a key without bounds)
    select
        s.subject_key,
        cast(null as date) as span_from,
        min(b.bound) as span_to
    from {{ ref('int_usage_subjects') }} as s
    left join subject_bounds as b on s.subject_key = b.subject_key
    group by s.subject_key
),

-- per span, the subscriptions the key names throughout it (a key row covers a span whole or
-- not at all, as the spans are cut at its bounds); the first by id is the one billed
span_subscriptions as (
    select
        p.subject_key,
        -- the open ends as dates no event reaches (landing keeps event times in 2000..2100), so
        -- events join their span by comparisons alone: a hash join, not a nested loop
        coalesce(p.span_from, date '0001-01-01') as span_from,
        coalesce(p.span_to, date '9999-12-31') as span_to,
        count(s.subscription_id) as subscription_candidates,
        min(s.subscription_id) as subscription_id,
        min_by(s.account_id, s.subscription_id) as account_id,
        min_by(s.stripe_customer_id, s.subscription_id) as stripe_customer_id
    from subject_spans as p
    inner join {{ ref('int_usage_subjects') }} as s
        on
            p.subject_key = s.subject_key
            and (s.valid_from is null or p.span_from >= s.valid_from)
            and (s.valid_to is null or p.span_to <= s.valid_to)
    group by p.subject_key, p.span_from, p.span_to
),

resolved as (
    select
        c.*,
        s.subscription_id as resolved_subscription_id,
        s.account_id,
        s.stripe_customer_id,
        coalesce(s.subscription_candidates, 0) as subscription_candidates
    from checked as c
    left join span_subscriptions as s
        on
            c.subject_key = s.subject_key
            and c.occurred_at >= s.span_from
            and c.occurred_at < s.span_to
),

every_row as (
    select
        event_source,
        event_id,
        event_type,
        occurred_at,
        landed_at,
        batch_id,
        metric,
        meter_valid_from,
        aggregation,
        billable,
        case
            when checked_status <> 'metered' then checked_status
            when subscription_candidates > 1 then 'ambiguous_subject'
            else 'metered'
        end as meter_status,
        -- an event no meter claims keeps its subject as sent, unresolved
        case when metric is null then subject else subject_key end as subject_key,
        -- an unresolved key is kept as sent: the usage shows as unmapped, never dropped
        case
            when metric is not null then coalesce(resolved_subscription_id, nullif(subject_key, ''))
        end as subscription_id,
        case when metric is not null then account_id end as account_id,
        case when metric is not null then stripe_customer_id end as stripe_customer_id,
        metric is not null and resolved_subscription_id is not null as is_resolved,
        -- an unmetered row carries no value (a rounded one would mislead)
        case
            when checked_status <> 'metered' then null
            when aggregation = 'COUNT' then 1
            else value
        end as value,
        case when aggregation = 'UNIQUE_COUNT' then value_json end as unique_value,
        case
            when metric is not null then {{ meter_dimensions('group_by_paths', 'payload') }}
        end as dimensions
    from resolved
)

select
    cast(event_source as string) as event_source,
    cast(event_id as string) as event_id,
    cast(event_type as string) as event_type,
    cast(occurred_at as timestamp) as occurred_at,
    cast(landed_at as timestamp) as landed_at,
    cast(batch_id as string) as batch_id,
    cast(metric as string) as metric,
    cast(meter_valid_from as date) as meter_valid_from,
    cast(aggregation as string) as aggregation,
    cast(billable as boolean) as billable,
    cast(meter_status as string) as meter_status,
    cast(subject_key as string) as subject_key,
    cast(subscription_id as string) as subscription_id,
    cast(account_id as string) as account_id,
    cast(stripe_customer_id as string) as stripe_customer_id,
    cast(is_resolved as boolean) as is_resolved,
    cast(value as decimal(38, 9)) as value,
    cast(unique_value as string) as unique_value,
    cast(dimensions as string) as dimensions
from every_row
