{#- A bound of the run's partition window (name: usage_window_start, ...), YYYY-MM-DD or ''.
    The var wins (`dbt build --vars ...` by hand); Dagster passes the window in the environment
    (U2C_USAGE_WINDOW_START, ...): dbt re-parses only the files that read a changed env var,
    where a changed --vars value re-parses the whole project (~5 s per step). -#}
{% macro partition_window(name) -%}
    {%- set value = var(name) -%}
    {{- value if value else env_var('U2C_' ~ (name | upper), '') -}}
{%- endmacro %}
