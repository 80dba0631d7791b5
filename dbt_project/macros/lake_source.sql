{#- Every `source()` of the project, per engine (issue 20). The landed Parquet is declared once,
    in each source's `external_location` (DuckDB's `read_parquet(...)` of the lake path).
    DuckDB (default): the source relation as dbt-duckdb renders it, unchanged.
    Spark: the lake directory above the `**/*.parquet` glob as an external table `lake.<source>__<table>`
    with the source's declared columns (DuckDB types mapped), files found recursively; a source with
    no declared columns reads the directory in place (`parquet.`<dir>``, needs a delivery:
    Spark skips `_schema.parquet`, as every `_` file). -#}
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
    {%- if not node.columns -%}{{ return('parquet.`' ~ directory ~ '`') }}{%- endif -%}
    {#- An external table over the directory with the source's declared columns: a table with no
        delivery yet (only `_schema.parquet`, which Spark skips) reads as empty, not as an error. -#}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() -%}
        {%- do columns.append('`' ~ column.name ~ '` ' ~ spark_type(column.data_type)) -%}
    {%- endfor -%}
    {%- set table = 'lake.' ~ source_name ~ '__' ~ table_name -%}
    {%- do run_query('create schema if not exists lake') -%}
    {%- do run_query('create table if not exists ' ~ table ~ ' (' ~ columns | join(', ')
        ~ ") using parquet options (recursiveFileLookup 'true') location '" ~ directory ~ "'") -%}
    {%- do run_query('refresh table ' ~ table) -%}
    {{ return(table) }}
{%- endmacro %}
