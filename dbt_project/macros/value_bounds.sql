{#- A query for the least and greatest `column` of `relation` where `condition`, as two rows
    (read before a run with query_column, so the run's scan can skip row groups). -#}
{% macro value_bounds_query(column, relation, condition) -%}
    {{ return(adapter.dispatch('value_bounds_query', 'usage_to_cash')(column, relation, condition)) }}
{%- endmacro %}

{% macro default__value_bounds_query(column, relation, condition) -%}
    {{ return("select unnest([min(" ~ column ~ "), max(" ~ column ~ ")]) from " ~ relation ~ " where " ~ condition) }}
{%- endmacro %}

{% macro spark__value_bounds_query(column, relation, condition) -%}
    {{ return("select explode(array(min(" ~ column ~ "), max(" ~ column ~ "))) from " ~ relation ~ " where " ~ condition) }}
{%- endmacro %}

{#- A query for each day from `start` (inclusive) to `end` (exclusive), both 'YYYY-MM-DD' or ''
    (then no day), as rows of one date column. -#}
{% macro days_query(start, end) -%}
    {{ return(adapter.dispatch('days_query', 'usage_to_cash')(start, end)) }}
{%- endmacro %}

{% macro default__days_query(start, end) -%}
    {{ return("select cast(unnest(range(cast(nullif('" ~ start ~ "', '') as date), cast(nullif('"
        ~ end ~ "', '') as date), interval 1 day)) as date)") }}
{%- endmacro %}

{#- Spark's sequence includes its end and fails on an empty range: the range is checked first -#}
{% macro spark__days_query(start, end) -%}
    {{ return("select explode(sequence(s, date_sub(e, 1), interval 1 day)) from (select cast(nullif('"
        ~ start ~ "', '') as date) as s, cast(nullif('" ~ end ~ "', '') as date) as e) where s < e") }}
{%- endmacro %}
