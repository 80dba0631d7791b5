{#- A CTE's `as`, with DuckDB's hint not to materialize it (inlined where it is read); Spark has
    no such hint (its CTEs are inlined). -#}
{% macro cte_not_materialized() -%}
    {{ return(adapter.dispatch('cte_not_materialized', 'usage_to_cash')()) }}
{%- endmacro %}

{% macro default__cte_not_materialized() -%}
    as not materialized
{%- endmacro %}

{% macro spark__cte_not_materialized() -%}
    as
{%- endmacro %}
