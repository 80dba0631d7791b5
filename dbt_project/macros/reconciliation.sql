{#- A variance beyond a reconciliation's tolerance: above both its absolute bound and its
    relative bound (a share of `base`), the vars rec_<reconciliation>_tolerance_abs / _rel.
    Exact: compared as decimals. Null when either side is unknown, so it never flags on missing
    functional amounts. -#}
{% macro beyond_tolerance(reconciliation, variance, base) -%}
    (
        abs({{ variance }})
        > cast('{{ var("rec_" ~ reconciliation ~ "_tolerance_abs") }}' as decimal(38, 12))
        and abs({{ variance }})
        > cast('{{ var("rec_" ~ reconciliation ~ "_tolerance_rel") }}' as decimal(38, 12))
        * abs({{ base }})
    )
{%- endmacro %}
