{#- Metered usage per subscription x metric x UTC day x dimensions (the meter's group-by
    values), each event counted once, aggregated per the meter (seed meters: SUM, COUNT, MIN, MAX,
    UNIQUE_COUNT, LATEST) over the day: a day is recomputed whole from its events, so the
    aggregations that do not add up across days or batches stay exact. Every meter, billable or
    not; meter_valid_from names the definition used. Incremental: only the days that received newly landed events are
    recomputed (delete+insert by usage_date), so a nightly run costs one day, not all history;
    and the days of the run's partition window (`partition_window`: vars or env), so a backfill or a
    replay of days recomputes them from the deduplicated events. -#}
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **replace_by_key('usage_date', ['usage_date'])
    )
}}

with

-- each event as a partial aggregate of itself (macro combine_usage)
events as (
    select
        subscription_id,
        stripe_customer_id as customer_id,
        account_id,
        metric,
        aggregation,
        meter_valid_from,
        dimensions,
        value as quantity,
        1 as event_count,
        value as min_value,
        value as max_value,
        value as latest_value,
        occurred_at as latest_occurred_at,
        event_source || chr(31) || event_id as latest_event,
        unique_value,
        occurred_at,
        landed_at,
        cast(occurred_at as date) as usage_date
    from {{ ref('int_usage_events_metered') }}
    where meter_status = 'metered'
),

{% if is_incremental() %}
    {#- the days that received new events, and the window's days, read before the run as
        literals: the scan below then skips the other days' row groups by their min/max -#}
    {%- set touched = query_column(
        "select distinct cast(occurred_at as date) as usage_date from "
        ~ ref('int_usage_events_metered')
        ~ " where landed_at > " ~ incremental_watermark('last_landed_at')
        ~ " union " ~ days_query(partition_window('usage_window_start'), partition_window('usage_window_end'))
        ~ " order by 1"
    ) | reject('none') | list %}
{% endif %}

daily as (
    select
        subscription_id,
        customer_id,
        account_id,
        metric,
        aggregation,
        dimensions,
        usage_date,
        max(meter_valid_from) as meter_valid_from,
        {{ combine_usage('aggregation') }} as quantity,
        count(*) as event_count,
        min(occurred_at) as first_occurred_at,
        max(occurred_at) as last_occurred_at,
        max(landed_at) as last_landed_at
    from events
    {% if is_incremental() %}
        {% if touched %}
            where
                occurred_at >= timestamp '{{ touched[0] }}'
                and occurred_at < timestamp '{{ touched[-1] }}' + interval 1 day
                and usage_date in ({% for day in touched %}date '{{ day }}'{{ ", " if not loop.last }}{% endfor %})
        {% else %}
            where false
        {% endif %}
    {% endif %}
    group by subscription_id, customer_id, account_id, metric, aggregation, dimensions, usage_date
),

-- the contract version in effect on the day gives the accounting dimensions
versions as (
    select
        subscription_id,
        effective_from,
        effective_to,
        contract_version,
        legal_entity,
        region,
        currency,
        functional_currency
    from {{ ref('subscriptions') }}
)

select
    cast(d.subscription_id as string) as subscription_id,
    cast(d.customer_id as string) as customer_id,
    cast(d.account_id as string) as account_id,
    cast(d.metric as string) as metric,
    cast(d.dimensions as string) as dimensions,
    cast(d.usage_date as date) as usage_date,
    cast({{ period_key('d.usage_date') }} as string) as billing_period,
    cast(d.quantity as decimal(38, 9)) as quantity,
    cast(d.aggregation as string) as aggregation,
    cast(d.meter_valid_from as date) as meter_valid_from,
    cast(d.event_count as bigint) as event_count,
    cast(d.first_occurred_at as timestamp) as first_occurred_at,
    cast(d.last_occurred_at as timestamp) as last_occurred_at,
    cast(d.last_landed_at as timestamp) as last_landed_at,
    cast(v.contract_version as integer) as contract_version,
    cast(v.legal_entity as string) as legal_entity,
    cast(v.region as string) as region,
    cast(v.currency as string) as currency,
    cast(v.functional_currency as string) as functional_currency
from daily as d
left join versions as v
    on
        d.subscription_id = v.subscription_id
        and d.usage_date >= v.effective_from
        and (v.effective_to is null or d.usage_date < v.effective_to)
