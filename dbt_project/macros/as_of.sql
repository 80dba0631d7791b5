{#- The "as of" date of the data: var rec_as_of_date (YYYY-MM-DD), else the latest arrival (the
    earlier of file delivery and landing) of the landed batches, of every source system or of
    `system` only. A scalar subquery; shared by rec_summary and rec_exports_erp (aging: every
    system's extract date) and int_revenue_accruals (which service periods have ended: the
    billing extract's date, the billing system's clock, so a late usage file delivered today
    does not end a period the billing system has not closed yet). -#}
{% macro data_as_of_date(system=none) -%}
    {%- set as_of_var = var('rec_as_of_date', '') -%}
    (
        select
            coalesce(
                {% if as_of_var %}cast('{{ as_of_var }}' as date){% else %}cast(null as date){% endif %},
                cast(max(least(file_delivered_at, landed_at)) as date)
            )
        from {{ ref('stg_landing__batches') }}
        {% if system %}where system = '{{ system }}'{% endif %}
    )
{%- endmacro %}
