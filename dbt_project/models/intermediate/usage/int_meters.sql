{#- The meters seed, parsed: one row per metric x version, valid [valid_from, valid_to) with
    valid_to the explicit end or the next version's valid_from; filters and group-by paths as
    lists; the aggregation upper-cased. -#}
select
    metric,
    cast(valid_from as date) as valid_from,
    cast(
        coalesce(valid_to, lead(valid_from) over (partition by metric order by valid_from)) as date
    ) as valid_to,
    event_type,
    {{ meter_filters_parsed('filters') }} as filter_conditions,
    {{ meter_filters_valid(meter_filters_parsed('filters')) }} as filters_valid,
    nullif(trim(value_path), '') as value_path,
    upper(trim(aggregation)) as aggregation,
    {{ meter_paths_parsed('group_by') }} as group_by_paths,
    nullif(trim(subject_path), '') as subject_path,
    billable,
    unit,
    commercial_unit,
    unit_divisor,
    rounding,
    sku,
    nullif(trim(stripe_event_name), '') as stripe_event_name,
    nullif(trim(stripe_aggregation), '') as stripe_aggregation,
    description
from {{ ref('meters') }}
