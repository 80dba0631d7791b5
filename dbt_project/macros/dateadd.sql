{#- dbt-spark's dateadd goes through unix seconds and session-zone timestamps, and for a day
    step on a date it returns null here; Spark's own timestampadd adds calendar units like
    DuckDB's `+ interval` (month ends clamp: Jan 31 + 1 month = Feb 28), on a naive timestamp
    like DuckDB's result. The root project's spark__dateadd overrides dbt-spark's. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, {{ interval }}, cast({{ from_date_or_timestamp }} as timestamp_ntz))
{%- endmacro %}
