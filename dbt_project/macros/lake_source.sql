{#- Every `source()` of the project, per engine (issue 20). The landed Parquet is declared once,
    in each source's `external_location` (DuckDB's `read_parquet(...)` of the lake path).
    DuckDB (default): the source relation as dbt-duckdb renders it, unchanged.
    Spark: the same lake directory read in place as `parquet.`<dir>``: the directory above the
    `**/*.parquet` glob, its `load_date=` partitions discovered, `_schema.parquet` skipped (Spark
    ignores `_` files), schemas merged by name (spark.sql.parquet.mergeSchema in the profile). -#}
{% macro source(source_name, table_name) -%}
    {%- set relation = builtins.source(source_name, table_name) -%}
    {{ return(adapter.dispatch('lake_source', 'usage_to_cash')(relation, source_name, table_name)) }}
{%- endmacro %}

{% macro default__lake_source(relation, source_name, table_name) -%}
    {{ return(relation) }}
{%- endmacro %}

{% macro spark__lake_source(relation, source_name, table_name) -%}
    {%- if not execute -%}{{ return(relation) }}{%- endif -%}
    {%- set node = graph.sources['source.usage_to_cash.' ~ source_name ~ '.' ~ table_name] -%}
    {%- set location = node.config.get('external_location') or node.meta.get('external_location') -%}
    {%- if not location -%}{{ return(relation) }}{%- endif -%}
    {%- set path = location.split("'")[1] -%}
    {%- set directory = path.replace('/**/*.parquet', '').replace('/*.parquet', '') -%}
    {{ return('parquet.`' ~ directory ~ '`') }}
{%- endmacro %}
