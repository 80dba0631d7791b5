{#- The combination of columns is a key: no two rows share it. With recent_column, only the rows
    within recent_days of its latest value are checked: for a table whose key holds within a
    window by design, which keeps the test's cost off the table's history.
    Rows are grouped on a 64-bit hash of the key first (a cheap aggregate on big tables); only
    rows whose hash repeats are grouped on the key itself, so a hash collision is no failure. -#}
{% test unique_combination(model, combination_of_columns, recent_column=none, recent_days=none) %}
{%- set key = combination_of_columns | join(', ') %}
with

keyed as (
    select
        {{ key }},
        hash({{ key }}) as key_hash
    from {{ model }}
    {% if recent_column -%}
    where {{ recent_column }} >= (
        select max({{ recent_column }}) from {{ model }}
    ) - ({{ recent_days }}) * interval 1 day
    {%- endif %}
),

repeated_hashes as (
    select key_hash
    from keyed
    group by key_hash
    having count(*) > 1
)

select {{ key }}, count(*) as n_rows
from keyed
semi join repeated_hashes using (key_hash)
group by {{ key }}
having count(*) > 1
{% endtest %}
