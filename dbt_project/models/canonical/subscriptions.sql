{#- Contract and subscription history: one row per contract version, effective [from, to),
    with the amendment's business transaction id. A version without an end date ends where the
    next version starts. -#}
with

amendments as (
    select
        *,
        lead(effective_from) over (
            partition by contract_id order by contract_version
        ) as next_effective_from
    from {{ ref('stg_crm__contract_amendments') }}
),

contracts as (
    select
        contract_id,
        account_id,
        subscription_id,
        contract_status
    from {{ ref('stg_crm__contracts') }}
),

accounts as (
    select
        account_id,
        stripe_customer_id,
        netsuite_customer_id
    from {{ ref('stg_crm__accounts') }}
),

entities as (
    select
        legal_entity,
        functional_currency
    from {{ ref('legal_entities') }}
)

select
    cast(a.amendment_id as string) as amendment_id,
    cast(c.subscription_id as string) as subscription_id,
    cast(a.contract_id as string) as contract_id,
    cast(c.account_id as string) as account_id,
    cast(acc.stripe_customer_id as string) as stripe_customer_id,
    cast(acc.netsuite_customer_id as bigint) as netsuite_customer_id,
    cast(a.contract_version as integer) as contract_version,
    cast(a.business_transaction_id as string) as business_transaction_id,
    cast(a.amendment_type as string) as amendment_type,
    cast(a.effective_from as date) as effective_from,
    cast(coalesce(a.effective_to, a.next_effective_from) as date) as effective_to,
    cast(a.plan_code as string) as plan_code,
    cast(a.platform_fee as decimal(38, 9)) as platform_fee,
    cast(a.minimum_commitment as decimal(38, 9)) as minimum_commitment,
    cast(a.currency as string) as currency,
    cast(a.legal_entity_code as string) as legal_entity,
    cast(e.functional_currency as string) as functional_currency,
    cast(a.region as string) as region,
    cast(c.contract_status as string) as contract_status,
    cast(a.signed_at as timestamp) as signed_at,
    cast(coalesce(a.effective_to, a.next_effective_from) is null as boolean) as is_current
from amendments as a
inner join contracts as c on a.contract_id = c.contract_id
left join accounts as acc on c.account_id = acc.account_id
left join entities as e on a.legal_entity_code = e.legal_entity
