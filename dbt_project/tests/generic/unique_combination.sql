{#- The combination of columns is a key: no two rows share it.
    Rows are matched on a 64-bit hash of the key first (cheap on big tables); only rows whose
    hash repeats are grouped on the key itself, so a hash collision is no failure.
    For a big incremental table (deduplicated usage), new_column / new_days check only what the
    last runs could break: the keys of the rows within new_days of new_column's latest value,
    looked for among the rows whose same_column (a column that rows sharing a key share, e.g. the
    event time of an exact re-delivery) lies in those new rows' range. The range is read before
    the test runs, so DuckDB skips the other row groups by their min/max: the test's cost follows
    the new rows, not the table's history. -#}
{% test unique_combination(model, combination_of_columns, new_column=none, new_days=1, same_column=none) %}
{%- set key = combination_of_columns | join(', ') %}
{%- set since = "(select max(" ~ new_column ~ ") from " ~ model ~ ") - (" ~ new_days ~ ") * interval 1 day" %}
{%- set bounds = [] %}
{%- if new_column and same_column %}
    {%- set bounds = query_column(
        value_bounds_query(same_column, model, new_column ~ " >= " ~ since)
    ) | reject('none') | list %}
{%- endif %}
with

keyed {{ cte_not_materialized() }} (
    select
        {{ key }},
        {{ key_hash(key) }} as key_hash
    from {{ model }}
    {% if bounds -%}
    where {{ same_column }} between '{{ bounds[0] }}' and '{{ bounds[1] }}'
    {%- endif %}
),

{% if new_column -%}
new_hashes as (
    select {{ key_hash(key) }} as key_hash
    from {{ model }}
    where {{ new_column }} >= {{ since }}
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
