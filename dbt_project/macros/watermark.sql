{#- The newest value of `column` already in this incremental model, as a SQL literal, so the
    filter on the source is a constant DuckDB can push into the Parquet scan (row-group pruning).
    Outside an incremental run it is the open lower bound. -#}
{% macro incremental_watermark(column, default="timestamp '1900-01-01'") -%}
    {%- if is_incremental() and execute -%}
        {%- set result = run_query("select max(" ~ column ~ ") from " ~ this) -%}
        {%- set value = result.columns[0].values()[0] -%}
        {%- if value is none -%}{{ default }}{%- else -%}timestamp '{{ value }}'{%- endif -%}
    {%- else -%}
        {{ default }}
    {%- endif -%}
{%- endmacro %}

{#- The values of the first column of `sql`, run at compile time ([] at parse time): for bounds
    and key lists a model then writes as literals, which DuckDB prunes row groups by. -#}
{% macro query_column(sql) -%}
    {%- if execute -%}
        {{ return(run_query(sql).columns[0].values() | list) }}
    {%- endif -%}
    {{ return([]) }}
{%- endmacro %}
