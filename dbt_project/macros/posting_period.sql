{#- The posting period rule (doc block posting_period_rule) lives in int_posting_periods; these
    read it, so no model writes "closed -> first open, on its first day" again. -#}

{#- Join the posting period of a document or journal dated `date_expr` as `alias` (left: a date
    outside the ERP's calendar has none). -#}
{% macro join_posting_period(date_expr, alias) -%}
    left join {{ ref('int_posting_periods') }} as {{ alias }}
        on {{ date_expr }} between {{ alias }}.start_date and {{ alias }}.end_date
{%- endmacro %}

{#- Whether the posting left its own period (false outside the calendar). -#}
{% macro is_posting_period_moved(alias) -%}
    coalesce({{ alias }}.is_posting_period_moved, false)
{%- endmacro %}

{#- The date a posting dated `date_expr` takes: its own, or the moved-to period's first day. -#}
{% macro posting_date(date_expr, alias) -%}
    case when {{ alias }}.is_posting_period_moved then {{ alias }}.moved_posting_date else {{ date_expr }} end
{%- endmacro %}
