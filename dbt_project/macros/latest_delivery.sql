{#- Extracts are snapshots delivered again and again: keep each key's latest delivery
    (last landed batch, then last line). Portable: a row_number filter, no QUALIFY. -#}
{% macro latest_delivery(relation_sql, key_columns) -%}
    select *
    from (
        select
            delivered.*,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by delivered.landed_at desc, delivered.batch_id desc, delivered.line_number desc
            ) as delivery_recency
        from ({{ relation_sql }}) as delivered
    ) as ranked
    where delivery_recency = 1
{%- endmacro %}
