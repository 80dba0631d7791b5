{#- Each live NetSuite customer with its subsidiary: the customer extract's own `subsidiary`, or,
    when the extract has none (a NetSuite2 customer table without the column), the subsidiary of
    its primary customersubsidiaryrelationship (the lowest relationship id, should two be
    primary). -#}
with

customers as (
    select
        netsuite_customer_id,
        entity_code,
        company_name,
        currency_id,
        subsidiary_id,
        crm_account_id
    from {{ ref('stg_erp__customers') }}
),

primary_relationships as (
    select
        netsuite_customer_id,
        subsidiary_id,
        row_number() over (
            partition by netsuite_customer_id order by relationship_id
        ) as primary_rank
    from {{ ref('stg_erp__customer_subsidiary_relationships') }}
    where is_primary
)

select
    c.netsuite_customer_id,
    c.entity_code,
    c.company_name,
    c.currency_id,
    coalesce(c.subsidiary_id, r.subsidiary_id) as subsidiary_id,
    case
        when c.subsidiary_id is not null then 'customer'
        when r.subsidiary_id is not null then 'customersubsidiaryrelationship'
    end as subsidiary_source,
    c.crm_account_id
from customers as c
left join primary_relationships as r
    on
        c.netsuite_customer_id = r.netsuite_customer_id
        and r.primary_rank = 1
