{#- The billed invoice line an expected line was paired with, and the verdict, as both
    expected_invoice_lines and invoice_line_comparison publish them. -#}
{#- The line's key: which subscription, period and kind of line, the proration side and the
    change it prorates. -#}
{% macro invoice_line_key_columns() -%}
    cast(match_key as string) as match_key,
    cast(subscription_id as string) as subscription_id,
    cast(billing_period as string) as billing_period,
    cast(line_kind as string) as line_kind,
    cast(metric as string) as metric,
    cast(proration_side as string) as proration_side,
    cast(change_at as timestamp) as change_at
{%- endmacro %}

{% macro billed_invoice_line_ids() -%}
    cast(period_invoice_id as string) as invoice_id,
    cast(invoice_line_id as string) as invoice_line_id
{%- endmacro %}

{% macro invoice_line_verdict() -%}
    cast(comparison_status = 'matched' as boolean) as is_match,
    cast(comparison_status as string) as comparison_status
{%- endmacro %}
