{#- The newest value of `column` already in this incremental model, as a SQL literal, so the
    filter on the source is a constant DuckDB can push into the Parquet scan (row-group pruning).
    Outside an incremental run it is the open lower bound. -#}
{% macro incremental_watermark(column, default="timestamp '1900-01-01'") -%}
    {%- if is_incremental() -%}
        {{ newest_timestamp(column, this, default) }}
    {%- else -%}
        {{ default }}
    {%- endif -%}
{%- endmacro %}

{#- The newest value of the timestamp `column` in `relation`, as a SQL literal, read at run time
    (`default` at parse time, or when the relation holds no value). -#}
{% macro newest_timestamp(column, relation, default=none) -%}
    {%- set values = query_column("select max(" ~ column ~ ") from " ~ relation) -%}
    {%- if values and values[0] is not none -%}
        {{ return("timestamp '" ~ values[0] ~ "'") }}
    {%- endif -%}
    {{ return(default) }}
{%- endmacro %}

{#- The values of the first column of `sql`, run at compile time ([] at parse time): for bounds
    and key lists a model then writes as literals, which DuckDB prunes row groups by. -#}
{% macro query_column(sql) -%}
    {%- if execute -%}
        {{ return(run_query(sql).columns[0].values() | list) }}
    {%- endif -%}
    {{ return([]) }}
{%- endmacro %}
