{#- The combination of columns is a key: no two rows share it. With recent_column, only the rows
    within recent_days of its latest value are checked: for a table whose key holds within a
    window by design, which keeps the test's cost off the table's history. -#}
{% test unique_combination(model, combination_of_columns, recent_column=none, recent_days=none) %}
select {{ combination_of_columns | join(', ') }}, count(*) as n_rows
from {{ model }}
{% if recent_column -%}
where {{ recent_column }} >= (
    select max({{ recent_column }}) from {{ model }}
) - ({{ recent_days }}) * interval 1 day
{%- endif %}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
