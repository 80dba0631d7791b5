{#- The billed side and the verdict of an expected invoice line against the billed one
    (expected_invoice_lines, invoice_line_comparison): written once so both marts publish them
    alike. -#}
{% macro billed_invoice_line_ids() -%}
    cast(period_invoice_id as varchar) as invoice_id,
    cast(invoice_line_id as varchar) as invoice_line_id
{%- endmacro %}

{% macro invoice_line_amount_match() -%}
    cast(billed_amount as decimal(38, 9)) as billed_amount,
    cast(amount_difference as decimal(38, 9)) as amount_difference,
    cast(comparison_status = 'matched' as boolean) as is_match,
    cast(comparison_status as varchar) as comparison_status
{%- endmacro %}
