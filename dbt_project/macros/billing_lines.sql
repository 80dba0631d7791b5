{#- Whether an invoice line is the minimum commitment true-up. The product carries no metric
    (like the platform fee), so it is told by its SKU or the line description; both are vars with
    the demo billing platform's values as defaults (override per billing setup). -#}
{% macro is_minimum_commitment_line(sku, description) -%}
    (
        {{ sku }} in (
            {%- for value in var('minimum_commitment_skus', ['SKU-MIN-COMMIT']) -%}
                '{{ value }}'{% if not loop.last %}, {% endif %}
            {%- endfor -%}
        )
        or lower({{ description }}) like '{{ var("minimum_commitment_description", "minimum commitment") | lower }}%'
    )
{%- endmacro %}
