{#- None of the columns is null. One test per model for all its required columns, not dbt's
    not_null per column: each dbt test is a node, and a node costs about 50 ms of dbt's own
    time whatever its query (Jinja context, events, transaction); one per column made 219
    nodes of a full run's 520. One scan of the model counts every column's nulls; a failure is
    one row per column that has any, with how many. -#}
{% test not_null_columns(model, columns) %}
with

null_counts as (
    select
        {%- for column in columns %}
        sum(case when {{ column }} is null then 1 else 0 end) as nulls_{{ loop.index }}
        {{- "," if not loop.last }}
        {%- endfor %}
    from {{ model }}
)

{% for column in columns -%}
select
    '{{ column }}' as null_column,
    nulls_{{ loop.index }} as null_rows
from null_counts
where nulls_{{ loop.index }} > 0
{% if not loop.last %}union all
{% endif -%}
{%- endfor %}
{% endtest %}
