{#- The legal entity rule (doc block legal_entity_rule): a document books in the legal entity,
    region and functional currency of what it belongs to (`owner`: an invoice's contract version,
    a credit note's or payment's invoice) when `owner_key` is found, else of its customer's CRM
    account (`account`). The three columns, named as the documents name them. -#}
{% macro document_entity(owner_key, owner, account) -%}
    {%- for column in ['legal_entity', 'region', 'functional_currency'] %}
    case
        when {{ owner_key }} is not null then {{ owner }}.{{ column }} else {{ account }}.{{ column }}
    end as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Join a billing document's entity row (int_document_legal_entities) as `alias`. -#}
{% macro join_document_entity(document_type, id_expr, alias) -%}
    left join {{ ref('int_document_legal_entities') }} as {{ alias }}
        on {{ alias }}.document_type = '{{ document_type }}' and {{ id_expr }} = {{ alias }}.document_id
{%- endmacro %}

{#- The entity columns of a document joined by join_document_entity as `alias`. -#}
{% macro document_entity_columns(alias) -%}
    cast({{ alias }}.legal_entity as string) as legal_entity,
    cast({{ alias }}.region as string) as region,
    cast({{ alias }}.functional_currency as string) as functional_currency
{%- endmacro %}
