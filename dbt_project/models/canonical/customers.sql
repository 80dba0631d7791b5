{#- One row per customer (CRM account), with its ids in billing and the ERP, its legal entity and
    functional currency. identity_status says whether all three systems know it. -#}
with

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

stripe as (
    select customer_id from {{ ref('stg_billing__customers') }}
),

netsuite as (
    select netsuite_customer_id from {{ ref('stg_erp__customers') }}
),

entities as (
    select
        legal_entity,
        functional_currency
    from {{ ref('legal_entities') }}
)

select
    cast(a.account_id as string) as account_id,
    cast(a.account_name as string) as account_name,
    cast(a.parent_account_id as string) as parent_account_id,
    cast(a.billing_country as string) as billing_country,
    cast(a.region as string) as region,
    cast(a.legal_entity_code as string) as legal_entity,
    cast(a.currency as string) as currency,
    cast(e.functional_currency as string) as functional_currency,
    cast(a.stripe_customer_id as string) as stripe_customer_id,
    cast(a.netsuite_customer_id as bigint) as netsuite_customer_id,
    cast(a.created_at as timestamp) as created_at,
    cast(
        case
            when s.customer_id is null then 'missing_in_billing'
            when n.netsuite_customer_id is null then 'missing_in_erp'
            when e.legal_entity is null then 'unknown_legal_entity'
            else 'mapped'
        end as string
    ) as identity_status
from accounts as a
left join stripe as s on a.stripe_customer_id = s.customer_id
left join netsuite as n on a.netsuite_customer_id = n.netsuite_customer_id
left join entities as e on a.legal_entity_code = e.legal_entity
