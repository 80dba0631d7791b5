{#- A query for the least and greatest `column` of `relation` where `condition`, as two rows
    (read before a run with query_column, so the run's scan can skip row groups). -#}
{% macro value_bounds_query(column, relation, condition) -%}
    {{ return(adapter.dispatch('value_bounds_query', 'usage_to_cash')(column, relation, condition)) }}
{%- endmacro %}

{% macro default__value_bounds_query(column, relation, condition) -%}
    {{ return("select unnest([min(" ~ column ~ "), max(" ~ column ~ ")]) from " ~ relation ~ " where " ~ condition) }}
{%- endmacro %}

{% macro spark__value_bounds_query(column, relation, condition) -%}
    {{ return("select explode(array(min(" ~ column ~ "), max(" ~ column ~ "))) from " ~ relation ~ " where " ~ condition) }}
{%- endmacro %}
