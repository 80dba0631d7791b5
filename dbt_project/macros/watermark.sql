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

{#- For a test of an append-only model: the newest `column` of `checked_through`, a model built
    from `model` (in its schema) that `dbt build` builds only once `model`'s tests have passed
    and skips when one fails. The rows of `model` up to it have passed those tests; a row-local
    rule need only read the rows after it. None when that table is missing or empty (a first
    build, a replay): every row is new. A `dbt run`, or a build of `checked_through` without
    `model`'s tests, moves it past rows they never read. -#}
{% macro tests_passed_through(model, column, checked_through) -%}
    {%- if not (column and checked_through and execute) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set child = adapter.get_relation(
        database=model.database, schema=model.schema, identifier=checked_through
    ) -%}
    {{ return(newest_timestamp(column, child) if child else none) }}
{%- endmacro %}
