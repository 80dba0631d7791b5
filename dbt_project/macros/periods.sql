{#- The monthly period key 'YYYY-MM' of a UTC timestamp or date (billing and fiscal months). -#}
{% macro period_key(expression) -%}
    {{ return(adapter.dispatch('period_key')(expression)) }}
{%- endmacro %}

{% macro default__period_key(expression) -%}
    strftime({{ expression }}, '%Y-%m')
{%- endmacro %}

{#- First instant of the month a 'YYYY-MM' key names. -#}
{% macro period_start(key) -%}
    cast({{ key }} || '-01' as date)
{%- endmacro %}

{% macro spark__period_key(expression) -%}
    date_format({{ expression }}, 'yyyy-MM')
{%- endmacro %}
