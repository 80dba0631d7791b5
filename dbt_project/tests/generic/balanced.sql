{#- Double entry: per group of `group_by` columns, the sum of `column_name` (debits) equals the
    sum of `credit_column`, exactly. Fails on every unbalanced group. -#}
{% test balanced(model, column_name, credit_column, group_by) %}
select
    {% for key in group_by %}{{ key }}, {% endfor %}
    sum({{ column_name }}) as debit_total,
    sum({{ credit_column }}) as credit_total
from {{ model }}
group by {% for key in group_by %}{{ key }}{% if not loop.last %}, {% endif %}{% endfor %}
having
    sum({{ column_name }}) <> sum({{ credit_column }})
    or count({{ column_name }}) <> count(*)
    or count({{ credit_column }}) <> count(*)
{% endtest %}
