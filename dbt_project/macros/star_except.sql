{#- `*` less some columns: DuckDB spells it `* exclude (...)`, Spark `* except (...)`. -#}
{% macro star_except(columns) -%}
    {{ return(adapter.dispatch('star_except', 'usage_to_cash')(columns)) }}
{%- endmacro %}

{% macro default__star_except(columns) -%}
    * exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(columns) -%}
    * except ({{ columns | join(', ') }})
{%- endmacro %}
