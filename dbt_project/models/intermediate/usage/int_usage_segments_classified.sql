{#- Usage per subscription x metric x billing period x rating segment, with the part that
    arrived on time and the part that arrived late (int_usage_batches_classified).

    A segment is the part of the period one contract version rates, per var
    mid_cycle_usage_policy (dbt_project.yml):
      split_at_change     one segment per version in effect during the period, cut at the change
                          instant (versions change at UTC midnight, so by the usage's UTC day);
                          usage outside every version goes to the version at the period end
      period_end_version  one segment, the whole period, on the version in effect at its end
    Unmapped usage (no version at all) is one segment without a version.

    Quantities are the meter's aggregation over the segment's usage (macro combine_usage):
    metered_quantity over all of it, on_time_quantity over what arrived on time, late_quantity
    their difference (what late usage added: for SUM its sum, for MAX how far it raised the peak). -#}
{%- set policy = var('mid_cycle_usage_policy') -%}
{%- if policy not in ('split_at_change', 'period_end_version') -%}
    {{ exceptions.raise_compiler_error(
        "var mid_cycle_usage_policy must be split_at_change or period_end_version, not '"
        ~ policy ~ "'"
    ) }}
{%- endif %}

with

segmented as (
    select
        *,
        {% if policy == 'split_at_change' %}
            coalesce(usage_day_version, period_end_version) as contract_version
        {% else %}
            period_end_version as contract_version
        {% endif %}
    from {{ ref('int_usage_batches_classified') }}
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

by_segment as (
    select
        subscription_id,
        metric,
        billing_period,
        contract_version,
        aggregation,
        min(period_start) as period_start,
        min(period_end) as period_end,
        min(customer_id) as customer_id,
        {{ combine_usage('aggregation') }} as metered_quantity,
        {{ combine_usage('aggregation', 'not is_late') }} as on_time_quantity,
        sum(event_count) as event_count,
        sum(case when is_late then event_count else 0 end) as late_event_count,
        min(first_occurred_at) as first_occurred_at,
        max(last_occurred_at) as last_occurred_at,
        max(arrived_at) as last_arrived_at,
        min(invoice_id) as invoice_id,
        min(invoice_finalized_at) as invoice_finalized_at
    from segmented
    group by subscription_id, metric, billing_period, contract_version, aggregation
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
    s.aggregation,
    s.metered_quantity,
    s.metered_quantity - s.on_time_quantity as late_quantity,
    s.on_time_quantity,
    s.event_count,
    s.late_event_count,
    s.first_occurred_at,
    s.last_occurred_at,
    s.last_arrived_at,
    s.invoice_id,
    s.invoice_finalized_at
from by_segment as s
left join versions as v
    on s.subscription_id = v.subscription_id and s.contract_version = v.contract_version
