{#- Extracts are snapshots delivered again and again: keep each key's latest delivery
    (last landed batch, then last line). Portable: a row_number filter, no QUALIFY.
    With `deleted_column` (the ERP's `is_deleted`, sources/erp/_sync.py), a key whose latest
    delivery is a deletion is dropped: a deleted record is not live, and a later delivery of
    the same key revives it.
    With `sync_markers` (the ERP tables' version markers, sources/erp/_sync.py), the sync's own
    markers decide within a delivery, not line order: a history-mode extract repeats a key once
    per version, so the version that started last wins (`version_start`), then the active one,
    then the last synced (`synced_at`), then the last line; a key whose winning version is
    inactive is dropped (history mode's mark of a record deleted in the source). -#}
{% macro latest_delivery(relation_sql, key_columns, deleted_column=none, sync_markers=false) -%}
    select *
    from (
        select
            delivered.*,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by
                    delivered.landed_at desc,
                    delivered.batch_id desc,
                    {%- if sync_markers %}
                    delivered.version_start desc nulls last,
                    coalesce(delivered.is_active_version, false) desc,
                    delivered.synced_at desc nulls last,
                    {%- endif %}
                    delivered.line_number desc
            ) as delivery_recency
        from ({{ relation_sql }}) as delivered
    ) as ranked
    where
        delivery_recency = 1
        {%- if deleted_column is not none %}
        and not coalesce({{ deleted_column }}, false)
        {%- endif %}
        {%- if sync_markers %}
        and coalesce(is_active_version, true)
        {%- endif %}
{%- endmacro %}
