{#- Lists (DuckDB) / arrays (Spark): the few operations whose names differ between the engines. -#}

{#- The rows' `fields` as one list of structs per group (an aggregate). -#}
{% macro list_agg_struct(fields) -%}
    {{ return(adapter.dispatch('list_agg_struct')(fields)) }}
{%- endmacro %}

{% macro default__list_agg_struct(fields) -%}
    list(struct_pack({% for f in fields %}{{ f }} := {{ f }}{% if not loop.last %}, {% endif %}{% endfor %}))
{%- endmacro %}

{% macro spark__list_agg_struct(fields) -%}
    collect_list(named_struct({% for f in fields %}'{{ f }}', {{ f }}{% if not loop.last %}, {% endif %}{% endfor %}))
{%- endmacro %}

{#- One row per element of the list; a row whose list is empty or null is kept once, with null. -#}
{% macro unnest_or_null(list) -%}
    {{ return(adapter.dispatch('unnest_or_null')(list)) }}
{%- endmacro %}

{% macro default__unnest_or_null(list) -%}
    unnest(case when len({{ list }}) > 0 then {{ list }} else [null] end)
{%- endmacro %}

{% macro spark__unnest_or_null(list) -%}
    explode_outer({{ list }})
{%- endmacro %}

{#- The number of elements (null for a null list on DuckDB, -1 or null on Spark). -#}
{% macro list_size(list) -%}
    {{ return(adapter.dispatch('list_size')(list)) }}
{%- endmacro %}

{% macro default__list_size(list) -%}
    len({{ list }})
{%- endmacro %}

{% macro spark__list_size(list) -%}
    size({{ list }})
{%- endmacro %}
