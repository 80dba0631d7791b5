{#- The lineage columns every staging model carries from the lake through (DESIGN: lineage): the
    landing batch, the inbox file and line a row came in, and when its batch landed. -#}
{% macro landing_lineage() -%}
    batch_id,
    file_name,
    line_number,
    landed_at
{%- endmacro %}

{#- The landing ledger's batch identity (ops_landing_batches, ops_quarantine): which batch, of
    which system and table, from which inbox file. -#}
{% macro landing_batch_identity() -%}
    batch_id,
    system,
    source_table,
    file_name
{%- endmacro %}
