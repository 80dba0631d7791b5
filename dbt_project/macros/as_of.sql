{#- The "as of" date of the data: var rec_as_of_date (YYYY-MM-DD), else the latest arrival of any
    landed batch (the earlier of file delivery and landing), i.e. the extract date. A scalar
    subquery; shared by rec_summary (aging) and int_revenue_accruals (which service periods have
    ended). -#}
{% macro data_as_of_date() -%}
    {%- set as_of_var = var('rec_as_of_date', '') -%}
    (
        select
            coalesce(
                {% if as_of_var %}cast('{{ as_of_var }}' as date){% else %}cast(null as date){% endif %},
                cast(max(least(file_delivered_at, landed_at)) as date)
            )
        from {{ ref('stg_landing__batches') }}
    )
{%- endmacro %}
