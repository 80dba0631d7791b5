{#- The combination of columns is a key: no two rows share it.
    Rows are matched on a 64-bit hash of the key first (cheap on big tables); only rows whose
    hash repeats are grouped on the key itself, so a hash collision is no failure.
    For a big append-only table (deduplicated usage), new_column / checked_through check only
    the rows this test has not passed yet, those after the mark of tests_passed_through (every
    row when there is none). Their keys are looked for among the rows whose same_column (a
    not-null column that rows sharing a key share, e.g. the event time of an exact re-delivery)
    lies in the new rows' range. The mark and the range are read before the test runs, so DuckDB
    skips the other row groups by their min/max: the test's cost follows the new rows, not the
    table's history. -#}
{% test unique_combination(model, combination_of_columns, new_column=none, checked_through=none, same_column=none) %}
{%- set key = combination_of_columns | join(', ') %}
{%- set checked = tests_passed_through(model, new_column, checked_through) %}
{%- set in_range = "true" %}
{%- if checked and same_column %}
    {%- set bounds = query_column(
        value_bounds_query(same_column, model, new_column ~ " > " ~ checked)
    ) | reject('none') | list %}
    {%- set in_range = same_column ~ " between '" ~ bounds[0] ~ "' and '" ~ bounds[1] ~ "'"
        if bounds else "false" %}
{%- endif %}
with

keyed {{ cte_not_materialized() }} (
    select
        {{ key }},
        {{ key_hash(key) }} as key_hash
    from {{ model }}
    where {{ in_range }}
),

{% if checked -%}
new_hashes as (
    select {{ key_hash(key) }} as key_hash
    from {{ model }}
    where {{ new_column }} > {{ checked }}
),

repeated_hashes as (
    select k.key_hash
    from keyed as k
    semi join new_hashes as n on k.key_hash = n.key_hash
    group by k.key_hash
    having count(*) > 1
)
{%- else -%}
repeated_hashes as (
    select key_hash
    from keyed
    group by key_hash
    having count(*) > 1
)
{%- endif %}

select {{ key }}, count(*) as n_rows
from keyed
semi join repeated_hashes using (key_hash)
group by {{ key }}
having count(*) > 1
{% endtest %}
