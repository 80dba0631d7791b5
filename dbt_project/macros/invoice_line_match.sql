{#- The billed invoice line an expected line was paired with, and the verdict, as both
    expected_invoice_lines and invoice_line_comparison publish them. -#}
{#- The line's key: which subscription, period and kind of line, the proration side and the
    change it prorates. -#}
{% macro invoice_line_key_columns() -%}
    cast(match_key as varchar) as match_key,
    cast(subscription_id as varchar) as subscription_id,
    cast(billing_period as varchar) as billing_period,
    cast(line_kind as varchar) as line_kind,
    cast(metric as varchar) as metric,
    cast(proration_side as varchar) as proration_side,
    cast(change_at as timestamp) as change_at
{%- endmacro %}

{% macro billed_invoice_line_ids() -%}
    cast(period_invoice_id as varchar) as invoice_id,
    cast(invoice_line_id as varchar) as invoice_line_id
{%- endmacro %}

{% macro invoice_line_verdict() -%}
    cast(comparison_status = 'matched' as boolean) as is_match,
    cast(comparison_status as varchar) as comparison_status
{%- endmacro %}
