{#- The rows of `relations` (refs) stacked by column name, a column one lacks null: DuckDB's
    `union all by name`. Spark SQL has no by-name union: each relation is selected on the union
    of all their columns (first appearance order), null cast to the type of the relation that has
    it, and stacked with `union all`. -#}
{% macro union_all_by_name(relations) -%}
    {{ return(adapter.dispatch('union_all_by_name', 'usage_to_cash')(relations)) }}
{%- endmacro %}

{% macro default__union_all_by_name(relations) -%}
    {%- for relation in relations %}
    select * from {{ relation }}
    {%- if not loop.last %}
    union all by name
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{% macro spark__union_all_by_name(relations) -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set columns = {} -%}
    {%- set present = [] -%}
    {%- for relation in relations -%}
        {%- set names = [] -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- if column.name not in columns -%}{%- do columns.update({column.name: column.data_type}) -%}{%- endif -%}
            {%- do names.append(column.name) -%}
        {%- endfor -%}
        {%- do present.append(names) -%}
    {%- endfor -%}
    {%- for relation in relations %}
    {%- set names = present[loop.index0] %}
    select
        {%- for name, data_type in columns.items() %}
        {% if name in names %}`{{ name }}`{% else %}cast(null as {{ data_type }}) as `{{ name }}`{% endif %}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
