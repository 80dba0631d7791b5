{#- The project declares column types in DuckDB's names (sources, contracts); Spark spells a few
    differently. Timestamps are naive UTC on both: the spark target sets
    spark.sql.timestampType=TIMESTAMP_NTZ, so `timestamp` is Spark's timestamp_ntz. -#}
{% macro spark_type(data_type) -%}
    {%- set names = {'varchar': 'string', 'text': 'string', 'timestamp': 'timestamp_ntz', 'hugeint': 'decimal(38, 0)'} -%}
    {%- set name = data_type | trim | lower -%}
    {%- if name.endswith('[]') -%}
        {{ return('array<' ~ spark_type(name[:-2]) ~ '>') }}
    {%- endif -%}
    {{ return(names.get(name, data_type)) }}
{%- endmacro %}

{#- dbt's cast (used by the contract check's empty-schema query): the declared type in Spark's name -#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ spark_type(type) }})
{%- endmacro %}
