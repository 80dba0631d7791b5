{#- Extracts are snapshots delivered again and again: keep each key's latest delivery
    (last landed batch, then last line). Portable: a row_number filter, no QUALIFY.
    With `deleted_column` (the ERP's `is_deleted`, sources/erp/_sync.py), a key whose latest
    delivery is a deletion is dropped: a deleted record is not live, and a later delivery of
    the same key revives it. Sync tools' other bookkeeping (history rows) belongs here too. -#}
{% macro latest_delivery(relation_sql, key_columns, deleted_column=none) -%}
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
    where
        delivery_recency = 1
        {%- if deleted_column is not none %}
        and not coalesce({{ deleted_column }}, false)
        {%- endif %}
{%- endmacro %}
