{#- Usage per subscription x metric x billing period x rating segment, split into on-time and
    late: an event is late when it arrived (the earlier of its file's delivery and its landing)
    after the period's invoice was finalized.

    A segment is the part of the period one contract version rates, per var
    mid_cycle_usage_policy (dbt_project.yml):
      split_at_change     one segment per version in effect during the period, cut at the change
                          instant (versions change at UTC midnight, so by the events' UTC day);
                          usage outside every version goes to the version at the period end
      period_end_version  one segment, the whole period, on the version in effect at its end
    Unmapped usage (no version at all) is one segment without a version. -#}
{%- set policy = var('mid_cycle_usage_policy') -%}
{%- if policy not in ('split_at_change', 'period_end_version') -%}
    {{ exceptions.raise_compiler_error(
        "var mid_cycle_usage_policy must be split_at_change or period_end_version, not '"
        ~ policy ~ "'"
    ) }}
{%- endif %}

with

events as (
    select
        subscription_id,
        metric,
        billing_period,
        usage_date,
        batch_id,
        customer_id,
        quantity,
        event_count,
        first_occurred_at,
        last_occurred_at
    from {{ ref('int_usage_by_batch') }}
),

arrivals as (
    select
        batch_id,
        -- a file cannot arrive after it landed; the earlier clock is the arrival
        least(file_delivered_at, landed_at) as arrived_at
    from {{ ref('stg_landing__batches') }}
),

period_invoices as (
    select
        subscription_id,
        {{ period_key('period_start') }} as billing_period,
        min(invoice_id) as invoice_id,
        min(finalized_at) as finalized_at
    from {{ ref('stg_billing__invoices') }}
    where finalized_at is not null and invoice_status <> 'void'
    group by subscription_id, {{ period_key('period_start') }}
),

versions as (
    select
        subscription_id,
        contract_id,
        contract_version,
        amendment_id,
        cast(effective_from as date) as effective_from,
        cast(effective_to as date) as effective_to
    from {{ ref('subscriptions') }}
),

classified as (
    select
        e.*,
        a.arrived_at,
        coalesce(i.finalized_at < a.arrived_at, false) as is_late,
        {{ period_start('e.billing_period') }} as period_start,
        cast({{ dbt.dateadd('month', 1, period_start('e.billing_period')) }} as date) as period_end,
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, period_start('e.billing_period'))) }}
            as date
        ) as period_last_date
    from events as e
    left join arrivals as a on e.batch_id = a.batch_id
    left join period_invoices as i
        on e.subscription_id = i.subscription_id and e.billing_period = i.billing_period
),

-- the days a version is looked up for: each period's last day (the version at the period end:
-- today's rule and the fallback) and, to split at a change, the events' days
version_days as (
    select distinct
        subscription_id,
        period_last_date as version_date
    from classified
    {% if policy == 'split_at_change' %}
        union
        select distinct
            subscription_id,
            usage_date as version_date
        from classified
    {% endif %}
),

day_versions as (
    select
        d.subscription_id,
        d.version_date,
        max(v.contract_version) as contract_version
    from version_days as d
    inner join versions as v
        on
            d.subscription_id = v.subscription_id
            and d.version_date >= v.effective_from
            and (v.effective_to is null or d.version_date < v.effective_to)
    group by d.subscription_id, d.version_date
),

segmented as (
    select
        c.*,
        {% if policy == 'split_at_change' %}
            coalesce(d.contract_version, p.contract_version) as contract_version
        {% else %}
            p.contract_version
        {% endif %}
    from classified as c
    left join day_versions as p
        on c.subscription_id = p.subscription_id and c.period_last_date = p.version_date
    {% if policy == 'split_at_change' %}
        left join day_versions as d
            on c.subscription_id = d.subscription_id and c.usage_date = d.version_date
    {% endif %}
),

by_segment as (
    select
        subscription_id,
        metric,
        billing_period,
        contract_version,
        min(period_start) as period_start,
        min(period_end) as period_end,
        min(customer_id) as customer_id,
        sum(quantity) as metered_quantity,
        sum(case when is_late then quantity else 0 end) as late_quantity,
        sum(event_count) as event_count,
        sum(case when is_late then event_count else 0 end) as late_event_count,
        min(first_occurred_at) as first_occurred_at,
        max(last_occurred_at) as last_occurred_at,
        max(arrived_at) as last_arrived_at
    from segmented
    group by subscription_id, metric, billing_period, contract_version
)

select
    s.subscription_id,
    s.metric,
    s.billing_period,
    cast(row_number() over (
        partition by s.subscription_id, s.metric, s.billing_period
        order by v.effective_from nulls last, s.contract_version
    ) as integer) as segment_number,
    count(*) over (
        partition by s.subscription_id, s.metric, s.billing_period
    ) as segment_count,
    s.contract_version,
    v.contract_id,
    v.amendment_id,
    -- the part of the period the version rates (the whole period for one segment)
    cast(
        case
            when count(*) over (partition by s.subscription_id, s.metric, s.billing_period) = 1
                then s.period_start
            else greatest(s.period_start, v.effective_from)
        end as timestamp
    ) as segment_start,
    cast(
        case
            when count(*) over (partition by s.subscription_id, s.metric, s.billing_period) = 1
                then s.period_end
            else least(s.period_end, coalesce(v.effective_to, s.period_end))
        end as timestamp
    ) as segment_end,
    s.customer_id,
    s.metered_quantity,
    s.late_quantity,
    s.metered_quantity - s.late_quantity as on_time_quantity,
    s.event_count,
    s.late_event_count,
    s.first_occurred_at,
    s.last_occurred_at,
    s.last_arrived_at,
    i.invoice_id,
    i.finalized_at as invoice_finalized_at
from by_segment as s
left join versions as v
    on s.subscription_id = v.subscription_id and s.contract_version = v.contract_version
left join period_invoices as i
    on s.subscription_id = i.subscription_id and s.billing_period = i.billing_period
