{#- External ids of the ERP journals usage-to-cash exports: 'U2C-<kind>-<Stripe id>'
    (U2C-INV-in_…, U2C-CN-cn_…, U2C-PAY-ch_…, U2C-REF-re_…). One list, used both to build the id
    on a billing document and to parse it back from an ERP transaction. Portable: LIKE, dbt.concat,
    dbt.right and dbt.length only. -#}
{% macro u2c_document_prefixes() -%}
    {{ return({
        'invoice': 'U2C-INV-',
        'credit_note': 'U2C-CN-',
        'payment': 'U2C-PAY-',
        'refund': 'U2C-REF-',
    }) }}
{%- endmacro %}

{#- The external id of a billing document: its kind's prefix followed by the Stripe id. -#}
{% macro u2c_external_id(document_type, id_expression) -%}
    {{ dbt.concat(["'" ~ u2c_document_prefixes()[document_type] ~ "'", id_expression]) }}
{%- endmacro %}

{#- invoice / credit_note / payment / refund when the external id is one of ours with a
    non-empty document id after the prefix ('_' in LIKE = exactly one character), else null. -#}
{% macro u2c_document_type(external_id) -%}
    case
        {%- for document_type, prefix in u2c_document_prefixes().items() %}
        when {{ external_id }} like '{{ prefix }}_%' then '{{ document_type }}'
        {%- endfor %}
    end
{%- endmacro %}

{#- The Stripe id after the prefix (in_…, cn_…, ch_…, re_…), else null. -#}
{% macro u2c_document_id(external_id) -%}
    case
        {%- for document_type, prefix in u2c_document_prefixes().items() %}
        when {{ external_id }} like '{{ prefix }}_%'
            then {{ dbt.right(external_id, dbt.length(external_id) ~ ' - ' ~ (prefix | length)) }}
        {%- endfor %}
    end
{%- endmacro %}
