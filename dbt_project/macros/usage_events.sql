{#- A usage event as landed (CloudEvents envelope and payload, DESIGN: usage events) with the
    landing batch it came in: the columns each stage of the usage path carries forward. -#}
{% macro usage_event_columns() -%}
    event_source,
    event_id,
    event_type,
    subject,
    data_content_type,
    data,
    data_base64,
    occurred_at,
    landed_at,
    batch_id
{%- endmacro %}
